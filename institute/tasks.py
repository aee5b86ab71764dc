"""Celery tasks of the core domain: take ids, call one service, record what was done."""

import logging
from datetime import datetime

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from institute import digests, evidence, outbox
from institute.models import TaskRun

logger = logging.getLogger(__name__)


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
def outbox_send(chunks: int = 20) -> int:
    """Send what is due in the outbox, up to `chunks` x 100 e-mails (beat runs it every minute).
    Idempotent: each e-mail is marked sent in the transaction that hands it over, so a task
    redelivered after its worker died sends only the rest."""
    sent = 0
    for _ in range(chunks):
        if not outbox.due(limit=1):
            break
        sent += outbox.send_due()
    return sent


@shared_task
def outbox_statuses_refresh() -> int:
    """Record what GOV.UK Notify says became of recent e-mails (SMTP: nothing to ask)."""
    return outbox.statuses_refresh()


@shared_task(bind=True)
def digests_send(self, cadence: str) -> int:
    """Plan this period's digests and queue them in chunks of at most 100 people per task."""
    now = timezone.now()
    queue = (self.request.delivery_info or {}).get("routing_key")
    chunks = digests.digest_chunks(cadence=cadence, now=now)
    for user_ids in chunks:
        digest_send_chunk.apply_async(args=[cadence, user_ids, now.isoformat()], queue=queue)
    return len(chunks)


@shared_task
def digest_send_chunk(cadence: str, user_ids: list[int], now: str) -> int:
    """Put one chunk's digests in the outbox. Idempotent: people whose digest for this period is
    there already are skipped, so a task redelivered after its worker died queues the rest."""
    return digests.digests_queue_chunk(
        user_ids=user_ids, cadence=cadence, now=datetime.fromisoformat(now)
    )


@shared_task(bind=True, max_retries=3)
def evidence_file_scan(self, file_id: int) -> str:
    """Have clamd check one uploaded file. While no scanner answers the file stays "not yet
    checked" (and is not served): the task tries again three times within two minutes, then
    leaves it to the beat job below, which sends every file still waiting every five minutes
    (so a long outage never piles up retrying tasks)."""
    try:
        return evidence.evidence_file_scan(file_id=file_id)
    except evidence.ScannerUnavailable as error:
        logger.warning("evidence file %s not checked: %s", file_id, error)
        if self.request.retries >= self.max_retries:
            return "pending"
        raise self.retry(exc=error, countdown=15 * 2**self.request.retries) from error


@shared_task
def evidence_files_scan_pending() -> int:
    """Queue the virus check again for files still waiting for it."""
    ids = evidence.evidence_files_pending()
    for pk in ids:
        evidence_file_scan.delay(pk)
    return len(ids)
