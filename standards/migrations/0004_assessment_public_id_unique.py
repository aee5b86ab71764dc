# Step 3 of 3: every row has its own value now; make the column unique and required.
import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0003_assessment_public_id_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
