"""An organisation's page is cached whole for visitors (institute.fragments, issue #22): every
write that changes what it shows must show on the next view, the clock too, and signed-in
people still see what they themselves may do."""

import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from backlog import services as backlog_services
from components import services as component_services
from components.models import STALE_AFTER, Adoption
from institute import registry
from institute.models import Organisation, Role, Succession
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import MembershipFactory, ProblemFactory, UserFactory, council_officer
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db


def page(client, slug="leeds") -> str:
    response = client.get(f"/organisations/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitors_second_view_makes_no_query(client, leeds, django_assert_num_queries):
    AdoptionFactory(component=ComponentFactory(name="Bin day finder"), organisation=leeds)
    page(client)
    with django_assert_num_queries(0):
        html = page(client)
    assert "Bin day finder" in html and "has recorded 1 common component" in html


def test_an_unknown_address_is_still_a_404_after_a_known_one_is_cached(client):
    page(client)
    assert client.get("/organisations/atlantis/").status_code == 404


def test_a_recorded_adoption_shows_on_the_next_view(client, officer, leeds):
    assert "Common components" not in page(client)
    component_services.adoption_record(
        actor=officer,
        component=ComponentFactory(name="Bin day finder"),
        organisation=leeds,
        stage="in_use",
        since=timezone.localdate(),
        evidence_note="Our contact centre uses it.",
    )
    html = page(client)
    assert "Bin day finder" in html and "has recorded 1 common component" in html


def test_a_new_member_shows_on_the_next_view(client, leeds):
    assert 'People on this platform</dt><dd class="govuk-summary-list__value">0' in page(client)
    MembershipFactory(user=UserFactory(), organisation=leeds, role=Role.OFFICER)
    assert 'People on this platform</dt><dd class="govuk-summary-list__value">1' in page(client)


def test_a_vote_anywhere_on_a_listed_problem_shows_its_new_demand(client, officer):
    problem = ProblemFactory(title="Bin days are hard to find")
    backlog_services.problem_vote(actor=officer, problem=problem)
    assert "1 council affected (1 officer)" in page(client)
    # Another council's officer: Leeds's page lists the problem, with its demand.
    backlog_services.problem_vote(actor=council_officer("kent"), problem=problem)
    assert "2 councils affected (2 officers)" in page(client)


def test_a_comment_moves_its_problem_to_the_top(client, officer):
    older, newer = (ProblemFactory(title=t) for t in ("Older problem", "Newer problem"))
    for problem in (older, newer):
        backlog_services.problem_vote(actor=officer, problem=problem)
    html = page(client)
    assert html.index("Newer problem") < html.index("Older problem")
    backlog_services.comment_add(actor=officer, problem=older, body="Still happening here.")
    html = page(client)
    assert html.index("Older problem") < html.index("Newer problem")


def test_a_succession_and_a_rename_show(client, leeds):
    successor = Organisation.objects.get(slug="bristol-city-of")
    page(client)
    Succession.objects.create(predecessor=leeds, successor=successor, date=date(2030, 4, 1))
    assert "It will be replaced by" in page(client) or "Replaced by" in page(client)
    successor.name = "Bristol and Leeds Council"
    successor.save()
    assert "Bristol and Leeds Council" in page(client)


def test_an_adoption_going_stale_shows_without_any_write(client, leeds):
    """Staleness comes with the clock alone: the cached page lasts only until it."""
    adoption = AdoptionFactory(component=ComponentFactory(), organisation=leeds)
    Adoption.objects.filter(pk=adoption.pk).update(  # no signal: as time passing would be
        confirmed_at=timezone.now() - STALE_AFTER + timedelta(seconds=2.5)
    )
    assert "not been confirmed for 12 months" not in page(client)
    time.sleep(3)
    assert "1 adoption has not been confirmed for 12 months" in page(client)


def test_signed_in_people_see_what_they_may_do_whatever_the_visitors_page(
    client, officer, other_officer, sector_viewer, institute_staff, leeds
):
    published_standard(institute_staff)
    AdoptionFactory(component=ComponentFactory(name="Bin day finder"), organisation=leeds)
    assert "Confirm" not in page(client)  # cached for visitors now
    client.force_login(officer)
    assert "Confirm<span" in page(client)  # Leeds's own officer confirms it is still right
    client.force_login(other_officer)
    assert "Confirm<span" not in page(client)
    client.force_login(sector_viewer)
    assert "Service standards" in page(client)  # ratings: never shown to visitors
    client.logout()
    html = page(client)
    assert "Confirm<span" not in html and "Service standards" not in html


def test_sections_not_cached_by_version_show_visitors_nothing():
    """A section that names no versions it is built from cannot be cached in a visitor's page:
    it must show visitors nothing (the standards' ratings are for the council and the sector)."""
    from django.contrib.auth.models import AnonymousUser

    leeds = Organisation.objects.get(slug="leeds")
    unversioned = [s for s in registry.sections("organisation") if not s.depends]
    assert unversioned, "every section is versioned: this test can go"
    for section in unversioned:
        assert section.build(leeds, AnonymousUser()) is None, section.template
