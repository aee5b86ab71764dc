"""Issue #8: components are addressed by a random UUID, never by their number, so one still in
review cannot be found by counting; links made with the old numbers still work for people who
may see the component anyway."""

import csv
import io
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from components import services
from components.models import Component
from tests.components.conftest import component_fields
from tests.components.factories import AdoptionFactory, ComponentFactory

pytestmark = pytest.mark.django_db
ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
]
PAGES = [
    "component_detail",
    "component_submitted",
    "component_publiccode",
    "component_edit",
    "component_review",
    "component_retire",
    "component_problems",
    "component_solve",
    "adoption_record",
]


def _as(request, role):
    client = APIClient()
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.fixture
def draft(officer):
    return ComponentFactory(name="Secret draft", status="in_review", submitted_by=officer)


def test_each_component_gets_its_own_random_uuid(author):
    first, second = ComponentFactory(submitted_by=author), ComponentFactory(submitted_by=author)
    assert first.public_id != second.public_id
    assert first.public_id.version == 4
    assert first.get_absolute_url() == f"/components/{first.public_id}/"


@pytest.mark.parametrize("name", PAGES)
def test_every_component_page_is_addressed_by_uuid(draft, name):
    url = reverse(f"components:{name}", kwargs={"public_id": draft.public_id})
    assert str(draft.public_id) in url and f"/{draft.pk}/" not in url


@pytest.mark.parametrize("role", ROLES)
def test_draft_is_not_found_by_its_number_by_people_who_may_not_see_it(request, draft, role):
    client = _as(request, role)
    visible = role in {"officer", "institute_staff"}  # the submitter and staff
    old = client.get(f"/components/{draft.pk}/")
    if visible:
        assert old.status_code == 302 and old["Location"] == draft.get_absolute_url()
    else:
        assert old.status_code == 404
        assert "Secret draft" not in old.content.decode()
    # Sub-pages and the API answer to the UUID only, for everyone.
    assert client.get(f"/components/{draft.pk}/edit/").status_code == 404
    api = client.get(f"/api/v1/components/{draft.pk}/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get(f"/api/v1/components/{draft.pk}/adoptions/").status_code == 404
    by_uuid = client.get(f"/api/v1/components/{draft.public_id}/")
    assert by_uuid.status_code == (200 if visible else 404)


def test_old_number_of_a_published_component_redirects_permanently(client, component):
    response = client.get(f"/components/{component.pk}/")
    assert response.status_code == 301
    assert response["Location"] == component.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/components/99999999999999999999999/",
        "/components/0/",
        "/components/not-a-uuid/",
        "/components/00000000-0000-4000-8000-000000000000/",
        "/api/v1/components/12345678-ABCD/",
        "/api/v1/components/00000000-0000-4000-8000-000000000000/adoptions/",
    ],
)
def test_unknown_or_malformed_identifiers_are_404_never_500(client, path):
    assert client.get(path).status_code == 404


def test_submission_reference_does_not_count_submissions(client, officer):
    client.force_login(officer)
    fields = component_fields()
    component = services.component_submit(actor=officer, **fields)
    html = client.get(
        reverse("components:component_submitted", kwargs={"public_id": component.public_id})
    ).content.decode()
    assert component.reference in html
    assert component.reference == f"C-{component.public_id.hex[:8].upper()}"
    assert f"C{component.pk}<" not in html


def test_api_speaks_uuids_for_components_in_lists_adoptions_and_filters(component, leeds):
    AdoptionFactory(component=component, organisation=leeds)
    client = APIClient()
    listed = client.get("/api/v1/components/").json()["results"]
    assert listed[0]["id"] == str(component.public_id)
    assert listed[0]["url"] == component.get_absolute_url()
    adoptions = client.get("/api/v1/adoptions/", {"component": str(component.public_id)}).json()
    assert [a["component"] for a in adoptions["results"]] == [str(component.public_id)]
    # A number where the filter takes a component's id is refused as bad input.
    assert client.get("/api/v1/adoptions/", {"component": component.pk}).status_code == 400


def test_api_submission_location_is_the_uuid(officer):
    client = APIClient()
    client.force_login(officer)
    fields = {
        **{k: v for k, v in component_fields().items() if k != "maintainer"},
        "service_areas": ["customer-services"],
    }
    response = client.post("/api/v1/components/", fields, format="json")
    assert response.status_code == 201, response.content
    component = Component.objects.get()
    assert response.json()["id"] == str(component.public_id)
    assert response["Location"].endswith(f"/api/v1/components/{component.public_id}/")


def test_csv_exports_identify_components_by_uuid(client, component, leeds):
    AdoptionFactory(component=component, organisation=leeds)
    catalogue = client.get(reverse("components:component_export"))
    rows = list(csv.reader(io.StringIO(b"".join(catalogue.streaming_content).decode())))
    assert rows[1][0] == str(component.public_id)
    adoptions = client.get(reverse("components:adoption_export"))
    rows = list(csv.reader(io.StringIO(b"".join(adoptions.streaming_content).decode())))
    assert rows[1][0] == str(component.public_id)
    assert uuid.UUID(rows[1][0]) == component.public_id
