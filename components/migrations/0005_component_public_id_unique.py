# Step 3 of 3: every row has its own value now; make the column unique and required.
import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0004_component_public_id_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="component",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
