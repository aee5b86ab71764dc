"""Institute staff work through their queues from their home page: a reported comment kept with
a reason, and a request to join approved."""

import pytest

from backlog import services as backlog_services
from backlog.models import CommentReport
from institute.models import AuditEvent, Membership
from tests.browser.session import sign_in
from tests.factories import MembershipRequestFactory, ProblemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_keep_a_reported_comment_and_approve_a_request_from_their_home(
    page, institute_staff, officer, other_officer, leeds
):
    problem = ProblemFactory(title="Potholes are reported twice")
    comment = backlog_services.comment_add(
        actor=officer, problem=problem, body="Our contractor is slow."
    )
    backlog_services.comment_report(actor=other_officer, comment=comment, reason="Unfair.")
    request = MembershipRequestFactory(organisation=leeds, role="officer")
    sign_in(page, institute_staff)

    page.goto(page.base_url + "/")
    main = page.locator("main")
    main.get_by_role("link", name="Reported comments").click()
    page.get_by_role("heading", name="Reported comments").wait_for()
    main.get_by_role("link", name="Moderate the comment by").click()
    page.get_by_role("button", name="Keep it and close the reports").click()
    page.get_by_text("Enter a reason").first.wait_for()  # nothing changed without a reason
    assert CommentReport.objects.filter(resolved_at__isnull=True).count() == 1
    page.get_by_label("Reason").fill("Fair criticism of a contractor, no names.")
    page.get_by_role("button", name="Keep it and close the reports").click()
    page.get_by_text("The comment stays visible and its reports are closed.").wait_for()
    page.get_by_text("No comments are waiting for a moderator.").wait_for()
    event = AuditEvent.objects.get(verb="comment.reports_dismissed")
    assert event.note == "Fair criticism of a contractor, no names."

    page.get_by_role("link", name="Local Digital Institute").first.click()
    main.get_by_role("link", name="Requests to join an organisation").click()
    main.get_by_role("link", name="Decide").first.click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text("is now a council officer at Leeds").wait_for()
    assert Membership.objects.filter(user=request.user, organisation=leeds).exists()
    assert page.console_errors == []
