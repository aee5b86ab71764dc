from django.db import migrations

# A problem's places (the demand_places column: "r:<region>", "t:<council type>" and
# "rt:<region>:<council type>" of each council counted in), in one function that the trigger,
# the vote's own statement and the bench loader use (no places: an empty array). `joining` is a
# council counted in, and `leaving` one counted out, by the statement that calls it, whose rows
# it cannot see yet. PL/pgSQL, so each connection plans its query once. So a vote sets the problem's places in
# the same new row version as its counters, and the trigger that runs after it finds them right:
# the row is written once, not twice (each of its 18 indexes takes one new entry, not two).
FUNCTIONS = """
CREATE FUNCTION backlog_problem_places(problem bigint, joining bigint, leaving bigint)
RETURNS varchar(64)[] LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT COALESCE(array_agg(DISTINCT place ORDER BY place), '{}')::varchar(64)[]
        FROM (
            SELECT organisation_id AS id FROM backlog_councildemand
            WHERE problem_id = problem AND organisation_id IS DISTINCT FROM leaving
            UNION
            SELECT joining WHERE joining IS NOT NULL
        ) counted
        JOIN institute_organisation o ON o.id = counted.id
        CROSS JOIN LATERAL unnest(ARRAY[
            'r:' || NULLIF(o.region, ''),
            't:' || NULLIF(o.council_type, ''),
            'rt:' || NULLIF(o.region, '') || ':' || NULLIF(o.council_type, '')
        ]) AS place
        WHERE place IS NOT NULL
    );
END
$$;

CREATE OR REPLACE FUNCTION backlog_demand_places_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_problem p SET demand_places = backlog_problem_places(p.id, NULL, NULL)
    WHERE p.id IN (SELECT problem_id FROM changed)
      AND p.demand_places IS DISTINCT FROM backlog_problem_places(p.id, NULL, NULL);
    RETURN NULL;
END
$$;
"""

# Migration 0013's trigger function, as it was.
PREVIOUS = """
CREATE OR REPLACE FUNCTION backlog_demand_places_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE backlog_problem p SET demand_places = COALESCE(x.places, '{}')
    FROM (SELECT DISTINCT problem_id FROM changed) touched
    LEFT JOIN (
        SELECT d.problem_id, array_agg(DISTINCT place ORDER BY place)::varchar(64)[] AS places
        FROM backlog_councildemand d
        JOIN institute_organisation o ON o.id = d.organisation_id
        CROSS JOIN LATERAL unnest(ARRAY[
            'r:' || NULLIF(o.region, ''),
            't:' || NULLIF(o.council_type, ''),
            'rt:' || NULLIF(o.region, '') || ':' || NULLIF(o.council_type, '')
        ]) AS place
        WHERE place IS NOT NULL AND d.problem_id IN (SELECT problem_id FROM changed)
        GROUP BY d.problem_id
    ) x ON x.problem_id = touched.problem_id
    WHERE p.id = touched.problem_id AND p.demand_places IS DISTINCT FROM COALESCE(x.places, '{}');
    RETURN NULL;
END
$$;
DROP FUNCTION IF EXISTS backlog_problem_places(bigint, bigint, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0014_problem_service_area_ids"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, PREVIOUS)]
