"""A real Celery worker killed (SIGKILL) in the middle of the daily adoption-reminder job, while
an e-mail is being handed to a slow mail server: a new worker runs the job again, as beat would
the next day, and every council's officers get their reminder exactly once."""

import os
import signal
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from components import tasks
from components.models import AdoptionReminder
from institute.models import Notification, Organisation
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import council_officer
from tests.notifications.test_exactly_once import _start_worker, _stop, _wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
COUNCILS = 10
SLOW_MAIL = {
    "EMAIL_BACKEND": "tests.faults.slow_mail.SlowFileBackend",
    "SLOW_MAIL_SECONDS": "1",
}


def _emails(folder) -> list[str]:
    return [f.read_text() for f in folder.iterdir()]


def test_worker_killed_mid_reminders_and_restarted_reminds_every_council_once(tmp_path):
    councils = list(Organisation.objects.current().councils().order_by("slug")[:COUNCILS])
    officers = [council_officer(c.slug, f"adopter@{c.slug}.example.test") for c in councils]
    component = ComponentFactory()
    due = timezone.now() - timedelta(days=340)  # goes stale in 25 days: reminder due
    adoptions = [
        AdoptionFactory(component=component, organisation=c, confirmed_at=due) for c in councils
    ]
    queue = f"test-{uuid.uuid4().hex[:12]}"
    first = _start_worker(queue, tmp_path, **SLOW_MAIL)
    second = None
    try:
        tasks.adoption_reminders_send.apply_async(queue=queue)
        assert _wait_for(lambda: len(list(tmp_path.iterdir())) >= 3, 60)
        # Well into the next e-mail's second at the mail server, clear of the commit before it.
        time.sleep(0.3)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        killed_after = len(list(tmp_path.iterdir()))
        assert 3 <= killed_after < COUNCILS, "the worker must die half way through the job"
        # The reminder being sent when the worker died left no row behind to block a resend.
        assert AdoptionReminder.objects.count() == killed_after

        second = _start_worker(queue, tmp_path, **SLOW_MAIL)
        # The killed task is redelivered to the new worker; beat also runs the job again.
        again = tasks.adoption_reminders_send.apply_async(queue=queue)
        again.get(timeout=90)
        assert _wait_for(
            lambda: AdoptionReminder.objects.filter(emailed_at__isnull=False).count() == COUNCILS,
            90,
        )
        tasks.adoption_reminders_send.apply_async(queue=queue).get(timeout=60)
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
