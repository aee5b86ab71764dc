"""Surrey's reorganisation of 1 April 2027: the county and its 11 districts close, East Surrey
and West Surrey open. From that day each successor carries its predecessors' figures (demand,
adoptions, standards, projects); before it the history stays with Surrey; the count of current
councils is 317 before and 307 after."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from backlog import services as backlog_services
from institute.models import Organisation, ServiceArea, Succession
from institute.sector import figures, panels, profiles, refresh
from institute.sector.models import CouncilStats
from tests.centres.factories import CentreFactory, ProjectFactory
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import council_officer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db
BEFORE = datetime(2027, 3, 31, 12, tzinfo=UTC)
AFTER = datetime(2027, 4, 1, 12, tzinfo=UTC)
DASHBOARD = reverse("sector:dashboard")


@pytest.fixture(autouse=True)
def _no_refresh_on_write(settings):
    settings.DASHBOARD_REFRESH_ON_WRITE = False


@pytest.fixture
def surrey(institute_staff):
    """Work done in March 2027: Surrey County raises a problem that Woking (to West Surrey)
    also has; Surrey County uses one component and has adopted a standard; Elmbridge (to East
    Surrey) pilots another component; Surrey County is a partner in a centre project."""
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False):
        county = Organisation.objects.get(gss_code="E10000030")
        woking = Organisation.objects.get(name="Woking")
        elmbridge = Organisation.objects.get(name="Elmbridge")
        county_officer = council_officer(county.slug, "officer@surreycc.example.test")
        problem = backlog_services.problem_submit(
            actor=county_officer,
            title="Highways defects are reported twice",
            summary="Two tiers, two forms.",
            description="Residents do not know which council to tell.",
            theme="data",
            service_areas=[ServiceArea.objects.get(slug="housing")],
        )
        backlog_services.problem_vote(actor=council_officer(woking.slug), problem=problem)
        bins = ComponentFactory(name="Bin day API")
        forms = ComponentFactory(name="Form builder")
        AdoptionFactory(component=bins, organisation=county)
        AdoptionFactory(component=forms, organisation=elmbridge, stage="piloting")
        standard = published_standard(institute_staff)
        submitted_assessment(county_officer, standard)
        ProjectFactory(centre=CentreFactory(name="South East Centre")).partner_councils.set(
            [county]
        )
    return {
        "county": county,
        "woking": woking,
        "east": Organisation.objects.get(slug="east-surrey-council"),
        "west": Organisation.objects.get(slug="west-surrey-council"),
        "problem": problem,
        "bins": bins,
        "forms": forms,
        "standard": standard,
    }


def _stats(org):
    return CouncilStats.objects.filter(organisation=org).first()


def test_surrey_county_has_two_successors_from_1_april_2027():
    county = Organisation.objects.get(gss_code="E10000030")
    assert sorted(
        (s.successor.name, s.date) for s in county.successions_out.select_related("successor")
    ) == [
        ("East Surrey Council", date(2027, 4, 1)),
        ("West Surrey Council", date(2027, 4, 1)),
    ]
    east = Organisation.objects.get(slug="east-surrey-council")
    assert "Surrey" in set(east.predecessors.values_list("name", flat=True))
    assert east.predecessors.count() == 6  # the county and five districts


def test_a_succession_cannot_name_itself_or_repeat_a_pair():
    county = Organisation.objects.get(gss_code="E10000030")
    east = Organisation.objects.get(slug="east-surrey-council")
    with pytest.raises(IntegrityError), transaction.atomic():
        Succession.objects.create(predecessor=east, successor=east, date=date(2027, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Succession.objects.create(predecessor=county, successor=east, date=date(2028, 4, 1))
    assert not Succession.objects.filter(predecessor=east).exists()


def test_before_the_date_surreys_figures_stay_with_surrey(surrey):
    with time_machine.travel(BEFORE, tick=False):
        assert refresh.aggregates_refresh() == 317
        county = _stats(surrey["county"])
        assert county.problem_ids == [surrey["problem"].pk]
        assert county.component_ids == [surrey["bins"].pk]
        assert county.standards_adopted_ids == [surrey["standard"].pk]
        assert len(county.project_ids) == 1
        assert _stats(surrey["woking"]).problem_ids == [surrey["problem"].pk]
        assert _stats(surrey["east"]) is None and _stats(surrey["west"]) is None


def test_from_the_date_both_successors_carry_surreys_figures(surrey):
    with time_machine.travel(BEFORE, tick=False):
        refresh.aggregates_refresh()
    with time_machine.travel(AFTER, tick=False):
        assert refresh.aggregates_refresh() == 307
        assert _stats(surrey["county"]) is None and _stats(surrey["woking"]) is None
        east, west = _stats(surrey["east"]), _stats(surrey["west"])
        assert east.problem_ids == west.problem_ids == [surrey["problem"].pk]
        # West Surrey has the problem through both Surrey County and Woking: counted once.
        assert (east.problems_affected, west.problems_affected) == (1, 1)
        assert (east.problems_submitted, west.problems_submitted) == (1, 1)
        assert (west.officer_votes, east.officer_votes) == (2, 1)
        assert sorted(east.component_ids) == sorted([surrey["bins"].pk, surrey["forms"].pk])
        assert (east.adoptions_in_use, east.adoptions_piloting) == (1, 1)
        assert (west.component_ids, west.adoptions_in_use, west.adoptions_piloting) == (
            [surrey["bins"].pk],
            1,
            0,
        )
        assert east.standards_adopted_ids == west.standards_adopted_ids == [surrey["standard"].pk]
        assert len(east.project_ids) == len(west.project_ids) == 1
        # People stay with the organisation they joined.
        assert (east.members, west.members) == (0, 0)


def test_dashboard_counts_and_rates_on_both_sides_of_the_date(surrey, client, sector_viewer):
    sas = figures.strategic_authorities()
    for moment, councils, using, adopted in ((BEFORE, 317, 2, 1), (AFTER, 307, 2, 2)):
        with time_machine.travel(moment, tick=False):
            client.force_login(sector_viewer)
            refresh.aggregates_refresh()
            data = panels.dashboard(figures.Filters(region="E12000008"), sas)
            # South East: 70 councils before, 70 - 12 + 2 after.
            assert data["councils"] == (70 if moment == BEFORE else 60)
            assert data["headline"]["components_using"] == using - (moment == BEFORE)
            row = [
                c["text"] if isinstance(c, dict) else c for c in data["tables"]["standards"].rows[0]
            ]
            assert row[1:3] == [adopted, data["councils"]]
            response = client.get(DASHBOARD)
            assert response.status_code == 200
            assert response.context["councils"] == councils


def test_council_profile_of_a_successor_shows_its_predecessors_figures(surrey, client):
    with time_machine.travel(AFTER, tick=False):
        refresh.aggregates_refresh()
        table = profiles.council_comparison(surrey["west"], show_standards=True)["table"]
        mine = {row[0]: row[1] for row in table.rows}
        assert mine["Problems it has"] == 1
        assert mine["Components in use"] == 1
        assert mine["Standards adopted"] == 1
        response = client.get(reverse("sector:council_profile", args=["west-surrey-council"]))
        assert response.status_code == 200
        assert response.context["has_stats"]


def test_council_profile_of_surrey_keeps_its_history_before_the_date(surrey):
    with time_machine.travel(BEFORE, tick=False):
        refresh.aggregates_refresh()
        table = profiles.council_comparison(surrey["county"], show_standards=True)["table"]
        mine = {row[0]: row[1] for row in table.rows}
        assert (mine["Problems raised"], mine["Components in use"]) == (1, 1)
        east = profiles.council_comparison(surrey["east"], show_standards=True)
        assert not east["has_stats"]
