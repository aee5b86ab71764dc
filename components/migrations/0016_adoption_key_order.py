"""The adoption API's order (component, council, id) as one index, so the row before a deep page
is found without reading the table (ADR 0023)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0015_catalogue_order_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="adoption",
            index=models.Index(
                fields=["component", "organisation", "id"], name="adoption_key_order"
            ),
        ),
    ]
