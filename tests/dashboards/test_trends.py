"""The honest trend: known series (flat, rising, noisy, two points, a drop and the edges) against
numbers and words worked out by hand, and the rule that says when to project at all."""

import calendar
from datetime import date

import pytest

from institute.sector.trends import RULE, Verdict, trend

END_2030 = date(2030, 12, 31)


def monthly(values, year=2026):
    """Values at the end of each month from January `year`."""
    points = []
    for i, value in enumerate(values):
        y, m = year + i // 12, i % 12 + 1
        points.append((date(y, m, calendar.monthrange(y, m)[1]), float(value)))
    return points


def rate(points, target=70.0):
    return trend(points, target=target, target_date=END_2030, rate=True)


def test_the_rule_is_stated_in_words():
    assert "at least 6 values" in RULE and "six months" in RULE and "0% and 100%" in RULE


def test_a_flat_series_projects_its_level_with_no_spread_and_says_it_is_flat():
    points = [(date(2026, m, 1), 40.0) for m in range(1, 9)]  # 8 values over 7 months
    reading = rate(points)
    assert (reading.projected, reading.low, reading.high) == (40.0, 40.0, 40.0)
    assert reading.slope_per_year == 0
    assert reading.verdict == Verdict.OFF_TRACK
    assert reading.wording == (
        "40% on 1 August 2026, flat over 8 values since 1 January 2026. On that line it would be "
        "about 40% by 31 December 2030, against a target of 70%: not on track."
    )


def test_a_steady_rise_is_projected_along_its_line():
    # 10 points a year from 10% on 1 January 2026: 4.9973 years on, about 59.97%.
    points = [(date(2026, 1, 1), 10.0), (date(2026, 4, 2), 12.5), (date(2026, 7, 2), 15.0)]
    points += [(date(2026, 10, 1), 17.5), (date(2027, 1, 1), 20.0), (date(2027, 4, 2), 22.5)]
    reading = rate(points)
    assert reading.projected == pytest.approx(60.0, abs=0.1)
    assert reading.low == pytest.approx(60.0, abs=0.2) and reading.high == pytest.approx(
        60, abs=0.2
    )
    assert reading.slope_per_year == pytest.approx(10.0, abs=0.05)
    assert reading.verdict == Verdict.OFF_TRACK
    assert "rising by about 10 points a year over 6 values since 1 January 2026" in (
        reading.wording
    )
    assert "about 60% by 31 December 2030" in reading.wording


def test_a_rise_that_reaches_the_target_is_on_track():
    points = [(day, value + 20) for day, value in monthly(range(0, 13))]  # 20% to 32% in a year
    reading = rate(points)
    assert reading.low >= 70 and reading.verdict == Verdict.ON_TRACK
    assert reading.wording.endswith("against a target of 70%: on track.")


def test_a_noisy_series_gets_the_least_squares_line_and_a_prediction_range():
    # Yearly values around 10 + 4 a year. By hand (x in years 0..5): slope 68/17.5 = 3.886,
    # intercept 9.619, residual spread sqrt(5.104/4) = 1.130; at 31 December 2030 (x = 10.998)
    # 52.35, give or take t(4) 2.776 x 1.130 x sqrt(1 + 1/6 + 8.498^2 / 17.5) = 7.21.
    points = [
        (date(2020, 1, 1), 10.0),
        (date(2021, 1, 1), 14.0),
        (date(2022, 1, 1), 16.0),
        (date(2023, 1, 1), 22.0),
        (date(2024, 1, 1), 24.0),
        (date(2025, 1, 1), 30.0),
    ]
    reading = rate(points)
    assert reading.slope_per_year == pytest.approx(3.9, abs=0.05)
    assert reading.projected == pytest.approx(52.35, abs=0.15)
    assert reading.low == pytest.approx(45.1, abs=0.2)
    assert reading.high == pytest.approx(59.6, abs=0.2)
    assert reading.verdict == Verdict.OFF_TRACK
    assert "(likely between 45.1% and 59.6%)" in reading.wording
    # The same line against a target inside the range cannot be called either way.
    close = rate(points, target=55.0)
    assert close.verdict == Verdict.UNCERTAIN
    assert close.wording.endswith("too close to call: the target is within the range.")


def test_two_points_are_not_enough_history_to_project():
    # Two days apart, a straight line would reach 100% long before 2030: nothing is projected.
    points = [(date(2026, 1, 1), 50.0), (date(2026, 1, 3), 69.0)]
    reading = rate(points)
    assert reading.projected is None and reading.low is None and reading.high is None
    assert reading.verdict == Verdict.NOT_ENOUGH
    assert reading.wording == (
        "69% on 3 January 2026. Not enough history yet to project: 2 values over 0 months; a "
        "projection needs at least 6 values over at least six months."
    )


def test_many_points_over_a_short_time_are_not_enough_either():
    points = [(date(2026, 1, day), float(day)) for day in range(1, 29)]  # 28 values, 27 days
    assert rate(points).verdict == Verdict.NOT_ENOUGH
    six_months = [(date(2026, m, 1), 10.0 + m) for m in range(1, 7)]  # 6 values, 151 days
    assert rate(six_months).verdict == Verdict.NOT_ENOUGH
    enough = [*six_months, (date(2026, 7, 3), 17.0)]  # 7 values, 183 days
    assert rate(enough).projected is not None


def test_a_drop_is_said_to_be_falling_and_a_rate_never_goes_below_zero():
    points = monthly([50, 47, 45, 41, 38, 35, 33, 30, 26, 24, 20])
    reading = rate(points)
    assert reading.slope_per_year < 0
    assert reading.projected == 0.0 and reading.low == 0.0
    assert 0.0 <= reading.high < 70
    assert "falling by about" in reading.wording and "not on track" in reading.wording


def test_a_rate_is_never_projected_above_100_percent():
    reading = rate(monthly([10, 20, 30, 40, 50, 60, 65]), target=99.0)
    assert reading.projected == 100.0 and reading.high == 100.0


def test_a_count_is_projected_without_a_ceiling_but_never_below_zero():
    rising = trend(monthly([1, 2, 3, 4, 5, 6, 7]), target=15, target_date=END_2030, rate=False)
    # About 12 a year from 1 at the end of January 2026: about 61 by the end of 2030.
    assert rising.projected == pytest.approx(61, abs=1) and rising.verdict == Verdict.ON_TRACK
    falling = trend(monthly([9, 8, 7, 6, 5, 4, 3]), target=15, target_date=END_2030, rate=False)
    assert falling.projected == 0.0 and falling.low == 0.0


def test_a_target_already_met_says_so_without_a_projection():
    reading = rate([(date(2026, 1, 1), 40.0), (date(2026, 9, 1), 72.5)])
    assert reading.verdict == Verdict.MET and reading.projected is None
    assert reading.wording == "Target met: 72.5% on 1 September 2026, against a target of 70%."


def test_a_milestone_is_done_or_not_and_never_projected():
    not_yet = trend(
        [(date(2026, 1, 1), 0.0)], target=1, target_date=END_2030, rate=False, milestone=True
    )
    assert not_yet.verdict == Verdict.MILESTONE and not_yet.projected is None
    assert "no trend is projected" in not_yet.wording
    done = trend(
        [(date(2026, 1, 1), 0.0), (date(2026, 6, 1), 1.0)],
        target=1,
        target_date=END_2030,
        rate=False,
        milestone=True,
    )
    assert done.verdict == Verdict.MET and done.wording == "Done: recorded on 1 June 2026."


def test_without_values_or_a_target_it_says_what_is_missing():
    assert rate([]).verdict == Verdict.NO_VALUES
    waiting = trend([(date(2026, 1, 1), 18.0)], target=None, target_date=END_2030, rate=True)
    assert waiting.verdict == Verdict.NO_TARGET
    assert (
        waiting.wording == "18% on 1 January 2026. The target is set once a baseline is recorded."
    )
