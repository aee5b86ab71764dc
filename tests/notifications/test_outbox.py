"""The one outbox: every kind of news against every preference gives exactly the e-mails it
should (reminders included: one e-mail, not two; "off": none); the new events reach the people
who decide; staff see and retry the outbox, people see what they were sent; GOV.UK Notify's API
(a local stand-in) gets the right requests and its errors are retried or not; and through a real
SMTP server, sign-up, a membership decision, a notification and a digest arrive with links on
SITE_URL and the unsubscribe headers on all but account e-mail."""

import re
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backlog import services as backlog_services
from components import services as component_services
from institute import digests, outbox, services
from institute.models import (
    Cadence,
    MembershipRequest,
    Notification,
    NotificationPreference,
    OutboxEmail,
    Role,
)
from institute.services import notify
from standards import services as standards_services
from standards.models import Assessment
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, UserFactory
from tests.mail_servers import FakeNotify, SmtpServer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_email")]


def _digests_and_send():
    """Everything the scheduled jobs would do: both digests, then the outbox, twice over."""
    for _ in range(2):
        for cadence in (Cadence.DAILY, Cadence.WEEKLY):
            for chunk in digests.digest_chunks(cadence=cadence):
                digests.digests_queue_chunk(user_ids=chunk, cadence=cadence)
        outbox.send_due(limit=1000)


def _only(person, kind, cadence):
    """The person hears about `kind` at `cadence` and about nothing else by e-mail."""
    digests.preferences_update(
        actor=person, cadences={k: (cadence if k == kind else Cadence.OFF) for k in digests.KINDS}
    )


def _to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


# --- Every kind x every preference ------------------------------------------------------------

EXPECTED_ROW_KIND = {
    Cadence.IMMEDIATELY: None,  # the notification's own kind
    Cadence.DAILY: "digest.daily",
    Cadence.WEEKLY: "digest.weekly",
}


@pytest.mark.parametrize("cadence", Cadence.values)
@pytest.mark.parametrize("kind", sorted(digests.KINDS))
def test_every_kind_and_preference_gives_exactly_the_expected_email(kind, cadence, officer):
    _only(officer, kind, cadence)
    for _ in range(2):  # a retried event: the same key twice
        notify(recipient_ids=[officer.pk], kind=kind, key="event:1", title="News", url="/")
    queued_at_once = OutboxEmail.objects.filter(recipient=officer).count()
    assert queued_at_once == (1 if cadence == Cadence.IMMEDIATELY else 0)

    _digests_and_send()

    expected = 0 if cadence == Cadence.OFF else 1
    assert OutboxEmail.objects.filter(recipient=officer).count() == expected
    assert len(_to(officer)) == expected
    if expected:
        row = OutboxEmail.objects.get(recipient=officer)
        assert row.kind == (EXPECTED_ROW_KIND[cadence] or kind)
        assert row.status == OutboxEmail.Status.SENT


def test_the_preferences_page_lists_exactly_the_kinds_the_services_record(client, officer):
    """Every `kind=` a service passes to notify() is on the page, and nothing else is."""
    root = Path(__file__).resolve().parents[2]
    recorded = set()
    # The evidence-file module is the core's service for uploads (institute/evidence.py).
    sources = [root / "institute" / "evidence.py"]
    for app in ("backlog", "centres", "components", "standards", "institute"):
        sources += (root / app).glob("services.py")
    for source in sources:
        recorded |= set(re.findall(r'kind="([a-z_.]+)"', source.read_text()))
    recorded.discard("council")  # an organisation's kind, not news
    # standards.services records these three as kind=f"standards.{kind}".
    reminder_kinds = {"standards.expiring", "standards.expired", "standards.new_version"}
    client.force_login(officer)
    page = client.get(reverse("institute:notification_preferences"))
    assert set(page.context["form"].fields) == set(digests.KINDS)
    assert recorded | reminder_kinds == set(digests.KINDS)
    assert "you cannot turn them off" in page.content.decode()


# --- Reminders: the preference decides, one e-mail not two ---------------------------------------


def _adoption_reminder(officer, staff):
    AdoptionFactory(
        component=ComponentFactory(),
        organisation=officer.membership.organisation,
        confirmed_at=timezone.now() - timedelta(days=340),
    )
    return component_services.adoption_reminders_send


def _assessment_due(days):
    def scenario(officer, staff):
        assessment = submitted_assessment(officer, published_standard(staff))
        Assessment.objects.filter(pk=assessment.pk).update(
            valid_until=timezone.localdate() + timedelta(days=days)
        )
        return standards_services.reminders_send

    return scenario


def _new_version(officer, staff):
    standard = published_standard(staff)
    submitted_assessment(officer, standard)
    draft = standards_services.version_draft_next(actor=staff, standard=standard)
    standards_services.version_publish(actor=staff, version=draft)
    return standards_services.reminders_send


def _consultation_closing(officer, staff):
    draft = standards_services.version_draft_next(actor=staff, standard=published_standard(staff))
    standards_services.version_open_consultation(
        actor=staff, version=draft, closes_on=timezone.localdate() + timedelta(days=5)
    )
    standards_services.consultation_comment_add(actor=officer, version=draft, body="A thought")
    return standards_services.reminders_send


REMINDERS = {
    "adoption_reminder": _adoption_reminder,
    "standards.expiring": _assessment_due(20),
    "standards.expired": _assessment_due(-3),
    "standards.new_version": _new_version,
    "standards.consultation_closing": _consultation_closing,
}


@pytest.mark.parametrize("cadence", Cadence.values)
@pytest.mark.parametrize("kind", list(REMINDERS))
def test_each_reminder_follows_the_preference_and_is_emailed_at_most_once(
    kind, cadence, officer, institute_staff
):
    _only(officer, kind, cadence)
    job = REMINDERS[kind](officer, institute_staff)
    job()
    job()  # the daily job again, the next day
    _digests_and_send()
    assert Notification.objects.filter(recipient=officer, kind=kind).count() == 1
    expected = 0 if cadence == Cadence.OFF else 1
    assert len(_to(officer)) == expected, [m.subject for m in _to(officer)]


# --- New events ----------------------------------------------------------------------------------


def test_a_membership_request_tells_institute_staff_and_its_decision_tells_the_requester(
    no_membership_user, institute_staff, leeds
):
    request = services.membership_request_create(
        actor=no_membership_user, organisation=leeds, role=Role.OFFICER, reason="I run forms"
    )
    note = Notification.objects.get(recipient=institute_staff, kind="membership_request")
    assert note.url == reverse("institute:membership_request_decide", args=[request.pk])
    assert OutboxEmail.objects.filter(recipient=institute_staff, kind="membership_request").exists()

    services.membership_request_approve(actor=institute_staff, request=request)
    decided = Notification.objects.get(recipient=no_membership_user, kind="membership_decided")
    assert decided.title == f"You have joined {leeds.name}"
    outbox.send_due()
    assert [m.subject for m in _to(no_membership_user)] == [decided.title]


def test_a_turned_down_request_says_why(no_membership_user, institute_staff, leeds):
    request = MembershipRequest.objects.create(
        user=no_membership_user, organisation=leeds, reason="Please"
    )
    services.membership_request_reject(actor=institute_staff, request=request, note="Not staff")
    decided = Notification.objects.get(recipient=no_membership_user, kind="membership_decided")
    assert "turned down" in decided.title and decided.body == "Not staff"


def test_a_reported_comment_tells_the_moderators(officer, other_officer, institute_staff):
    problem = ProblemFactory()
    comment = backlog_services.comment_add(actor=officer, problem=problem, body="Rude words")
    backlog_services.comment_report(actor=other_officer, comment=comment, reason="Offensive")
    note = Notification.objects.get(kind="comment_reported")
    assert note.recipient == institute_staff and note.body == "Offensive"
    assert OutboxEmail.objects.filter(recipient=institute_staff, kind="comment_reported").exists()


def test_a_consultation_opening_tells_only_officers_who_opted_in(
    officer, other_officer, institute_staff
):
    NotificationPreference.objects.create(
        user=officer, kind="standards.consultation_opened", cadence=Cadence.IMMEDIATELY
    )
    draft = standards_services.version_draft_next(
        actor=institute_staff, standard=published_standard(institute_staff)
    )
    standards_services.version_open_consultation(
        actor=institute_staff, version=draft, closes_on=timezone.localdate() + timedelta(days=20)
    )
    told = Notification.objects.filter(kind="standards.consultation_opened")
    assert list(told.values_list("recipient", flat=True)) == [officer.pk]
    outbox.send_due()
    assert len(_to(officer)) == 1 and _to(other_officer) == []


# --- The sent-mail log ---------------------------------------------------------------------------


def _rows(person, count, status=OutboxEmail.Status.SENT):
    OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                recipient=person,
                to=person.email,
                kind="problem_status",
                key=f"test:{person.pk}:{status}:{i}",
                subject=f"Subject {i}",
                body="Body",
                status=status,
            )
            for i in range(count)
        ]
    )


def test_staff_filter_the_outbox_and_send_a_failed_email_again(client, institute_staff, officer):
    _rows(officer, 3)
    _rows(institute_staff, 1, status=OutboxEmail.Status.FAILED)
    client.force_login(institute_staff)
    url = reverse("institute:email_outbox")
    assert client.get(url).context["page_obj"].paginator.count == 4
    failed = client.get(url, {"status": "failed"})
    assert [r.to for r in failed.context["page_obj"]] == [institute_staff.email]
    assert client.get(url, {"person": "officer@leeds"}).context["page_obj"].paginator.count == 3
    assert client.get(url, {"status": "nonsense"}).status_code == 200  # ignored, not a 500
    row = OutboxEmail.objects.get(status="failed")
    response = client.post(reverse("institute:email_outbox_retry", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 0
    # A sent e-mail cannot be "sent again"; nothing changes.
    sent = OutboxEmail.objects.filter(status="sent").first()
    client.post(reverse("institute:email_outbox_retry", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.status == OutboxEmail.Status.SENT
    assert client.post(reverse("institute:email_outbox_retry", args=[999999])).status_code == 302


def test_only_institute_staff_see_the_outbox(client, officer):
    client.force_login(officer)
    assert client.get(reverse("institute:email_outbox")).status_code == 403
    _rows(officer, 1, status=OutboxEmail.Status.FAILED)
    row = OutboxEmail.objects.get()
    client.post(reverse("institute:email_outbox_retry", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.FAILED


def test_the_outbox_page_takes_the_same_queries_for_3_or_30_rows(client, institute_staff):
    client.force_login(institute_staff)
    url = reverse("institute:email_outbox")
    counts = []
    for people in (3, 30):
        OutboxEmail.objects.all().delete()
        for _ in range(people):
            _rows(UserFactory(), 1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_each_person_sees_the_emails_sent_to_them_on_their_account_page(
    client, officer, other_officer
):
    _rows(officer, 2)
    _rows(other_officer, 1)
    client.force_login(officer)
    page = client.get(reverse("institute:account")).content.decode()
    assert "E-mails we sent you" in page
    assert page.count("Subject ") == 2


# --- GOV.UK Notify (a local stand-in for its API) ------------------------------------------------

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"


@pytest.fixture
def notify_api(settings):
    with FakeNotify() as fake:
        settings.EMAIL_PROVIDER = "notify"
        settings.NOTIFY_API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
        settings.NOTIFY_BASE_URL = fake.url
        settings.NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
        settings.NOTIFY_TEMPLATES = {"digest.weekly": "0b5b9cd4-0a1f-4e70-a5d5-8d8a3f6e0a11"}
        settings.NOTIFY_CALLBACK_TOKEN = "a-callback-token"
        yield fake


def test_notify_gets_template_personalisation_and_one_click_unsubscribe(notify_api, officer):
    notify(recipient_ids=[officer.pk], kind="problem_solved", key="k", title="Solved", url="/p/")
    assert outbox.send_due() == 1
    ((method, path, headers, body),) = notify_api.requests
    assert (method, path) == ("POST", "/v2/notifications/email")
    claims = jwt.decode(headers["Authorization"].removeprefix("Bearer "), SECRET, ["HS256"])
    assert claims["iss"] == SERVICE_ID
    row = OutboxEmail.objects.get()
    assert body["email_address"] == officer.email
    assert body["template_id"] == "f33517ff-2a88-4f6e-b855-c550268ce08a"
    assert body["reference"] == row.key
    assert body["personalisation"]["subject"] == "Solved"
    assert "https://institute.test/p/" in body["personalisation"]["body"]
    assert body["one_click_unsubscribe_url"] == row.unsubscribe_url
    assert row.unsubscribe_url.startswith("https://institute.test/notifications/unsubscribe/")
    assert row.status == OutboxEmail.Status.SENT and row.provider_id

    # Its delivery status, asked for, then told by callback.
    notify_api.statuses[row.provider_id] = "delivered"
    assert outbox.statuses_refresh() == 1
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.DELIVERED


def test_notify_uses_the_kinds_own_template(notify_api, officer):
    NotificationPreference.objects.create(user=officer, kind="problem_status", cadence="weekly")
    notify(recipient_ids=[officer.pk], kind="problem_status", key="k", title="Moved", url="/")
    _digests_and_send()
    (*_, body) = notify_api.requests[-1]
    assert body["template_id"] == "0b5b9cd4-0a1f-4e70-a5d5-8d8a3f6e0a11"


def test_notify_busy_is_retried_with_backoff_and_a_bad_request_is_not(notify_api, officer):
    notify_api.replies = [
        (500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal"}]}),
        (400, {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Bad"}]}),
    ]
    notify(recipient_ids=[officer.pk], kind="problem_solved", key="a", title="A", url="/")
    before = timezone.now()
    assert outbox.send_due() == 0
    row = OutboxEmail.objects.get()
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 1
    assert row.next_attempt_at >= before + timedelta(seconds=59)
    assert "500" in row.last_error
    assert outbox.send_due() == 0  # not due yet: nothing is asked
    assert len(notify_api.requests) == 1

    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert outbox.send_due() == 0  # the 400: failed for good
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.FAILED and "Bad" in row.last_error
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert outbox.send_due() == 0 and len(notify_api.requests) == 2

    # Staff send it again; Notify accepts it now.
    staff = UserFactory(is_superuser=True)
    outbox.retry(actor=staff, pk=row.pk)
    assert outbox.send_due() == 1
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.SENT and row.last_error == ""


def test_notify_down_for_every_attempt_fails_the_email_in_the_end(notify_api, officer):
    notify_api.replies = [(503, {"status_code": 503, "errors": []})] * outbox.MAX_ATTEMPTS
    notify(recipient_ids=[officer.pk], kind="problem_solved", key="a", title="A", url="/")
    for _ in range(outbox.MAX_ATTEMPTS):
        OutboxEmail.objects.update(next_attempt_at=timezone.now())
        outbox.send_due()
    row = OutboxEmail.objects.get()
    assert row.status == OutboxEmail.Status.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    assert len(notify_api.requests) == outbox.MAX_ATTEMPTS


def test_notify_delivery_callback_needs_its_token(notify_api, client, officer):
    notify(recipient_ids=[officer.pk], kind="problem_solved", key="a", title="A", url="/")
    outbox.send_due()
    row = OutboxEmail.objects.get()
    url = reverse("institute:notify_callback")
    receipt = {"id": row.provider_id, "status": "permanent-failure", "to": officer.email}
    assert client.post(url, receipt, content_type="application/json").status_code == 401
    bad = client.post(
        url, "not json", content_type="application/json", HTTP_AUTHORIZATION="Bearer wrong"
    )
    assert bad.status_code == 401
    auth = {"HTTP_AUTHORIZATION": "Bearer a-callback-token"}
    assert client.post(url, "{", content_type="application/json", **auth).status_code == 400
    ok = client.post(url, receipt, content_type="application/json", **auth)
    assert ok.status_code == 200
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.FAILED and row.delivery_status == "permanent-failure"


# --- Through a real SMTP server ------------------------------------------------------------------


def _on_site(link: str) -> bool:
    return link == "https://institute.test" or link.startswith("https://institute.test/")


def _links(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://[^\s\"'<>)]+", text)


def test_account_decision_notification_and_digest_arrive_by_smtp(
    settings, client, institute_staff, leeds
):
    with SmtpServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port

        # Sign-up: the confirmation is sent at once, without unsubscribe headers.
        password = "a-long-and-unusual-passphrase-42"
        client.post(
            "/account/signup/",
            {
                "full_name": "Ada Lovelace",
                "email": "ada@nowhere.example.test",
                "password1": password,
                "password2": password,
            },
        )
        confirmation = smtp.inbox.wait_for("ada@nowhere.example.test")
        assert any("/account/confirm-email/" in link for link in _links(confirmation))
        assert all(_on_site(link) for link in _links(confirmation))
        assert confirmation["List-Unsubscribe"] is None
        ada = OutboxEmail.objects.get(kind="account.email_confirmation_signup").recipient
        assert ada.email == "ada@nowhere.example.test"

        # Ada asks to join Leeds; staff approve; she is told.
        request = services.membership_request_create(
            actor=ada, organisation=leeds, role=Role.OFFICER, reason="I work there"
        )
        services.membership_request_approve(actor=institute_staff, request=request)
        # An immediate notification, and a weekly digest item.
        notify(recipient_ids=[ada.pk], kind="problem_solved", key="s", title="Solved", url="/p/")
        notify(recipient_ids=[ada.pk], kind="problem_status", key="t", title="Moved", url="/q/")
        _digests_and_send()

        messages = smtp.inbox.to("ada@nowhere.example.test")
        subjects = [m["Subject"] for m in messages]
        assert subjects[1:] == [
            f"You have joined {leeds.name}",
            "Solved",
            "Your weekly digest: 1 update",
        ]
        for message in messages[1:]:
            links = _links(message)
            assert links and all(_on_site(link) for link in links)
            unsubscribe = str(message["List-Unsubscribe"]).strip()
            assert unsubscribe.startswith("<https://institute.test/notifications/unsubscribe/")
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Staff were told of the request the same way.
        assert smtp.inbox.to(institute_staff.email)

        # The unsubscribe link works without signing in, as a mail program would use it.
        client.logout()
        link = (
            str(messages[-1]["List-Unsubscribe"])
            .strip()
            .strip("<>")
            .removeprefix("https://institute.test")
        )
        assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
        assert (
            digests.cadence_for(
                "problem_status",
                dict(
                    NotificationPreference.objects.filter(user=ada).values_list("kind", "cadence")
                ),
            )
            == Cadence.OFF
        )
