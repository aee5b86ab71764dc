"""The one outbox every e-mail goes through (docs/adr/0009-one-outbox-for-email.md).

Producers write `OutboxEmail` rows in the transaction of the event that causes them: a
notification heard about immediately, a digest, a reminder, account e-mail. The row's unique
`key` (recipient, kind, event or period) makes a second copy impossible. `send_due` hands
pending rows to the backend one at a time, each under a row lock inside its own transaction:
a worker killed mid-send rolls its row back to pending and the next run sends it; a row marked
sent is never sent again. Failures wait longer each time (`BACKOFF`) and give up after the last.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from institute import access, mail_backends
from institute.errors import DomainError
from institute.models import OutboxEmail, User

logger = logging.getLogger(__name__)

CHUNK_SIZE = 100  # rows per pass of the sending task
# How long to wait after the first, second... failure; the row fails for good after the last.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
MAX_ATTEMPTS = len(BACKOFF) + 1
STATUS_WINDOW = timedelta(days=3)  # Notify keeps a message's status for 7 days


def enqueue(
    *,
    to: str,
    kind: str,
    key: str,
    subject: str,
    body: str,
    html: str = "",
    recipient: User | None = None,
    unsubscribe_url: str = "",
) -> OutboxEmail | None:
    """Queue one e-mail; None when an e-mail with this key is queued already. Call it inside
    the transaction of the event, so the e-mail exists exactly when the event does."""
    rows = enqueue_many(
        [
            OutboxEmail(
                recipient=recipient,
                to=to,
                kind=kind,
                key=key,
                subject=subject[:300],
                body=body,
                html=html,
                unsubscribe_url=unsubscribe_url,
            )
        ]
    )
    return rows[0] if rows else None


def enqueue_many(rows: list[OutboxEmail]) -> list[OutboxEmail]:
    """Queue e-mails; returns those that were new (others' keys existed), with their ids.
    Three statements whatever the number."""
    if not rows:
        return []
    keys = [row.key for row in rows]
    with transaction.atomic():
        existing = set(OutboxEmail.objects.filter(key__in=keys).values_list("key", flat=True))
        new = [row for row in rows if row.key not in existing]
        if not new:
            return []
        OutboxEmail.objects.bulk_create(new, ignore_conflicts=True)
        ids = dict(
            OutboxEmail.objects.filter(key__in=[row.key for row in new]).values_list("key", "pk")
        )
    for row in new:
        row.pk = ids.get(row.key)
    return new


def due(*, now=None, limit: int = CHUNK_SIZE) -> list[int]:
    now = now or timezone.now()
    return list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver(pk: int) -> bool:
    """Hand one pending row to the backend and record the outcome, under a row lock; True if it
    went. A row another worker holds, or one already sent, is left alone."""
    with transaction.atomic():
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=OutboxEmail.Status.PENDING)
            .first()
        )
        if row is None:
            return False
        now = timezone.now()
        row.attempts += 1
        try:
            delivery = mail_backends.backend().send(row)
        except mail_backends.PermanentFailure as error:
            row.status = OutboxEmail.Status.FAILED
            row.last_error = str(error)[:2000]
        except Exception as error:  # the service is down or busy: try again later
            logger.warning("e-mail %s not sent (attempt %s)", row.pk, row.attempts, exc_info=True)
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxEmail.Status.FAILED
            else:
                row.next_attempt_at = now + BACKOFF[row.attempts - 1]
        else:
            row.status = OutboxEmail.Status.SENT
            row.sent_at = now
            row.provider_id = delivery.provider_id
            row.delivery_status = delivery.status
            row.last_error = ""
        row.save()
        return row.status == OutboxEmail.Status.SENT


def send_due(*, limit: int = CHUNK_SIZE) -> int:
    """Send up to `limit` pending rows whose time has come; returns how many went."""
    sent = 0
    pause = settings.OUTBOX_TEST_PAUSE_SECONDS
    for pk in due(limit=limit):
        sent += deliver(pk)
        if pause:
            time.sleep(pause)  # tests only: lets a test kill the worker between e-mails
    return sent


def deliver_now(row: OutboxEmail | None) -> bool:
    """For account e-mail a person is waiting for on screen (a link to confirm their address, to
    reset their password): hand it over in this request, as soon as it is queued. A failure
    leaves the row pending, with its backoff, for the sending task."""
    return row is not None and deliver(row.pk)


@transaction.atomic
def retry(*, actor: User, pk: int) -> OutboxEmail:
    """Staff: send a failed row again (its attempts start over)."""
    access.require(access.is_institute_staff(actor))
    row = OutboxEmail.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise DomainError("There is no such e-mail.", status=404, code="not_found")
    if row.status != OutboxEmail.Status.FAILED:
        raise DomainError("Only a failed e-mail can be sent again.", status=409, code="conflict")
    row.status = OutboxEmail.Status.PENDING
    row.attempts = 0
    row.next_attempt_at = timezone.now()
    row.last_error = ""
    row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    return row


def record_status(row: OutboxEmail, status: str) -> None:
    """What the backend says happened to a sent message (Notify's status)."""
    row.delivery_status = status[:64]
    if status in mail_backends.NOTIFY_DELIVERED:
        row.status = OutboxEmail.Status.DELIVERED
    elif status in mail_backends.NOTIFY_FAILED:
        row.status = OutboxEmail.Status.FAILED
        row.last_error = f"Notify: {status}"
    row.save(update_fields=["delivery_status", "status", "last_error"])


def statuses_refresh(*, now=None, limit: int = 500) -> int:
    """Ask the backend (Notify) what became of recently sent messages; returns rows changed."""
    backend = mail_backends.backend()
    if not hasattr(backend, "status"):
        return 0  # SMTP says "accepted" and nothing after
    now = now or timezone.now()
    rows = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENT, sent_at__gte=now - STATUS_WINDOW
    ).exclude(provider_id="")[:limit]
    changed = 0
    for row in rows:
        try:
            status = backend.status(row.provider_id)
        except Exception:
            logger.warning("no status for e-mail %s", row.pk, exc_info=True)
            continue
        if status != row.delivery_status:
            record_status(row, status)
            changed += 1
    return changed


def callback_record(*, provider_id: str, status: str) -> bool:
    """Notify's delivery receipt (POSTed to us): record it on the row it is about."""
    row = OutboxEmail.objects.filter(provider_id=provider_id).exclude(provider_id="").first()
    if row is None or not status:
        return False
    record_status(row, status)
    return True


def sent_to(user: User, limit: int = 20):
    """The e-mails a person was sent (or is about to be), newest first."""
    return OutboxEmail.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]


def outbox_list(*, person: str = "", kind: str = "", status: str = ""):
    """Staff's view of the outbox, filtered by address, kind and status; newest first."""
    rows = OutboxEmail.objects.order_by("-created_at", "-id")
    if person:
        rows = rows.filter(to__icontains=person.strip())
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows


def outbox_kinds() -> list[str]:
    return list(OutboxEmail.objects.order_by("kind").values_list("kind", flat=True).distinct())
