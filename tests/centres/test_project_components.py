"""Projects tied to the components they produce and use: the form, the API, the page."""

import pytest
from django.urls import reverse

from centres import services
from centres.models import Project
from institute.errors import DomainError
from tests.centres.factories import ProjectFactory, api_as, slugs
from tests.components.factories import ComponentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def produced(db):
    return ComponentFactory(name="Bin collection day API", slug="bin-collection-day-api")


@pytest.fixture
def used(db):
    return ComponentFactory(name="Accessible form builder", slug="accessible-form-builder")


def _form(**overrides):
    return {
        "title": "Discharge agreement",
        "summary": "One agreement for ten councils.",
        "status": "proposed",
        "phase": "discovery",
        "problems": "",
        "start_date": "",
        "end_date": "",
        **overrides,
    }


def _body(**overrides):
    return {
        "centre": "greater-manchester",
        "title": "Discharge agreement",
        "summary": "One agreement for ten councils.",
        "status": "proposed",
        **overrides,
    }


# --- The page --------------------------------------------------------------------------------


def test_staff_link_components_through_the_page(client, gm_centre, centre_staff, produced, used):
    client.force_login(centre_staff)
    response = client.post(
        reverse("centres:project_create", args=[gm_centre.slug]),
        _form(components_produced=[produced.slug], components_used=[used.slug]),
    )
    project = Project.objects.get()
    assert response["Location"] == project.get_absolute_url()
    assert slugs(project.components_produced) == [produced.slug]
    assert slugs(project.components_used) == [used.slug]


def test_editing_through_the_page_changes_the_links(
    client, gm_centre, centre_staff, produced, used
):
    client.force_login(centre_staff)
    project = ProjectFactory(centre=gm_centre)
    project.components_produced.set([produced])
    response = client.post(
        reverse("centres:project_edit", args=[project.pk]),
        _form(components_produced=[], components_used=[produced.slug, used.slug]),
    )
    assert response.status_code == 302
    assert slugs(project.components_produced) == []
    assert slugs(project.components_used) == sorted([produced.slug, used.slug])


def test_the_form_offers_only_published_components(
    client, gm_centre, centre_staff, produced, unpublished_component
):
    client.force_login(centre_staff)
    html = client.get(reverse("centres:project_create", args=[gm_centre.slug])).content.decode()
    assert "Components it produces" in html and "Components it uses" in html
    assert produced.name in html
    assert unpublished_component.name not in html


def test_an_unpublished_component_is_refused_on_the_page(
    client, gm_centre, centre_staff, produced, unpublished_component
):
    client.force_login(centre_staff)
    project = ProjectFactory(centre=gm_centre, title="Kept as it was")
    project.components_produced.set([produced])
    response = client.post(
        reverse("centres:project_edit", args=[project.pk]),
        _form(title="Changed", components_used=[unpublished_component.slug]),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Choose published components from the list" in html
    project.refresh_from_db()
    assert project.title == "Kept as it was"
    assert slugs(project.components_produced) == [produced.slug]
    assert slugs(project.components_used) == []


def test_another_centres_staff_cannot_edit_the_links_on_the_page(
    client, gm_centre, other_centre_staff, produced, used
):
    project = ProjectFactory(centre=gm_centre, title="Stays")
    project.components_produced.set([produced])
    client.force_login(other_centre_staff)
    response = client.post(
        reverse("centres:project_edit", args=[project.pk]),
        _form(title="Changed", components_used=[used.slug]),
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "Stays"
    assert slugs(project.components_produced) == [produced.slug]
    assert slugs(project.components_used) == []


def test_the_project_page_shows_the_components(client, gm_centre, produced, used):
    project = ProjectFactory(centre=gm_centre)
    project.components_produced.set([produced])
    project.components_used.set([used])
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Components it produces" in html and "Components it uses" in html
    assert f'href="{produced.get_absolute_url()}"' in html and produced.name in html
    assert f'href="{used.get_absolute_url()}"' in html and used.name in html


@pytest.mark.parametrize("count", [1, 20])
def test_project_page_query_count_is_fixed(client, gm_centre, django_assert_num_queries, count):
    project = ProjectFactory(centre=gm_centre)
    project.components_produced.set([ComponentFactory() for _n in range(count)])
    project.components_used.set([ComponentFactory() for _n in range(count)])
    # project, partners, problems, learning, components produced, components used.
    with django_assert_num_queries(6):
        client.get(project.get_absolute_url())


# --- The services ----------------------------------------------------------------------------


def test_the_service_refuses_an_unpublished_component_and_changes_nothing(
    gm_centre, centre_staff, unpublished_component
):
    with pytest.raises(DomainError) as error:
        services.project_create(
            actor=centre_staff,
            centre=gm_centre,
            title="Not saved",
            summary="Nothing.",
            components_produced=[unpublished_component],
        )
    assert error.value.field == "components_produced"
    assert not Project.objects.exists()


# --- The API ---------------------------------------------------------------------------------


def test_staff_link_components_through_the_api(gm_centre, centre_staff, produced, used):
    api = api_as(centre_staff)
    response = api.post(
        "/api/v1/projects/",
        _body(components_produced=[produced.slug], components_used=[used.slug, produced.slug]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["components_produced"] == [produced.slug]
    assert body["components_used"] == sorted([used.slug, produced.slug])
    detail = api.get(f"/api/v1/projects/{body['id']}/").json()
    assert detail["components_produced"] == [produced.slug]
    assert detail["components_used"] == sorted([used.slug, produced.slug])


def test_api_patch_changes_the_links_and_keeps_what_is_not_sent(
    gm_centre, centre_staff, produced, used
):
    project = ProjectFactory(centre=gm_centre)
    project.components_produced.set([produced])
    response = api_as(centre_staff).patch(
        f"/api/v1/projects/{project.pk}/", {"components_used": [used.slug]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["components_produced"] == [produced.slug]
    assert response.json()["components_used"] == [used.slug]


def test_api_refuses_an_unpublished_component_with_400_and_changes_nothing(
    gm_centre, centre_staff, produced, unpublished_component
):
    project = ProjectFactory(centre=gm_centre, title="Kept as it was")
    project.components_produced.set([produced])
    response = api_as(centre_staff).patch(
        f"/api/v1/projects/{project.pk}/",
        {"title": "Changed", "components_produced": [unpublished_component.slug]},
        format="json",
    )
    assert response.status_code == 400
    assert "components_produced" in response.json()["errors"]
    project.refresh_from_db()
    assert project.title == "Kept as it was"
    assert slugs(project.components_produced) == [produced.slug]


def test_api_refuses_an_unpublished_component_on_create(
    gm_centre, centre_staff, unpublished_component
):
    response = api_as(centre_staff).post(
        "/api/v1/projects/",
        _body(components_used=[unpublished_component.slug]),
        format="json",
    )
    assert response.status_code == 400
    assert "components_used" in response.json()["errors"]
    assert not Project.objects.exists()


def test_another_centres_staff_get_403_and_nothing_changes(
    gm_centre, other_centre_staff, produced, used
):
    project = ProjectFactory(centre=gm_centre, title="Stays")
    project.components_produced.set([produced])
    response = api_as(other_centre_staff).patch(
        f"/api/v1/projects/{project.pk}/",
        {"components_produced": [], "components_used": [used.slug]},
        format="json",
    )
    assert response.status_code == 403
    assert slugs(project.components_produced) == [produced.slug]
    assert slugs(project.components_used) == []


def test_a_component_linked_before_it_left_the_library_may_stay(gm_centre, centre_staff, produced):
    project = ProjectFactory(centre=gm_centre)
    project.components_used.set([produced])
    produced.status = "retired"
    produced.save(update_fields=["status"])
    response = api_as(centre_staff).patch(
        f"/api/v1/projects/{project.pk}/", {"summary": "New summary."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["components_used"] == [produced.slug]


# --- The demo --------------------------------------------------------------------------------


def test_demo_links_projects_to_demo_components_idempotently():
    from centres import demo as centres_demo
    from components import demo as components_demo
    from institute import demo as institute_demo

    for demo in (institute_demo, components_demo, centres_demo):
        demo.seed()
    bins = Project.objects.get(title="One bin collection data format")
    assert "bin-collection-day-api" in slugs(bins.components_produced)
    links = (
        Project.components_produced.through.objects.count(),
        Project.components_used.through.objects.count(),
    )
    assert links[0] > 0 and links[1] > 0
    assert centres_demo.seed()["projects_newly_linked_to_components"] == 0
    assert (
        Project.components_produced.through.objects.count(),
        Project.components_used.through.objects.count(),
    ) == links


@pytest.mark.parametrize("status", ["in_review", "changes_requested", "rejected"])
def test_linking_someone_elses_unpublished_component_says_no_more_than_an_unknown_slug(
    gm_centre, centre_staff, officer, status
):
    secret = ComponentFactory(
        name="Secret draft name", slug="secret-draft", status=status, submitted_by=officer
    )
    api = api_as(centre_staff)

    def refusal(slug):
        response = api.post("/api/v1/projects/", _body(components_used=[slug]), format="json")
        assert response.status_code == 400
        return response.json()

    hidden, unknown = refusal(secret.slug), refusal("no-such-component")
    assert "Secret draft name" not in str(hidden)
    assert hidden == {
        **unknown,
        "errors": {"components_used": [f"No component has the slug {secret.slug}."]},
    }
    assert unknown["errors"] == {
        "components_used": ["No component has the slug no-such-component."]
    }
    assert not Project.objects.exists()


def test_a_component_linked_before_it_left_the_library_may_stay_through_the_api(
    gm_centre, centre_staff, produced, used
):
    project = ProjectFactory(centre=gm_centre, title="Before")
    project.components_used.set([used])
    used.status = "changes_requested"
    used.save(update_fields=["status"])

    response = api_as(centre_staff).patch(
        f"/api/v1/projects/{project.pk}/",
        {"title": "After", "components_used": [used.slug, produced.slug]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert project.title == "After"
    assert slugs(project.components_used) == sorted([used.slug, produced.slug])
