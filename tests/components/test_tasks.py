"""The daily jobs through a REAL Celery worker process: reminders are sent once per adoption and
period however often the job runs, and counters are recounted as adoptions go stale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from components import tasks
from components.models import STALE_AFTER, Adoption, AdoptionReminder
from institute.models import Notification, OutboxEmail
from tests.components.factories import AdoptionFactory, ComponentFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker_mail(monkeypatch):
    """The worker is another process: locmem mail would be invisible, so it sends to nowhere
    and the test reads the send records it writes in the database instead."""
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")


def test_reminder_job_run_twice_sends_one_reminder_per_adoption(
    worker_mail, officer, other_officer, leeds, bristol, author, celery_worker_process
):
    component = ComponentFactory(submitted_by=author)
    due = timezone.now() - timedelta(days=340)
    leeds_adoption = AdoptionFactory(component=component, organisation=leeds, confirmed_at=due)
    bristol_adoption = AdoptionFactory(component=component, organisation=bristol, confirmed_at=due)
    AdoptionFactory(component=ComponentFactory(submitted_by=author), organisation=leeds)  # fresh

    first = tasks.adoption_reminders_send.apply_async(queue=celery_worker_process)
    second = tasks.adoption_reminders_send.apply_async(queue=celery_worker_process)
    assert first.get(timeout=60) + second.get(timeout=60) == 2

    for adoption, person in [(leeds_adoption, officer), (bristol_adoption, other_officer)]:
        reminders = AdoptionReminder.objects.filter(adoption=adoption)
        assert reminders.count() == 1
        # its one e-mail is queued with the reminder
        assert OutboxEmail.objects.filter(kind="adoption_reminder", recipient=person).count() == 1
        notes = Notification.objects.filter(kind="adoption_reminder", recipient=person)
        assert notes.count() == 1
        assert component.name in notes.get().title
    assert AdoptionReminder.objects.count() == 2

    again = tasks.adoption_remind.apply_async(args=[leeds_adoption.pk], queue=celery_worker_process)
    assert again.get(timeout=60) is False
    assert Notification.objects.filter(kind="adoption_reminder").count() == 2


def test_counts_refresh_job_stops_counting_stale_adoptions(
    leeds, bristol, author, celery_worker_process
):
    component = ComponentFactory(submitted_by=author, using_count=2, adopting_count=2)
    AdoptionFactory(component=component, organisation=leeds)
    AdoptionFactory(
        component=component,
        organisation=bristol,
        confirmed_at=timezone.now() - STALE_AFTER - timedelta(days=1),
    )
    result = tasks.component_counts_refresh.apply_async(queue=celery_worker_process)
    assert result.get(timeout=60) >= 1
    component.refresh_from_db()
    assert (component.using_count, component.adopting_count) == (1, 1)
    assert Adoption.objects.count() == 2
