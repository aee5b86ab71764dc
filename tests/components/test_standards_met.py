"""The service standards a component meets: set on the form and the API, shown on the page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from components import services
from components.models import Component
from institute.errors import NotAllowed
from tests.components.conftest import component_fields
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms_standard(institute_staff):
    return published_standard(institute_staff)


@pytest.fixture
def open_data(institute_staff):
    return published_standard(institute_staff, title="Open data publishing", category="data")


def _form(**overrides):
    data = {k: v for k, v in component_fields().items() if k not in {"service_areas", "maintainer"}}
    data.update({"service_areas": ["customer-services"], "maintainer": ""})
    data.update(overrides)
    return data


def test_staff_link_standards_on_the_edit_page(
    client, component, institute_staff, forms_standard, open_data
):
    url = reverse("components:component_edit", args=[component.public_id])
    client.force_login(institute_staff)
    assert "standards" in client.get(url).context["form"].fields
    data = _form(name=component.name, standards=[forms_standard.slug, open_data.slug])
    assert client.post(url, data).status_code == 302
    assert set(component.standards.all()) == {forms_standard, open_data}
    event = component.events.order_by("-id").first()
    assert "standards" in event.data["fields"]
    # Unknown standards are refused with a message; nothing changes.
    response = client.post(url, {**data, "standards": ["no-such-standard"]})
    assert response.status_code == 200
    assert "Choose standards from the list" in response.content.decode()
    assert component.standards.count() == 2
    # Unticking them all clears the links.
    assert client.post(url, _form(name=component.name)).status_code == 302
    assert not component.standards.exists()


def test_submitter_sets_standards_before_publication(client, officer, forms_standard):
    client.force_login(officer)
    response = client.post(
        reverse("components:component_submit"), _form(standards=[forms_standard.slug])
    )
    assert response.status_code == 302
    component = Component.objects.get()
    assert list(component.standards.all()) == [forms_standard]
    url = reverse("components:component_edit", args=[component.public_id])
    assert client.post(url, _form(standards=[])).status_code == 302
    assert not component.standards.exists()


def test_officer_who_is_not_the_submitter_cannot(client, component, officer, forms_standard):
    url = reverse("components:component_edit", args=[component.public_id])
    client.force_login(officer)
    assert client.get(url).status_code == 403
    response = client.post(url, _form(name=component.name, standards=[forms_standard.slug]))
    assert response.status_code == 403
    assert not component.standards.exists()
    with pytest.raises(NotAllowed):
        services.component_update(actor=officer, component=component, standards=[forms_standard])
    assert not component.standards.exists()


def test_page_links_to_each_standard(client, component, forms_standard, open_data):
    component.standards.set([forms_standard, open_data])
    response = client.get(component.get_absolute_url())
    html = response.content.decode()
    assert "Standards it meets" in html
    assert f'href="{forms_standard.get_absolute_url()}"' in html
    assert f'href="{open_data.get_absolute_url()}"' in html
    assert [s.title for s in response.context["standards"]] == [
        "Accessible online forms",
        "Open data publishing",
    ]


def test_page_says_when_none(client, component):
    html = client.get(component.get_absolute_url()).content.decode()
    assert "Standards it meets" in html and "Not linked to any service standard yet" in html


def test_api_detail_lists_standard_slugs_sorted(component, forms_standard, open_data):
    component.standards.set([open_data, forms_standard])
    body = APIClient().get(f"/api/v1/components/{component.public_id}/").json()
    assert body["standards"] == sorted([forms_standard.slug, open_data.slug])


def test_api_create_sets_standards(officer, forms_standard):
    client = APIClient()
    client.force_login(officer)
    fields = {
        **_form(),
        "service_areas": ["customer-services"],
        "standards": [forms_standard.slug, forms_standard.slug],
    }
    fields.pop("maintainer")
    response = client.post("/api/v1/components/", fields, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["standards"] == [forms_standard.slug]
    component = Component.objects.get()
    assert list(component.standards.all()) == [forms_standard]
    bad = client.post(
        "/api/v1/components/", {**fields, "name": "Another", "standards": ["nope"]}, format="json"
    )
    assert bad.status_code == 400 and "standards" in bad.json()["errors"]
    assert Component.objects.count() == 1
