"""Service areas become shared vocabulary of the core (they were the backlog's): the table is
renamed and the model's state moves; its rows and every link to them stay as they are."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("institute", "0005_dashboards_notifications"),
        # Every table that links to the old one exists before it is renamed.
        ("backlog", "0007_problem_search_demand"),
        ("components", "0006_adoption_history"),
        ("centres", "0006_project_components"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE backlog_servicearea RENAME TO institute_servicearea; "
                    "ALTER SEQUENCE backlog_servicearea_id_seq "
                    "RENAME TO institute_servicearea_id_seq",
                    "ALTER TABLE institute_servicearea RENAME TO backlog_servicearea; "
                    "ALTER SEQUENCE institute_servicearea_id_seq "
                    "RENAME TO backlog_servicearea_id_seq",
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ServiceArea",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, unique=True)),
                        ("slug", models.SlugField(max_length=100, unique=True)),
                    ],
                    options={"ordering": ["name"]},
                )
            ],
        )
    ]
