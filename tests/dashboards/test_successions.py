"""Surrey's reorganisation of 1 April 2027: the county and its 11 districts close, East Surrey
and West Surrey open. From that day each successor carries its predecessors' figures (demand,
adoptions, standards, projects); before it the history stays with Surrey; the count of current
councils is 317 before and 307 after."""

import json
import re
import time
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import services as backlog_services
from institute.models import Organisation, ServiceArea, Succession
from institute.sector import figures, opendata, panels, profiles, refresh, targets
from institute.sector.models import CouncilStats
from standards import selectors as standards_selectors
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


# --- Rates, open data and the problem page on both sides of the date --------------------------
# Surrey County and Woking (to West Surrey) have adopted the standard; so, from the date, both
# successors have it, and West Surrey counts it once though two of its predecessors adopted it.

DAY_BEFORE, DAY_AFTER = BEFORE.date(), AFTER.date()
# 23:59:58 on 31 March 2027 in London (summer time): two seconds before the successions.
LAST_SECONDS = datetime(2027, 3, 31, 22, 59, 58, tzinfo=UTC)


@pytest.fixture
def adopted_twice(surrey):
    with time_machine.travel(datetime(2027, 3, 12, 12, tzinfo=UTC), tick=False):
        woking_officer = council_officer(surrey["woking"].slug, "officer@woking.example.test")
        submitted_assessment(woking_officer, surrey["standard"])
    return surrey


def test_adoption_rates_carry_surreys_adoptions_to_each_successor_once(adopted_twice):
    standard = adopted_twice["standard"]
    before = standards_selectors.adoption_for([standard], DAY_BEFORE)[standard.pk]
    after = standards_selectors.adoption_for([standard], DAY_AFTER)[standard.pk]
    assert (before.adopted, before.in_scope) == (2, 317)  # Surrey County and Woking
    assert (after.adopted, after.in_scope) == (2, 307)  # East Surrey and West Surrey, once each
    # Today's figures (cached for the day) say the same on each side.
    for moment, expected in ((BEFORE, (2, 317)), (AFTER, (2, 307))):
        with time_machine.travel(moment, tick=False):
            today = standards_selectors.adoption_for([standard])[standard.pk]
            assert (today.adopted, today.in_scope) == expected


def test_councils_in_scope_by_type_are_those_current_on_the_day(surrey, institute_staff):
    """A standard for unitary authorities: East and West Surrey are in scope from the date and
    carry Surrey County's adoption; a county-only standard loses Surrey County, whose
    successors are not counties."""
    unitary = published_standard(institute_staff, title="Unitary data", council_types=["unitary"])
    county = published_standard(institute_staff, title="County data", council_types=["county"])
    with time_machine.travel(datetime(2027, 3, 12, 12, tzinfo=UTC), tick=False):
        officer = council_officer(surrey["county"].slug, "second@surreycc.example.test")
        submitted_assessment(officer, unitary)
        submitted_assessment(officer, county)

    def counts(day, standard):
        rate = standards_selectors.adoption_for([standard], day)[standard.pk]
        return rate.adopted, rate.in_scope

    unitaries = Organisation.objects.current(DAY_BEFORE).filter(council_type="unitary").count()
    counties = Organisation.objects.current(DAY_BEFORE).filter(council_type="county").count()
    assert counts(DAY_BEFORE, unitary) == (0, unitaries)
    assert counts(DAY_AFTER, unitary) == (2, unitaries + 2)
    assert counts(DAY_BEFORE, county) == (1, counties)
    assert counts(DAY_AFTER, county) == (0, counties - 1)


@pytest.mark.parametrize("extra", [0, 6])
def test_adoption_rates_take_two_queries_whatever_the_number_of_standards(
    adopted_twice, institute_staff, django_assert_num_queries, extra
):
    standards = [adopted_twice["standard"]]
    standards += [published_standard(institute_staff, title=f"Extra {n}") for n in range(extra)]
    with django_assert_num_queries(2):
        rates = standards_selectors.adoption_for(standards, DAY_AFTER)
    assert rates[adopted_twice["standard"].pk].adopted == 2


def test_the_standards_page_and_its_trend_count_the_successors(
    adopted_twice, client, institute_staff
):
    standard = adopted_twice["standard"]
    for moment, text in (
        (BEFORE, "Adopted by 2 of 317 councils in scope"),
        (AFTER, "Adopted by 2 of 307 councils in scope"),
    ):
        with time_machine.travel(moment, tick=False):
            client.force_login(institute_staff)
            assert text in client.get(standard.get_absolute_url()).content.decode()
    # The rates rebuilt from the kept history (the dashboard's trend) agree.
    rates = targets.standard_rates_on([DAY_BEFORE, DAY_AFTER])
    assert rates[DAY_BEFORE][""][standard.pk] == round(100 * 2 / 317, 1)
    assert rates[DAY_AFTER][""][standard.pk] == round(100 * 2 / 307, 1)


def test_open_data_rates_count_the_successors_from_the_date(adopted_twice, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "generated": {**settings.STORAGES["generated"], "OPTIONS": {"location": tmp_path}},
    }
    for moment, expected in ((BEFORE, (2, 317, 1)), (AFTER, (2, 307, 1))):
        with time_machine.travel(moment, tick=False):
            opendata.open_data_publish()
        rows = json.loads((tmp_path / "opendata" / "standards.json").read_text())["rows"]
        row = next(r for r in rows if r["slug"] == adopted_twice["standard"].slug)
        assert (
            row["councils_adopting"],
            row["councils_in_scope"],
            row["adoption_percent"],
        ) == expected


def _councils_section(html: str) -> str:
    return html[html.index('id="councils"') : html.index("Timeline")]


def test_the_problem_page_says_surrey_closed_and_who_carries_its_demand(
    surrey, client, institute_staff
):
    """Surrey County and Woking said they have the problem; from the date both are closed, the
    page says so, links to their successors and counts the current councils that have it (East
    and West Surrey), as the dashboard does. The part cached on 31 March expires at midnight."""
    url = surrey["problem"].get_absolute_url()
    with time_machine.travel(LAST_SECONDS, tick=False):
        before = _councils_section(client.get(url).content.decode())
    assert "2 councils affected" in before
    assert "closed" not in before
    time.sleep(2.5)  # the cache's own clock: the part kept until midnight has gone
    with time_machine.travel(AFTER, tick=False):
        after = _councils_section(client.get(url).content.decode())
    east = reverse("institute:organisation_detail", args=["east-surrey-council"])
    west = reverse("institute:organisation_detail", args=["west-surrey-council"])
    for name in ("Surrey", "Woking"):
        assert re.search(
            rf"<bdi>{name}</bdi></a> — closed 31 March 2027, now "
            rf'<a class="govuk-link" href="{east if name == "Surrey" else west}">',
            after,
        ), name
    assert f'href="{west}"><bdi>West Surrey Council</bdi></a></li>' in after
    assert "2 of these councils have closed since" in after
    assert "2 current councils have this problem today" in after
    # The record of who said so is not rewritten.
    assert "2 councils affected" in after
    # The API says the same of each council.
    with time_machine.travel(AFTER, tick=False):
        client.force_login(institute_staff)
        body = client.get(f"/api/v1/problems/{surrey['problem'].pk}/").json()
    assert body["council_count"] == 2
    assert [(c["name"], c["closed_on"], c["successors"]) for c in body["councils"]] == [
        ("Surrey", "2027-03-31", ["east-surrey-council", "west-surrey-council"]),
        ("Woking", "2027-03-31", ["west-surrey-council"]),
    ]


def test_the_problem_page_makes_one_more_query_once_a_council_has_closed(surrey, client, settings):
    url = surrey["problem"].get_absolute_url()
    counted = []
    for moment in (BEFORE, AFTER):
        settings.CACHES = {  # nothing cached yet: every part is built
            alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{moment:%d}"}
            for alias, config in settings.CACHES.items()
        }
        with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counted.append(len(ctx.captured_queries))
    assert counted[1] == counted[0] + 1


def test_surreys_profile_after_the_date_points_to_its_successors(surrey, client):
    profile = reverse("sector:council_profile", args=[surrey["county"].slug])
    with time_machine.travel(BEFORE, tick=False):
        refresh.aggregates_refresh()
        response = client.get(profile)
        assert response.context["has_stats"] and not response.context["closed"]
    with time_machine.travel(AFTER, tick=False):
        refresh.aggregates_refresh()
        response = client.get(profile)
        html = response.content.decode()
    assert response.status_code == 200
    assert not response.context["has_stats"]
    assert "closed after 31 March 2027" in html
    assert "have not been calculated yet" not in html
    for slug in ("east-surrey-council", "west-surrey-council"):
        assert f'href="{reverse("sector:council_profile", args=[slug])}"' in html
    # East Surrey's profile carries Surrey County's and Elmbridge's work.
    with time_machine.travel(AFTER, tick=False):
        table = profiles.council_comparison(surrey["east"], show_standards=True)["table"]
    mine = {row[0]: row[1] for row in table.rows}
    assert (mine["Problems it has"], mine["Components in use"], mine["Standards adopted"]) == (
        1,
        1,
        1,
    )
