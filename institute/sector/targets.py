"""The six 2030 targets of the blueprint as metric series: what each measures, its target value
and date (each value's one home is named below), its values over time, and what they say.

A series is either counted by the platform from its own data (`computed`), or recorded by
institute staff as dated values with a source (`recorded`, written by `services`). The
definitions below are written to `MetricSeries` rows by `series_sync` at every refresh.

Computed series are rebuilt from the kept history (`history_rebuild`, nightly and whenever they
have no past yet): centres from the day each was set up, data-sharing examples from the day each
was published, standards adoption from each assessment's history as django-pghistory kept it.
So a trend begins with the data, not with the day snapshots began. Their values are at the
first day there was anything to count, at the end of every month since, and today; each refresh
of the aggregates brings today's value up to date (`targets_refresh`).
"""

import calendar
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from centres import selectors as centres_selectors
from institute import fragments
from institute.models import Organisation, Theme
from institute.sector import trends
from institute.sector.charts import line_chart
from institute.sector.figures import Filters, strategic_authorities
from institute.sector.models import (
    MetricSeries,
    MetricSnapshot,
    MetricValue,
    SeriesKind,
    SeriesUnit,
)
from institute.sector.panels import STANDARDS_TARGET, TARGET_DATE, Table, snapshot_keys
from standards import selectors as standards_selectors

# The targets this module is the home of (the others are their apps': standards adoption in
# standards.selectors.TARGET, centres and data sharing in centres.models).
CHIEF_EXECUTIVES_TARGET = 10
PLACEMENTS_TARGET = 10
WORKFORCE_RISE_PERCENT = 20  # over the recorded baseline
COLLECTIVE_BUYING_TARGET = 10  # the institute's procurement measure: exercises run
COLLECTIVE_BUYING_COUNCILS_TARGET = 100  # and councils taking part in at least one

# A cached-part version (institute.fragments): every write to a series or its values bumps it.
VERSION = "sector-targets"

# Each theme's 2030 vision, in our words (from the "missing middle" report).
VISIONS = {
    Theme.INFRASTRUCTURE: (
        "Five Centres of Service Innovation, aligned with devolution, have tested regional and "
        "place-based ways to innovate and learn, and one institution spreads learning, "
        "standards and practice across the sector."
    ),
    Theme.DATA: (
        "Fifteen examples of data shared between organisations under common standards have "
        "worked, and what they learned has become everyday practice that the rest of the sector "
        "can adopt, with the sector governing it together."
    ),
    Theme.LEADERSHIP: (
        "At least ten people from digital practitioner backgrounds have become council chief "
        "executives, and at least ten people with local government experience hold influential "
        "roles in central government or its arm's-length bodies."
    ),
    Theme.SKILLS: (
        "The sector shares one digital workforce plan, with digital skills and an inclusive "
        "apprenticeship scheme, and a fifth more of its digital workforce comes from "
        "under-represented backgrounds."
    ),
    Theme.STANDARDS: (
        "A trusted set of service standards and patterns is used by 70% of councils, those who "
        "follow them are rewarded, and an audit regime checks how well they are followed."
    ),
    Theme.PROCUREMENT: (
        "Councils buy and manage contracts as well as anyone: investing in new solutions is "
        "easier, more small suppliers enter the market, and suppliers answer for outcomes."
    ),
}


@dataclass(frozen=True)
class Definition:
    slug: str
    theme: str
    title: str
    measure: str
    kind: str
    unit: str
    source: str
    target: float | None = None
    target_rise_percent: float | None = None
    target_date: date = TARGET_DATE


REPORT = "The missing middle report's 2030 vision for"

DEFINITIONS = [
    Definition(
        slug="centres-running",
        theme=Theme.INFRASTRUCTURE,
        title="Centres of Service Innovation running",
        measure="Centres set up on this platform, each counted from the day it was set up.",
        kind=SeriesKind.COMPUTED,
        unit=SeriesUnit.COUNT,
        target=centres_selectors.CENTRES_TARGET,
        source=f"{REPORT} infrastructure, learning and collaboration: five centres by 2030.",
    ),
    Definition(
        slug="data-sharing-examples",
        theme=Theme.DATA,
        title="Standards-enabled data-sharing examples",
        measure=(
            "Published learning of the kind “data-sharing example” that follows at least one "
            "standard, each counted from the day it was published. Each example is listed "
            "with its evidence rating."
        ),
        kind=SeriesKind.COMPUTED,
        unit=SeriesUnit.COUNT,
        target=centres_selectors.DATA_SHARING_TARGET,
        source=f"{REPORT} data exchange and maturity: 15 successful examples by 2030.",
    ),
    Definition(
        slug="chief-executives-digital",
        theme=Theme.LEADERSHIP,
        title="Chief executives from a digital practitioner background",
        measure=(
            "Council chief executives appointed since the blueprint whose career was in "
            "digital, data or technology practice, as the institute has confirmed them."
        ),
        kind=SeriesKind.RECORDED,
        unit=SeriesUnit.COUNT,
        target=CHIEF_EXECUTIVES_TARGET,
        source=f"{REPORT} organisational and political leadership: at least ten by 2030.",
    ),
    Definition(
        slug="central-government-placements",
        theme=Theme.LEADERSHIP,
        title="Local government people in central government roles",
        measure=(
            "People with direct local government experience placed in influential roles in "
            "central government or its arm's-length bodies, on secondment or permanently."
        ),
        kind=SeriesKind.RECORDED,
        unit=SeriesUnit.COUNT,
        target=PLACEMENTS_TARGET,
        source=f"{REPORT} organisational and political leadership: at least ten by 2030.",
    ),
    Definition(
        slug="workforce-plan",
        theme=Theme.SKILLS,
        title="A shared digital workforce plan for the sector",
        measure=(
            "Whether the sector has agreed and published one digital workforce plan, with "
            "digital skills and an inclusive apprenticeship scheme (1 when done, 0 before)."
        ),
        kind=SeriesKind.RECORDED,
        unit=SeriesUnit.MILESTONE,
        target=1,
        source=f"{REPORT} capacity, capability and skills: a shared workforce plan by 2030.",
    ),
    Definition(
        slug="workforce-under-represented",
        theme=Theme.SKILLS,
        title="Digital workforce from under-represented backgrounds",
        measure=(
            "The share of councils' digital, data and technology staff from under-represented "
            "backgrounds, from the sector's workforce survey. The target is a rise of a fifth "
            "over the recorded baseline (for example from 20% to 24%)."
        ),
        kind=SeriesKind.RECORDED,
        unit=SeriesUnit.PERCENT,
        target_rise_percent=WORKFORCE_RISE_PERCENT,
        source=f"{REPORT} capacity, capability and skills: a 20% increase by 2030.",
    ),
    Definition(
        slug="standards-adoption",
        theme=Theme.STANDARDS,
        title="Adoption of the published service standards",
        measure=(
            "The average, over the published standards, of the share of councils in each "
            "standard's scope that have adopted it (a current, green self-assessment of the "
            "current version, not challenged). The standards panel shows each standard "
            "against the target."
        ),
        kind=SeriesKind.COMPUTED,
        unit=SeriesUnit.PERCENT,
        target=STANDARDS_TARGET,
        source=f"{REPORT} standards: used and adopted by 70% of councils by 2030.",
    ),
    Definition(
        slug="collective-buying-exercises",
        theme=Theme.PROCUREMENT,
        title="Collective buying exercises run",
        measure=(
            "Procurements run jointly by groups of councils, through the institute or a centre, "
            "that reached contract award. The institute's measure of best-in-class buying."
        ),
        kind=SeriesKind.RECORDED,
        unit=SeriesUnit.COUNT,
        target=COLLECTIVE_BUYING_TARGET,
        source=(
            f"{REPORT} procurement, contracts and market shaping, which sets no number: the "
            "institute set ten exercises by 2030."
        ),
    ),
    Definition(
        slug="collective-buying-councils",
        theme=Theme.PROCUREMENT,
        title="Councils taking part in collective buying",
        measure="Councils that have taken part in at least one collective buying exercise.",
        kind=SeriesKind.RECORDED,
        unit=SeriesUnit.COUNT,
        target=COLLECTIVE_BUYING_COUNCILS_TARGET,
        source=(
            f"{REPORT} procurement, contracts and market shaping, which sets no number: the "
            "institute set 100 councils by 2030."
        ),
    ),
]
BY_SLUG = {d.slug: d for d in DEFINITIONS}


def series_target(series: MetricSeries, baseline: float | None) -> float | None:
    """The value a series aims for: its target, or its rise over the recorded baseline."""
    if series.target_rise_percent is not None:
        if baseline is None:
            return None
        return round(baseline * (1 + series.target_rise_percent / 100), 1)
    return series.target_value


def series_sync() -> None:
    """Write the definitions to their rows (one statement)."""
    now = timezone.now()
    MetricSeries.objects.bulk_create(
        [
            MetricSeries(
                slug=d.slug,
                theme=d.theme,
                position=position,
                title=d.title,
                measure=d.measure,
                kind=d.kind,
                unit=d.unit,
                target_value=d.target,
                target_rise_percent=d.target_rise_percent,
                target_date=d.target_date,
                source=d.source,
                updated_at=now,
            )
            for position, d in enumerate(DEFINITIONS)
        ],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=[
            "theme",
            "position",
            "title",
            "measure",
            "kind",
            "unit",
            "target_value",
            "target_rise_percent",
            "target_date",
            "source",
            "updated_at",
        ],
    )


# --- Computed series, from the kept history -----------------------------------------------------


def history_days(first: date, today: date) -> list[date]:
    """The days a rebuilt series has a value: the first day, each month's end since, today."""
    days = [first]
    year, month = first.year, first.month
    while True:
        end = date(year, month, calendar.monthrange(year, month)[1])
        if end >= today:
            break
        if end > first:
            days.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if today > first:
        days.append(today)
    return days


def _running_count(starts: list[date], days: list[date]) -> list[tuple[date, float]]:
    return [(day, float(sum(1 for s in starts if s <= day))) for day in days]


def _councils() -> list[tuple]:
    """(id, region, council type, strategic authority slug, valid from, valid to) of every
    council, ever: who was in scope on a past day."""
    return list(
        Organisation.objects.councils().values_list(
            "pk", "region", "council_type", "strategic_authority__slug", "valid_from", "valid_to"
        )
    )


def _keys_of(region, council_type, sa_slug, sas) -> list[str]:
    """The snapshot keys (all councils, and each single filter) a council counts in."""
    keys = ["", Filters(region=region).key, Filters(council_type=council_type).key]
    if sa_slug in sas:
        keys.append(Filters(strategic_authority=sa_slug).key)
    return keys


def standard_rates_on(days: list[date]) -> dict[date, dict[str, dict[int, float]]]:
    """day -> snapshot key -> standard -> adoption rate (%) of the councils in scope that day,
    by the standards app's rule applied to the kept history: one query for each day."""
    sas = strategic_authorities()
    valid_keys = {f.key for f in snapshot_keys(sas)}
    councils = _councils()
    published = standards_selectors.standards_published_since()
    scopes = {sid: types for sid, _, _, types in standards_selectors.standards_in_scope()}
    rates: dict[date, dict[str, dict[int, float]]] = {}
    for day in days:
        adopting = set(standards_selectors.adopting_pairs_on(day))
        live = [
            (
                pk,
                council_type,
                [k for k in _keys_of(region, council_type, sa, sas) if k in valid_keys],
            )
            for pk, region, council_type, sa, start, end in councils
            if (start is None or start <= day) and (end is None or end >= day)
        ]
        by_key: dict[str, dict[int, float]] = {}
        for sid, types in scopes.items():
            if sid not in published or published[sid] > day:
                continue
            counts: dict[str, list[int]] = {}
            for pk, council_type, keys in live:
                if types and council_type not in types:
                    continue
                adopted = (sid, pk) in adopting
                for key in keys:
                    entry = counts.setdefault(key, [0, 0])
                    entry[0] += adopted
                    entry[1] += 1
            for key, (adopted, in_scope) in counts.items():
                by_key.setdefault(key, {})[sid] = round(100 * adopted / in_scope, 1)
        rates[day] = by_key
    return rates


def _average(rates: dict[int, float]) -> float | None:
    return round(sum(rates.values()) / len(rates), 1) if rates else None


def _computed_points(days_for, today: date) -> tuple[dict[str, list], dict]:
    """Each computed series' values on the days `days_for(first)` gives, and the standards'
    rates by day and key (for their trends on the dashboard)."""
    points: dict[str, list] = {}
    for slug, starts in (
        ("centres-running", centres_selectors.centre_start_days()),
        ("data-sharing-examples", centres_selectors.data_sharing_example_days()),
    ):
        points[slug] = _running_count(starts, days_for(starts[0])) if starts else []
    first = standards_selectors.first_submission_day()
    rates = standard_rates_on(days_for(first)) if first else {}
    points["standards-adoption"] = [
        (day, value)
        for day, by_key in sorted(rates.items())
        if (value := _average(by_key.get("", {}))) is not None
    ]
    return points, rates


def _write_values(series: dict[str, MetricSeries], points: dict[str, list], when) -> None:
    MetricValue.objects.bulk_create(
        [
            MetricValue(series=series[slug], date=day, value=value, recorded_at=when)
            for slug, values in points.items()
            for day, value in values
        ],
        update_conflicts=True,
        unique_fields=["series", "date"],
        update_fields=["value", "recorded_at"],
        batch_size=1000,
    )


@transaction.atomic
def history_rebuild(*, today: date | None = None) -> int:
    """Rebuild every computed series, and each standard's adoption trend for every kept
    selection, from the kept history: their values on the first day there was anything to
    count, at each month's end since, and today. Returns the number of values written."""
    today = today or timezone.localdate()
    series_sync()
    series = {s.slug: s for s in MetricSeries.objects.filter(kind=SeriesKind.COMPUTED)}
    points, rates = _computed_points(lambda first: history_days(first, today), today)
    MetricValue.objects.filter(series__kind=SeriesKind.COMPUTED).delete()
    _write_values(series, points, timezone.now())
    # The standards' trends: every past day of the rebuild (today's figure is the panel's own).
    MetricSnapshot.objects.filter(metric__startswith="standard:").delete()
    MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshot(date=day, metric=f"standard:{sid}", filters_key=key, value=rate)
            for day, by_key in rates.items()
            if day < today
            for key, by_standard in by_key.items()
            for sid, rate in by_standard.items()
        ],
        batch_size=1000,
    )
    fragments.bump(VERSION)
    return sum(len(values) for values in points.values())


@transaction.atomic
def targets_refresh(*, today: date | None = None) -> int:
    """With each refresh of the aggregates: today's value of each computed series (the past is
    rebuilt nightly, or now when there is none yet). Returns the number of values written."""
    today = today or timezone.localdate()
    series_sync()
    has_past = MetricValue.objects.filter(series__kind=SeriesKind.COMPUTED, date__lt=today).exists()
    if not has_past:
        return history_rebuild(today=today)
    series = {s.slug: s for s in MetricSeries.objects.filter(kind=SeriesKind.COMPUTED)}
    points, _ = _computed_points(lambda first: [today] if first <= today else [], today)
    # An earlier day's "today" is neither a series' first day nor a month's end: it goes.
    computed = MetricValue.objects.filter(series__kind=SeriesKind.COMPUTED)
    firsts = computed.order_by().values("series_id").annotate(first=Min("date"))
    month_start = date(today.year, today.month, 1)
    stale = computed.filter(date__gte=month_start, date__lt=today)
    for row in firsts:
        stale = stale.exclude(series_id=row["series_id"], date=row["first"])
    stale.delete()
    _write_values(series, points, timezone.now())
    fragments.bump(VERSION)
    return sum(len(values) for values in points.values())


# --- What the pages show ------------------------------------------------------------------------


@dataclass
class SeriesView:
    """A series as every page shows it: its definition, values, target, trend, chart, table."""

    slug: str
    theme: str
    theme_label: str
    title: str
    measure: str
    source: str
    is_computed: bool
    unit: str
    target: float | None
    target_date: date
    baseline: dict | None
    values: list[dict]  # date, value, text, note, source_url, is_baseline, pk
    trend: trends.Trend
    chart: dict
    spark: dict
    table: Table

    @property
    def is_rate(self) -> bool:
        return self.unit == SeriesUnit.PERCENT

    @property
    def is_milestone(self) -> bool:
        return self.unit == SeriesUnit.MILESTONE

    @property
    def latest(self) -> dict | None:
        return self.values[-1] if self.values else None

    @property
    def figure(self) -> str:
        """The headline: "3 of 5", "41.2% against 70%", "Done"."""
        latest = self.latest
        if latest is None:
            return "No figures yet"
        if self.is_milestone:
            return (
                "Done" if self.target is not None and latest["value"] >= self.target else "Not yet"
            )
        now = trends.fmt(latest["value"], rate=self.is_rate)
        if self.target is None:
            return now
        goal = trends.fmt(self.target, rate=self.is_rate)
        return f"{now} against {goal}" if self.is_rate else f"{now} of {goal}"

    @property
    def target_text(self) -> str:
        if self.is_milestone:
            return "Done"
        if self.target is None:
            return f"A {trends.fmt(WORKFORCE_RISE_PERCENT, rate=False)}% rise over the baseline"
        return trends.fmt(self.target, rate=self.is_rate)


def value_text(value: float, unit: str) -> str:
    if unit == SeriesUnit.MILESTONE:
        return "Done" if value >= 1 else "Not yet"
    return trends.fmt(value, rate=unit == SeriesUnit.PERCENT)


def _table(series: MetricSeries, values: list[dict]) -> Table:
    headers = ["Date", series.title + (" (%)" if series.is_rate else "")]
    if not series.is_computed:
        headers += ["Source", "Note"]
    rows = []
    for v in values:
        number = v["value"] if series.unit == SeriesUnit.PERCENT else round(v["value"])
        row = [f"{v['date']:%Y-%m-%d}", number]
        if not series.is_computed:
            row += [v["source_url"], v["note"] + (" (baseline)" if v["is_baseline"] else "")]
        rows.append(row)
    return Table(
        slug=f"target-{series.slug}",
        caption=f"{series.title}: every value",
        headers=headers,
        rows=rows,
        summary="",
    )


def _view(series: MetricSeries, rows: list) -> SeriesView:
    values = [
        {
            "pk": pk,
            "date": day,
            "value": value,
            "text": value_text(value, series.unit),
            "note": note,
            "source_url": source_url,
            "is_baseline": is_baseline,
        }
        for pk, day, value, note, source_url, is_baseline in rows
    ]
    baseline = next((v for v in values if v["is_baseline"]), None)
    target = series_target(series, baseline["value"] if baseline else None)
    points = [(v["date"], v["value"]) for v in values]
    trend = trends.trend(
        points,
        target=target,
        target_date=series.target_date,
        rate=series.is_rate,
        milestone=series.unit == SeriesUnit.MILESTONE,
    )
    band = {"projected": trend.projected, "low": trend.low, "high": trend.high}
    chart_args = {"target": target, "target_date": series.target_date, "rate": series.is_rate}
    table = _table(series, values)
    table.summary = trend.wording
    return SeriesView(
        slug=series.slug,
        theme=series.theme,
        theme_label=Theme(series.theme).label,
        title=series.title,
        measure=series.measure,
        source=series.source,
        is_computed=series.is_computed,
        unit=series.unit,
        target=target,
        target_date=series.target_date,
        baseline=baseline,
        values=values,
        trend=trend,
        chart=line_chart(points, **chart_args, **band),
        spark=line_chart(points, **chart_args, **band, width=240, height=64, labels=False),
        table=table,
    )


def _overview() -> list[SeriesView]:
    series = list(MetricSeries.objects.order_by("position", "slug"))
    rows: dict[int, list] = {}
    for series_id, *row in (
        MetricValue.objects.order_by("series_id", "date")
        .values_list(
            "series_id",
            "pk",
            "date",
            "value",
            "note",
            "source_url",
            "is_baseline",
        )
        .iterator()
    ):
        rows.setdefault(series_id, []).append(row)
    return [_view(s, rows.get(s.pk, [])) for s in series]


def targets_overview() -> list[SeriesView]:
    """Every series as the pages show it: two queries, then kept in the cache until a series or
    its values change (each refresh and each staff write bumps `VERSION`)."""
    today = timezone.localdate().isoformat()
    return fragments.cached(f"sector:targets:{today}", (VERSION,), _overview)


def targets_by_theme(views: list[SeriesView]) -> list[dict]:
    """The series grouped under the six themes, in the blueprint's order, with each vision."""
    return [
        {
            "theme": theme.value,
            "label": theme.label,
            "vision": VISIONS[theme],
            "series": [v for v in views if v.theme == theme.value],
        }
        for theme in Theme
    ]


def targets_table(views: list[SeriesView]) -> Table:
    """One row a series: the numbers of the targets panel, for its table and CSV."""
    rows = []
    for v in views:
        latest = v.latest
        rows.append(
            [
                {"text": v.title, "href": ""},
                v.theme_label,
                latest["text"] if latest else "",
                f"{latest['date']:%Y-%m-%d}" if latest else "",
                v.target_text,
                f"{v.target_date:%Y-%m-%d}",
                "" if v.trend.projected is None else value_text(v.trend.projected, v.unit),
                v.trend.tag[0],
                "Counted by the platform" if v.is_computed else "Recorded by the institute",
            ]
        )
    met = sum(1 for v in views if v.trend.verdict == trends.Verdict.MET)
    on_track = sum(1 for v in views if v.trend.verdict == trends.Verdict.ON_TRACK)
    return Table(
        slug="targets",
        caption="The 2030 targets: where each stands",
        headers=[
            "Measure",
            "Theme",
            "Now",
            "As of",
            "Target",
            "Target date",
            "Projected for the target date",
            "Trend",
            "Source",
        ],
        rows=rows,
        summary=(f"{len(views)} measures of the six 2030 targets: {met} met, {on_track} on track."),
    )


def data_sharing_examples() -> list[dict]:
    """The examples the data-sharing target counts, each with its evidence rating."""
    return centres_selectors.data_sharing_example_rows()
