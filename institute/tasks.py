"""Celery tasks of the core domain: take ids, call one service, record what was done."""

from datetime import datetime

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from institute import digests
from institute.models import TaskRun


@shared_task
def sessions_clear_expired():
    call_command("clearsessions")


@shared_task
def platform_echo(key: str) -> dict:
    """Round trip through broker and worker used by tests and operators (`/healthz` pings only).

    Idempotent: running it twice with the same key records one row.
    """
    run, created = TaskRun.objects.get_or_create(
        key=key, defaults={"name": "platform_echo", "result": {"echo": key}}
    )
    return {"key": run.key, "created": created}


@shared_task
def notifications_email_immediate() -> int:
    return digests.notifications_email_immediate()


@shared_task(bind=True)
def digests_send(self, cadence: str) -> int:
    """Plan this period's digests and send them in chunks of at most 100 people per task."""
    now = timezone.now()
    queue = (self.request.delivery_info or {}).get("routing_key")
    chunks = digests.digest_chunks(cadence=cadence, now=now)
    for user_ids in chunks:
        digest_send_chunk.apply_async(args=[cadence, user_ids, now.isoformat()], queue=queue)
    return len(chunks)


@shared_task
def digest_send_chunk(cadence: str, user_ids: list[int], now: str) -> int:
    """Send one chunk's digests. Idempotent: people already sent this period are skipped, so a
    task redelivered after its worker died sends only the rest."""
    return digests.digests_send_chunk(
        user_ids=user_ids, cadence=cadence, now=datetime.fromisoformat(now)
    )
