"""Service areas are the core's `institute.ServiceArea` now: the same table, so state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0006_project_components"),
        ("institute", "0006_servicearea"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="learning",
                    name="service_areas",
                    field=models.ManyToManyField(
                        blank=True, related_name="centre_learning", to="institute.servicearea"
                    ),
                )
            ]
        )
    ]
