"""Notification preferences: the one place they decide what e-mail a notification becomes.

`notifications_email` turns new notifications into outbox rows for the people who hear about
their kind immediately; daily and weekly digests collect the rest (`digest_queue`); "off"
leaves them on the site. Nothing here sends mail: the outbox does (`institute.outbox`).

Exactly once: a notification goes into at most one e-mail (`NotificationEmail`, unique per
notification) and a person gets at most one digest per period (the outbox row's key names the
person, cadence and period). The claim and the outbox row are written in one transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from institute import outbox
from institute.errors import DomainError
from institute.models import (
    Cadence,
    Notification,
    NotificationEmail,
    NotificationPreference,
    OutboxEmail,
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
    "decide": "For you to decide",
    "other": "Other news",
}

# Every kind the apps record (grep `kind=` in their services): label, topic, default cadence.
# Reminders default to "immediately", as they were always e-mailed; news that only some people
# want (consultations opening) is off until they choose it.
KINDS = {
    "problem_status": ("A problem you follow changes status", "follow", Cadence.WEEKLY),
    "problem_edited": ("A problem you follow is edited", "follow", Cadence.WEEKLY),
    "problem_solved": ("A problem you follow is solved", "follow", Cadence.IMMEDIATELY),
    "problem_comment": ("New comments on problems you follow", "follow", Cadence.DAILY),
    "centre_project": ("A centre starts work on a problem you follow", "follow", Cadence.WEEKLY),
    "centre_learning": ("New learning on problems you follow", "learning", Cadence.WEEKLY),
    "centre_review": (
        "Learning submitted or reviewed at your centre",
        "decide",
        Cadence.IMMEDIATELY,
    ),
    "component_review": ("Components submitted or reviewed", "decide", Cadence.IMMEDIATELY),
    "component_retired": ("A component your council uses is retired", "council", Cadence.WEEKLY),
    "adoption_reminder": (
        "Your council's adoptions need confirming",
        "council",
        Cadence.IMMEDIATELY,
    ),
    "standards.review": (
        "Review of your council's self-assessment",
        "council",
        Cadence.IMMEDIATELY,
    ),
    "standards.expiring": ("A self-assessment expires soon", "standards", Cadence.IMMEDIATELY),
    "standards.expired": ("A self-assessment has expired", "standards", Cadence.IMMEDIATELY),
    "standards.new_version": (
        "A new version of a standard is published",
        "standards",
        Cadence.IMMEDIATELY,
    ),
    "standards.consultation_opened": (
        "A standard opens for consultation (standards news)",
        "standards",
        Cadence.OFF,
    ),
    "standards.consultation_closing": (
        "A consultation you commented on closes soon",
        "standards",
        Cadence.IMMEDIATELY,
    ),
    "evidence_quarantined": (
        "A file you uploaded failed the virus check",
        "council",
        Cadence.IMMEDIATELY,
    ),
    "membership_request": ("Someone asks to join an organisation", "decide", Cadence.IMMEDIATELY),
    "membership_decided": ("A decision on your request to join", "council", Cadence.IMMEDIATELY),
    "comment_reported": ("A comment is reported", "decide", Cadence.IMMEDIATELY),
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


def opted_in(kind: str, user_ids) -> list[int]:
    """Of these people, those who chose to hear about `kind` (for news that is off by default)."""
    return list(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)
        .exclude(cadence=Cadence.OFF)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def preferences_update(*, actor: User, cadences: dict[str, str]) -> int:
    """Set how a person hears about each kind (returns how many changed); unknown kinds or
    cadences are refused."""
    for kind, cadence in cadences.items():
        if kind not in KINDS or cadence not in Cadence.values:
            raise DomainError("Choose how often to hear about each kind of news.", field=kind)
    # Only what the person changed is written: saving the page as it opened stores nothing, so
    # a kind they never chose keeps following its default.
    current = {row["kind"]: row["cadence"] for row in preferences_for(actor)}
    changed = {k: c for k, c in cadences.items() if current.get(k) != c}
    now = timezone.now()
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=actor, kind=k, cadence=c, updated_at=now)
            for k, c in changed.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["cadence", "updated_at"],
    )
    return len(changed)


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
        "institute_outboxemail o WHERE o.key = %s || r.recipient_id) ORDER BY recipient_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, _digest_key("", cadence, period_of(cadence, now))])
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


def _digest_key(user_id: int, cadence: str, period: str) -> str:
    return f"digest:{cadence}:{period}:{user_id}"


def digests_build(*, user_ids, cadence: str, now: datetime | None = None) -> list[Digest]:
    """The digests for a chunk of people: three queries whatever the chunk's size. People
    already sent this period's digest, or with nothing to hear, get none."""
    now = now or timezone.now()
    period = period_of(cadence, now)
    user_ids = list(user_ids)
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    keys = {_digest_key(pk, cadence, period): pk for pk in user_ids}
    done = {keys[k] for k in OutboxEmail.objects.filter(key__in=keys).values_list("key", flat=True)}
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


# --- E-mails into the outbox -------------------------------------------------------------------


def _render(*, user, subject, template, context, cadence) -> dict:
    """The outbox row's fields for a message people can unsubscribe from."""
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
    return {
        "recipient": user,
        "to": user.email,
        "subject": subject[:300],
        "body": render_to_string(f"institute/email/{template}.txt", context),
        "html": render_to_string(f"institute/email/{template}.html", context),
        "unsubscribe_url": unsubscribe,
    }


def cadence_for(kind: str, chosen: dict[str, str]) -> str:
    """A person's cadence for a kind: their choice (`chosen`, kind to cadence), or the default."""
    return chosen.get(kind) or KINDS.get(kind, (None, None, DEFAULT_CADENCE))[2]


def notifications_email(notification_ids) -> int:
    """The one rule for preferences: each notification becomes one outbox row now (its
    recipient hears about its kind immediately), waits for their daily or weekly digest
    (`digest_queue` claims it there), or stays on the site (off, or an inactive account).
    Call it in the transaction that recorded the notifications. Five queries for any number;
    returns how many e-mails were queued."""
    notifications = list(
        Notification.objects.filter(pk__in=list(notification_ids), email__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    if not notifications:
        return 0
    chosen: dict[int, dict[str, str]] = {}
    for user_id, kind, cadence in NotificationPreference.objects.filter(
        user_id__in={n.recipient_id for n in notifications},
        kind__in={n.kind for n in notifications},
    ).values_list("user_id", "kind", "cadence"):
        chosen.setdefault(user_id, {})[kind] = cadence
    rows = {}
    for n in notifications:
        if not n.recipient.is_active or not n.recipient.email:
            continue
        if cadence_for(n.kind, chosen.get(n.recipient_id, {})) != Cadence.IMMEDIATELY:
            continue
        rows[n.pk] = OutboxEmail(
            kind=n.kind,
            key=f"notification:{n.pk}",
            **_render(
                user=n.recipient,
                subject=n.title,
                template="notification",
                context={"notification": n, "url": absolute_url(n.url)},
                cadence=Cadence.IMMEDIATELY,
            ),
        )
    if not rows:
        return 0
    new = outbox.enqueue_many(list(rows.values()))
    ids = dict(
        OutboxEmail.objects.filter(key__in=[r.key for r in rows.values()]).values_list("key", "pk")
    )
    NotificationEmail.objects.bulk_create(
        [NotificationEmail(notification_id=pk, outbox_id=ids[r.key]) for pk, r in rows.items()],
        ignore_conflicts=True,
    )
    return len(new)


def _digest_claim(digest: Digest) -> tuple[OutboxEmail, set[int]] | None:
    """Write the person's outbox row for this period and claim their notifications for it:
    two statements. None when this period's digest exists already."""
    row = outbox.enqueue(
        recipient=digest.user,
        to=digest.user.email,
        kind=f"digest.{digest.cadence}",
        key=_digest_key(digest.user.pk, digest.cadence, digest.period),
        subject="",
        body="",
    )
    if row is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO institute_notificationemail (notification_id, outbox_id, sent_at) "
            "SELECT unnest(%s::bigint[]), %s, now() "
            "ON CONFLICT (notification_id) DO NOTHING RETURNING notification_id",
            [[n.pk for n in digest.notifications], row.pk],
        )
        return row, {r[0] for r in cursor.fetchall()}


def digest_queue(digest: Digest) -> bool:
    """Put one person's digest in the outbox exactly once; False when it is there already or
    there is nothing left to say (then nothing is written)."""
    with transaction.atomic():
        claim = _digest_claim(digest)
        if claim is None:
            return False
        row, claimed = claim
        groups = [(t, [n for n in items if n.pk in claimed]) for t, items in digest.groups]
        groups = [(t, items) for t, items in groups if items]
        if not groups:
            transaction.set_rollback(True)  # nothing left to say: no e-mail, no row
            return False
        count = sum(len(items) for _, items in groups)
        label = "Your weekly digest" if digest.cadence == Cadence.WEEKLY else "Your daily digest"
        fields = _render(
            user=digest.user,
            subject=f"{label}: {count_of(count, 'update')}",
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
        )
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=["subject", "body", "html", "unsubscribe_url"])
    return True


def digests_queue_chunk(*, user_ids, cadence: str, now: datetime | None = None) -> int:
    """Build a chunk's digests and put them in the outbox, one transaction per person."""
    return sum(
        digest_queue(digest)
        for digest in digests_build(user_ids=user_ids, cadence=cadence, now=now)
    )


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
