"""The catalogue's default order (most councils using it, then adopting, then name) as one index,
so a page past the numbered ones finds the row it starts after without sorting the catalogue."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0014_component_changes_reviewed"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="component",
            name="component_using",
        ),
        migrations.AddIndex(
            model_name="component",
            index=models.Index(
                fields=["status", "-using_count", "-adopting_count", "name", "id"],
                name="component_using",
            ),
        ),
    ]
