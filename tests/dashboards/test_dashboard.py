"""The sector dashboard: the arithmetic of every panel against a hand-counted sector, filters,
who may see what, CSV downloads and a fixed number of queries that never touch the big tables."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backlog import services as backlog_services
from institute import fragments
from institute.sector import figures, panels, refresh, targets
from institute.sector.models import CouncilStats, MetricSnapshot
from standards.selectors import adoption_for
from tests.dashboards.conftest import LONDON, YORKSHIRE, councils
from tests.factories import council_officer

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("sector:dashboard")
SUMMARY = reverse("sector:dashboard_summary")


def _data(**filters):
    sas = figures.strategic_authorities()
    return panels.dashboard(figures.Filters(**filters), sas)


def _rows(data, slug):
    return [[c["text"] if isinstance(c, dict) else c for c in r] for r in data["tables"][slug].rows]


def test_refresh_writes_one_row_per_current_council_with_hand_counted_figures(sector):
    assert refresh.aggregates_refresh() == councils()
    leeds = CouncilStats.objects.get(organisation=sector["leeds"])
    assert (leeds.problems_submitted, leeds.problems_affected, leeds.officer_votes) == (1, 1, 2)
    assert leeds.problem_ids == [sector["a"].pk]
    assert (leeds.adoptions_in_use, leeds.adoptions_piloting, leeds.adoptions_stale) == (1, 1, 0)
    assert sorted(leeds.component_ids) == sorted([sector["c1"].pk, sector["c2"].pk])
    assert leeds.standards_adopted_ids == [sector["standard"].pk]
    assert (len(leeds.project_ids), len(leeds.learning_ids)) == (1, 1)  # the draft is not counted
    assert (leeds.members, leeds.active_users) == (2, 1)
    camden = CouncilStats.objects.get(organisation=sector["camden"])
    assert (camden.adoptions_in_use, camden.adoptions_stale, camden.component_ids) == (0, 1, [])
    bristol = CouncilStats.objects.get(organisation=sector["bristol"])
    assert (bristol.problems_affected, bristol.adoptions_retired, bristol.active_users) == (2, 1, 0)


def test_refresh_resets_figures_when_the_rows_behind_them_go(sector):
    refresh.aggregates_refresh()
    sector["c1"].adoptions.all().delete()
    refresh.aggregates_refresh()
    assert CouncilStats.objects.get(organisation=sector["bristol"]).adoptions_in_use == 0


def test_backlog_panel_counts_problems_by_theme_status_and_councils_affected(sector):
    refresh.aggregates_refresh()
    data = _data()
    themes = {row[0]: row for row in _rows(data, "backlog-themes")}
    assert themes["Data exchange and maturity"][1] == 1  # A: new
    assert themes["Capacity, capability and skills"][-1] == 1  # B
    assert data["headline"]["problems"] == 2
    assert data["headline"]["new_this_quarter"] == 2
    assert _rows(data, "backlog-top") == [
        ["Repairs reports go missing", "New", 3],
        ["Nobody can recruit data analysts", "New", 1],
    ]
    yorkshire = _data(region=YORKSHIRE)
    assert yorkshire["headline"]["problems"] == 1
    assert _rows(yorkshire, "backlog-top") == [["Repairs reports go missing", "New", 1]]


def test_components_panel_counts_stages_most_adopted_and_share_in_use(sector):
    refresh.aggregates_refresh()
    data = _data()
    assert _rows(data, "components-stages") == [
        ["Exploring", 0],
        ["Piloting", 1],
        ["In use", 2],
        ["Retired", 1],
        ["Stale (not confirmed for 12 months)", 1],
    ]
    assert _rows(data, "components-top") == [["Bin day API", 2], ["Form builder", 1]]
    assert data["headline"]["components_using"] == 2
    assert data["headline"]["components_share"] == round(100 * 2 / councils())
    london = _data(region=LONDON)
    assert _rows(london, "components-top") == []
    assert _rows(london, "components-stages")[4] == ["Stale (not confirmed for 12 months)", 1]


def test_standards_panel_uses_the_standards_apps_own_definition_of_adopted(sector):
    refresh.aggregates_refresh()
    row = _rows(_data(), "standards")[0]
    official = adoption_for([sector["standard"]])[sector["standard"].pk]
    assert row[:5] == ["Accessible online forms", 1, councils(), round(100 / councils(), 1), 70]
    assert (row[1], row[2]) == (official.adopted, official.in_scope)
    yorkshire = _rows(_data(region=YORKSHIRE), "standards")[0]
    n = councils(region=YORKSHIRE)
    assert yorkshire[1:4] == [1, n, round(100 / n, 1)]


def test_standards_trend_comes_from_the_kept_history_and_says_when_it_is_too_short(sector):
    refresh.aggregates_refresh()
    targets.history_rebuild()
    # Leeds's assessment was submitted today: one value, nothing to project from.
    row = _rows(_data(), "standards")[0]
    assert row[5:] == ["", "", "Not enough history yet"]
    trend = _rows(_data(), "standards-trend")
    today = timezone.localdate()
    assert trend == [["Accessible online forms", f"{today:%Y-%m-%d}", round(100 / councils(), 1)]]


def test_standards_trend_projects_from_history_kept_over_months(sector):
    refresh.aggregates_refresh()
    metric = f"standard:{sector['standard'].pk}"
    today = timezone.localdate()
    # Rebuilt values at month ends over the last half year and more: a slow rise.
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(date=today - timedelta(days=30 * n), metric=metric, value=0.0)
        for n in range(1, 8)
    )
    row = _rows(_data(), "standards")[0]
    assert row[7] == "Not on track"
    low, high = (float(x) for x in row[6].split(" to "))
    assert 0 <= low <= row[5] <= high < 70
    trend = _rows(_data(), "standards-trend")
    assert trend[0][1] == f"{today - timedelta(days=210):%Y-%m-%d}" and len(trend) == 8


def test_snapshot_is_one_row_per_day_metric_and_filter(sector):
    refresh.aggregates_refresh()
    first = panels.metrics_snapshot()
    second = panels.metrics_snapshot()
    assert first == second
    assert MetricSnapshot.objects.count() == first
    value = MetricSnapshot.objects.get(
        metric="councils_component_in_use_pct", filters_key="", date=timezone.localdate()
    ).value
    assert value == round(100 * 2 / councils())


def test_centres_panel_counts_projects_learning_and_data_sharing_against_target(sector):
    refresh.aggregates_refresh()
    data = _data()
    assert _rows(data, "centres") == [["North West Centre", 2, 2, 1]]
    assert data["headline"]["data_sharing"] == 1 and data["headline"]["data_sharing_target"] == 15
    assert _rows(_data(region=YORKSHIRE), "centres") == [["North West Centre", 1, 1, 1]]
    assert _rows(_data(region=LONDON), "centres") == [["North West Centre", 0, 0, 0]]


def test_engagement_panel_counts_councils_with_someone_active_in_90_days(sector):
    refresh.aggregates_refresh()
    by_region = {r[0]: r for r in _rows(_data(), "engagement-region")}
    n = councils(region=YORKSHIRE)
    assert by_region["Yorkshire and The Humber"] == [
        "Yorkshire and The Humber",
        n,
        1,
        round(100 / n),
    ]
    assert by_region["South West"][2] == 0  # Bristol's officer last signed in 100 days ago
    by_type = {r[0]: r for r in _rows(_data(), "engagement-type")}
    assert by_type["Metropolitan borough"][2] == 1


def test_filters_combine_and_bad_values_are_ignored(client, sector_viewer, sector):
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)
    response = client.get(DASHBOARD, {"region": YORKSHIRE, "council_type": "metropolitan_borough"})
    assert response.context["councils"] == councils(
        region=YORKSHIRE, council_type="metropolitan_borough"
    )
    sa = client.get(DASHBOARD, {"strategic_authority": "west-yorkshire-combined-authority"})
    assert sa.status_code == 200
    assert sa.context["councils"] == councils(
        strategic_authority__slug="west-yorkshire-combined-authority"
    )
    bad = client.get(DASHBOARD, {"region": "nowhere", "council_type": "<script>", "page": "x"})
    assert bad.status_code == 200 and bad.context["councils"] == councils()


def test_htmx_filter_returns_the_panels_partial(client, sector_viewer, sector):
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)
    html = client.get(DASHBOARD, {"region": YORKSHIRE}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="panels">')
    assert "Yorkshire and The Humber" in html and "<html" not in html


@pytest.mark.parametrize(
    "role,status",
    [
        ("officer", 403),
        ("other_officer", 403),
        ("centre_staff", 403),
        ("no_membership_user", 403),
        ("institute_staff", 200),
        ("sector_viewer", 200),
    ],
)
def test_only_sector_viewers_and_institute_staff_see_the_dashboard(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(DASHBOARD).status_code == status
    csv_url = reverse("sector:dashboard_csv", args=["centres"])
    assert client.get(csv_url).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in_and_see_only_the_public_summary(client, sector):
    refresh.aggregates_refresh()
    assert client.get(DASHBOARD).status_code == 302
    response = client.get(SUMMARY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Filter the dashboard" not in html
    # Aggregates only: no council names, no links to councils or their profiles.
    assert "Leeds" not in html and "/dashboard/councils/" not in html
    assert client.get(SUMMARY, {"region": YORKSHIRE}).context["councils"] == councils()
    csv_response = client.get(reverse("sector:dashboard_summary_csv", args=["standards"]))
    assert csv_response.status_code == 200


def test_csv_download_has_exactly_the_numbers_in_the_table(client, sector_viewer, sector):
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)
    page = client.get(DASHBOARD, {"region": YORKSHIRE})
    html = page.content.decode()
    url = reverse("sector:dashboard_csv", args=["components-stages"])
    assert f"{url}?region={YORKSHIRE}" in html
    response = client.get(url, {"region": YORKSHIRE})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    table = page.context["tables"]["components-stages"]
    assert rows[0] == table.headers
    assert rows[1:] == [[str(c) for c in r] for r in table.rows]
    assert rows[1:] == [
        ["Exploring", "0"],
        ["Piloting", "1"],
        ["In use", "1"],
        ["Retired", "0"],
        ["Stale (not confirmed for 12 months)", "0"],
    ]
    assert client.get(reverse("sector:dashboard_csv", args=["nope"])).status_code == 404


def test_page_shows_data_as_of_and_each_chart_has_a_table_and_summary(
    client, sector_viewer, sector
):
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)
    html = client.get(DASHBOARD).content.decode()
    assert "Data as of" in html
    assert html.count('app-dashboard-summary"') == html.count('<table class="govuk-table')
    assert 'style="' not in html  # CSP: no style attributes
    assert "app-dashboard-bar--w" in html


FORBIDDEN = ("backlog_vote", "backlog_councildemand", "components_adoption")


def _dashboard_queries(client):
    # Cold: every cached part and choice list is built again, as on a first view.
    fragments.invalidate_all()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD, {"region": YORKSHIRE}).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_dashboard_runs_a_fixed_small_number_of_queries_and_never_reads_big_tables(
    client, sector_viewer, sector
):
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)
    before = _dashboard_queries(client)
    # More demand and more adoptions change nothing about how the page reads them.
    for slug in ("bradford", "wakefield", "kirklees", "calderdale"):
        from backlog.services import problem_vote

        problem_vote(actor=council_officer(slug), problem=sector["a"])
    refresh.aggregates_refresh()
    after = _dashboard_queries(client)
    # 15: the 13 of the panels and filters, and the 2030 targets (their series, their values).
    assert len(before) == len(after) <= 15
    for sql in after:
        assert not any(table in sql for table in FORBIDDEN), sql
    assert _rows(_data(region=YORKSHIRE), "backlog-top")[0][2] == 5


def test_writes_schedule_one_debounced_refresh(settings, monkeypatch, officer, sector):
    from institute.sector import tasks as sector_tasks
    from institute.sector.tasks import dashboard_aggregates_refresh

    settings.DASHBOARD_REFRESH_ON_WRITE = True
    calls = []
    monkeypatch.setattr(dashboard_aggregates_refresh, "apply_async", lambda **kw: calls.append(kw))
    for _ in range(5):
        sector_tasks.refresh_soon()
    assert calls == [{"countdown": 60}]


@pytest.mark.parametrize("action", ["vote", "withdraw"])
def test_a_vote_or_a_withdrawal_through_the_page_asks_for_a_refresh(
    settings, monkeypatch, client, sector, action, django_capture_on_commit_callbacks
):
    """Votes are written in SQL, without model signals: the service asks for the refresh."""
    from django.core.cache import cache

    from institute.sector import tasks as sector_tasks
    from institute.sector.tasks import dashboard_aggregates_refresh

    voter = council_officer("camden", "voter@camden.example.test")
    problem = sector["b"]
    if action == "withdraw":
        backlog_services.problem_vote(actor=voter, problem=problem)
    settings.DASHBOARD_REFRESH_ON_WRITE = True
    cache.delete(sector_tasks.DEBOUNCE_KEY)
    calls = []
    monkeypatch.setattr(dashboard_aggregates_refresh, "apply_async", lambda **kw: calls.append(kw))
    client.force_login(voter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backlog:problem_vote", args=[problem.pk]),
            {"action": action},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert calls == [{"countdown": 60}]
    cache.delete(sector_tasks.DEBOUNCE_KEY)


def test_every_table_that_can_scroll_sideways_is_a_named_region_a_keyboard_can_reach(
    client, sector_viewer, sector
):
    client.force_login(sector_viewer)
    html = client.get(DASHBOARD).content.decode()
    boxes = re.findall(r'<div class="app-dashboard-table-wrap"[^>]*>', html)
    assert boxes
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box, box
        assert re.search(r'aria-label="[^"]+, scrollable"', box), box
