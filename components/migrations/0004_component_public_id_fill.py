# Step 2 of 3: give every existing component its own random UUID, in one statement (a scale
# database has thousands; gen_random_uuid() is built into PostgreSQL 13 and later).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0003_component_public_id"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE components_component SET public_id = gen_random_uuid() WHERE public_id IS NULL",
            migrations.RunSQL.noop,
            elidable=True,
        ),
    ]
