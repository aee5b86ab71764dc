"""The component page is served from cached parts (institute.fragments): a write that changes
what it shows must show on the next view, and an adoption going stale must too."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from components import services
from components.models import STALE_AFTER, Adoption
from institute.models import Organisation
from tests.components.factories import AdoptionFactory
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db


def page(client, component) -> str:
    response = client.get(component.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitors_second_view_makes_no_query(client, component, django_assert_num_queries):
    AdoptionFactory(component=component, organisation=Organisation.objects.get(slug="leeds"))
    page(client, component)
    with django_assert_num_queries(0):
        html = page(client, component)
    assert "1 council adopting it" in html and "Leeds" in html


def test_a_recorded_adoption_shows_on_the_next_view(client, component, officer):
    assert "0 councils adopting it" in page(client, component)
    services.adoption_record(
        actor=officer,
        component=component,
        organisation=officer.membership.organisation,
        stage="in_use",
        since=timezone.localdate(),
        evidence_note="Our contact centre uses it.",
    )
    html = page(client, component)
    assert "1 council adopting it" in html and "Our contact centre uses it." in html


def test_renamed_component_and_linked_problem_titles_show(client, component, institute_staff):
    problem = ProblemFactory(title="Bin days are hard to find")
    services.component_link_problem(actor=institute_staff, component=component, problem=problem)
    assert "Bin days are hard to find" in page(client, component)
    component.name = "Bin day finder"
    component.save()
    problem.title = "Bin collection days are hard to find"
    problem.save()
    html = page(client, component)
    assert "Bin day finder" in html and "Bin collection days are hard to find" in html


def test_an_unpublished_component_is_never_served_to_visitors(client, component, author):
    component.status = "in_review"
    component.save()
    assert client.get(component.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert "waiting for review" in page(client, component)
    client.logout()
    assert client.get(component.get_absolute_url()).status_code == 404


def test_an_adoption_going_stale_shows_without_any_write(client, component):
    """Staleness comes with the clock alone: the cached parts last only until it."""
    adoption = AdoptionFactory(
        component=component, organisation=Organisation.objects.get(slug="leeds")
    )
    Adoption.objects.filter(pk=adoption.pk).update(  # no signal: as time passing would be
        confirmed_at=timezone.now() - STALE_AFTER + timedelta(seconds=2.5)
    )
    assert "1 council adopting it" in page(client, component)
    time.sleep(3)
    html = page(client, component)
    assert "0 councils adopting it" in html and "gone 12 months or more without confirming" in html
