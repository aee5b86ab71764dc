"""The per-council rows, rebuilt from every app in one statement.

Each app says what it counts per council in its own selectors (a grouped queryset with a
council column `org`); the refresh joins them all to the current councils and writes every
row (INSERT ... ON CONFLICT DO UPDATE), each source grouped once, whatever the size of the
backlog. A request never scans those sources: it reads these rows.
"""

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from backlog import selectors as backlog_selectors
from centres import selectors as centres_selectors
from components import selectors as components_selectors
from institute import fragments
from institute import selectors as core_selectors
from institute.models import Organisation
from institute.sector.figures import ACTIVE_DAYS, FIGURES_VERSION, STATS
from standards import selectors as standards_selectors


def _sources(now: datetime, today: date) -> dict:
    """Name -> a grouped queryset with one row per council (`org`), from its owning app."""
    return {
        "submitted": backlog_selectors.problems_raised_by_council(),
        "affected": backlog_selectors.problems_affecting_council(),
        "votes": backlog_selectors.votes_by_council(),
        "adoptions": components_selectors.adoptions_by_council(now),
        "adopted": standards_selectors.standards_adopted_by_council(today),
        "in_progress": standards_selectors.standards_in_progress_by_council(today),
        "projects": centres_selectors.projects_by_council(),
        "learning": centres_selectors.published_learning_by_council(),
        "members": core_selectors.members_by_council(
            active_since=now - timedelta(days=ACTIVE_DAYS)
        ),
    }


# Each column of a council's row: (source, its figure). A council missing from a source gets 0
# or an empty list.
COLUMNS = {
    "problems_submitted": ("submitted", "n"),
    "problems_affected": ("affected", "n"),
    "officer_votes": ("votes", "n"),
    "problem_ids": ("affected", "ids"),
    "adoptions_exploring": ("adoptions", "exploring"),
    "adoptions_piloting": ("adoptions", "piloting"),
    "adoptions_in_use": ("adoptions", "in_use"),
    "adoptions_retired": ("adoptions", "retired"),
    "adoptions_stale": ("adoptions", "stale"),
    "component_ids": ("adoptions", "ids"),
    "standards_adopted_ids": ("adopted", "ids"),
    "standards_in_progress": ("in_progress", "n"),
    "project_ids": ("projects", "ids"),
    "learning_ids": ("learning", "ids"),
    "members": ("members", "n"),
    "active_users": ("members", "active"),
}
EMPTY_LIST = "'{}'"
# Counts that are the length of their source's list: a heir counts each item once, though
# several of its predecessors had it (a problem both Surrey County and Woking had).
COUNTS_OF_IDS = {("affected", "n")}
# People stay with the organisation they joined; its work (demand, adoptions, assessments,
# projects, learning) passes to its heirs.
NOT_CARRIED = {"members"}
LISTS = {"problem_ids", "component_ids", "standards_adopted_ids", "project_ids", "learning_ids"}
# For the refresh's transaction only: memory for its sorts and hashes (the demand rows of
# 100,000 problems), and no JIT compilation, which costs more than it saves on 317 rows.
REFRESH_SETTINGS = ["SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"]


def _carried(name: str, sql: str) -> str:
    """The source `name` with each closed council's figures passed to its heirs (the councils
    that succeeded it by today, `heirs`): a heir's row sums the counts of its own row and its
    predecessors' and joins their lists without repeats. Other rows are left as they are."""
    figures = [figure for source, figure in COLUMNS.values() if source == name]
    figures = list(dict.fromkeys(figures))
    merged = []
    for figure in figures:
        if figure == "ids" or (name, figure) in COUNTS_OF_IDS:
            union = (
                "(SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}') "  # noqa: S608
                f"FROM {name}_raw s2 JOIN carried m2 ON m2.org = s2.org, unnest(s2.ids) x "
                "WHERE m2.heir = m.heir)"
            )
            merged.append(f"cardinality({union})" if figure != "ids" else union)
        else:
            merged.append(f"sum(s.{figure})::bigint")
    plain = ", ".join(f"s.{figure}" for figure in figures)
    return (
        f"{name}_raw AS ({sql}), {name} AS ("  # noqa: S608
        f"SELECT s.org, {plain} FROM {name}_raw s WHERE s.org NOT IN (SELECT heir FROM heirs) "
        f"UNION ALL SELECT m.heir, {', '.join(merged)} FROM {name}_raw s "
        "JOIN carried m ON m.org = s.org GROUP BY m.heir)"
    )


def _refresh_sql(now: datetime, today: date) -> tuple[str, list]:
    """One statement that computes every current council's row and writes it."""
    heirs_sql, params = core_selectors.organisation_heirs_sql(today)
    ctes = [
        f"heirs AS ({heirs_sql})",
        # Each heir with itself and with each of its predecessors.
        "carried AS (SELECT DISTINCT heir AS org, heir FROM heirs UNION ALL "
        "SELECT org, heir FROM heirs)",
    ]
    for name, queryset in _sources(now, today).items():
        sql, source_params = queryset.query.sql_with_params()
        ctes.append(f"{name} AS ({sql})" if name in NOT_CARRIED else _carried(name, sql))
        params += source_params
    councils_sql, councils_params = (
        Organisation.objects.current(today).councils().values("id").query.sql_with_params()
    )
    values = [
        f"coalesce({source}.{figure}, {EMPTY_LIST if column in LISTS else '0'})"
        for column, (source, figure) in COLUMNS.items()
    ]
    sources = dict.fromkeys(source for source, _ in COLUMNS.values())
    joins = " ".join(f"LEFT JOIN {name} ON {name}.org = c.id" for name in sources)
    columns = [*COLUMNS, "refreshed_at"]
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns)
    # Constant SQL: every value is a parameter.
    sql = (
        f"WITH {', '.join(ctes)} INSERT INTO {STATS} (organisation_id, {', '.join(columns)}) "  # noqa: S608
        f"SELECT c.id, {', '.join(values)}, %s FROM ({councils_sql}) c {joins} "
        f"ON CONFLICT (organisation_id) DO UPDATE SET {updates}"
    )
    return sql, [*params, now, *councils_params]


@transaction.atomic
def aggregates_refresh(*, now: datetime | None = None) -> int:
    """Rebuild every current council's row, and drop those of councils that ended: the same
    statements whatever the size of the sources; returns the number of rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sql, params = _refresh_sql(now, today)
    councils_sql, councils_params = (
        Organisation.objects.current(today).councils().values("id").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        for setting in REFRESH_SETTINGS:
            cursor.execute(setting)
        cursor.execute(
            f"DELETE FROM {STATS} WHERE organisation_id NOT IN ({councils_sql})",  # noqa: S608
            list(councils_params),
        )
        cursor.execute(sql, params)
        cursor.execute(f"SELECT count(*) FROM {STATS}")  # noqa: S608
        count = cursor.fetchone()[0]
    # What is kept from the old rows (the profiles' figures) is read afresh: when this commits.
    fragments.bump(FIGURES_VERSION)
    return count
