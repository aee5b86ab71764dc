"""Reminders: due dates, exactly once per assessment and kind, through a real Celery worker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from institute import outbox
from institute.models import Notification, OutboxEmail
from standards import services
from standards.models import Assessment, ReminderKind, ReminderSend
from standards.tasks import reminders_send
from tests.factories import council_officer
from tests.standards.factories import published_standard, submitted_assessment


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _expire_in(assessment, days):
    Assessment.objects.filter(pk=assessment.pk).update(
        valid_until=timezone.localdate() + timedelta(days=days)
    )


def _scenario(institute_staff):
    standard = published_standard(institute_staff)
    leeds, camden, norfolk = (council_officer(s) for s in ("leeds", "camden", "norfolk"))
    expiring = submitted_assessment(leeds, standard)
    _expire_in(expiring, 20)
    expired = submitted_assessment(camden, standard)
    _expire_in(expired, -3)
    current = submitted_assessment(norfolk, standard)  # valid for a year: nothing due
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    services.version_open_consultation(
        actor=institute_staff, version=draft, closes_on=timezone.localdate() + timedelta(days=5)
    )
    services.consultation_comment_add(actor=leeds, version=draft, body="One")
    services.consultation_comment_add(actor=leeds, version=draft, body="Two")
    return standard, draft, expiring, expired, current, (leeds, camden, norfolk)


@pytest.mark.django_db
def test_reminders_are_recorded_and_emailed_once(institute_staff):
    standard, draft, expiring, expired, current, (leeds, camden, norfolk) = _scenario(
        institute_staff
    )
    first = services.reminders_send()
    assert first == {"recorded": 3}
    assert outbox.send_due() == 3
    kinds = set(ReminderSend.objects.values_list("assessment_id", "kind"))
    assert kinds == {
        (expiring.pk, ReminderKind.EXPIRING),
        (expired.pk, ReminderKind.EXPIRED),
        (None, ReminderKind.CONSULTATION_CLOSING),
    }
    assert len(mail.outbox) == 3
    assert services.reminders_send() == {"recorded": 0}
    assert outbox.send_due() == 0
    assert len(mail.outbox) == 3
    assert leeds.notifications.filter(kind="standards.expiring").count() == 1
    assert leeds.notifications.filter(kind="standards.consultation_closing").count() == 1
    assert not norfolk.notifications.exists()

    # Publishing the new version tells councils with a current assessment of the old one.
    services.version_publish(actor=institute_staff, version=draft)
    assert services.reminders_send()["recorded"] == 2  # Leeds (expiring soon) and Norfolk
    assert norfolk.notifications.filter(kind="standards.new_version").count() == 1
    assert not camden.notifications.filter(kind="standards.new_version").exists()


@pytest.mark.django_db
def test_an_unsent_email_is_sent_on_the_next_run_without_a_second_notification(institute_staff):
    _scenario(institute_staff)
    services.reminders_record()
    assert OutboxEmail.objects.filter(status="pending").count() == 3
    # The mail server was down: the outbox tries again later; the job records nothing new.
    assert services.reminders_send() == {"recorded": 0}
    assert outbox.send_due() == 3
    assert Notification.objects.filter(kind__startswith="standards.").count() == 3


@pytest.fixture
def _worker_email(monkeypatch):
    """The worker process inherits the environment: keep its e-mail in memory."""
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reminder_job_twice_through_a_real_worker_sends_once(
    _worker_email, celery_worker_process, institute_staff
):
    _, _, expiring, expired, _, (leeds, camden, _) = _scenario(institute_staff)
    first = reminders_send.apply_async(queue=celery_worker_process).get(timeout=60)
    second = reminders_send.apply_async(queue=celery_worker_process).get(timeout=60)
    assert first["recorded"] == 3 and second == {"recorded": 0}
    assert ReminderSend.objects.filter(assessment=expiring, kind="expiring").count() == 1
    assert ReminderSend.objects.filter(assessment=expired, kind="expired").count() == 1
    assert OutboxEmail.objects.filter(kind__startswith="standards.").count() == 3
    assert leeds.notifications.filter(kind="standards.expiring").count() == 1
    assert camden.notifications.filter(kind="standards.expired").count() == 1
    assert leeds.notifications.filter(kind="standards.consultation_closing").count() == 1
