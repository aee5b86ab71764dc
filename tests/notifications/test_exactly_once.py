"""A real Celery worker killed (SIGKILL) in the middle of a digest batch: a new worker picks the
task up again, sends the rest, and nobody gets a digest twice."""

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from institute.models import DigestSend, Notification, SentEmail
from institute.tasks import digest_send_chunk
from tests.celery_workers import start_worker
from tests.celery_workers import stop as _stop
from tests.conftest import _database_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PEOPLE = 8


def _start_worker(queue: str, email_dir: Path, **extra_env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CONN_MAX_AGE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(email_dir),
        "DIGEST_TEST_PAUSE_SECONDS": "0.5",
        "DASHBOARD_REFRESH_ON_WRITE": "0",
        # Redeliver a dead worker's task after 3 seconds instead of an hour.
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(
            {"visibility_timeout": 3, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
        ),
        **extra_env,
    }
    return start_worker(queue, env, hostname=f"{queue}-{uuid.uuid4().hex[:6]}@%h")


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_killed_mid_batch_and_restarted_sends_the_rest_and_nothing_twice(tmp_path):
    people = [UserFactory(email=f"person{i}@digest.example.test") for i in range(PEOPLE)]
    for person in people:
        Notification.objects.create(
            recipient=person,
            kind="problem_status",
            key="status:1",
            title="A problem moved on",
            url="/problems/1/",
        )
    queue = f"test-{uuid.uuid4().hex[:12]}"
    first = _start_worker(queue, tmp_path)
    second = None
    try:
        digest_send_chunk.apply_async(
            args=["weekly", [p.pk for p in people], timezone.now().isoformat()], queue=queue
        )
        assert _wait_for(lambda: SentEmail.objects.count() >= 3, 60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        killed_after = SentEmail.objects.count()
        assert 3 <= killed_after < PEOPLE, "the worker must die half way through the batch"

        second = _start_worker(queue, tmp_path)
        assert _wait_for(lambda: SentEmail.objects.count() == PEOPLE, 90)
        time.sleep(2)  # anything sent twice would arrive now
    finally:
        _stop(first)
        if second is not None:
            _stop(second)

    assert SentEmail.objects.count() == PEOPLE
    files = [f.read_text() for f in tmp_path.iterdir()]
    for person in people:
        assert DigestSend.objects.filter(user=person).count() == 1
        assert SentEmail.objects.filter(to=person.email).count() == 1
        assert sum(text.count(f"To: {person.email}") for text in files) == 1, person.email
