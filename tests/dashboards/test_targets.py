"""The 2030 targets as metric series: each counted target's arithmetic against a hand-counted
history, the past rebuilt from the kept history (so a trend begins with the data), the refresh
that keeps today's value up to date, and the values institute staff record."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, Organisation
from institute.sector import panels, refresh, services, targets, trends
from institute.sector.figures import Filters, strategic_authorities
from institute.sector.models import MetricSeries, MetricSnapshot, MetricValue
from institute.sector.tasks import dashboard_aggregates_refresh
from standards import services as standards_services
from tests.centres.factories import CentreFactory, LearningFactory, draft
from tests.factories import council_officer, date_input
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 16)


def at(day: date, hour: int = 12):
    """Travel to noon (UTC, which is London time in winter and an hour behind in summer)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def values(slug: str) -> dict[date, float]:
    return dict(MetricValue.objects.filter(series__slug=slug).values_list("date", "value"))


def test_history_days_are_the_first_day_each_months_end_since_and_today():
    assert targets.history_days(date(2026, 8, 20), TODAY) == [
        date(2026, 8, 20),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        TODAY,
    ]
    assert targets.history_days(TODAY, TODAY) == [TODAY]
    assert targets.history_days(date(2026, 10, 31), TODAY) == [date(2026, 10, 31), TODAY]


def test_centres_running_counts_each_centre_from_the_day_it_was_set_up():
    for slug, day in [
        ("greater-manchester-combined-authority", datetime(2026, 8, 10, 9, tzinfo=UTC)),
        ("west-yorkshire-combined-authority", datetime(2026, 9, 30, 9, tzinfo=UTC)),
        ("west-midlands-combined-authority", datetime(2026, 9, 30, 15, tzinfo=UTC)),
        ("north-east-combined-authority", datetime(2026, 11, 2, 9, tzinfo=UTC)),
    ]:
        CentreFactory(host=Organisation.objects.get(slug=slug), created_at=day)
    with at(TODAY):
        targets.history_rebuild()
    assert values("centres-running") == {
        date(2026, 8, 10): 1,
        date(2026, 8, 31): 1,
        date(2026, 9, 30): 3,
        date(2026, 10, 31): 3,
        TODAY: 4,
    }


def test_data_sharing_counts_published_examples_that_follow_a_standard_from_publication(
    institute_staff,
):
    standard = published_standard(institute_staff)
    centre = CentreFactory()

    def example(day, **kwargs):
        kwargs.setdefault("kind", "data_sharing")
        published = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        return LearningFactory(centre=centre, published_at=published, **kwargs)

    example(date(2026, 9, 14), standards=[standard])
    example(date(2026, 10, 1), standards=[standard])
    example(date(2026, 10, 2))  # follows no standard
    example(date(2026, 10, 3), kind="case_study", standards=[standard])  # not that kind
    draft(centre=centre, kind="data_sharing", standards=[standard])  # not published
    with at(TODAY):
        targets.history_rebuild()
    assert values("data-sharing-examples") == {
        date(2026, 9, 14): 1,
        date(2026, 9, 30): 1,
        date(2026, 10, 31): 2,
        TODAY: 2,
    }


def _rate(adopting: int, in_scope: int) -> float:
    return round(100 * adopting / in_scope, 1)


def test_standards_adoption_is_rebuilt_from_each_assessments_kept_history(institute_staff):
    """Two standards: one for every council, one for county councils only. Leeds and Bristol
    adopt the first, Camden assesses it red, Kent adopts the second, then Leeds's assessment is
    challenged. Each day's rate is the standards app's rule applied to that day."""
    councils = Organisation.objects.current().councils().count()
    counties = Organisation.objects.current().councils().filter(council_type="county").count()
    with at(date(2026, 5, 10)):
        forms = published_standard(institute_staff)
        shared = published_standard(
            institute_staff, title="County data sharing", council_types=["county"]
        )
    with at(date(2026, 6, 5)):
        leeds = submitted_assessment(council_officer("leeds"), forms)
    with at(date(2026, 7, 20)):
        submitted_assessment(council_officer("bristol-city-of"), forms)
        submitted_assessment(council_officer("camden"), forms, default="not_met")
    with at(date(2026, 8, 10)):
        submitted_assessment(council_officer("kent"), shared)
    with at(date(2026, 9, 15)):
        standards_services.assessment_review(
            actor=institute_staff, assessment=leeds, decision="challenge", note="Show us."
        )
    with at(TODAY):
        refresh.aggregates_refresh()
        targets.history_rebuild()

    # The trend begins with the first assessment, not with the first snapshot.
    expected = {
        date(2026, 6, 5): (1, 0),
        date(2026, 6, 30): (1, 0),
        date(2026, 7, 31): (2, 0),
        date(2026, 8, 31): (2, 1),
        date(2026, 9, 30): (1, 1),
        date(2026, 10, 31): (1, 1),
        TODAY: (1, 1),
    }
    assert values("standards-adoption") == {
        day: round((_rate(a, councils) + _rate(b, counties)) / 2, 1)
        for day, (a, b) in expected.items()
    }
    # Each standard's own trend, for all councils and for one region (Leeds is in Yorkshire),
    # is kept for the days before today; today's figure is the panel's own.
    forms_trend = dict(
        MetricSnapshot.objects.filter(metric=f"standard:{forms.pk}", filters_key="").values_list(
            "date", "value"
        )
    )
    assert forms_trend == {
        day: _rate(a, councils) for day, (a, _) in expected.items() if day < TODAY
    }
    yorkshire = Filters(region="E12000003").key
    yorkshire_councils = Organisation.objects.current().councils().filter(region="E12000003")
    assert MetricSnapshot.objects.get(
        metric=f"standard:{forms.pk}", filters_key=yorkshire, date=date(2026, 8, 31)
    ).value == _rate(1, yorkshire_councils.count())
    # Rebuilt today, the figure agrees with the dashboard's own count.
    with at(TODAY):
        sas = strategic_authorities()
        live = panels.standard_rates(panels.Selection.of(Filters(), sas, TODAY))
    assert values("standards-adoption")[TODAY] == round(sum(r[-1] for r in live) / len(live), 1)


def test_an_assessment_stops_counting_when_it_expires(institute_staff):
    with at(date(2025, 1, 10)):
        forms = published_standard(institute_staff)
    with at(date(2025, 3, 1)):
        submitted_assessment(council_officer("wakefield"), forms)  # valid for 12 months
    with at(TODAY):
        targets.history_rebuild()
    adoption = values("standards-adoption")
    assert min(adoption) == date(2025, 3, 1)
    assert adoption[date(2026, 2, 28)] > 0 and adoption[date(2026, 3, 31)] == 0


def test_each_refresh_brings_todays_value_up_to_date_and_drops_an_earlier_days(
    settings, institute_staff
):
    settings.DASHBOARD_REFRESH_ON_WRITE = False
    CentreFactory(created_at=datetime(2026, 9, 2, tzinfo=UTC))
    with at(TODAY):
        dashboard_aggregates_refresh()  # no past yet: the whole history is rebuilt
    assert values("centres-running") == {date(2026, 9, 2): 1, date(2026, 9, 30): 1,
                                         date(2026, 10, 31): 1, TODAY: 1}  # fmt: skip
    tomorrow = TODAY + timedelta(days=1)
    CentreFactory(
        host=Organisation.objects.get(slug="west-yorkshire-combined-authority"),
        created_at=datetime(2026, 11, 17, 9, tzinfo=UTC),
    )
    with at(tomorrow):
        dashboard_aggregates_refresh()
    assert values("centres-running") == {date(2026, 9, 2): 1, date(2026, 9, 30): 1,
                                         date(2026, 10, 31): 1, tomorrow: 2}  # fmt: skip


def test_the_definitions_are_the_rows_with_one_home_for_each_target():
    targets.series_sync()
    series = {s.slug: s for s in MetricSeries.objects.all()}
    assert len(series) == len(targets.DEFINITIONS) == 9
    assert {s.theme for s in series.values()} == {
        "infrastructure", "data", "leadership", "skills", "standards", "procurement"
    }  # fmt: skip
    assert series["standards-adoption"].target_value == 70  # standards.selectors.TARGET
    assert series["data-sharing-examples"].target_value == 15  # centres.models
    assert series["centres-running"].target_value == 5  # centres.models
    assert series["workforce-under-represented"].target_value is None
    assert series["workforce-under-represented"].target_rise_percent == 20
    assert {s.target_date for s in series.values()} == {date(2030, 12, 31)}


# --- Recorded values --------------------------------------------------------------------------


@pytest.fixture
def series():
    targets.series_sync()
    return {s.slug: s for s in MetricSeries.objects.all()}


def _record(actor, series, **kwargs):
    kwargs.setdefault("on", date(2026, 3, 1))
    kwargs.setdefault("value", 2)
    kwargs.setdefault("source_url", "https://www.example.gov.uk/report")
    return services.metric_value_record(actor=actor, series=series, **kwargs)


def test_staff_record_values_with_a_source_and_the_trail_keeps_them(institute_staff, series):
    chief = series["chief-executives-digital"]
    value = _record(institute_staff, chief, note="Two appointments announced.")
    event = AuditEvent.objects.get(verb="metric_value_recorded")
    assert (event.actor, event.target_id) == (institute_staff, str(value.pk))
    assert event.data["series"] == "chief-executives-digital" and event.data["value"] == 2
    view = next(v for v in targets.targets_overview() if v.slug == "chief-executives-digital")
    assert view.figure == "2 of 10"
    assert view.latest["source_url"] == "https://www.example.gov.uk/report"
    assert view.trend.verdict == trends.Verdict.NOT_ENOUGH


def test_a_rise_over_a_baseline_is_measured_from_the_recorded_baseline(institute_staff, series):
    workforce = series["workforce-under-represented"]
    view = next(v for v in targets._overview() if v.slug == workforce.slug)
    assert view.target is None and view.trend.verdict == trends.Verdict.NO_VALUES
    _record(institute_staff, workforce, value=18.0, is_baseline=True)
    _record(institute_staff, workforce, on=date(2026, 9, 1), value=19.5)
    view = next(v for v in targets._overview() if v.slug == workforce.slug)
    assert view.target == 21.6  # a fifth more than 18%
    assert view.figure == "19.5% against 21.6%"


@pytest.mark.parametrize(
    "slug,kwargs,message",
    [
        ("chief-executives-digital", {"on": date(2099, 1, 1)}, "today or in the past"),
        ("chief-executives-digital", {"value": -1}, "0 or more"),
        ("workforce-under-represented", {"value": 101}, "between 0 and 100"),
        ("workforce-plan", {"value": 0.5}, "Enter 1 when the milestone is done"),
        ("chief-executives-digital", {"source_url": ""}, "address of the source"),
        ("chief-executives-digital", {"is_baseline": True}, "does not need a baseline"),
        ("standards-adoption", {}, "counts this figure itself"),
    ],
)
def test_a_bad_value_is_refused_with_a_reason_and_nothing_is_recorded(
    institute_staff, series, slug, kwargs, message
):
    with pytest.raises(DomainError) as error:
        _record(institute_staff, series[slug], **kwargs)
    assert message in error.value.message
    assert not MetricValue.objects.exists()


def test_one_value_a_day_and_one_baseline(institute_staff, series):
    workforce = series["workforce-under-represented"]
    _record(institute_staff, workforce, value=18, is_baseline=True)
    with pytest.raises(DomainError, match="already recorded"):
        _record(institute_staff, workforce, value=19)
    with pytest.raises(DomainError, match="already has a baseline"):
        _record(institute_staff, workforce, on=date(2026, 4, 1), value=19, is_baseline=True)
    assert MetricValue.objects.count() == 1


def test_only_institute_staff_record_or_remove_values(
    officer, sector_viewer, institute_staff, series
):
    for person in (officer, sector_viewer):
        with pytest.raises(NotAllowed):
            _record(person, series["chief-executives-digital"])
    value = _record(institute_staff, series["chief-executives-digital"])
    with pytest.raises(NotAllowed):
        services.metric_value_remove(actor=sector_viewer, value=value)
    services.metric_value_remove(actor=institute_staff, value=value)
    assert not MetricValue.objects.exists()
    assert AuditEvent.objects.filter(verb="metric_value_removed").count() == 1


def test_the_record_page_shows_errors_and_saves_a_good_value(client, institute_staff, series):
    url = reverse("sector:series_record", args=["collective-buying-exercises"])
    client.force_login(institute_staff)
    bad = client.post(
        url, {**date_input("on", "2026-02-31"), "value": "lots", "source_url": "not a link"}
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "There is a problem" in html
    assert "Enter a real date" in html and "Enter the value as a number" in html
    assert "Enter a web address" in html
    assert not MetricValue.objects.exists()
    good = client.post(
        url,
        {
            **date_input("on", "2026-03-01"),
            "value": "3",
            "source_url": "https://www.example.gov.uk/buying",
        },
    )
    assert good.status_code == 302
    page = client.get(reverse("sector:series_detail", args=["collective-buying-exercises"]))
    assert "3 of 10" in page.content.decode()
    csv_text = client.get(
        reverse("sector:series_csv", args=["collective-buying-exercises"])
    ).content.decode()
    assert csv_text.splitlines()[1] == "2026-03-01,3,https://www.example.gov.uk/buying,"


@pytest.mark.parametrize("role,status", [("officer", 403), ("sector_viewer", 403)])
def test_people_other_than_staff_cannot_open_the_record_page(client, request, series, role, status):
    client.force_login(request.getfixturevalue(role))
    url = reverse("sector:series_record", args=["chief-executives-digital"])
    assert client.get(url).status_code == status
    assert client.post(url, {**date_input("on", "2026-03-01"), "value": "3"}).status_code == status
    assert not MetricValue.objects.exists()


def test_a_counted_series_has_no_record_page(client, institute_staff, series):
    client.force_login(institute_staff)
    url = reverse("sector:series_record", args=["standards-adoption"])
    assert client.get(url).status_code == 403


def test_anyone_reads_every_target_page(client, series):
    for slug in series:
        response = client.get(reverse("sector:series_detail", args=[slug]))
        assert response.status_code == 200
        assert "How trends are projected" in response.content.decode()
    assert client.get(reverse("sector:series_detail", args=["nope"])).status_code == 404
