import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

# A problem's service area ids, from the join table: the one definition, used by the trigger and
# by the backfill below.
AREAS = """
SELECT problem_id, array_agg(DISTINCT servicearea_id ORDER BY servicearea_id) AS ids
FROM backlog_problem_service_areas
WHERE problem_id IN (SELECT problem_id FROM {source})
GROUP BY problem_id
"""

# Statement triggers with transition tables, like demand_places (migration 0013): a form's
# `set()` (a delete and an insert), a merge and the bench loader's COPY each refresh the
# problems they touched once. Join rows are only inserted and deleted.
TRIGGERS = f"""
CREATE FUNCTION backlog_service_area_ids_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_problem p SET service_area_ids = COALESCE(x.ids, '{{}}')
    FROM (SELECT DISTINCT problem_id FROM changed) touched
    LEFT JOIN ({AREAS.format(source="changed")}) x ON x.problem_id = touched.problem_id
    WHERE p.id = touched.problem_id AND p.service_area_ids IS DISTINCT FROM COALESCE(x.ids, '{{}}');
    RETURN NULL;
END
$$;
CREATE TRIGGER backlog_service_area_ids_insert AFTER INSERT ON backlog_problem_service_areas
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION backlog_service_area_ids_refresh();
CREATE TRIGGER backlog_service_area_ids_delete AFTER DELETE ON backlog_problem_service_areas
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION backlog_service_area_ids_refresh();
"""  # noqa: S608 (constant SQL, nothing from input)

BACKFILL = f"""
UPDATE backlog_problem p SET service_area_ids = x.ids
FROM ({AREAS.format(source="backlog_problem_service_areas")}) x
WHERE x.problem_id = p.id
"""  # noqa: S608 (constant SQL, nothing from input)

DROP = """
DROP TRIGGER IF EXISTS backlog_service_area_ids_insert ON backlog_problem_service_areas;
DROP TRIGGER IF EXISTS backlog_service_area_ids_delete ON backlog_problem_service_areas;
DROP FUNCTION IF EXISTS backlog_service_area_ids_refresh();
"""


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
