"""Learning tied to the components and standards it is about: the form, the API, the page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from centres import services
from centres.models import Learning
from institute.errors import DomainError
from tests.centres.factories import LearningFactory, api_as, slugs
from tests.components.factories import ComponentFactory
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def component(db):
    return ComponentFactory(name="Bin collection day API", slug="bin-collection-day-api")


@pytest.fixture
def standard(institute_staff):
    return published_standard(institute_staff)


def _form(**overrides):
    return {
        "kind": "case_study",
        "title": "Plain privacy notices",
        "summary": "Residents shared more when told plainly.",
        "body": "## What we did\n\nWe tested two notices.",
        "evidence_strength": "4",
        "cost_band": "very_low",
        "impact_summary": "Willingness rose from 58% to 71%.",
        "themes": ["data"],
        "service_areas": ["customer-services"],
        "councils": ["manchester"],
        "problems": "",
        "project": "",
        **overrides,
    }


def _body(**overrides):
    return {
        "centre": "greater-manchester",
        "kind": "data_sharing",
        "title": "Discharge lists shared daily",
        "summary": "One list for every council.",
        "body": "## What we did\n\nOne agreement.",
        "evidence_strength": 3,
        "cost_band": "low",
        "impact_summary": "Faster reablement.",
        "themes": ["data"],
        **overrides,
    }


# --- The page --------------------------------------------------------------------------------


def test_staff_link_published_components_and_standards_through_the_page(
    client, gm_centre, centre_staff, component, standard
):
    client.force_login(centre_staff)
    response = client.post(
        reverse("centres:learning_create", args=[gm_centre.slug]),
        _form(components=[component.slug], standards=[standard.slug]),
    )
    learning = Learning.objects.get()
    assert response["Location"] == learning.get_absolute_url()
    assert slugs(learning.components) == [component.slug]
    assert slugs(learning.standards) == [standard.slug]


def test_the_form_offers_only_published_components(
    client, gm_centre, centre_staff, component, unpublished_component, standard
):
    client.force_login(centre_staff)
    html = client.get(reverse("centres:learning_create", args=[gm_centre.slug])).content.decode()
    assert component.name in html and standard.title in html
    assert unpublished_component.name not in html


def test_an_unpublished_component_is_refused_on_the_page(
    client, gm_centre, centre_staff, component, unpublished_component
):
    client.force_login(centre_staff)
    learning = LearningFactory(centre=gm_centre, title="Kept as it was")
    learning.components.set([component])
    response = client.post(
        reverse("centres:learning_edit", args=[learning.public_id]),
        _form(title="Changed", components=[unpublished_component.slug]),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Choose published components from the list" in html
    learning.refresh_from_db()
    assert learning.title == "Kept as it was"
    assert slugs(learning.components) == [component.slug]


def test_editing_keeps_the_links_and_makes_no_revision_for_them(
    client, gm_centre, centre_staff, component, standard
):
    client.force_login(centre_staff)
    learning = LearningFactory(centre=gm_centre)
    client.post(
        reverse("centres:learning_edit", args=[learning.public_id]),
        _form(
            title=learning.title,
            summary=learning.summary,
            body=learning.body,
            evidence_strength=str(learning.evidence_strength),
            cost_band=learning.cost_band,
            impact_summary=learning.impact_summary,
            components=[component.slug],
            standards=[standard.slug],
        ),
    )
    assert slugs(learning.components) == [component.slug]
    assert slugs(learning.standards) == [standard.slug]
    assert not learning.revisions.exists()  # links alone are not a change of text


def test_the_learning_page_shows_components_and_standards(client, gm_centre, component, standard):
    learning = LearningFactory(centre=gm_centre)
    learning.components.set([component])
    learning.standards.set([standard])
    html = client.get(learning.get_absolute_url()).content.decode()
    assert "Components" in html and "Standards" in html
    assert f'href="{component.get_absolute_url()}"' in html and component.name in html
    assert f'href="{standard.get_absolute_url()}"' in html and standard.title in html


# --- The services ----------------------------------------------------------------------------


def test_the_service_refuses_an_unpublished_component_and_changes_nothing(
    gm_centre, centre_staff, unpublished_component
):
    with pytest.raises(DomainError) as error:
        services.learning_create(
            actor=centre_staff,
            centre=gm_centre,
            kind="case_study",
            title="Not saved",
            summary="Nothing.",
            body="Nothing.",
            evidence_strength=1,
            cost_band="low",
            impact_summary="None.",
            themes=["data"],
            components=[unpublished_component],
        )
    assert error.value.field == "components"
    assert not Learning.objects.exists()


# --- The API ---------------------------------------------------------------------------------


def test_staff_link_components_and_standards_through_the_api(
    gm_centre, centre_staff, component, standard
):
    api = api_as(centre_staff)
    response = api.post(
        "/api/v1/learning/",
        _body(components=[component.slug], standards=[standard.slug]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["components"] == [component.slug] and body["standards"] == [standard.slug]
    detail = api.get(f"/api/v1/learning/{body['id']}/").json()
    assert detail["components"] == [component.slug] and detail["standards"] == [standard.slug]


def test_public_api_detail_includes_the_links(gm_centre, component, standard):
    learning = LearningFactory(centre=gm_centre)
    learning.components.set([component])
    learning.standards.set([standard])
    body = APIClient().get(f"/api/v1/learning/{learning.public_id}/").json()
    assert body["components"] == [component.slug]
    assert body["standards"] == [standard.slug]


def test_api_refuses_an_unpublished_component_with_400_and_changes_nothing(
    gm_centre, centre_staff, component, unpublished_component
):
    learning = LearningFactory(centre=gm_centre, title="Kept as it was")
    learning.components.set([component])
    response = api_as(centre_staff).patch(
        f"/api/v1/learning/{learning.public_id}/",
        {"title": "Changed", "components": [unpublished_component.slug]},
        format="json",
    )
    assert response.status_code == 400
    assert "components" in response.json()["errors"]
    learning.refresh_from_db()
    assert learning.title == "Kept as it was"
    assert slugs(learning.components) == [component.slug]


def test_api_refuses_an_unknown_slug(gm_centre, centre_staff):
    response = api_as(centre_staff).post(
        "/api/v1/learning/", _body(standards=["no-such-standard"]), format="json"
    )
    assert response.status_code == 400
    assert "standards" in response.json()["errors"]
    assert not Learning.objects.exists()


def test_patch_without_links_keeps_them(gm_centre, centre_staff, component, standard):
    learning = LearningFactory(centre=gm_centre)
    learning.components.set([component])
    learning.standards.set([standard])
    response = api_as(centre_staff).patch(
        f"/api/v1/learning/{learning.public_id}/", {"summary": "New summary."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["components"] == [component.slug]
    assert response.json()["standards"] == [standard.slug]


def test_a_component_linked_before_it_left_the_library_may_stay(gm_centre, centre_staff, component):
    learning = LearningFactory(centre=gm_centre)
    learning.components.set([component])
    component.status = "retired"
    component.save(update_fields=["status"])
    response = api_as(centre_staff).patch(
        f"/api/v1/learning/{learning.public_id}/", {"summary": "New summary."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["components"] == [component.slug]


# --- The demo --------------------------------------------------------------------------------


def test_demo_links_learning_to_demo_components_and_standards_idempotently():
    from centres import demo as centres_demo
    from components import demo as components_demo
    from institute import demo as institute_demo
    from standards import demo as standards_demo

    # Without the backlog demo (slow); components and centres manage without its problems.
    for demo in (institute_demo, components_demo, standards_demo, centres_demo):
        demo.seed()
    bins = Learning.objects.get(title="One open format for bin collection days")
    assert "bin-collection-day-api" in slugs(bins.components)
    assert bins.standards.filter(title="Open data publishing").exists()
    links = (
        Learning.components.through.objects.count(),
        Learning.standards.through.objects.count(),
    )
    revisions = bins.revisions.count()
    assert centres_demo.seed()["newly_linked_to_components_or_standards"] == 0
    assert (
        Learning.components.through.objects.count(),
        Learning.standards.through.objects.count(),
    ) == links
    assert bins.revisions.count() == revisions
