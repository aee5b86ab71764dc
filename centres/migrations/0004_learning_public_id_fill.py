# Step 2 of 3: give every existing item of learning its own random UUID.
import uuid

from django.db import migrations


def fill(apps, schema_editor):
    Learning = apps.get_model("centres", "Learning")
    batch = []
    for learning in Learning.objects.filter(public_id__isnull=True).only("pk").iterator():
        learning.public_id = uuid.uuid4()
        batch.append(learning)
        if len(batch) >= 1000:
            Learning.objects.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        Learning.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0003_learning_public_id"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
