import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

from institute.models import service_area_ids_sql

# The trigger on the join table and the backfill: the one definition, shared with the
# components' (institute.models.service_area_ids_sql).
TRIGGERS, DROP, BACKFILL = service_area_ids_sql(
    "backlog_problem", "backlog_problem_service_areas", "problem_id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0013_problem_demand_places"),
    ]

    operations = [
        migrations.AddField(
            model_name="problem",
            name="service_area_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                default=list,
                # Rows written by bulk loaders (COPY, raw INSERT) start with no areas.
                db_default=[],
                editable=False,
                size=None,
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["service_area_ids"], name="problem_service_area_ids"
            ),
        ),
        migrations.RunSQL(TRIGGERS, DROP),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
