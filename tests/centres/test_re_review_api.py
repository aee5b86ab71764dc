"""Re-review of published learning through the API (issue 19): the reviewer's operations call
the services the pages call, so the same rules hold: the author cannot decide their own change,
another centre cannot decide at all, a decided change cannot be decided again, and nothing
changes after a refusal."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from centres import services
from centres.models import LearningChange
from institute.models import AuditEvent, ChangeStatus, Notification
from institute.tokens import api_token_create
from tests.centres.conftest import GM
from tests.centres.factories import LearningFactory, centre_person

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        _, secret = api_token_create(actor=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def author(gm_centre):
    return centre_person(GM, "author@gmca.example.test", centre=gm_centre)


@pytest.fixture
def colleague(gm_centre):
    """Another of the centre's staff, not its lead: sees the change, cannot decide it."""
    return centre_person(GM, "colleague@gmca.example.test", centre=gm_centre)


@pytest.fixture
def item(gm_centre):
    return LearningFactory(centre=gm_centre, title="Plain privacy notices", evidence_strength=2)


@pytest.fixture
def change(item, author) -> LearningChange:
    url = reverse("centres-api:learning_detail", kwargs={"public_id": item.public_id})
    response = _client(author).patch(url, {"evidence_strength": 5}, format="json")
    assert response.status_code == 202
    return LearningChange.objects.get(pk=response.json()["pending_change"]["id"])


def _url(name, change, **extra):
    return reverse(
        f"centres-api:{name}",
        kwargs={"public_id": change.learning.public_id, "change_id": change.pk, **extra},
    )


def _unchanged(change):
    change.refresh_from_db()
    change.learning.refresh_from_db()
    return change.status == ChangeStatus.PENDING and change.learning.evidence_strength == 2


def test_the_lead_reads_and_publishes_the_change_and_the_author_is_told(change, centre_lead):
    client = _client(centre_lead)
    listed = client.get(
        reverse("centres-api:learning_changes", kwargs={"public_id": change.learning.public_id})
    ).json()
    assert listed["count"] == 1
    assert listed["results"][0]["summary"] == "evidence rating 2 → 5"
    one = client.get(_url("learning_change", change)).json()
    assert (one["status"], one["proposed"], one["previous"]) == (
        "pending",
        {"evidence_strength": 5},
        {"evidence_strength": 2},
    )
    response = client.post(_url("learning_change_publish", change))
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    change.learning.refresh_from_db()
    assert change.learning.evidence_strength == 5
    assert Notification.objects.filter(
        recipient=change.proposed_by, key__endswith=":published"
    ).exists()
    assert AuditEvent.objects.filter(verb="learning.change_published").count() == 1
    # Decided already: a clear conflict, and nothing more happens.
    again = client.post(_url("learning_change_publish", change))
    assert again.status_code == 409
    assert "published already" in again.json()["detail"]
    again = client.post(_url("learning_change_reject", change), {"note": "No"}, format="json")
    assert again.status_code == 409
    assert AuditEvent.objects.filter(verb__startswith="learning.change_").count() == 2


def test_institute_staff_reject_with_a_note_and_readers_keep_the_published_rating(
    change, institute_staff
):
    client = _client(institute_staff)
    response = client.post(
        _url("learning_change_reject", change), {"note": "Show the evaluation."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == (
        "rejected",
        "Show the evaluation.",
    )
    change.learning.refresh_from_db()
    assert change.learning.evidence_strength == 2
    note = Notification.objects.get(recipient=change.proposed_by, key__endswith=":rejected")
    assert note.body == "Show the evaluation."


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": "x" * 2001}])
def test_a_rejection_without_a_usable_note_is_a_400_naming_it_and_changes_nothing(
    change, centre_lead, body
):
    response = _client(centre_lead).post(
        _url("learning_change_reject", change), body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["note"]
    assert _unchanged(change)


@pytest.mark.parametrize(
    "role, status, sees",
    [
        ("author", 403, True),  # may see it, may not decide their own
        ("colleague", 403, True),  # the centre's staff, not its lead
        ("other_centre_lead", 403, False),
        ("officer", 403, False),
        ("anonymous", 403, False),
    ],
)
def test_only_the_lead_or_institute_staff_other_than_the_author_decide(
    request, change, role, status, sees
):
    client = _client(None if role == "anonymous" else request.getfixturevalue(role))
    read = client.get(_url("learning_change", change))
    assert read.status_code == (200 if sees else 403)
    listed = client.get(
        reverse("centres-api:learning_changes", kwargs={"public_id": change.learning.public_id})
    )
    assert listed.status_code == (200 if sees else 403)
    published = client.post(_url("learning_change_publish", change))
    rejected = client.post(_url("learning_change_reject", change), {"note": "No"}, format="json")
    assert (published.status_code, rejected.status_code) == (status, status)
    assert published.json()["code"] in {"permission_denied", "forbidden", "not_authenticated"}
    assert _unchanged(change)


def test_a_lead_cannot_publish_their_own_change_through_the_api(item, centre_lead):
    change = services.learning_update(
        actor=centre_lead,
        learning=item,
        **{
            "kind": item.kind,
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "evidence_strength": 5,
            "cost_band": item.cost_band,
            "impact_summary": item.impact_summary,
            "themes": item.themes,
        },
    ).proposed_change
    response = _client(centre_lead).post(_url("learning_change_publish", change))
    assert response.status_code == 403
    assert response.json()["detail"] == "Someone else must review a change you made."
    assert _unchanged(change)


def test_a_change_of_another_item_or_a_bad_id_is_a_404(change, centre_lead, gm_centre):
    other = LearningFactory(centre=gm_centre)
    client = _client(centre_lead)
    for url in (
        reverse(
            "centres-api:learning_change",
            kwargs={"public_id": other.public_id, "change_id": change.pk},
        ),
        _url("learning_change", change).replace(f"/{change.pk}/", "/99999999/"),
        _url("learning_change", change).replace(f"/{change.pk}/", "/not-a-number/"),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
