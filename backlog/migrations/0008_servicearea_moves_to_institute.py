"""Problems' service areas are the core's `institute.ServiceArea` now (same table, renamed by
institute 0006); the backlog's own model state goes once every app points at the new one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0007_problem_search_demand"),
        ("institute", "0006_servicearea"),
        ("components", "0007_servicearea_moves_to_institute"),
        ("centres", "0007_servicearea_moves_to_institute"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="problem",
                    name="service_areas",
                    field=models.ManyToManyField(
                        related_name="problems", to="institute.servicearea"
                    ),
                ),
                migrations.DeleteModel(name="ServiceArea"),
            ]
        )
    ]
