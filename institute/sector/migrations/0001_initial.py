"""The sector's tables were the core's (institute_councilstats, institute_metricsnapshot):
renamed, with their rows, when the sector became its own app."""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

RENAMES = [
    ("institute_councilstats", "sector_councilstats"),
    ("institute_metricsnapshot", "sector_metricsnapshot"),
]
FORWARD = "; ".join(f"ALTER TABLE {old} RENAME TO {new}" for old, new in RENAMES) + (
    "; ALTER SEQUENCE institute_metricsnapshot_id_seq RENAME TO sector_metricsnapshot_id_seq"
)
BACKWARD = "; ".join(f"ALTER TABLE {new} RENAME TO {old}" for old, new in RENAMES) + (
    "; ALTER SEQUENCE sector_metricsnapshot_id_seq RENAME TO institute_metricsnapshot_id_seq"
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("institute", "0006_servicearea")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.CreateModel(
                    name="CouncilStats",
                    fields=[
                        (
                            "organisation",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="stats",
                                serialize=False,
                                to="institute.organisation",
                            ),
                        ),
                        ("problems_submitted", models.PositiveIntegerField(default=0)),
                        ("problems_affected", models.PositiveIntegerField(default=0)),
                        ("officer_votes", models.PositiveIntegerField(default=0)),
                        (
                            "problem_ids",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.BigIntegerField(),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        ("adoptions_exploring", models.PositiveIntegerField(default=0)),
                        ("adoptions_piloting", models.PositiveIntegerField(default=0)),
                        ("adoptions_in_use", models.PositiveIntegerField(default=0)),
                        ("adoptions_retired", models.PositiveIntegerField(default=0)),
                        ("adoptions_stale", models.PositiveIntegerField(default=0)),
                        (
                            "component_ids",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.BigIntegerField(),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        (
                            "standards_adopted_ids",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.BigIntegerField(),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        ("standards_in_progress", models.PositiveIntegerField(default=0)),
                        (
                            "project_ids",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.BigIntegerField(),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        (
                            "learning_ids",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.BigIntegerField(),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        ("members", models.PositiveIntegerField(default=0)),
                        ("active_users", models.PositiveIntegerField(default=0)),
                        ("refreshed_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                ),
                migrations.CreateModel(
                    name="MetricSnapshot",
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
                        ("date", models.DateField()),
                        ("metric", models.CharField(max_length=100)),
                        ("filters_key", models.CharField(blank=True, default="", max_length=200)),
                        ("value", models.FloatField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "ordering": ["date"],
                        "indexes": [
                            models.Index(
                                fields=["metric", "filters_key", "date"], name="metric_series"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("date", "metric", "filters_key"),
                                name="metric_snapshot_once_a_day",
                            )
                        ],
                    },
                ),
            ],
        )
    ]
