# Step 2 of 3: give every existing assessment its own random UUID.
import uuid

from django.db import migrations


def fill(apps, schema_editor):
    Assessment = apps.get_model("standards", "Assessment")
    batch = []
    for assessment in Assessment.objects.filter(public_id__isnull=True).only("pk").iterator():
        assessment.public_id = uuid.uuid4()
        batch.append(assessment)
        if len(batch) >= 1000:
            Assessment.objects.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        Assessment.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0002_assessment_public_id"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
