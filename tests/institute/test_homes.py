"""Each role's home: what the person has to do, gathered from every part of the service, in a
fixed number of queries whatever is waiting."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backlog import services as backlog_services
from centres.models import LearningStatus, Project
from institute import registry
from institute.models import OutboxEmail
from standards import services as standards_services
from standards.models import Assessment
from tests.centres.factories import CentreFactory, LearningFactory, centre_person, draft
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import MembershipRequestFactory, ProblemFactory
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db
HOME = reverse("institute:home")


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_visitors_see_the_landing_page(client):
    text = _text(client.get(HOME))
    assert "Solve it once, for every council" in text
    assert "Your home" not in text


def test_an_officer_sees_renewals_expiries_and_standards_not_started(
    client, officer, institute_staff
):
    renewing = published_standard(institute_staff, title="Accessible online forms")
    expired = published_standard(institute_staff, title="Open data publishing")
    published_standard(institute_staff, title="Secure sign-in")
    soon = timezone.localdate() + timedelta(days=59)
    Assessment.objects.filter(pk=submitted_assessment(officer, renewing).pk).update(
        valid_until=soon
    )
    Assessment.objects.filter(pk=submitted_assessment(officer, expired).pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(officer)
    text = _text(client.get(HOME))
    assert f"Accessible online forms</a>: expires {soon:%-d %B %Y}" in text
    assert "Open data publishing</a>: expired" in text
    not_started = text.split("Not started")[1].split("</dd>")[0]
    assert "Secure sign-in" in not_started and "Accessible" not in not_started


def test_an_officer_sees_adoptions_going_stale_within_30_days(client, officer, leeds):
    now = timezone.now()
    soon = AdoptionFactory(
        organisation=leeds,
        component=ComponentFactory(name="Going stale soon"),
        confirmed_at=now - timedelta(days=365 - 29),
    )
    AdoptionFactory(
        organisation=leeds,
        component=ComponentFactory(name="Confirmed last month"),
        confirmed_at=now - timedelta(days=30),
    )
    client.force_login(officer)
    text = _text(client.get(HOME))
    assert f"Going stale soon</a>: goes stale on {soon.stale_at:%-d %B %Y}" in text
    assert "Confirmed last month" not in text


def test_followed_problems_changed_since_the_last_visit_are_marked(client, officer):
    quiet = ProblemFactory(title="Quiet problem")
    busy = ProblemFactory(title="Busy problem")
    for problem in (quiet, busy):
        backlog_services.problem_follow(actor=officer, problem=problem)
    client.force_login(officer)
    first = _text(client.get(HOME))
    assert "Changed since your last visit" not in first
    backlog_services.comment_add(actor=officer, problem=busy, body="Something new.")
    text = _text(client.get(HOME))
    assert text.count("Changed since your last visit") == 1
    assert text.index("Busy problem") < text.index("Changed since your last visit")
    assert "You last looked at this page on" in text


def test_an_officer_sees_open_consultations(client, officer, institute_staff):
    standard = published_standard(institute_staff, title="Accessible online forms")
    version = standards_services.version_draft_next(actor=institute_staff, standard=standard)
    standards_services.version_open_consultation(
        actor=institute_staff, version=version, closes_on=timezone.localdate() + timedelta(days=20)
    )
    client.force_login(officer)
    text = _text(client.get(HOME))
    assert "Accessible online forms, version 2" in text.split("Consultations open")[1]


def test_centre_staff_see_drafts_items_in_review_and_projects_by_status(client):
    centre = CentreFactory(name="North West Centre")
    lead = centre_person(
        "greater-manchester-combined-authority", "lead@gmca.example.test", centre=centre, lead=True
    )
    draft(centre=centre, title="A draft playbook")
    LearningFactory(
        centre=centre,
        title="A case study in review",
        status=LearningStatus.IN_REVIEW,
        published_at=None,
        submitted_at=timezone.now(),
    )
    Project.objects.create(
        centre=centre, title="Shared care records", status="active", created_by=lead
    )
    client.force_login(lead)
    text = _text(client.get(HOME))
    assert "A draft playbook" in text.split("Drafts")[1].split("In review")[0]
    assert "A case study in review" in text.split("In review")[1]
    assert "Active (1)" in text and "Shared care records" in text
    assert f'href="{reverse("centres:review_queue")}"' in text


def test_institute_staff_see_every_line_of_work_waiting_with_count_and_oldest(
    client, institute_staff, officer
):
    ProblemFactory(title="New one", created_at=timezone.now() - timedelta(days=3))
    ProblemFactory(title="Newer one")
    MembershipRequestFactory()
    client.force_login(institute_staff)
    response = client.get(HOME)
    rows = {row["label"]: row for row in response.context["work_waiting"]}
    assert set(rows) == {entry.label for entry in registry.work_waiting_entries()}
    assert {
        "New problems to triage",
        "Likely duplicate problems",
        "Components in review",
        "Learning in review",
        "Assessments to review",
        "This quarter’s audit sample",
        "Reported comments",
        "Requests to join an organisation",
    } <= set(rows)
    assert rows["New problems to triage"]["count"] == 2
    assert (
        rows["New problems to triage"]["oldest"].date()
        == (timezone.now() - timedelta(days=3)).date()
    )
    assert rows["Requests to join an organisation"]["count"] == 1
    text = _text(response)
    assert f'href="{reverse("backlog:comment_reports")}"' in text
    assert f'href="{reverse("institute:membership_request_list")}"' in text


def test_sector_viewers_are_led_to_the_dashboard_profiles_and_downloads(client, sector_viewer):
    client.force_login(sector_viewer)
    text = _text(client.get(HOME))
    for name in ("sector:dashboard", "sector:data_index", "institute:organisation_list"):
        assert f'href="{reverse(name)}"' in text


def _fill(n, officer, leeds):
    for i in range(n):
        problem = ProblemFactory(title=f"Problem {i}", submitted_for=leeds)
        backlog_services.problem_follow(actor=officer, problem=problem)
        AdoptionFactory(organisation=leeds, confirmed_at=timezone.now() - timedelta(days=360))
        ProblemFactory(title=f"Waiting {i}")
        MembershipRequestFactory()


@pytest.mark.parametrize("n", [1, 8])
def test_each_home_takes_the_same_queries_however_much_is_waiting(
    client, officer, institute_staff, leeds, n, centre_staff
):
    _fill(n, officer, leeds)
    CentreFactory()
    queries = {}
    for user in (officer, institute_staff, centre_staff):
        client.force_login(user)
        client.get(HOME)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        queries[user.email] = len(captured)
    assert queries == EXPECTED_QUERIES


# Per home, whatever is waiting: officer (standards 3 + consultations, stale adoptions,
# followed + own problems + counts, the user, the visit); staff (one a work-waiting line, the
# changes to published learning and components among them);
# centre staff (its centre, learning, projects, lead check, followed problems).
EXPECTED_QUERIES = {
    "officer@leeds.example.test": 8,
    "staff@ldi.example.test": 13,
    "c@gmca.example.test": 10,
}


def test_institute_staff_are_led_to_the_emails_that_could_not_be_sent(
    client, institute_staff, officer
):
    OutboxEmail.objects.create(
        recipient=officer,
        to=officer.email,
        kind="problem_status",
        key="test:failed",
        subject="Your problem was triaged",
        body="Body",
        status=OutboxEmail.Status.FAILED,
    )
    OutboxEmail.objects.create(
        recipient=officer,
        to=officer.email,
        kind="problem_status",
        key="test:sent",
        subject="S",
        body="Body",
        status=OutboxEmail.Status.SENT,
    )
    client.force_login(institute_staff)
    response = client.get(HOME)
    rows = {row["label"]: row for row in response.context["work_waiting"]}
    assert rows["E-mails that could not be sent"]["count"] == 1
    link = f"{reverse('institute:email_outbox')}?status=failed"
    assert f'href="{link}"' in _text(response)
    listed = client.get(link)
    assert "Your problem was triaged" in listed.content.decode()
