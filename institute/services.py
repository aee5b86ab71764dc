"""Every write in the core domain: keyword arguments only, each in a transaction."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from institute import access
from institute.errors import DomainError
from institute.models import (
    AuditEvent,
    Membership,
    MembershipRequest,
    Notification,
    Organisation,
    Role,
    User,
)

logger = logging.getLogger(__name__)


def audit_record(*, actor, verb: str, target, note: str = "", data: dict | None = None):
    """Append one line to the audit trail."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        note=note,
        data=data or {},
    )


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


@transaction.atomic
def membership_join_by_email_domain(*, user: User) -> Membership | None:
    """Make a person with a verified address at a council's domain an officer of that council.

    Called once their address is verified. With no match, or more than one, nothing happens
    and the person asks to join from their account page instead.
    """
    if access.membership_of(user) is not None:
        return user.membership
    domain = email_domain(user.email)
    matches = list(
        Organisation.objects.current().councils().filter(email_domains__contains=[domain])[:2]
    )
    if len(matches) != 1:
        return None
    membership = Membership.objects.create(user=user, organisation=matches[0], role=Role.OFFICER)
    audit_record(
        actor=user, verb="membership.joined_by_domain", target=membership, data={"domain": domain}
    )
    return membership


@transaction.atomic
def membership_request_create(
    *, actor: User, organisation: Organisation, role: str, reason: str
) -> MembershipRequest:
    """Ask institute staff to let a signed-in person join an organisation in a role."""
    if access.membership_of(actor) is not None:
        raise DomainError("You already belong to an organisation.", status=409, code="conflict")
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    if organisation.kind not in access.ROLE_ORGANISATION_KINDS[role]:
        raise DomainError(
            f"A {Role(role).label.lower()} cannot belong to {organisation.name}. "
            "Choose the organisation you work for and the role you have there.",
            field="role",
        )
    if not organisation.is_current():
        raise DomainError(f"{organisation.name} no longer exists.", field="organisation")
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what your job is and why you need access.", field="reason")
    try:
        with transaction.atomic():
            request = MembershipRequest.objects.create(
                user=actor, organisation=organisation, role=role, reason=reason
            )
    except IntegrityError:
        raise DomainError(
            "You already have a request waiting for a decision.", status=409, code="conflict"
        ) from None
    audit_record(actor=actor, verb="membership_request.created", target=request)
    return request


def _decidable(request: MembershipRequest, actor: User) -> MembershipRequest:
    access.require(access.can_decide_membership_requests(actor))
    locked = MembershipRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != MembershipRequest.Status.PENDING:
        raise DomainError("This request has already been decided.", status=409, code="conflict")
    return locked


@transaction.atomic
def membership_request_approve(
    *, actor: User, request: MembershipRequest, note: str = ""
) -> Membership:
    """Approve a request: the person joins the organisation in the role they asked for."""
    request = _decidable(request, actor)
    if Membership.objects.filter(user_id=request.user_id).exists():
        raise DomainError("This person already belongs to an organisation.", status=409)
    membership = Membership.objects.create(
        user_id=request.user_id,
        organisation_id=request.organisation_id,
        role=request.role,
        approved_by=actor,
    )
    request.status = MembershipRequest.Status.APPROVED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit_record(actor=actor, verb="membership_request.approved", target=request, note=note)
    return membership


@transaction.atomic
def membership_request_reject(
    *, actor: User, request: MembershipRequest, note: str
) -> MembershipRequest:
    """Turn a request down, saying why (the person sees the note)."""
    note = note.strip()
    if not note:
        raise DomainError("Say why the request is turned down.", field="note")
    request = _decidable(request, actor)
    request.status = MembershipRequest.Status.REJECTED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decision_note = note
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit_record(actor=actor, verb="membership_request.rejected", target=request, note=note)
    return request


@transaction.atomic
def user_update_profile(*, actor: User, full_name: str) -> User:
    """Change the name a person is shown by."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise DomainError("Enter your full name.", field="full_name")
    actor.full_name = full_name[:150]
    actor.save(update_fields=["full_name"])
    return actor


def unread_cache_key(user_id: int) -> str:
    """Where the header's unread-notification count is kept for a minute (see
    institute.context_processors.notifications)."""
    return f"notifications:unread:{user_id}"


def _forget_unread_counts(user_ids) -> None:
    from django.core.cache import cache

    try:
        cache.delete_many([unread_cache_key(pk) for pk in user_ids])
    except Exception:  # the notifications stand; the counts expire within a minute anyway
        logger.warning("could not forget unread counts", exc_info=True)


def notify(
    *,
    recipient_ids,
    kind: str,
    key: str,
    title: str,
    url: str = "",
    body: str = "",
    exclude_user_id: int | None = None,
) -> int:
    """Record one notification per recipient for an event; repeats of the same key are ignored."""
    ids = {pk for pk in recipient_ids if pk and pk != exclude_user_id}
    rows = [
        Notification(recipient_id=pk, kind=kind, key=key, title=title[:300], url=url, body=body)
        for pk in sorted(ids)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if ids:  # the header must not show a count from before these
        transaction.on_commit(lambda: _forget_unread_counts(ids))
    return len(rows)
