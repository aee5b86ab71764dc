"""Re-review of published components through the API (issue 19): a PATCH by institute staff
that changes a promise (maturity, licence, links) waits for another member of staff (202);
corrections apply at once (200); reviewers publish or reject through the same services as the
pages, with the same rules."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from components.models import ComponentChange, ComponentEvent
from institute.models import ChangeStatus, Notification, Organisation, Role
from institute.tokens import api_token_create
from tests.components.factories import ComponentFactory
from tests.factories import MembershipFactory, UserFactory, give_authenticator_app

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        _, secret = api_token_create(actor=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def reviewer(db):
    """A second member of institute staff."""
    return give_authenticator_app(
        MembershipFactory(
            user=UserFactory(email="reviewer@ldi.example.test"),
            organisation=Organisation.objects.get(slug="local-digital-institute"),
            role=Role.INSTITUTE_STAFF,
        ).user
    )


@pytest.fixture
def published(db):
    return ComponentFactory(name="Bin collection day API", maturity="beta", licence="MIT")


def _detail(component):
    return reverse("components-api:component_detail", kwargs={"public_id": component.public_id})


def _url(name, change):
    return reverse(
        f"components-api:{name}",
        kwargs={"public_id": change.component.public_id, "change_id": change.pk},
    )


@pytest.fixture
def change(published, institute_staff) -> ComponentChange:
    response = _client(institute_staff).patch(
        _detail(published), {"maturity": "live", "summary": "Tells residents"}, format="json"
    )
    assert response.status_code == 202
    return ComponentChange.objects.get(pk=response.json()["pending_change"]["id"])


def _unchanged(change) -> bool:
    change.refresh_from_db()
    change.component.refresh_from_db()
    return change.status == ChangeStatus.PENDING and change.component.maturity == "beta"


def test_a_patch_of_a_promise_waits_and_a_correction_is_published(
    published, institute_staff, change
):
    published.refresh_from_db()
    # The summary is a correction and is published; the maturity waits.
    assert (published.summary, published.maturity) == ("Tells residents", "beta")
    assert change.proposed == {"maturity": "live"}
    body = _client(institute_staff).get(_detail(published)).json()
    assert body["pending_change"]["summary"] == change.summary
    # Readers see neither the change nor that one waits.
    public = _client().get(_detail(published)).json()
    assert (public["maturity"], public["pending_change"]) == ("beta", None)
    response = _client(institute_staff).patch(
        _detail(published), {"description": "Now with **dates**."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Now with **dates**."


def test_another_member_of_staff_publishes_it_and_the_author_is_told(change, reviewer):
    client = _client(reviewer)
    listed = client.get(
        reverse(
            "components-api:component_changes", kwargs={"public_id": change.component.public_id}
        )
    ).json()
    assert [row["id"] for row in listed["results"]] == [change.pk]
    response = client.post(_url("component_change_publish", change))
    assert response.status_code == 200 and response.json()["status"] == "published"
    change.component.refresh_from_db()
    assert change.component.maturity == "live"
    assert Notification.objects.filter(
        recipient=change.proposed_by, key__endswith=":published"
    ).exists()
    assert ComponentEvent.objects.filter(component=change.component, verb="change_published")
    again = client.post(_url("component_change_reject", change), {"note": "No"}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "This change is published already."


def test_a_rejection_needs_a_note_then_changes_nothing_but_the_status(change, reviewer):
    client = _client(reviewer)
    refused = client.post(_url("component_change_reject", change), {"note": " "}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["note"]
    assert _unchanged(change)
    response = client.post(
        _url("component_change_reject", change), {"note": "Not live yet."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("rejected", "Not live yet.")
    change.component.refresh_from_db()
    assert change.component.maturity == "beta"


@pytest.mark.parametrize(
    "role, status",
    [
        ("institute_staff", 403),  # the author
        ("officer", 403),
        ("centre_staff", 403),
        ("anonymous", 403),
    ],
)
def test_only_other_institute_staff_see_and_decide(request, change, role, status):
    client = _client(None if role == "anonymous" else request.getfixturevalue(role))
    published = client.post(_url("component_change_publish", change))
    rejected = client.post(_url("component_change_reject", change), {"note": "No"}, format="json")
    assert (published.status_code, rejected.status_code) == (status, status)
    if role != "institute_staff":
        assert client.get(_url("component_change", change)).status_code == 403
    else:
        assert published.json()["detail"] == "Someone else must review a change you made."
    assert _unchanged(change)


@pytest.mark.parametrize("role", ["officer", "anonymous"])
def test_people_who_cannot_edit_a_component_are_refused_a_patch(request, published, role):
    client = _client(None if role == "anonymous" else request.getfixturevalue(role))
    response = client.patch(_detail(published), {"maturity": "live"}, format="json")
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.maturity == "beta" and not ComponentChange.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"maturity": "retired"}, "maturity"),
        ({"licence": "Not a licence"}, "licence"),
        ({"source_url": "ftp://example.org"}, "source_url"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_in_a_patch_is_a_400_naming_the_field_and_changes_nothing(
    published, institute_staff, body, field
):
    response = _client(institute_staff).patch(_detail(published), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    published.refresh_from_db()
    assert (published.maturity, published.licence) == ("beta", "MIT")
    assert not ComponentChange.objects.exists()


def test_a_submitter_changes_their_component_in_review_directly(officer):
    component = ComponentFactory(
        status="in_review", published_at=None, maturity="beta", submitted_by=officer
    )
    response = _client(officer).patch(_detail(component), {"maturity": "live"}, format="json")
    assert response.status_code == 200
    assert response.json()["pending_change"] is None
    component.refresh_from_db()
    assert component.maturity == "live" and not ComponentChange.objects.exists()
