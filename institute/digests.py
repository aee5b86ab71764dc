"""Notification preferences, immediate e-mails and the daily and weekly digests.

Exactly once: a notification is e-mailed at most once (`NotificationEmail`, unique per
notification) and a person gets at most one digest per period (`DigestSend`, unique per person,
cadence and period). Both rows, the `SentEmail` record and the hand-over to the mail backend
happen in one transaction per person, so a worker killed between people leaves each person
either fully sent or untouched, and the redelivered task sends the rest.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from institute.errors import DomainError
from institute.models import (
    Cadence,
    DigestSend,
    Notification,
    NotificationPreference,
    SentEmail,
    User,
)
from institute.urlcache import absolute_url
from institute.wording import count_of

CHUNK_SIZE = 100  # people per digest task

# Topics a digest groups by, in the order they appear.
TOPICS = {
    "follow": "Problems you follow",
    "council": "Your council",
    "standards": "Standards due",
    "learning": "New learning in your themes",
    "other": "Other news",
}

# Every kind the apps record (grep `kind=` in their services): label, topic, default cadence.
# Reminders the standards and components apps already e-mail themselves default to "off" here,
# so nobody hears the same thing twice.
KINDS = {
    "problem_status": ("A problem you follow changes status", "follow", Cadence.WEEKLY),
    "problem_solved": ("A problem you follow is solved", "follow", Cadence.IMMEDIATELY),
    "problem_comment": ("New comments on problems you follow", "follow", Cadence.DAILY),
    "centre_project": ("A centre starts work on a problem you follow", "follow", Cadence.WEEKLY),
    "centre_learning": ("New learning on problems you follow", "learning", Cadence.WEEKLY),
    "centre_review": ("Review of your centre's learning", "council", Cadence.IMMEDIATELY),
    "component_review": ("Review of a component you submitted", "council", Cadence.IMMEDIATELY),
    "component_retired": ("A component your council uses is retired", "council", Cadence.WEEKLY),
    "adoption_reminder": ("Your council's adoptions need confirming", "council", Cadence.OFF),
    "standards.review": (
        "Review of your council's self-assessment",
        "council",
        Cadence.IMMEDIATELY,
    ),
    "standards.expiring": ("A self-assessment expires soon", "standards", Cadence.OFF),
    "standards.expired": ("A self-assessment has expired", "standards", Cadence.OFF),
    "standards.new_version": ("A new version of a standard is published", "standards", Cadence.OFF),
    "standards.consultation_closing": (
        "A consultation you commented on closes soon",
        "standards",
        Cadence.OFF,
    ),
}
DEFAULT_CADENCE = Cadence.WEEKLY  # for a kind not listed above
# How far back a digest looks: longer than its period, so a missed run loses nothing.
WINDOW = {Cadence.DAILY: timedelta(days=3), Cadence.WEEKLY: timedelta(days=14)}
UNSUBSCRIBE_SALT = "institute.digests.unsubscribe"


# --- Preferences -----------------------------------------------------------------------------


def preferences_for(user) -> list[dict]:
    """Each kind with the person's cadence (their choice, or the default): one query."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "cadence"))
    return [
        {
            "kind": kind,
            "label": label,
            "topic": TOPICS[topic],
            "cadence": chosen.get(kind, default),
            "default": default,
        }
        for kind, (label, topic, default) in KINDS.items()
    ]


@transaction.atomic
def preferences_update(*, actor: User, cadences: dict[str, str]) -> int:
    """Set how a person hears about each kind; unknown kinds or cadences are refused."""
    for kind, cadence in cadences.items():
        if kind not in KINDS or cadence not in Cadence.values:
            raise DomainError("Choose how often to hear about each kind of news.", field=kind)
    now = timezone.now()
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=actor, kind=k, cadence=c, updated_at=now)
            for k, c in cadences.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["cadence", "updated_at"],
    )
    return len(cadences)


def unsubscribe_token(user: User, cadence: str) -> str:
    return signing.dumps({"u": user.pk, "c": cadence}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The person and cadence a link from an e-mail stands for, or None when it is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        cadence = data["c"]
        user = User.objects.get(pk=data["u"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        return None
    if cadence not in (Cadence.IMMEDIATELY, Cadence.DAILY, Cadence.WEEKLY):
        return None
    return user, cadence


@transaction.atomic
def digest_unsubscribe(*, user: User, cadence: str) -> int:
    """Turn off every kind the person hears about at this cadence (from a signed link)."""
    kinds = [p["kind"] for p in preferences_for(user) if p["cadence"] == cadence]
    return preferences_update(actor=user, cadences=dict.fromkeys(kinds, Cadence.OFF))


# --- Which notifications are due ---------------------------------------------------------------


def _cadence_sql() -> tuple[str, list]:
    """SQL for a notification's effective cadence: the person's choice or the kind's default."""
    whens = " ".join("WHEN %s THEN %s" for _ in KINDS)
    params = [v for kind, (_, _, default) in KINDS.items() for v in (kind, str(default))]
    return f"coalesce(p.cadence, CASE n.kind {whens} ELSE %s END)", [*params, DEFAULT_CADENCE]


def _pending(cadence: str, since: datetime, user_ids=None, columns="n.recipient_id"):
    """Unread notifications not yet e-mailed whose kind the person hears about at `cadence`."""
    effective, params = _cadence_sql()
    sql = f"""SELECT {columns} FROM institute_notification n
        JOIN institute_user u ON u.id = n.recipient_id AND u.is_active
        LEFT JOIN institute_notificationpreference p
            ON p.user_id = n.recipient_id AND p.kind = n.kind
        LEFT JOIN institute_notificationemail e ON e.notification_id = n.id
        WHERE e.id IS NULL AND n.read_at IS NULL AND n.created_at >= %s
        AND {effective} = %s"""  # noqa: S608 (constant SQL, values are parameters)
    params = [since, *params, cadence]
    if user_ids is not None:
        sql += " AND n.recipient_id = ANY(%s)"
        params.append(list(user_ids))
    return sql, params


def period_of(cadence: str, now: datetime) -> str:
    local = timezone.localtime(now)
    if cadence == Cadence.WEEKLY:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local:%Y-%m-%d}"


def digest_chunks(*, cadence: str, now: datetime | None = None) -> list[list[int]]:
    """The people with something to hear this period and no digest yet, in chunks of 100."""
    now = now or timezone.now()
    sql, params = _pending(cadence, now - WINDOW[cadence], columns="DISTINCT n.recipient_id")
    sql = (
        f"SELECT recipient_id FROM ({sql}) r WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
        "institute_digestsend d WHERE d.user_id = r.recipient_id AND d.cadence = %s "
        "AND d.period = %s) ORDER BY recipient_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, cadence, period_of(cadence, now)])
        ids = [row[0] for row in cursor.fetchall()]
    return [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]


@dataclass
class Digest:
    user: User
    cadence: str
    period: str
    groups: list[tuple[str, list[Notification]]] = field(default_factory=list)

    @property
    def notifications(self) -> list[Notification]:
        return [n for _, items in self.groups for n in items]


def digests_build(*, user_ids, cadence: str, now: datetime | None = None) -> list[Digest]:
    """The digests for a chunk of people: three queries whatever the chunk's size. People
    already sent this period's digest, or with nothing to hear, get none."""
    now = now or timezone.now()
    period = period_of(cadence, now)
    user_ids = list(user_ids)
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    done = set(
        DigestSend.objects.filter(user_id__in=user_ids, cadence=cadence, period=period).values_list(
            "user_id", flat=True
        )
    )
    sql, params = _pending(cadence, now - WINDOW[cadence], user_ids, columns="n.id")
    notifications = Notification.objects.raw(
        f"SELECT * FROM institute_notification WHERE id IN ({sql}) "  # noqa: S608
        "ORDER BY recipient_id, created_at DESC, id DESC",
        params,
    )
    grouped: dict[int, dict[str, list]] = {}
    for n in notifications:
        topic = KINDS.get(n.kind, ("", "other", None))[1]
        grouped.setdefault(n.recipient_id, {}).setdefault(topic, []).append(n)
    digests = []
    for pk in user_ids:
        if pk in done or pk not in users or pk not in grouped:
            continue
        topics = grouped[pk]
        digests.append(
            Digest(
                user=users[pk],
                cadence=cadence,
                period=period,
                # Topics in a fixed order; newest first inside each.
                groups=[(TOPICS[t], topics[t]) for t in TOPICS if t in topics],
            )
        )
    return digests


# --- Sending ---------------------------------------------------------------------------------


def _message(*, user, subject, template, context, cadence) -> EmailMultiAlternatives:
    unsubscribe = absolute_url(
        reverse("institute:digest_unsubscribe", args=[unsubscribe_token(user, cadence)])
    )
    context = {
        **context,
        "user": user,
        "subject": subject,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute_url(reverse("institute:notification_preferences")),
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"institute/email/{template}.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
    message.attach_alternative(
        render_to_string(f"institute/email/{template}.html", context), "text/html"
    )
    return message


def _claim(notification_ids, digest_id=None) -> set[int]:
    """Mark notifications e-mailed; returns those this call claimed (others were, meanwhile)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO institute_notificationemail (notification_id, digest_id, sent_at) "
            "SELECT unnest(%s::bigint[]), %s, now() "
            "ON CONFLICT (notification_id) DO NOTHING RETURNING notification_id",
            [list(notification_ids), digest_id],
        )
        return {row[0] for row in cursor.fetchall()}


def _digest_claim(digest: Digest) -> tuple[int, set[int]] | None:
    """Write the person's row for this period and claim their notifications for it, counted
    on the row: two statements. None when this period's digest was sent already."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO institute_digestsend (user_id, cadence, period, items, sent_at) "
            "VALUES (%s, %s, %s, 0, %s) "
            "ON CONFLICT (user_id, cadence, period) DO NOTHING RETURNING id",
            [digest.user.pk, digest.cadence, digest.period, timezone.now()],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            """WITH claimed AS (
                INSERT INTO institute_notificationemail (notification_id, digest_id, sent_at)
                SELECT unnest(%s::bigint[]), %s, now()
                ON CONFLICT (notification_id) DO NOTHING RETURNING notification_id
            ), counted AS (
                UPDATE institute_digestsend SET items = (SELECT count(*) FROM claimed)
                WHERE id = %s
            ) SELECT notification_id FROM claimed""",
            [[n.pk for n in digest.notifications], row[0], row[0]],
        )
        return row[0], {r[0] for r in cursor.fetchall()}


def digest_send(digest: Digest) -> bool:
    """Send one person's digest exactly once; False when it was sent already or is empty.
    Five queries whatever the digest holds (savepoint, row, claim, e-mail record, release)."""
    with transaction.atomic():
        claim = _digest_claim(digest)
        if claim is None:
            return False
        send_id, claimed = claim
        groups = [(t, [n for n in items if n.pk in claimed]) for t, items in digest.groups]
        groups = [(t, items) for t, items in groups if items]
        if not groups:
            transaction.set_rollback(True)  # nothing left to say: no e-mail, no row
            return False
        count = sum(len(items) for _, items in groups)
        label = "Your weekly digest" if digest.cadence == Cadence.WEEKLY else "Your daily digest"
        subject = f"{label}: {count_of(count, 'update')}"
        SentEmail.objects.create(
            to=digest.user.email,
            subject=subject,
            kind=f"digest.{digest.cadence}",
            key=f"digest:{send_id}",
        )
        _message(
            user=digest.user,
            subject=subject,
            template="digest",
            context={
                "groups": [
                    (t, [{"n": n, "url": absolute_url(n.url)} for n in items])
                    for t, items in groups
                ],
                "count": count,
                "cadence_label": Cadence(digest.cadence).label.lower(),
            },
            cadence=digest.cadence,
        ).send()
    return True


def digests_send_chunk(*, user_ids, cadence: str, now: datetime | None = None) -> int:
    """Build and send a chunk's digests, one transaction per person."""
    sent = 0
    pause = settings.DIGEST_TEST_PAUSE_SECONDS
    for digest in digests_build(user_ids=user_ids, cadence=cadence, now=now):
        sent += digest_send(digest)
        if pause:
            time.sleep(pause)  # tests only: lets a test kill the worker between people
    return sent


def notifications_email_immediate(*, now: datetime | None = None, limit: int = 1000) -> int:
    """E-mail each new notification whose kind its recipient hears about immediately."""
    now = now or timezone.now()
    sql, params = _pending(Cadence.IMMEDIATELY, now - timedelta(days=2), columns="n.id")
    pending = list(
        Notification.objects.raw(
            f"SELECT * FROM institute_notification WHERE id IN ({sql}) "  # noqa: S608
            "ORDER BY created_at, id LIMIT %s",
            [*params, limit],
        ).prefetch_related("recipient")
    )
    sent = 0
    for notification in pending:
        with transaction.atomic():
            if not _claim([notification.pk]):
                continue
            user = notification.recipient
            SentEmail.objects.create(
                to=user.email,
                subject=notification.title[:300],
                kind="immediate",
                key=f"notification:{notification.pk}",
            )
            _message(
                user=user,
                subject=notification.title,
                template="notification",
                context={"notification": notification, "url": absolute_url(notification.url)},
                cadence=Cadence.IMMEDIATELY,
            ).send()
            sent += 1
    return sent


# --- The notification centre -------------------------------------------------------------------


def notification_list_for_user(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(*, actor: User, notification_id: int) -> int:
    """Mark one of the person's own notifications read (someone else's: nothing happens)."""
    return Notification.objects.filter(
        pk=notification_id, recipient=actor, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
