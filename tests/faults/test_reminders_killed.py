"""The daily adoption-reminder job queues each council's reminders with their notifications;
a real Celery worker killed (SIGKILL) while the outbox hands those e-mails to a slow mail server
leaves the rest for a new worker, and every council's officers get their reminder exactly once,
however often the job runs again."""

import os
import signal
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from components import tasks
from components.models import AdoptionReminder
from institute.models import Notification, Organisation, OutboxEmail
from institute.tasks import outbox_send
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import council_officer
from tests.notifications.test_exactly_once import _start_worker, _stop, _wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
COUNCILS = 10


def _emails(folder) -> list[str]:
    return [f.read_text() for f in folder.iterdir()]


def test_worker_killed_mid_reminders_and_restarted_reminds_every_council_once(tmp_path):
    slow_mail = {
        "EMAIL_BACKEND": "tests.faults.slow_mail.SlowFileBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "SLOW_MAIL_SECONDS": "1",
        "OUTBOX_TEST_PAUSE_SECONDS": "0",
    }
    councils = list(Organisation.objects.current().councils().order_by("slug")[:COUNCILS])
    officers = [council_officer(c.slug, f"adopter@{c.slug}.example.test") for c in councils]
    component = ComponentFactory()
    due = timezone.now() - timedelta(days=340)  # goes stale in 25 days: reminder due
    adoptions = [
        AdoptionFactory(component=component, organisation=c, confirmed_at=due) for c in councils
    ]
    queue = f"test-{uuid.uuid4().hex[:12]}"
    first = _start_worker(queue, **slow_mail)
    second = None
    try:
        assert tasks.adoption_reminders_send.apply_async(queue=queue).get(timeout=60) == COUNCILS
        outbox_send.apply_async(queue=queue)
        assert _wait_for(lambda: len(list(tmp_path.iterdir())) >= 3, 60)
        # Well into the next e-mail's second at the mail server, clear of the commit before it.
        time.sleep(0.3)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        killed_after = len(list(tmp_path.iterdir()))
        assert 3 <= killed_after < COUNCILS, "the worker must die half way through the batch"
        # The e-mail being sent when the worker died is still waiting, not marked sent.
        assert OutboxEmail.objects.filter(status="sent").count() == killed_after

        second = _start_worker(queue, **slow_mail)
        # The killed task is redelivered; beat runs the reminder job again the next day.
        assert tasks.adoption_reminders_send.apply_async(queue=queue).get(timeout=90) == 0
        outbox_send.apply_async(queue=queue)
        assert _wait_for(lambda: OutboxEmail.objects.filter(status="sent").count() == COUNCILS, 90)
        time.sleep(2)  # anything sent twice would arrive now
    finally:
        _stop(first)
        if second is not None:
            _stop(second)

    emails = _emails(tmp_path)
    for person in officers:
        assert sum(text.count(f"To: {person.email}") for text in emails) == 1, person.email
        notes = Notification.objects.filter(kind="adoption_reminder", recipient=person)
        assert notes.count() == 1
    for adoption in adoptions:
        reminders = AdoptionReminder.objects.filter(adoption=adoption)
        assert reminders.count() == 1
        assert reminders.get().stale_on == timezone.localdate(adoption.stale_at)
    assert AdoptionReminder.objects.count() == COUNCILS
