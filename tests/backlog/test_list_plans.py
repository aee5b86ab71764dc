"""No list path reads the whole of a big table (issue #22): every query a list makes has an
index-backed plan for the problems, votes and demand tables.

At a test's scale PostgreSQL would rightly scan a tiny table, so each query is planned with
sequential scans priced out (enable_seqscan off): a "Seq Scan" on one of these tables then means
no index can serve the query, which at 100,000 problems and 1,000,000 votes is a scan of them all.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog import services
from backlog.selectors import SORTS as BACKLOG_SORTS
from components.selectors import SORTS as CATALOGUE_SORTS
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db

BIG_TABLES = ("backlog_problem", "backlog_vote", "backlog_councildemand")

BACKLOG = [
    "",
    "theme=data",
    "status=triaged",
    "service_area=housing",
    *(f"service_area=housing&sort={sort}" for sort in BACKLOG_SORTS),
    "region=E12000008",
    "council_type=county",
    "region=E12000008&council_type=county",
    "region=E12000008&council_type=county&status=triaged",
    "region=E12000008&council_type=county&theme=data",
    "q=housing+repairs",
    *(f"sort={sort}" for sort in BACKLOG_SORTS),
    *(f"q=housing&sort={sort}" for sort in BACKLOG_SORTS),
    *(f"region=E12000008&sort={sort}" for sort in BACKLOG_SORTS),
]
PATHS = [
    *(f"/problems/?{query}" for query in BACKLOG),
    *(f"/api/v1/problems/?{query}" for query in BACKLOG),
    "/components/",
    "/components/?kind=open_source&maturity=live",
    *(f"/components/?q=data&sort={sort}" for sort in CATALOGUE_SORTS),
    "/centres/learning/",
    "/centres/learning/?region=E12000008&council_type=county",
    "/api/v1/components/",
    "/api/v1/learning/",
    "/api/v1/adoptions/",
]


@pytest.fixture
def backlog():
    kent = council_officer("kent")
    for n in range(30):
        problem = ProblemFactory(title=f"Housing repairs report {n}", status="triaged")
        services.problem_vote(actor=kent, problem=problem)


def _seq_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    return [t for t in BIG_TABLES if re.search(rf"Seq Scan on {t}\b", plan)]


@pytest.mark.parametrize("path", PATHS)
def test_list_path_reads_the_big_tables_through_indexes(client, backlog, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    scans = {
        query["sql"][:200]: tables
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
        and (tables := _seq_scans(query["sql"]))
    }
    assert scans == {}


# A filter that matches a few problems in many must find them in its own index: walking the
# sort's index and testing each problem's service areas in turn reads most of the table when
# the matches are few or sit low in the sort, and counting them read 10,000 join rows. Which
# index the planner picks depends on the table's size, so this checks the statements' shape
# (every list statement filters on the GIN-indexed column) and that the index serves it.
@pytest.mark.parametrize("sort", ["", *BACKLOG_SORTS])
@pytest.mark.parametrize("base", ["/problems/", "/api/v1/problems/"])
def test_the_service_area_filter_reads_the_indexed_column(client, backlog, base, sort):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{base}?service_area=housing&sort={sort}")
    assert response.status_code == 200
    lists = [q["sql"] for q in captured.captured_queries if 'FROM "backlog_problem" ' in q["sql"]]
    assert len(lists) == 2  # the (capped) count and the page
    for sql in lists:
        assert '"backlog_problem"."service_area_ids" @>' in sql
        assert "backlog_problem_service_areas" not in sql


def test_the_service_area_column_has_an_index_that_serves_the_filter():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(
                "EXPLAIN SELECT id FROM backlog_problem"
                " WHERE service_area_ids @> ARRAY[1]::bigint[]"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "Bitmap Index Scan on problem_service_area_ids" in plan


def test_the_check_finds_a_scan_when_there_is_one():
    # A filter no index serves: the check must be able to fail.
    assert _seq_scans("SELECT id FROM backlog_problem WHERE summary LIKE '%bins%'") == [
        "backlog_problem"
    ]
