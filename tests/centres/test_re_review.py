"""Re-review of published learning (issue 19): a change to its claims (evidence rating, cost
band, impact) waits for the centre's lead or institute staff, someone other than its author;
readers see the published version until then, and the rating history after."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres import selectors, services
from centres.models import RE_REVIEW_FIELDS, LearningChange, LearningRevision
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, ChangeStatus, Notification, Organisation, ServiceArea
from tests.centres.factories import LearningFactory, api_as, centre_person

pytestmark = pytest.mark.django_db


def _data(learning, **overrides):
    return {
        "kind": learning.kind,
        "title": learning.title,
        "summary": learning.summary,
        "body": learning.body,
        "evidence_strength": learning.evidence_strength,
        "cost_band": learning.cost_band,
        "impact_summary": learning.impact_summary,
        "themes": learning.themes,
        "service_areas": [ServiceArea.objects.get(slug="adult-social-care")],
        "councils": [Organisation.objects.get(slug="manchester")],
        "problems": [],
        **overrides,
    }


@pytest.fixture
def author(gm_centre):
    """GM centre staff who is not its lead."""
    return centre_person(
        "greater-manchester-combined-authority", "author@gmca.example.test", centre=gm_centre
    )


@pytest.fixture
def item(gm_centre):
    return LearningFactory(
        centre=gm_centre, title="Plain privacy notices", evidence_strength=2, cost_band="low"
    )


def test_the_fields_that_need_review_are_the_claims():
    assert list(RE_REVIEW_FIELDS) == ["evidence_strength", "cost_band", "impact_summary"]


def test_raising_the_rating_waits_for_review_and_readers_keep_the_published_one(
    item, author, centre_lead
):
    updated = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5, title="Plainer notices")
    )
    item.refresh_from_db()
    # The correction is published at once; the claim is not.
    assert (item.title, item.evidence_strength) == ("Plainer notices", 2)
    change = updated.proposed_change
    assert change.status == ChangeStatus.PENDING
    assert (change.proposed, change.previous) == (
        {"evidence_strength": 5},
        {"evidence_strength": 2},
    )
    assert change.summary == "evidence rating 2 → 5"
    # The lead is told there is something to review.
    assert Notification.objects.filter(recipient=centre_lead, key__contains="proposed").exists()
    assert AuditEvent.objects.filter(verb="learning.change_proposed").count() == 1


def test_the_lead_publishes_the_change_and_the_author_is_told(item, author, centre_lead):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5)
    ).proposed_change
    services.learning_change_publish(actor=centre_lead, change=change)
    item.refresh_from_db()
    change.refresh_from_db()
    assert item.evidence_strength == 5
    assert (change.status, change.decided_by) == (ChangeStatus.PUBLISHED, centre_lead)
    # The rating before is kept as a revision, so the history shows it.
    assert LearningRevision.objects.get(learning=item).evidence_strength == 2
    note = Notification.objects.get(recipient=author, key__endswith=":published")
    assert "evidence rating 2 → 5" in note.title
    assert AuditEvent.objects.filter(verb="learning.change_published").count() == 1
    revisions = list(item.revisions.all())
    history = selectors.learning_rating_history(item, revisions)
    assert [(h["rating"], h["previous"]) for h in history] == [(5, 2), (2, None)]
    assert selectors.learning_claims_history(item, revisions)[0]["summary"] == (
        "evidence rating 2 → 5"
    )


def test_a_rejection_needs_a_reason_changes_nothing_and_tells_the_author(item, author, centre_lead):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, cost_band="very_high")
    ).proposed_change
    with pytest.raises(DomainError):
        services.learning_change_reject(actor=centre_lead, change=change, reason="  ")
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    services.learning_change_reject(actor=centre_lead, change=change, reason="Show the costs.")
    item.refresh_from_db()
    change.refresh_from_db()
    assert (item.cost_band, change.status, change.reason) == (
        "low",
        ChangeStatus.REJECTED,
        "Show the costs.",
    )
    note = Notification.objects.get(recipient=author, key__endswith=":rejected")
    assert note.body == "Show the costs."
    with pytest.raises(DomainError):  # decided already
        services.learning_change_publish(actor=centre_lead, change=change)


def test_the_lead_cannot_review_their_own_change_but_institute_staff_can(
    item, centre_lead, institute_staff
):
    change = services.learning_update(
        actor=centre_lead, learning=item, **_data(item, evidence_strength=4)
    ).proposed_change
    # Nobody else leads the centre: institute staff are told.
    assert Notification.objects.filter(recipient=institute_staff, key__contains="proposed").exists()
    with pytest.raises(NotAllowed):
        services.learning_change_publish(actor=centre_lead, change=change)
    item.refresh_from_db()
    assert item.evidence_strength == 2
    services.learning_change_publish(actor=institute_staff, change=change)
    item.refresh_from_db()
    assert item.evidence_strength == 4


@pytest.mark.parametrize("role", ["author", "other_centre_lead", "officer", "other_centre_staff"])
def test_only_the_lead_or_institute_staff_decide(request, item, author, centre_lead, role):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5)
    ).proposed_change
    actor = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        services.learning_change_publish(actor=actor, change=change)
    with pytest.raises(NotAllowed):
        services.learning_change_reject(actor=actor, change=change, reason="No.")
    change.refresh_from_db()
    item.refresh_from_db()
    assert (change.status, item.evidence_strength) == (ChangeStatus.PENDING, 2)


def test_a_later_change_replaces_the_waiting_one(item, author):
    services.learning_update(actor=author, learning=item, **_data(item, evidence_strength=5))
    services.learning_update(actor=author, learning=item, **_data(item, evidence_strength=3))
    assert list(LearningChange.objects.order_by("pk").values_list("status", "proposed")) == [
        (ChangeStatus.REPLACED, {"evidence_strength": 5}),
        (ChangeStatus.PENDING, {"evidence_strength": 3}),
    ]


def test_drafts_and_corrections_publish_directly(gm_centre, author):
    draft_item = LearningFactory(centre=gm_centre, status="draft", published_at=None)
    services.learning_update(
        actor=author, learning=draft_item, **_data(draft_item, evidence_strength=5)
    )
    draft_item.refresh_from_db()
    assert draft_item.evidence_strength == 5
    assert not LearningChange.objects.exists()


# --- Pages -------------------------------------------------------------------------------------


def test_the_page_shows_the_published_rating_then_the_update_and_its_history(
    client, item, author, centre_lead
):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5)
    ).proposed_change
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Evidence rating history" not in page and "2 → 5" not in page
    services.learning_change_publish(actor=centre_lead, change=change)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "(evidence rating 2 → 5)" in page
    assert "Evidence rating history" in page and "Changed from 2 to 5" in page


def test_the_lead_finds_the_change_on_the_page_and_in_the_queue_and_publishes_it(
    client, item, author, centre_lead
):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5)
    ).proposed_change
    client.force_login(centre_lead)
    assert change.get_absolute_url() in client.get(item.get_absolute_url()).content.decode()
    queue = client.get(reverse("centres:review_queue")).content.decode()
    assert change.get_absolute_url() in queue and "Evidence rating 2 → 5" in queue
    response = client.post(change.get_absolute_url(), {"decision": "publish"}, follow=True)
    assert "The change is published" in response.content.decode()
    item.refresh_from_db()
    assert item.evidence_strength == 5


def test_rejecting_on_the_page_without_a_reason_shows_an_error_and_changes_nothing(
    client, item, author, centre_lead
):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5)
    ).proposed_change
    client.force_login(centre_lead)
    response = client.post(change.get_absolute_url(), {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page and "Say why the change is rejected" in page
    response = client.post(change.get_absolute_url(), {"decision": "maybe"})
    assert "Choose whether to publish or reject the change" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_another_centres_lead_is_refused_the_change_page(client, item, author, other_centre_lead):
    change = services.learning_update(
        actor=author, learning=item, **_data(item, evidence_strength=5)
    ).proposed_change
    client.force_login(other_centre_lead)
    assert client.get(change.get_absolute_url()).status_code == 403
    assert client.post(change.get_absolute_url(), {"decision": "publish"}).status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_the_edit_form_names_the_fields_that_need_review(client, item, author):
    client.force_login(author)
    page = client.get(reverse("centres:learning_edit", args=[item.public_id])).content.decode()
    assert "Changes to the evidence rating, cost band or impact need review" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_review_queue_has_a_fixed_query_count(client, gm_centre, author, centre_lead):
    def propose():
        learning = LearningFactory(centre=gm_centre, evidence_strength=1)
        services.learning_update(
            actor=author, learning=learning, **_data(learning, cost_band="high")
        )

    propose()
    client.force_login(centre_lead)
    url = reverse("centres:review_queue")
    one = _queries(client, url)
    for _ in range(4):
        propose()
    assert _queries(client, url) == one


def test_the_item_page_has_a_fixed_query_count_however_long_its_history(
    client, item, author, centre_lead
):
    client.force_login(centre_lead)
    services.learning_update(actor=author, learning=item, **_data(item, evidence_strength=3))
    first = _queries(client, item.get_absolute_url())
    for rating in (4, 5, 1):
        change = LearningChange.objects.get(learning=item, status=ChangeStatus.PENDING)
        services.learning_change_publish(actor=centre_lead, change=change)
        item.refresh_from_db()
        services.learning_update(
            actor=author, learning=item, **_data(item, evidence_strength=rating)
        )
    assert LearningRevision.objects.filter(learning=item).count() == 3
    assert _queries(client, item.get_absolute_url()) == first


# --- API ------------------------------------------------------------------------------------------


def test_an_api_patch_of_the_rating_is_accepted_for_review_not_applied(item, author):
    url = reverse("centres-api:learning_detail", kwargs={"public_id": item.public_id})
    response = api_as(author).patch(url, {"evidence_strength": 5}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["evidence_strength"] == 2
    assert body["pending_change"]["proposed"] == {"evidence_strength": 5}
    response = api_as(author).patch(url, {"title": "Plainer notices"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Plainer notices"
    # The public sees neither the waiting change nor its existence.
    public = api_as_anonymous().get(url).json()
    assert public["evidence_strength"] == 2 and public["pending_change"] is None


def api_as_anonymous():
    from rest_framework.test import APIClient

    return APIClient()


def test_institute_staff_find_waiting_changes_in_their_work_waiting_list(
    client, item, centre_lead, institute_staff
):
    services.learning_update(actor=centre_lead, learning=item, **_data(item, evidence_strength=5))
    client.force_login(institute_staff)
    response = client.get(reverse("institute:home"))
    rows = {row["label"]: row for row in response.context["work_waiting"]}
    assert rows["Changes to published learning"]["count"] == 1
    assert rows["Changes to published components"]["count"] == 0
