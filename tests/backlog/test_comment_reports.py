"""The reported comments queue: only institute staff see it and act on it; hide, or keep a
comment and close its reports, always with a reason kept in the audit trail; and a fixed number
of queries however many comments are reported."""

import pytest
from django.urls import reverse

from backlog import services
from backlog.models import CommentReport
from institute.models import AuditEvent
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db
QUEUE = reverse("backlog:comment_reports")


def _reported(officer, reporter, body="Rude words about a named resident"):
    problem = ProblemFactory(title="Potholes are reported twice")
    comment = services.comment_add(actor=officer, problem=problem, body=body)
    services.comment_report(actor=reporter, comment=comment, reason="It names a resident.")
    return comment


def _moderate(comment) -> str:
    return reverse("backlog:comment_moderate", args=[comment.pk]) + "?from=queue"


def test_only_institute_staff_see_the_queue(
    client, officer, centre_staff, sector_viewer, other_officer
):
    _reported(officer, other_officer)
    assert client.get(QUEUE).status_code == 302  # to sign in
    for user in (officer, centre_staff, sector_viewer):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403


def test_staff_see_each_reported_comment_with_its_reports_and_a_link_to_moderate(
    client, officer, other_officer, institute_staff
):
    comment = _reported(officer, other_officer)
    client.force_login(institute_staff)
    text = client.get(QUEUE).content.decode()
    assert "Rude words about a named resident" in text
    assert "It names a resident." in text
    assert f'href="{_moderate(comment)}"' in text
    header = text.split("</header>")[0]
    assert f'href="{QUEUE}"' in header


def test_keeping_a_comment_closes_its_reports_with_the_reason_in_the_audit_trail(
    client, officer, other_officer, institute_staff
):
    comment = _reported(officer, other_officer)
    client.force_login(institute_staff)
    response = client.post(
        _moderate(comment), {"decision": "dismiss", "reason": "Fair comment.", "from": "queue"}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert not CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    event = AuditEvent.objects.get(verb="comment.reports_dismissed")
    assert (event.actor, event.note, event.target_id) == (
        institute_staff,
        "Fair comment.",
        str(comment.pk),
    )
    queue = client.get(QUEUE).content.decode()
    assert "Rude words" not in queue and "No comments are waiting" in queue
    trail = client.get(_moderate(comment)).content.decode()
    assert "Reports dismissed" in trail and "Fair comment." in trail


def test_hiding_from_the_queue_hides_it_and_goes_back_to_the_queue(
    client, officer, other_officer, institute_staff
):
    comment = _reported(officer, other_officer)
    client.force_login(institute_staff)
    response = client.post(
        _moderate(comment), {"decision": "hide", "reason": "Personal data.", "from": "queue"}
    )
    assert response["Location"] == QUEUE
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Personal data."
    response = client.post(_moderate(comment), {"reason": "Consent given.", "from": "queue"})
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert AuditEvent.objects.get(verb="comment.restored").note == "Consent given."


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "dismiss", "reason": ""},
        {"decision": "hide", "reason": "   "},
        {"decision": "delete", "reason": "Spam"},
        {"decision": "dismiss", "reason": "x" * 1001},
    ],
)
def test_a_decision_without_a_good_reason_changes_nothing(
    client, officer, other_officer, institute_staff, data
):
    comment = _reported(officer, other_officer)
    client.force_login(institute_staff)
    response = client.post(_moderate(comment), data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert not AuditEvent.objects.exclude(verb="comment.reported").exists()


def test_others_cannot_moderate(client, officer, other_officer, centre_staff):
    comment = _reported(officer, other_officer)
    for user in (officer, centre_staff):
        client.force_login(user)
        response = client.post(_moderate(comment), {"decision": "dismiss", "reason": "Fine."})
        assert response.status_code == 403
    assert CommentReport.objects.filter(resolved_at__isnull=True).count() == 1


@pytest.mark.parametrize("count", [1, 12])
def test_the_queue_takes_the_same_queries_however_long(
    client, officer, institute_staff, count, django_assert_num_queries
):
    for n in range(count):
        reporter = council_officer("bristol-city-of", f"reporter{n}@bristol.example.test")
        _reported(officer, reporter, body=f"Comment {n}")
    client.force_login(institute_staff)
    client.get(QUEUE)
    # user and membership, count, page, reports.
    with django_assert_num_queries(4):
        response = client.get(QUEUE)
    assert len(response.context["page_obj"].object_list) == count
