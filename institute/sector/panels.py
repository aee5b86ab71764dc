"""The sector dashboard's panels: each a named builder over the selected councils' rows, with
the numbers of every chart in a table (shown, summarised and downloadable as CSV).

A panel reads the per-council rows (`CouncilStats`) of the selection, and the capability apps
only through their selectors (for names and vocabularies). `dashboard()` puts the panels
together and keeps them for each refresh of the rows; the nightly snapshot records the headline
metrics that trends are drawn from.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from backlog import selectors as backlog_selectors
from centres import selectors as centres_selectors
from components import selectors as components_selectors
from institute.csv_export import CsvWriter
from institute.models import CouncilType, Region, Theme
from institute.sector import trends
from institute.sector.charts import line_chart
from institute.sector.figures import ACTIVE_DAYS, SELECTION, Filters, rows, strategic_authorities
from institute.sector.figures import where as where_sql
from institute.sector.models import MetricSnapshot
from institute.urlcache import detail_url
from standards import selectors as standards_selectors

# The 2030 targets the panels compare with are each app's own.
STANDARDS_TARGET = standards_selectors.TARGET
DATA_SHARING_TARGET = centres_selectors.DATA_SHARING_TARGET
TARGET_DATE = date(2030, 12, 31)  # "by 2030": the last day of 2030
# Panels are cached per refresh (see `dashboard`); refreshes come at least every 10 minutes,
# so an entry outlives its use and then expires.
DASHBOARD_CACHE_SECONDS = 3600

logger = logging.getLogger(__name__)


# --- Tables ------------------------------------------------------------------------------------


@dataclass
class Table:
    slug: str
    caption: str
    headers: list[str]
    rows: list[list]  # cells: str | int | float | {"text": ..., "href": ...}
    summary: str = ""
    bars: list[dict] = field(default_factory=list)  # label, value, percent (0..100), text
    collapsed: bool = False  # its table starts closed even without bars (a long table)

    def csv(self) -> str:
        out = io.StringIO()
        writer = CsvWriter(out)
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


# --- The selected councils ---------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The selected councils of one region and council type, summed."""

    region: str
    council_type: str
    councils: int
    engaged: int  # with someone active in the last ACTIVE_DAYS days
    using_components: int  # with at least one component in use
    exploring: int
    piloting: int
    in_use: int
    retired: int
    stale: int
    refreshed_at: datetime | None


@dataclass(frozen=True)
class Selection:
    """The councils a dashboard describes: the SQL choosing their rows, and their groups."""

    filters: Filters
    where: str
    params: list
    groups: list[Group]
    today: date

    @classmethod
    def of(cls, filters: Filters, sas: dict, today: date) -> "Selection":
        where, params = where_sql(filters, sas)
        groups = [
            Group(*row)
            for row in rows(
                f"""SELECT o.region, o.council_type, count(*),
                count(*) FILTER (WHERE cs.active_users > 0),
                count(*) FILTER (WHERE cs.adoptions_in_use > 0),
                coalesce(sum(cs.adoptions_exploring), 0), coalesce(sum(cs.adoptions_piloting), 0),
                coalesce(sum(cs.adoptions_in_use), 0), coalesce(sum(cs.adoptions_retired), 0),
                coalesce(sum(cs.adoptions_stale), 0), max(cs.refreshed_at)
                FROM {SELECTION} WHERE {where}
                GROUP BY o.region, o.council_type""",  # noqa: S608
                params,
            )
        ]
        return cls(filters, where, params, groups, today)

    @property
    def councils(self) -> int:
        return sum(g.councils for g in self.groups)

    @property
    def refreshed_at(self) -> datetime | None:
        return max((g.refreshed_at for g in self.groups if g.refreshed_at), default=None)

    @property
    def by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for g in self.groups:
            counts[g.council_type] = counts.get(g.council_type, 0) + g.councils
        return counts

    def ids_of(self, column: str) -> RawSQL:
        """The distinct ids in one of the rows' id lists, over the selected councils: a
        subquery for the owning app's selectors."""
        sql = f"SELECT DISTINCT unnest(cs.{column}) FROM {SELECTION} WHERE {self.where}"  # noqa: S608
        return RawSQL(sql, self.params)  # noqa: S611  (constant SQL; values are parameters)

    def top(self, column: str, limit: int = 10) -> list[tuple[int, int]]:
        """(id, councils) of the ids most often in one of the rows' id lists."""
        return rows(
            f"""SELECT unnest(cs.{column}) AS id, count(*) AS n FROM {SELECTION}
            WHERE {self.where} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s""",  # noqa: S608
            [*self.params, limit],
        )


@dataclass
class Panel:
    tables: list[Table]
    headline: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


# --- Panels ------------------------------------------------------------------------------------


def backlog_panel(sel: Selection) -> Panel:
    """Problems affecting the selected councils by theme and status, and the most widespread."""
    quarter = _quarter_start(sel.today)
    since = timezone.make_aware(datetime.combine(quarter, datetime.min.time()))
    cells = backlog_selectors.problem_counts_by_theme_and_status(
        problem_ids=sel.ids_of("problem_ids"), since=since
    )
    statuses = backlog_selectors.status_choices(include_merged=False)
    counts = {(theme, status): n for theme, status, n, _ in cells}
    new_this_quarter = sum(new for *_, new in cells)
    total_problems = sum(n for _, _, n, _ in cells)
    theme_rows, theme_totals = [], []
    for theme in Theme:
        row = [counts.get((theme.value, status), 0) for status, _ in statuses]
        theme_rows.append([theme.label, *row, sum(row)])
        theme_totals.append((theme.label, sum(row)))
    themes = Table(
        slug="backlog-themes",
        caption="Problems affecting these councils, by theme and status",
        headers=["Theme", *[label for _, label in statuses], "Total"],
        rows=theme_rows,
        summary=(
            f"{total_problems} problems affect at least one of these councils; "
            f"{new_this_quarter} were raised since {quarter:%-d %B %Y}. "
            + "; ".join(f"{label}: {n}" for label, n in theme_totals)
            + "."
        ),
        bars=_bars(theme_totals),
    )
    councils = sel.councils
    top = sel.top("problem_ids")
    titles = backlog_selectors.problem_titles(pk for pk, _ in top)
    top_rows = [(pk, *titles[pk], n) for pk, n in top if pk in titles]
    widespread = Table(
        slug="backlog-top",
        caption="Top 10 problems by councils affected",
        headers=["Problem", "Status", "Councils affected"],
        rows=[
            [{"text": title, "href": detail_url("backlog:problem_detail", "pk", pk)}, status, n]
            for pk, title, status, n in top_rows
        ],
        summary=(
            f"The most widespread problem, “{top_rows[0][1]}”, affects {top_rows[0][3]} of "
            f"these {councils} councils."
            if top_rows
            else "No problems affect these councils yet."
        ),
        bars=_bars([(title, n) for _, title, _, n in top_rows], total=councils or None),
    )
    return Panel(
        [themes, widespread],
        headline={"problems": total_problems, "new_this_quarter": new_this_quarter},
    )


def components_panel(sel: Selection) -> Panel:
    """Adoptions by stage among the selected councils, and the most adopted components."""
    labels = dict(components_selectors.stage_choices())
    stage_sums = [
        (labels["exploring"], sum(g.exploring for g in sel.groups)),
        (labels["piloting"], sum(g.piloting for g in sel.groups)),
        (labels["in_use"], sum(g.in_use for g in sel.groups)),
        (labels["retired"], sum(g.retired for g in sel.groups)),
        ("Stale (not confirmed for 12 months)", sum(g.stale for g in sel.groups)),
    ]
    councils = sel.councils
    using = sum(g.using_components for g in sel.groups)
    stages = Table(
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
    top = dict(sel.top("component_ids"))
    # By councils, then by name (the selector gives them by name; the sort keeps that order).
    named = sorted(
        (
            (public_id, name, top[pk])
            for pk, public_id, name in components_selectors.component_names(top)
        ),
        key=lambda row: -row[2],
    )
    most_adopted = Table(
        slug="components-top",
        caption="Most adopted components (councils exploring, piloting or using them)",
        headers=["Component", "Councils"],
        rows=[
            [
                {
                    "text": name,
                    "href": detail_url("components:component_detail", "public_id", public_id),
                },
                n,
            ]
            for public_id, name, n in named
        ],
        summary=(
            f"The most adopted component, {named[0][1]}, is adopted by {named[0][2]} of these "
            "councils."
            if named
            else "None of these councils has recorded an adoption yet."
        ),
        bars=_bars([(name, n) for _, name, n in named], total=councils or None),
    )
    return Panel(
        [stages, most_adopted],
        headline={"components_share": _pct(using, councils), "components_using": using},
    )


def standard_rates(sel: Selection) -> list[tuple[int, str, str, int, int, float]]:
    """(id, title, slug, councils adopting, councils in scope, rate %) of each published
    standard among the selected councils: the councils in scope are those of the types it
    applies to (all types when it names none)."""
    adopted: dict[int, dict[str, int]] = {}
    for sid, council_type, n in rows(
        f"""SELECT sid, o.council_type, count(*) FROM {SELECTION}
        CROSS JOIN unnest(cs.standards_adopted_ids) AS sid WHERE {sel.where}
        GROUP BY sid, o.council_type""",  # noqa: S608
        sel.params,
    ):
        adopted.setdefault(sid, {})[council_type] = n
    by_type = sel.by_type
    rates = []
    for sid, title, slug, types in standards_selectors.standards_in_scope():
        scope = types or list(by_type)
        in_scope = sum(by_type.get(t, 0) for t in scope)
        adopting = sum(adopted.get(sid, {}).get(t, 0) for t in scope)
        rate = round(100 * adopting / in_scope, 1) if in_scope else 0.0
        rates.append((sid, title, slug, adopting, in_scope, rate))
    return rates


def standards_panel(sel: Selection) -> Panel:
    """Adoption of each standard against the target, with its trend (rebuilt from the kept
    history: `targets.history_rebuild`) and an honest projection (`trends.trend`)."""
    rates = standard_rates(sel)
    today = sel.today
    series: dict[str, list] = {}
    if sel.filters.has_trend and rates:
        for metric, day, value in MetricSnapshot.objects.filter(
            metric__in=[f"standard:{sid}" for sid, *_ in rates], filters_key=sel.filters.key
        ).values_list("metric", "date", "value"):
            series.setdefault(metric, []).append((day, value))
    standard_rows, standard_bars, trend_list = [], [], []
    for sid, title, slug, adopted, in_scope, rate in rates:
        points = [p for p in sorted(series.get(f"standard:{sid}", [])) if p[0] < today]
        points.append((today, rate))
        reading = trends.trend(points, target=STANDARDS_TARGET, target_date=TARGET_DATE, rate=True)
        standard_rows.append(
            [
                {"text": title, "href": detail_url("standards:standard_detail", "slug", slug)},
                adopted,
                in_scope,
                rate,
                STANDARDS_TARGET,
                "" if reading.projected is None else reading.projected,
                "" if reading.projected is None else f"{reading.low} to {reading.high}",
                reading.tag[0],
            ]
        )
        standard_bars.append({"label": title, "value": rate, "percent": round(rate), "text": "%"})
        trend_list.append(
            {
                "title": title,
                "points": points,
                "wording": reading.wording,
                "tag": reading.tag,
                "svg": line_chart(
                    points,
                    target=STANDARDS_TARGET,
                    target_date=TARGET_DATE,
                    rate=True,
                    projected=reading.projected,
                    low=reading.low,
                    high=reading.high,
                    width=240,
                    height=64,
                    labels=False,
                ),
            }
        )
    meeting = sum(1 for r in standard_rows if r[3] >= STANDARDS_TARGET)
    adoption = Table(
        slug="standards",
        caption=f"Adoption of each standard against the {STANDARDS_TARGET}% target",
        headers=[
            "Standard",
            "Councils adopting",
            "Councils in scope",
            "Adoption (%)",
            "Target (%)",
            f"Projected for {TARGET_DATE:%-d %B %Y} (%)",
            "Likely range (%)",
            "Trend",
        ],
        rows=standard_rows,
        summary=(
            f"{meeting} of {len(standard_rows)} published standards meet the "
            f"{STANDARDS_TARGET}% target among these councils."
        ),
        bars=standard_bars,
    )
    trend = Table(
        slug="standards-trend",
        caption="Adoption of each standard over time",
        headers=["Standard", "Date", "Adoption (%)"],
        rows=[[t["title"], f"{d:%Y-%m-%d}", v] for t in trend_list for d, v in t["points"]],
        collapsed=True,
        summary=(
            "Adoption on the day of the first assessment and at the end of each month since, "
            "rebuilt from the kept history of every assessment, with today's figure last."
            if sel.filters.has_trend
            else "Trends are kept for all councils and for one region, council type or "
            "strategic authority at a time; this table shows today's figures only."
        ),
    )
    return Panel(
        [adoption, trend],
        headline={"standards_meeting": meeting, "standards_count": len(standard_rows)},
        extra={"trends": trend_list},
    )


def centres_panel(sel: Selection) -> Panel:
    """Each centre's projects and published learning (with filters: those involving at least
    one selected council), and the data-sharing examples against their target."""
    if sel.filters.active:
        centre_rows = centres_selectors.centre_output(
            project_ids=sel.ids_of("project_ids"), learning_ids=sel.ids_of("learning_ids")
        )
        examples = sum(sharing for *_, sharing in centre_rows)
    else:
        centre_rows = centres_selectors.centre_output()
        examples = centres_selectors.data_sharing_examples_count()
    table = Table(
        slug="centres",
        caption="Projects and published learning per centre",
        headers=[
            "Centre",
            "Projects",
            "Learning published",
            "Data-sharing examples following a standard",
        ],
        rows=[[name, p, lp, ds] for name, p, lp, ds in centre_rows],
        summary=(
            f"{sum(r[1] for r in centre_rows)} projects and "
            f"{sum(r[2] for r in centre_rows)} published pieces of learning"
            + (" involving these councils" if sel.filters.active else "")
            + f"; {examples} data-sharing example{'' if examples == 1 else 's'} that "
            f"follow{'s' if examples == 1 else ''} a standard, against the target of "
            f"{DATA_SHARING_TARGET}."
        ),
        bars=_bars([(name, lp) for name, _, lp, _ in centre_rows]),
    )
    return Panel(
        [table], headline={"data_sharing": examples, "data_sharing_target": DATA_SHARING_TARGET}
    )


def engagement_panel(sel: Selection) -> Panel:
    """Councils with someone active lately, by region and by council type."""
    tables = []
    councils = sel.councils
    for slug, caption, key, labels in (
        ("engagement-region", "by region", "region", dict(Region.choices)),
        ("engagement-type", "by council type", "council_type", dict(CouncilType.choices)),
    ):
        agg: dict[str, list[int]] = {}
        for g in sel.groups:
            entry = agg.setdefault(getattr(g, key), [0, 0])
            entry[0] += g.councils
            entry[1] += g.engaged
        table_rows = [
            [labels.get(k, k or "Unknown"), n, active, _pct(active, n)]
            for k, (n, active) in sorted(agg.items(), key=lambda kv: labels.get(kv[0], kv[0]))
        ]
        engaged = sum(r[2] for r in table_rows)
        tables.append(
            Table(
                slug=slug,
                caption=f"Councils with someone active in the last {ACTIVE_DAYS} days, {caption}",
                headers=["Group", "Councils", "Councils with an active user", "Share (%)"],
                rows=table_rows,
                summary=(
                    f"{engaged} of {councils} councils ({_pct(engaged, councils)}%) had someone "
                    f"sign in in the last {ACTIVE_DAYS} days."
                ),
                bars=[
                    {"label": r[0], "value": r[3], "percent": r[3], "text": "%"} for r in table_rows
                ],
            )
        )
    engaged = sum(g.engaged for g in sel.groups)
    return Panel(tables, headline={"engaged": _pct(engaged, councils)})


PANELS = [backlog_panel, components_panel, standards_panel, centres_panel, engagement_panel]


def _dashboard(sel: Selection) -> dict:
    tables, headline, extra = {}, {}, {}
    for build in PANELS:
        panel = build(sel)
        tables.update((table.slug, table) for table in panel.tables)
        headline.update(panel.headline)
        extra.update(panel.extra)
    return {
        "councils": sel.councils,
        "refreshed_at": sel.refreshed_at,
        "tables": tables,
        "headline": headline,
        "trends": extra.get("trends", []),
        "target": STANDARDS_TARGET,
    }


def dashboard(filters: Filters, sas: dict, *, public: bool = False) -> dict:
    """Every panel of the sector dashboard for the filtered councils: a fixed number of queries
    whatever the number of councils, problems or adoptions.

    The panels only change when the per-council rows are refreshed, so they are kept for each
    refresh (the key holds its time, the filters and the day): after the first view, a view
    makes one query, and the next refresh makes the next view compute them afresh."""
    sel = Selection.of(filters, sas, timezone.localdate())
    refreshed = sel.refreshed_at
    if refreshed is None:  # never refreshed: nothing worth keeping
        return _dashboard(sel)
    key = ":".join(
        [
            "dashboard:v1",
            connection.settings_dict["NAME"],
            filters.key,
            sel.today.isoformat(),
            refreshed.isoformat(),
        ]
    )
    data = _cache_get(key)
    if data is None:
        data = _dashboard(sel)
        _cache_set(key, data)
    return data


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


# --- Headline metrics over time ----------------------------------------------------------------


def headline_metrics(filters: Filters, sas: dict, today: date | None = None) -> dict:
    """The metrics the nightly snapshot keeps."""
    sel = Selection.of(filters, sas, today or timezone.localdate())
    councils = sel.councils
    metrics = {
        "councils_active_pct": _pct(sum(g.engaged for g in sel.groups), councils),
        "councils_component_in_use_pct": _pct(
            sum(g.using_components for g in sel.groups), councils
        ),
    }
    ((problems,),) = rows(
        f"SELECT count(DISTINCT pid) FROM (SELECT unnest(cs.problem_ids) AS pid "  # noqa: S608
        f"FROM {SELECTION} WHERE {sel.where}) x",
        sel.params,
    )
    metrics["problems_affecting"] = problems
    # Each standard's adoption over time is rebuilt from the kept history instead
    # (targets.history_rebuild), so its trend begins with the first assessment.
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
    snapshots = []
    for filters in snapshot_keys(sas):
        for metric, value in headline_metrics(filters, sas, today).items():
            snapshots.append(
                MetricSnapshot(date=today, metric=metric, filters_key=filters.key, value=value)
            )
    MetricSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["date", "metric", "filters_key"],
        update_fields=["value"],
        batch_size=1000,
    )
    return len(snapshots)
