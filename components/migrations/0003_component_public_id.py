# Step 1 of 3 (Django's pattern for a unique field with a callable default): add the column
# nullable, with no default and not unique. With the default here, existing rows would all get
# the same single value (the default is computed once for the column).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0002_component_standards"),
    ]

    operations = [
        migrations.AddField(
            model_name="component",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
