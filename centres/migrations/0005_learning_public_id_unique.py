# Step 3 of 3: every row has its own value now; make the column unique and required.
import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0004_learning_public_id_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="learning",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
