"""Sector dashboards: the per-council summary rows, their refresh, the nightly snapshot of
headline metrics, and the reads the dashboard pages make.

A request never scans the vote, demand or adoption tables. `aggregates_refresh` rebuilds one
`CouncilStats` row per current council with one set-based statement (each source table grouped
once, then an INSERT ... ON CONFLICT DO UPDATE of every row, each written once); the pages
aggregate over at most 317 of those rows, and join the small catalogue tables (problems,
components, standards, centres) by primary key for names, once per refresh and filter (they
are cached). "Adopted" for standards comes from `standards.selectors.adopting_assessments`,
the one place it is defined.
"""

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from centres.models import DATA_SHARING_TARGET
from institute.models import (
    CouncilType,
    MetricSnapshot,
    Organisation,
    OrganisationKind,
    Region,
)
from institute.urlcache import detail_url
from standards.selectors import TARGET as STANDARDS_TARGET

# The 2030 targets the panels compare with are each app's own.
TARGET_DATE = date(2030, 12, 31)
ACTIVE_DAYS = 90  # a council is engaged when one of its people signed in this recently
# Panels are cached per refresh (see `dashboard`); refreshes come at least every 10 minutes,
# so an entry outlives its use and then expires.
DASHBOARD_CACHE_SECONDS = 3600

logger = logging.getLogger(__name__)


# --- Filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which councils a dashboard describes: all of them when every field is empty."""

    region: str = ""
    council_type: str = ""
    strategic_authority: str = ""  # the strategic authority's slug

    @classmethod
    def from_query(cls, query, sa_slugs) -> "Filters":
        """Valid values only: a hand-edited URL with a bad value is ignored, never an error."""

        def pick(name, allowed):
            value = (query.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            region=pick("region", set(Region.values)),
            council_type=pick("council_type", set(CouncilType.values)),
            strategic_authority=pick("strategic_authority", set(sa_slugs)),
        )

    @property
    def active(self) -> bool:
        return bool(self.region or self.council_type or self.strategic_authority)

    def query(self) -> str:
        return urlencode(
            [(k, v) for k, v in self.__dict__.items() if v]  # field order: stable URLs
        )

    @property
    def key(self) -> str:
        """The snapshot key: trends are kept for all councils and each single filter."""
        return self.query()

    @property
    def has_trend(self) -> bool:
        return sum(bool(v) for v in self.__dict__.values()) <= 1

    def describe(self, sa_names: dict) -> str:
        parts = []
        if self.region:
            parts.append(Region(self.region).label)
        if self.council_type:
            parts.append(CouncilType(self.council_type).label.lower() + "s")
        if self.strategic_authority:
            parts.append(sa_names.get(self.strategic_authority, self.strategic_authority))
        return ", ".join(parts) if parts else "all councils in England"


def strategic_authorities() -> dict[str, tuple[int, str]]:
    """slug -> (id, name) of current strategic authorities: one query."""
    return {
        slug: (pk, name)
        for pk, slug, name in Organisation.objects.current()
        .filter(kind=OrganisationKind.STRATEGIC_AUTHORITY)
        .order_by("name")
        .values_list("pk", "slug", "name")
    }


def _where(filters: Filters, sas: dict) -> tuple[str, list]:
    """SQL on `o` (institute_organisation) selecting the filtered councils."""
    clauses, params = ["TRUE"], []
    if filters.region:
        clauses.append("o.region = %s")
        params.append(filters.region)
    if filters.council_type:
        clauses.append("o.council_type = %s")
        params.append(filters.council_type)
    if filters.strategic_authority:
        clauses.append("o.strategic_authority_id = %s")
        params.append(sas[filters.strategic_authority][0])
    return " AND ".join(clauses), params


SELECTION = "institute_councilstats cs JOIN institute_organisation o ON o.id = cs.organisation_id"


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _component_url(public_id) -> str:
    return detail_url("components:component_detail", "public_id", public_id)


# --- Refresh (Celery) ------------------------------------------------------------------------

# The columns of a council's row, each with the SQL (over the sources joined below) that
# computes it. A council with no rows in a source gets 0 or an empty list.
STATS_COLUMNS = [
    ("problems_submitted", "coalesce(submitted.n, 0)"),
    ("problems_affected", "coalesce(affected.n, 0)"),
    ("officer_votes", "coalesce(votes.n, 0)"),
    ("problem_ids", "coalesce(affected.ids, '{}')"),
    ("adoptions_exploring", "coalesce(adoptions.exploring, 0)"),
    ("adoptions_piloting", "coalesce(adoptions.piloting, 0)"),
    ("adoptions_in_use", "coalesce(adoptions.in_use, 0)"),
    ("adoptions_retired", "coalesce(adoptions.retired, 0)"),
    ("adoptions_stale", "coalesce(adoptions.stale, 0)"),
    ("component_ids", "coalesce(adoptions.ids, '{}')"),
    ("standards_adopted_ids", "coalesce(adopted.ids, '{}')"),
    ("standards_in_progress", "coalesce(in_progress.n, 0)"),
    ("project_ids", "coalesce(projects.ids, '{}')"),
    ("learning_ids", "coalesce(learning.ids, '{}')"),
    ("members", "coalesce(members.n, 0)"),
    ("active_users", "coalesce(members.active, 0)"),
    ("refreshed_at", "%s"),
]
# For the refresh's transaction only: memory for its sorts and hashes (the demand rows of
# 100,000 problems), and no JIT compilation, which costs more than it saves on 317 rows.
REFRESH_SETTINGS = ["SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"]


def _refresh_sql(now: datetime, today: date) -> tuple[str, list]:
    """One statement that computes every current council's row from the source tables, each
    source grouped once, and writes it (insert or replace). Positional parameters, in order."""
    from standards.models import EDITABLE_STATUSES
    from standards.selectors import adopting_assessments

    adopting_sql, adopting_params = (
        adopting_assessments(today)
        .order_by()
        .values_list("organisation_id", "standard_id")
        .query.sql_with_params()
    )
    sources = [
        # Backlog: problems raised and problems the council has (not merged away), its votes.
        # Merged problems are few: an anti-join on them is cheaper than a join on the rest.
        (
            """submitted AS (SELECT submitted_for_id AS org, count(*) AS n FROM backlog_problem
            WHERE status <> 'merged' GROUP BY submitted_for_id)""",
            [],
        ),
        (
            """affected AS (SELECT d.organisation_id AS org, count(*) AS n,
                array_agg(d.problem_id ORDER BY d.problem_id) AS ids
            FROM backlog_councildemand d WHERE NOT EXISTS (SELECT 1 FROM backlog_problem p
                WHERE p.id = d.problem_id AND p.status = 'merged')
            GROUP BY d.organisation_id)""",
            [],
        ),
        (
            """votes AS (SELECT organisation_id AS org, count(*) AS n FROM backlog_vote
            GROUP BY organisation_id)""",
            [],
        ),
        # Components: stages of adoptions of published components (most are: an anti-join on
        # the others again); stale ones apart.
        (
            """adoptions AS (SELECT a.org,
                count(*) FILTER (WHERE a.stage = 'exploring' AND a.fresh) AS exploring,
                count(*) FILTER (WHERE a.stage = 'piloting' AND a.fresh) AS piloting,
                count(*) FILTER (WHERE a.stage = 'in_use' AND a.fresh) AS in_use,
                count(*) FILTER (WHERE a.stage = 'retired') AS retired,
                count(*) FILTER (WHERE a.stage <> 'retired' AND NOT a.fresh) AS stale,
                array_agg(a.component_id ORDER BY a.component_id)
                    FILTER (WHERE a.stage <> 'retired' AND a.fresh) AS ids
            FROM (SELECT a2.organisation_id AS org, a2.stage, a2.component_id,
                    a2.confirmed_at >= %s AS fresh
                FROM components_adoption a2 WHERE NOT EXISTS (SELECT 1 FROM components_component c
                    WHERE c.id = a2.component_id AND c.status <> 'published')) a
            GROUP BY a.org)""",
            [now - timedelta(days=365)],
        ),
        # Standards: adopted as the standards app defines it, and assessments being written.
        (f"adopted_pairs (org, sid) AS ({adopting_sql})", list(adopting_params)),
        (
            """adopted AS (SELECT org, array_agg(DISTINCT sid ORDER BY sid) AS ids
            FROM adopted_pairs GROUP BY org)""",
            [],
        ),
        (
            """in_progress AS (SELECT a.organisation_id AS org, count(DISTINCT a.standard_id) AS n
            FROM standards_assessment a WHERE a.status = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM adopted_pairs x
                WHERE x.org = a.organisation_id AND x.sid = a.standard_id)
            GROUP BY a.organisation_id)""",
            [sorted(EDITABLE_STATUSES)],
        ),
        # Centres: projects and published learning the council took part in.
        (
            """projects AS (SELECT organisation_id AS org,
                array_agg(project_id ORDER BY project_id) AS ids
            FROM centres_project_partner_councils GROUP BY organisation_id)""",
            [],
        ),
        (
            """learning AS (SELECT lc.organisation_id AS org,
                array_agg(lc.learning_id ORDER BY lc.learning_id) AS ids
            FROM centres_learning_councils lc JOIN centres_learning l
            ON l.id = lc.learning_id AND l.status = 'published' GROUP BY lc.organisation_id)""",
            [],
        ),
        # Engagement: members, and members who signed in within ACTIVE_DAYS.
        (
            """members AS (SELECT m.organisation_id AS org, count(*) AS n,
                count(*) FILTER (WHERE u.last_login >= %s) AS active
            FROM institute_membership m JOIN institute_user u ON u.id = m.user_id AND u.is_active
            GROUP BY m.organisation_id)""",
            [now - timedelta(days=ACTIVE_DAYS)],
        ),
    ]
    names = ["submitted", "affected", "votes", "adoptions", "adopted", "in_progress"]
    names += ["projects", "learning", "members"]
    joins = " ".join(f"LEFT JOIN {name} ON {name}.org = c.id" for name in names)
    columns = ", ".join(name for name, _ in STATS_COLUMNS)
    values = ", ".join(expr for _, expr in STATS_COLUMNS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name, _ in STATS_COLUMNS)
    ctes = ", ".join(s for s, _ in sources)
    # Constant SQL: every value is a parameter.
    sql = (
        f"WITH {ctes} INSERT INTO institute_councilstats (organisation_id, {columns}) "  # noqa: S608
        f"SELECT c.id, {values} FROM ({_current_councils_sql()}) c {joins} "
        f"ON CONFLICT (organisation_id) DO UPDATE SET {updates}"
    )
    params = [p for _, ps in sources for p in ps] + [now, today, today]
    return sql, params


def _current_councils_sql() -> str:
    """Current councils on the day given twice as positional parameters."""
    return (
        "SELECT id FROM institute_organisation WHERE kind = 'council' "
        "AND (valid_from IS NULL OR valid_from <= %s) "
        "AND (valid_to IS NULL OR valid_to >= %s)"
    )


@transaction.atomic
def aggregates_refresh(*, now: datetime | None = None) -> int:
    """Rebuild every current council's summary row, and drop those of councils that ended:
    the same two statements whatever the size of the backlog; returns the number of rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sql, params = _refresh_sql(now, today)
    with connection.cursor() as cursor:
        for setting in REFRESH_SETTINGS:
            cursor.execute(setting)
        cursor.execute(
            "DELETE FROM institute_councilstats WHERE organisation_id NOT IN "  # noqa: S608
            f"({_current_councils_sql()})",
            [today, today],
        )
        cursor.execute(sql, params)
        cursor.execute("SELECT count(*) FROM institute_councilstats")
        return cursor.fetchone()[0]


# --- Tables: every chart's numbers, shown, summarised and downloadable -------------------------


@dataclass
class Table:
    slug: str
    caption: str
    headers: list[str]
    rows: list[list]  # cells: str | int | float | {"text": ..., "href": ...}
    summary: str = ""
    bars: list[dict] = field(default_factory=list)  # label, value, percent (0..100), text

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow([c["text"] if isinstance(c, dict) else c for c in row])
        return out.getvalue()


def _pct(part, whole) -> int:
    return round(100 * part / whole) if whole else 0


def _bars(items, *, total=None, suffix="") -> list[dict]:
    """Bar widths as whole percentages (CSS classes exist for 0..100)."""
    top = total if total is not None else max((v for _, v in items), default=0)
    return [
        {"label": label, "value": value, "percent": min(100, _pct(value, top)), "text": suffix}
        for label, value in items
    ]


def _quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


# --- The dashboard ---------------------------------------------------------------------------


def _groups(where, params):
    """Per region and council type: councils, engaged councils, component use, stage sums."""
    return _rows(
        f"""SELECT o.region, o.council_type, count(*),
        count(*) FILTER (WHERE cs.active_users > 0),
        count(*) FILTER (WHERE cs.adoptions_in_use > 0),
        coalesce(sum(cs.adoptions_exploring), 0), coalesce(sum(cs.adoptions_piloting), 0),
        coalesce(sum(cs.adoptions_in_use), 0), coalesce(sum(cs.adoptions_retired), 0),
        coalesce(sum(cs.adoptions_stale), 0), max(cs.refreshed_at)
        FROM {SELECTION} WHERE {where} GROUP BY o.region, o.council_type""",  # noqa: S608
        params,
    )


def _standards(where, params):
    return _rows(
        f"""SELECT s.id, s.title, s.slug, s.council_types, (
            SELECT count(*) FROM {SELECTION} WHERE {where}
            AND s.id = ANY(cs.standards_adopted_ids)
            AND (cardinality(s.council_types) = 0 OR o.council_type = ANY(s.council_types))
        ) FROM standards_standard s WHERE s.current_version_id IS NOT NULL
        ORDER BY s.title, s.id""",  # noqa: S608
        params,
    )


def headline_metrics(filters: Filters, sas: dict, today: date | None = None) -> dict:
    """The metrics the nightly snapshot keeps: three queries."""
    where, params = _where(filters, sas)
    groups = _groups(where, params)
    councils = sum(g[2] for g in groups)
    by_type: dict[str, int] = {}
    for g in groups:
        by_type[g[1]] = by_type.get(g[1], 0) + g[2]
    metrics = {
        "councils_active_pct": _pct(sum(g[3] for g in groups), councils),
        "councils_component_in_use_pct": _pct(sum(g[4] for g in groups), councils),
    }
    (problems,) = _rows(
        f"SELECT count(DISTINCT pid) FROM (SELECT unnest(cs.problem_ids) AS pid "  # noqa: S608
        f"FROM {SELECTION} WHERE {where}) x",
        params,
    )[0]
    metrics["problems_affecting"] = problems
    for sid, _title, _slug, types, adopted in _standards(where, params):
        in_scope = sum(by_type.get(t, 0) for t in (types or by_type))
        metrics[f"standard:{sid}"] = round(100 * adopted / in_scope, 1) if in_scope else 0.0
    return metrics


def snapshot_keys(sas: dict) -> list[Filters]:
    return (
        [Filters()]
        + [Filters(region=r) for r in Region.values]
        + [Filters(council_type=t) for t in CouncilType.values]
        + [Filters(strategic_authority=s) for s in sas]
    )


@transaction.atomic
def metrics_snapshot(*, today: date | None = None) -> int:
    """Record today's headline metrics for all councils and each single filter; a rerun on the
    same day replaces that day's values (one row per day, metric and filter)."""
    today = today or timezone.localdate()
    sas = strategic_authorities()
    rows = []
    for filters in snapshot_keys(sas):
        for metric, value in headline_metrics(filters, sas, today).items():
            rows.append(
                MetricSnapshot(date=today, metric=metric, filters_key=filters.key, value=value)
            )
    MetricSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["date", "metric", "filters_key"],
        update_fields=["value"],
        batch_size=1000,
    )
    return len(rows)


def projection(points: list[tuple[date, float]], on: date = TARGET_DATE) -> float | None:
    """A straight line fitted (least squares) through the points, read off at `on`."""
    if len({d for d, _ in points}) < 2:
        return None
    xs = [d.toordinal() for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return round(max(0.0, min(100.0, my + slope * (on.toordinal() - mx))), 1)


def _trend_svg(points, width=240, height=60) -> dict:
    """Coordinates for a small SVG line (0..100 per cent upwards), drawn by the template."""
    if len(points) < 2:
        return {}
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(1, last - first)
    coords = [
        (round((d.toordinal() - first) * width / span, 1), round(height - v * height / 100, 1))
        for d, v in points
    ]
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "target_y": round(height - STANDARDS_TARGET * height / 100, 1),
    }


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # the cache is a shortcut: without it the panels are computed
        logger.warning("dashboard cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, DASHBOARD_CACHE_SECONDS)
    except Exception:
        logger.warning("dashboard cache unavailable", exc_info=True)


def dashboard(filters: Filters, sas: dict, *, public: bool = False) -> dict:
    """Every panel of the sector dashboard for the filtered councils: a fixed number of queries
    (nine) whatever the number of councils, problems or adoptions.

    The panels only change when the summary rows are refreshed, so they are cached for each
    refresh (the key holds its time, the filters and the day): after the first view, a view
    makes one query, and the next refresh makes the next view compute them afresh."""
    today = timezone.localdate()
    where, params = _where(filters, sas)
    groups = _groups(where, params)
    refreshed = max((g[10] for g in groups if g[10]), default=None)
    if refreshed is None:  # never refreshed: nothing worth keeping
        return _dashboard(filters, where, params, groups, today)
    key = ":".join(
        [
            "dashboard:v1",
            connection.settings_dict["NAME"],
            filters.key,
            today.isoformat(),
            refreshed.isoformat(),
        ]
    )
    data = _cache_get(key)
    if data is None:
        data = _dashboard(filters, where, params, groups, today)
        _cache_set(key, data)
    return data


def _dashboard(filters: Filters, where: str, params: list, groups: list, today: date) -> dict:
    from backlog.models import Status
    from components.models import Stage
    from institute.models import Theme

    councils = sum(g[2] for g in groups)
    refreshed = max((g[10] for g in groups if g[10]), default=None)
    by_type: dict[str, int] = {}
    for g in groups:
        by_type[g[1]] = by_type.get(g[1], 0) + g[2]
    tables: list[Table] = []

    # Backlog.
    quarter = _quarter_start(today)
    cells = _rows(
        f"""WITH sel AS (SELECT DISTINCT unnest(cs.problem_ids) AS pid
            FROM {SELECTION} WHERE {where})
        SELECT p.theme, p.status, count(*),
               count(*) FILTER (WHERE p.created_at >= %s)
        FROM backlog_problem p JOIN sel ON sel.pid = p.id
        GROUP BY p.theme, p.status""",  # noqa: S608
        [*params, timezone.make_aware(datetime.combine(quarter, datetime.min.time()))],
    )
    statuses = [s for s in Status if s != Status.MERGED]
    counts = {(t, s): n for t, s, n, _ in cells}
    new_this_quarter = sum(c[3] for c in cells)
    total_problems = sum(c[2] for c in cells)
    theme_rows, theme_totals = [], []
    for theme in Theme:
        row = [counts.get((theme.value, s.value), 0) for s in statuses]
        theme_rows.append([theme.label, *row, sum(row)])
        theme_totals.append((theme.label, sum(row)))
    tables.append(
        Table(
            slug="backlog-themes",
            caption="Problems affecting these councils, by theme and status",
            headers=["Theme", *[s.label for s in statuses], "Total"],
            rows=theme_rows,
            summary=(
                f"{total_problems} problems affect at least one of these councils; "
                f"{new_this_quarter} were raised since {quarter:%-d %B %Y}. "
                + "; ".join(f"{label}: {n}" for label, n in theme_totals)
                + "."
            ),
            bars=_bars(theme_totals),
        )
    )
    top = _rows(
        f"""SELECT p.id, p.title, p.status, x.n FROM (
            SELECT unnest(cs.problem_ids) AS pid, count(*) AS n FROM {SELECTION}
            WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
        ) x JOIN backlog_problem p ON p.id = x.pid ORDER BY x.n DESC, p.id""",  # noqa: S608
        params,
    )
    status_labels = dict(Status.choices)
    tables.append(
        Table(
            slug="backlog-top",
            caption="Top 10 problems by councils affected",
            headers=["Problem", "Status", "Councils affected"],
            rows=[
                [
                    {"text": title, "href": detail_url("backlog:problem_detail", "pk", pk)},
                    status_labels.get(st, st),
                    n,
                ]
                for pk, title, st, n in top
            ],
            summary=(
                f"The most widespread problem, “{top[0][1]}”, affects {top[0][3]} of these "
                f"{councils} councils."
                if top
                else "No problems affect these councils yet."
            ),
            bars=_bars([(title, n) for _, title, _, n in top], total=councils or None),
        )
    )

    # Components.
    stage_sums = [
        (Stage.EXPLORING.label, sum(g[5] for g in groups)),
        (Stage.PILOTING.label, sum(g[6] for g in groups)),
        (Stage.IN_USE.label, sum(g[7] for g in groups)),
        (Stage.RETIRED.label, sum(g[8] for g in groups)),
        ("Stale (not confirmed for 12 months)", sum(g[9] for g in groups)),
    ]
    using = sum(g[4] for g in groups)
    tables.append(
        Table(
            slug="components-stages",
            caption="Adoptions of components by stage",
            headers=["Stage", "Adoptions"],
            rows=[[label, n] for label, n in stage_sums],
            summary=(
                f"{using} of {councils} councils ({_pct(using, councils)}%) have at least one "
                "component in use. " + "; ".join(f"{label}: {n}" for label, n in stage_sums) + "."
            ),
            bars=_bars(stage_sums),
        )
    )
    top_components = _rows(
        f"""SELECT c.public_id, c.name, x.n FROM (
            SELECT unnest(cs.component_ids) AS cid, count(*) AS n FROM {SELECTION}
            WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
        ) x JOIN components_component c ON c.id = x.cid ORDER BY x.n DESC, c.name""",  # noqa: S608
        params,
    )
    tables.append(
        Table(
            slug="components-top",
            caption="Most adopted components (councils exploring, piloting or using them)",
            headers=["Component", "Councils"],
            rows=[
                [{"text": name, "href": _component_url(public_id)}, n]
                for public_id, name, n in top_components
            ],
            summary=(
                f"The most adopted component, {top_components[0][1]}, is adopted by "
                f"{top_components[0][2]} of these councils."
                if top_components
                else "None of these councils has recorded an adoption yet."
            ),
            bars=_bars([(name, n) for _, name, n in top_components], total=councils or None),
        )
    )

    # Standards: rate against the target, trend and projection.
    standards = _standards(where, params)
    series: dict[str, list] = {}
    if filters.has_trend and standards:
        for metric, day, value in MetricSnapshot.objects.filter(
            metric__in=[f"standard:{s[0]}" for s in standards], filters_key=filters.key
        ).values_list("metric", "date", "value"):
            series.setdefault(metric, []).append((day, value))
    standard_rows, standard_bars, trends = [], [], []
    for sid, title, slug, types, adopted in standards:
        in_scope = sum(by_type.get(t, 0) for t in (types or by_type))
        rate = round(100 * adopted / in_scope, 1) if in_scope else 0.0
        points = [p for p in sorted(series.get(f"standard:{sid}", [])) if p[0] < today]
        points.append((today, rate))
        projected = projection(points)
        on_track = "" if projected is None else ("Yes" if projected >= STANDARDS_TARGET else "No")
        standard_rows.append(
            [
                {"text": title, "href": detail_url("standards:standard_detail", "slug", slug)},
                adopted,
                in_scope,
                rate,
                STANDARDS_TARGET,
                "" if projected is None else projected,
                on_track or "Not enough history",
            ]
        )
        standard_bars.append({"label": title, "value": rate, "percent": round(rate), "text": "%"})
        trends.append({"title": title, "points": points, "svg": _trend_svg(points)})
    meeting = sum(1 for r in standard_rows if r[3] >= STANDARDS_TARGET)
    tables.append(
        Table(
            slug="standards",
            caption=f"Adoption of each standard against the {STANDARDS_TARGET}% target",
            headers=[
                "Standard",
                "Councils adopting",
                "Councils in scope",
                "Adoption (%)",
                "Target (%)",
                "Projected for end of 2030 (%)",
                "On track",
            ],
            rows=standard_rows,
            summary=(
                f"{meeting} of {len(standard_rows)} published standards meet the "
                f"{STANDARDS_TARGET}% target among these councils."
            ),
            bars=standard_bars,
        )
    )
    trend_rows = [[t["title"], f"{d:%Y-%m-%d}", v] for t in trends for d, v in t["points"]]
    tables.append(
        Table(
            slug="standards-trend",
            caption="Adoption of each standard over time",
            headers=["Standard", "Date", "Adoption (%)"],
            rows=trend_rows,
            summary=(
                "Adoption rates recorded each night, with today's figure last."
                if filters.has_trend
                else "Trends are kept for all councils and for one region, council type or "
                "strategic authority at a time; this table shows today's figures only."
            ),
        )
    )

    # Centres.
    centre_rows = _centres(filters, where, params)
    if filters.active:
        examples = sum(r[3] for r in centre_rows)
    else:
        from centres.selectors import data_sharing_examples_count

        examples = data_sharing_examples_count()
    tables.append(
        Table(
            slug="centres",
            caption="Projects and published learning per centre",
            headers=["Centre", "Projects", "Learning published", "Data-sharing examples"],
            rows=[[name, p, lp, ds] for name, p, lp, ds in centre_rows],
            summary=(
                f"{sum(r[1] for r in centre_rows)} projects and "
                f"{sum(r[2] for r in centre_rows)} published pieces of learning"
                + (" involving these councils" if filters.active else "")
                + f"; {examples} data-sharing examples against the target of "
                f"{DATA_SHARING_TARGET}."
            ),
            bars=_bars([(name, lp) for name, _, lp, _ in centre_rows]),
        )
    )

    # Engagement.
    for slug, caption, index, labels in (
        ("engagement-region", "by region", 0, dict(Region.choices)),
        ("engagement-type", "by council type", 1, dict(CouncilType.choices)),
    ):
        agg: dict[str, list[int]] = {}
        for g in groups:
            entry = agg.setdefault(g[index], [0, 0])
            entry[0] += g[2]
            entry[1] += g[3]
        rows = [
            [labels.get(k, k or "Unknown"), n, active, _pct(active, n)]
            for k, (n, active) in sorted(agg.items(), key=lambda kv: labels.get(kv[0], kv[0]))
        ]
        tables.append(
            Table(
                slug=slug,
                caption=f"Councils with someone active in the last {ACTIVE_DAYS} days, {caption}",
                headers=["Group", "Councils", "Councils with an active user", "Share (%)"],
                rows=rows,
                summary=(
                    f"{sum(r[2] for r in rows)} of {councils} councils "
                    f"({_pct(sum(r[2] for r in rows), councils)}%) had someone sign in in the "
                    f"last {ACTIVE_DAYS} days."
                ),
                bars=[{"label": r[0], "value": r[3], "percent": r[3], "text": "%"} for r in rows],
            )
        )

    return {
        "councils": councils,
        "refreshed_at": refreshed,
        "tables": {t.slug: t for t in tables},
        "headline": {
            "problems": total_problems,
            "new_this_quarter": new_this_quarter,
            "components_share": _pct(using, councils),
            "components_using": using,
            "standards_meeting": meeting,
            "standards_count": len(standard_rows),
            "data_sharing": examples,
            "data_sharing_target": DATA_SHARING_TARGET,
            "engaged": _pct(sum(g[3] for g in groups), councils),
        },
        "trends": trends,
        "target": STANDARDS_TARGET,
    }


def _centres(filters: Filters, where: str, params: list) -> list[tuple]:
    """(centre, projects, published learning, data-sharing examples) per centre: one query.
    With filters, only those involving at least one selected council."""
    if not filters.active:
        return _rows(
            """SELECT c.name,
            (SELECT count(*) FROM centres_project p WHERE p.centre_id = c.id),
            (SELECT count(*) FROM centres_learning l
             WHERE l.centre_id = c.id AND l.status = 'published'),
            (SELECT count(*) FROM centres_learning l WHERE l.centre_id = c.id
             AND l.status = 'published' AND l.kind = 'data_sharing')
            FROM centres_centre c ORDER BY c.name"""
        )
    return _rows(
        f"""WITH sp AS (SELECT DISTINCT unnest(cs.project_ids) AS id FROM {SELECTION}
                WHERE {where}),
             sl AS (SELECT DISTINCT unnest(cs.learning_ids) AS id FROM {SELECTION}
                WHERE {where})
        SELECT c.name,
            (SELECT count(*) FROM centres_project p JOIN sp ON sp.id = p.id
             WHERE p.centre_id = c.id),
            (SELECT count(*) FROM centres_learning l JOIN sl ON sl.id = l.id
             WHERE l.centre_id = c.id AND l.status = 'published'),
            (SELECT count(*) FROM centres_learning l JOIN sl ON sl.id = l.id
             WHERE l.centre_id = c.id AND l.status = 'published' AND l.kind = 'data_sharing')
        FROM centres_centre c ORDER BY c.name""",  # noqa: S608
        [*params, *params],
    )


# --- Council profile -------------------------------------------------------------------------

PROFILE_METRICS = [
    ("problems_submitted", "Problems raised", "cs.problems_submitted", False),
    ("problems_affected", "Problems it has", "cs.problems_affected", False),
    ("officer_votes", "Officers' votes", "cs.officer_votes", False),
    (
        "adopting",
        "Components explored, piloted or in use",
        "cs.adoptions_exploring + cs.adoptions_piloting + cs.adoptions_in_use",
        False,
    ),
    ("in_use", "Components in use", "cs.adoptions_in_use", False),
    ("standards_adopted", "Standards adopted", "cardinality(cs.standards_adopted_ids)", True),
    ("standards_in_progress", "Standards being assessed", "cs.standards_in_progress", True),
    ("projects", "Centre projects", "cardinality(cs.project_ids)", False),
    ("learning", "Published learning it took part in", "cardinality(cs.learning_ids)", False),
    ("active_users", f"People active in the last {ACTIVE_DAYS} days", "cs.active_users", False),
]


def council_comparison(organisation: Organisation, *, show_standards: bool) -> dict:
    """The council's figures beside the median of councils of its type and of its region
    ("councils like mine"): one query over the summary rows."""
    exprs = ", ".join(expr for _, _, expr, _ in PROFILE_METRICS)
    rows = _rows(
        f"SELECT cs.organisation_id, o.council_type, o.region, {exprs} "  # noqa: S608
        f"FROM {SELECTION} WHERE o.council_type = %s OR o.region = %s",
        [organisation.council_type, organisation.region],
    )
    mine = next((r for r in rows if r[0] == organisation.pk), None)
    same_type = [r for r in rows if r[1] == organisation.council_type]
    same_region = [r for r in rows if r[2] == organisation.region]
    table_rows = []
    for i, (_key, label, _expr, is_standards) in enumerate(PROFILE_METRICS, start=3):
        if is_standards and not show_standards:
            continue
        table_rows.append(
            [
                label,
                mine[i] if mine else 0,
                _median([r[i] for r in same_type]),
                _median([r[i] for r in same_region]),
            ]
        )
    type_label = organisation.get_council_type_display() or "council"
    region_label = organisation.get_region_display() or "region"
    table = Table(
        slug="profile",
        caption=f"{organisation.name} compared with councils like it",
        headers=[
            "Measure",
            organisation.name,
            f"Median, {type_label.lower()}s ({len(same_type)})",
            f"Median, {region_label} ({len(same_region)})",
        ],
        rows=table_rows,
        summary=(
            f"{organisation.name} beside the median of {len(same_type)} "
            f"{type_label.lower()}s and of {len(same_region)} councils in {region_label}."
        ),
    )
    return {"table": table, "has_stats": mine is not None}


def _median(values) -> float:
    return round(median(values), 1) if values else 0
