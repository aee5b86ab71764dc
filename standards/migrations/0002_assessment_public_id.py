# Step 1 of 3 (Django's pattern for a unique field with a callable default): add the column
# nullable, with no default and not unique. With the default here, existing rows would all get
# the same single value (the default is computed once for the column).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
