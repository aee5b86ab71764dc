"""Service areas are the core's `institute.ServiceArea` now: the same table, so state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0006_adoption_history"),
        ("institute", "0006_servicearea"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="component",
                    name="service_areas",
                    field=models.ManyToManyField(
                        blank=True, related_name="components", to="institute.servicearea"
                    ),
                )
            ]
        )
    ]
