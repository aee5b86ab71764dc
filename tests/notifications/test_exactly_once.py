"""A real Celery worker killed (SIGKILL) in the middle of sending a batch from the outbox to a real
SMTP server: a new worker picks the task up again, sends the rest, and nobody gets an e-mail
twice."""

import json
import os
import signal
import subprocess
import time
import uuid

import pytest
from django.db import connection

from institute import digests
from institute.models import Cadence, Notification, OutboxEmail
from institute.tasks import outbox_send
from tests.celery_workers import start_worker
from tests.celery_workers import stop as _stop
from tests.conftest import _database_url
from tests.factories import UserFactory
from tests.mail_servers import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PEOPLE = 8


def _start_worker(queue: str, **extra_env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CONN_MAX_AGE": "0",
        "OUTBOX_TEST_PAUSE_SECONDS": "0.5",
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


def test_worker_killed_mid_batch_and_restarted_sends_the_rest_and_nothing_twice():
    people = [UserFactory(email=f"person{i}@digest.example.test") for i in range(PEOPLE)]
    for person in people:
        Notification.objects.create(
            recipient=person,
            kind="problem_status",
            key="status:1",
            title="A problem moved on",
            url="/problems/1/",
        )
    (chunk,) = digests.digest_chunks(cadence=Cadence.WEEKLY)
    assert digests.digests_queue_chunk(user_ids=chunk, cadence=Cadence.WEEKLY) == PEOPLE
    queue = f"test-{uuid.uuid4().hex[:12]}"
    with SmtpServer() as smtp:
        smtp_env = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        }
        first = _start_worker(queue, **smtp_env)
        second = None
        try:
            outbox_send.apply_async(queue=queue)
            assert _wait_for(lambda: len(smtp.inbox.messages) >= 3, 60)
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
            killed_after = len(smtp.inbox.messages)
            assert 3 <= killed_after < PEOPLE, "the worker must die half way through the batch"

            second = _start_worker(queue, **smtp_env)
            # The killed task is redelivered; beat also runs the task again a minute later.
            outbox_send.apply_async(queue=queue)
            assert _wait_for(lambda: len(smtp.inbox.messages) >= PEOPLE, 90)
            assert _wait_for(lambda: not OutboxEmail.objects.filter(status="pending").exists(), 30)
            time.sleep(2)  # anything sent twice would arrive now
        finally:
            _stop(first)
            if second is not None:
                _stop(second)

        for person in people:
            (message,) = smtp.inbox.to(person.email)
            assert message["Subject"] == "Your weekly digest: 1 update"
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert len(smtp.inbox.messages) == PEOPLE
    assert OutboxEmail.objects.filter(status="sent").count() == PEOPLE
