# Step 1 of 3 (Django's pattern for a unique field with a callable default): add the column
# nullable, with no default and not unique. With the default here, existing rows would all get
# the same single value (the default is computed once for the column).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0002_learning_components_standards"),
    ]

    operations = [
        migrations.AddField(
            model_name="learning",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
