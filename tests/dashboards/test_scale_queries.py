"""What keeps the dashboards fast at sector scale (issue #7): the refresh is the same few
statements however much there is to count, merged problems stay out of the figures, and the
panels are computed once per refresh, then read from the cache (and still computed when the
cache is down). `tests/bench/sector.py` times the same against 100,000 problems."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backlog import services as backlog_services
from institute.models import Organisation
from institute.sector import figures, panels, refresh
from institute.sector.models import CouncilStats
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.dashboards.conftest import councils
from tests.factories import council_officer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db


def _refresh() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert refresh.aggregates_refresh() == councils()
    return [q["sql"] for q in queries.captured_queries]


def _data(**filters):
    return panels.dashboard(figures.Filters(**filters), figures.strategic_authorities())


def test_refresh_runs_the_same_statements_however_much_there_is_to_count(sector, institute_staff):
    small = _refresh()
    # Grow every source: votes from more councils, adoptions, another adopted standard.
    for slug in ("bradford", "wakefield", "kirklees", "calderdale", "cornwall"):
        officer = council_officer(slug)
        backlog_services.problem_vote(actor=officer, problem=sector["a"])
        AdoptionFactory(component=sector["c1"], organisation=officer.membership.organisation)
    AdoptionFactory(component=ComponentFactory(), organisation=sector["camden"])
    # Adoptions of a component still in review are not counted.
    AdoptionFactory(component=ComponentFactory(status="in_review"), organisation=sector["camden"])
    submitted_assessment(
        council_officer("camden", "standards@camden.example.test"),
        published_standard(institute_staff, title="Open data publishing"),
    )
    grown = _refresh()

    assert len(small) == len(grown) <= 8
    assert [sql.split()[0] for sql in small] == [sql.split()[0] for sql in grown]
    bradford = CouncilStats.objects.get(organisation__slug="bradford")
    assert (bradford.officer_votes, bradford.problem_ids) == (1, [sector["a"].pk])
    assert bradford.adoptions_in_use == 1
    camden = CouncilStats.objects.get(organisation=sector["camden"])
    assert len(camden.standards_adopted_ids) == 1
    assert (camden.adoptions_in_use, camden.adoptions_stale, len(camden.component_ids)) == (1, 1, 1)
    assert _data()["tables"]["components-top"].rows[0][1] == 2 + 5  # Bin day API


def test_refresh_leaves_merged_problems_out_even_where_a_vote_stays_on_them(
    sector, institute_staff
):
    # Bristol raised B and voted for A, so its vote for B stays on B when B joins A.
    backlog_services.problem_merge(actor=institute_staff, source=sector["b"], target=sector["a"])
    refresh.aggregates_refresh()
    bristol = CouncilStats.objects.get(organisation=sector["bristol"])
    assert (bristol.problems_submitted, bristol.problems_affected) == (0, 1)
    assert bristol.problem_ids == [sector["a"].pk]
    assert _data()["headline"]["problems"] == 1


def test_refresh_drops_the_row_of_a_council_that_has_ended(sector):
    refresh.aggregates_refresh()
    yesterday = timezone.localdate() - timedelta(days=1)
    Organisation.objects.filter(pk=sector["camden"].pk).update(valid_to=yesterday)
    refresh.aggregates_refresh()
    assert not CouncilStats.objects.filter(organisation=sector["camden"]).exists()
    assert CouncilStats.objects.count() == councils()


def _timed_data(**filters):
    sas = figures.strategic_authorities()
    with CaptureQueriesContext(connection) as queries:
        data = panels.dashboard(figures.Filters(**filters), sas)
    return len(queries), data


def test_panels_are_computed_once_per_refresh_and_afresh_after_the_next(sector):
    refresh.aggregates_refresh()
    first_queries, first = _timed_data()
    again_queries, again = _timed_data()
    assert first_queries >= 8 and again_queries == 1  # only the summary rows' groups
    assert again["tables"]["backlog-top"].rows == first["tables"]["backlog-top"].rows
    # Each filter has its own panels.
    _, yorkshire = _timed_data(region="E12000003")
    assert yorkshire["councils"] == councils(region="E12000003") != first["councils"]

    # New votes show after the next refresh, computed with the same queries as the first time.
    for slug in ("bradford", "wakefield"):
        backlog_services.problem_vote(actor=council_officer(slug), problem=sector["b"])
    assert _data()["tables"]["backlog-top"].rows == first["tables"]["backlog-top"].rows
    refresh.aggregates_refresh()
    fresh_queries, fresh = _timed_data()
    assert fresh_queries == first_queries
    assert [row[2] for row in fresh["tables"]["backlog-top"].rows] == [3, 3]


def test_panels_are_computed_when_the_cache_is_down(sector, monkeypatch):
    refresh.aggregates_refresh()
    expected = _data()

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(panels, "cache", Down())
    data = _data()
    assert data["headline"] == expected["headline"]
    assert data["tables"]["standards"].rows == expected["tables"]["standards"].rows


def test_scale_standards_give_every_council_assessments_that_the_refresh_counts(db):
    """The benchmark's standards data (tests/bench/load/standards.py): every current council
    assesses, the refresh agrees with the standards app on who adopted what, and each reader it
    adds has a weekly digest due. Loaded once; `--skip-if-loaded` then does nothing, `--reset`
    reloads."""
    from io import StringIO

    from django.core.management import call_command

    from institute import digests
    from standards.models import Assessment, Standard
    from standards.selectors import adoption_for
    from tests.bench.load import standards as load_standards
    from tests.factories import ProblemFactory

    for _ in range(3):
        ProblemFactory()
    call_command(load_standards.Command(), "--users", "30", "--no-analyze", stdout=StringIO())
    standards = list(Standard.objects.filter(slug__startswith="scale-"))
    assessments = Assessment.objects.filter(standard__in=standards)
    assert len(standards) == 8
    assert assessments.values("organisation").distinct().count() == councils()
    statuses = set(assessments.values_list("status", flat=True))
    assert statuses == {"in_progress", "submitted", "verified", "challenged"}

    refresh.aggregates_refresh()
    official = adoption_for(standards)
    for standard in standards:
        counted = CouncilStats.objects.filter(standards_adopted_ids__contains=[standard.pk])
        assert counted.count() == official[standard.pk].adopted > 0

    due = [pk for chunk in digests.digest_chunks(cadence="weekly") for pk in chunk]
    assert len(due) == 30

    before = assessments.count()
    out = StringIO()
    call_command(load_standards.Command(), "--users", "30", "--skip-if-loaded", stdout=out)
    assert "skipping" in out.getvalue() and assessments.count() == before
    call_command(
        load_standards.Command(), "--users", "30", "--reset", "--no-analyze", stdout=StringIO()
    )
    assert Assessment.objects.filter(standard__slug__startswith="scale-").count() == before


def test_the_refresh_task_leaves_the_all_councils_panels_ready_for_the_first_viewer(sector):
    from institute.sector.tasks import dashboard_aggregates_refresh

    dashboard_aggregates_refresh()
    first_queries, _ = _timed_data()
    assert first_queries == 1  # only the summary rows' groups: the panels were computed already
    filtered_queries, _ = _timed_data(region="E12000003")
    assert filtered_queries > 1  # a filtered view is computed on first use
