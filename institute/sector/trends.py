"""Honest trends: a straight line through a series' values, projected to its target date only
when there is enough history to draw one, with a range, and said in words.

The rule, shown on every page that projects (`RULE`): at least `MIN_POINTS` values spread over
at least `MIN_SPAN_DAYS` days; a least-squares line; a range from how far the values stray from
the line (a 95% prediction interval, which widens the further the target date is from the
values); rates kept within 0 to 100% and counts at 0 or above. With less history, no number is
projected: "not enough history yet".
"""

import math
from dataclasses import dataclass
from datetime import date

from institute.wording import count_of

MIN_POINTS = 6
MIN_SPAN_DAYS = 181  # six months: the shortest six calendar months, end to end
DAYS_A_YEAR = 365.25
# Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom; beyond 30, 2.0 (a
# little wider than the normal 1.96, on the safe side).
T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
# A slope smaller than this (in units a year) is "flat".
FLAT = 0.05

RULE = (
    f"We project a figure to its target date only when it has at least {MIN_POINTS} values "
    "spread over at least six months. The projection is the straight line that best fits the "
    "values (least squares), read off at the target date. The range around it comes from how "
    "far the values stray from that line, and widens the further ahead it looks: if the past "
    "trend held, the figure would land in it about 19 times in 20. Percentages are kept between "
    "0% and 100%, and counts at 0 or above. With less history we say so, and project nothing."
)


class Verdict:
    MET = "met"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    UNCERTAIN = "uncertain"
    NOT_ENOUGH = "not_enough"
    NO_VALUES = "no_values"
    NO_TARGET = "no_target"
    MILESTONE = "milestone"


# How each verdict is shown: a GOV.UK tag's text and colour.
VERDICT_TAGS = {
    Verdict.MET: ("Target met", "govuk-tag--green"),
    Verdict.ON_TRACK: ("On track", "govuk-tag--green"),
    Verdict.OFF_TRACK: ("Not on track", "govuk-tag--red"),
    Verdict.UNCERTAIN: ("Too close to call", "govuk-tag--yellow"),
    Verdict.NOT_ENOUGH: ("Not enough history yet", "govuk-tag--grey"),
    Verdict.NO_VALUES: ("No figures yet", "govuk-tag--grey"),
    Verdict.NO_TARGET: ("No target yet", "govuk-tag--grey"),
    Verdict.MILESTONE: ("Not done yet", "govuk-tag--grey"),
}


@dataclass(frozen=True)
class Trend:
    """What the values say about reaching the target: the line, the projection and its range
    (None when not projected), the verdict and a sentence that says it."""

    verdict: str
    wording: str
    points: int
    span_days: int
    slope_per_year: float | None = None
    projected: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def projects(self) -> bool:
        return self.projected is not None

    @property
    def tag(self) -> tuple[str, str]:
        return VERDICT_TAGS[self.verdict]


def fmt(value: float | None, *, rate: bool, whole: bool = False) -> str:
    """A value as the pages write it: 41.2% for a rate; a count as it is, or (`whole`, for a
    projected count) to the nearest whole number."""
    if value is None:
        return ""
    if rate:
        return f"{value:.1f}%".replace(".0%", "%")
    if whole or abs(value - round(value)) < 0.05:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _t95(dof: int) -> float:
    return T95[dof - 1] if dof <= len(T95) else 2.0


def trend(
    points: list[tuple[date, float]],
    *,
    target: float | None,
    target_date: date,
    rate: bool,
    milestone: bool = False,
) -> Trend:
    """The honest reading of a series against its target (higher is better)."""
    points = sorted(points)
    n = len(points)
    span = (points[-1][0] - points[0][0]).days if points else 0
    if not points:
        return Trend(Verdict.NO_VALUES, "No figures have been recorded yet.", 0, 0)
    latest_day, latest = points[-1]
    now = f"{fmt(latest, rate=rate)} on {_long_date(latest_day)}"
    if milestone:
        if target is not None and latest >= target:
            return Trend(Verdict.MET, f"Done: recorded on {_long_date(latest_day)}.", n, span)
        return Trend(
            Verdict.MILESTONE,
            "Not done yet. This is a milestone, done or not, so no trend is projected.",
            n,
            span,
        )
    if target is None:
        return Trend(
            Verdict.NO_TARGET,
            f"{now}. The target is set once a baseline is recorded.",
            n,
            span,
        )
    goal = fmt(target, rate=rate)
    if latest >= target:
        return Trend(Verdict.MET, f"Target met: {now}, against a target of {goal}.", n, span)
    if n < MIN_POINTS or span < MIN_SPAN_DAYS:
        months = span // 30
        return Trend(
            Verdict.NOT_ENOUGH,
            f"{now}. Not enough history yet to project: {count_of(n, 'value')} over "
            f"{count_of(months, 'month')}; a projection needs at least "
            f"{MIN_POINTS} values over at least six months.",
            n,
            span,
        )

    origin = points[0][0]
    xs = [(d - origin).days / DAYS_A_YEAR for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    spread = math.sqrt(sum(r * r for r in residuals) / (n - 2))
    x0 = (target_date - origin).days / DAYS_A_YEAR
    centre = intercept + slope * x0
    half = _t95(n - 2) * spread * math.sqrt(1 + 1 / n + (x0 - mx) ** 2 / sxx)
    top = 100.0 if rate else math.inf

    def bound(value: float) -> float:
        return round(min(top, max(0.0, value)), 1)

    projected, low, high = bound(centre), bound(centre - half), bound(centre + half)
    if low >= target:
        verdict, says = Verdict.ON_TRACK, "on track"
    elif high < target:
        verdict, says = Verdict.OFF_TRACK, "not on track"
    else:
        verdict, says = Verdict.UNCERTAIN, "too close to call: the target is within the range"
    per_year = round(slope, 1)
    unit = " points" if rate else ""
    if abs(slope) < FLAT:
        direction = "flat"
    elif slope > 0:
        direction = f"rising by about {fmt(abs(per_year), rate=False)}{unit} a year"
    else:
        direction = f"falling by about {fmt(abs(per_year), rate=False)}{unit} a year"
    low_text, high_text = fmt(low, rate=rate, whole=True), fmt(high, rate=rate, whole=True)
    likely = (
        f" (likely between {low_text} and {high_text})"
        if low_text != high_text
        else ""  # every value on the line: no spread to show
    )
    wording = (
        f"{now}, {direction} over {n} values since {_long_date(origin)}. On that line it would "
        f"be about {fmt(projected, rate=rate, whole=True)} by {_long_date(target_date)}{likely}, "
        f"against a target of {goal}: {says}."
    )
    return Trend(verdict, wording, n, span, per_year, projected, low, high)
