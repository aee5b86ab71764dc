"""Every write in the core domain: keyword arguments only, each in a transaction."""

import logging
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from institute import access, digests, selectors
from institute.errors import DomainError
from institute.models import (
    AuditEvent,
    EmailDomain,
    Membership,
    MembershipRequest,
    Notification,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from institute.wording import count_of

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

    Called once their address is verified. With no current council at that domain nothing
    happens, and the person asks to join from their account page instead.
    """
    if access.membership_of(user) is not None:
        return user.membership
    domain = email_domain(user.email)
    council = Organisation.objects.current().councils().filter(email_domains__domain=domain).first()
    if council is None:
        return None
    membership = Membership.objects.create(user=user, organisation=council, role=Role.OFFICER)
    audit_record(
        actor=user, verb="membership.joined_by_domain", target=membership, data={"domain": domain}
    )
    return membership


# --- E-mail domains: who joins which council -------------------------------------------------

_domain_name = DomainNameValidator(accept_idna=False)
EMAIL_DOMAIN_MAX_LENGTH = EmailDomain._meta.get_field("domain").max_length


def email_domain_normalise(value: str) -> str:
    """An e-mail domain as it is stored (lower case, no "@"), or a DomainError saying what to
    enter: the one rule for the form, the CSV import and the demo data."""
    domain = (value or "").strip().lower()
    if domain.startswith("@"):  # "@leeds.gov.uk", as people often write it
        domain = domain[1:]
    if not domain:
        raise DomainError("Enter an e-mail domain, like leeds.gov.uk", field="domain")
    if "@" in domain:
        raise DomainError(
            "Enter the domain only, without the name and @ before it (like leeds.gov.uk)",
            field="domain",
        )
    if len(domain) > EMAIL_DOMAIN_MAX_LENGTH:
        raise DomainError(
            f"Enter a domain of {EMAIL_DOMAIN_MAX_LENGTH} characters or fewer", field="domain"
        )
    try:
        _domain_name(domain)
    except ValidationError:
        raise DomainError(
            "Enter an e-mail domain like leeds.gov.uk: letters, numbers, hyphens and dots",
            field="domain",
        ) from None
    return domain


def _require_domain_manager(actor) -> None:
    """People add domains in the service (institute staff); the demo loader passes no actor."""
    if actor is not None:
        access.require(access.can_manage_email_domains(actor))


def _domain_taken(domain: str, holder: Organisation, organisation: Organisation) -> DomainError:
    if holder.pk == organisation.pk:
        message = f"{domain} is already an e-mail domain of {organisation.name}"
    else:
        message = f"{domain} already belongs to {holder.name}. Remove it there first."
    return DomainError(message, field="domain", status=409, code="conflict")


@transaction.atomic
def email_domains_add(
    *, actor, pairs: Iterable[tuple[Organisation, str]], source: str = "form"
) -> list[EmailDomain]:
    """Give organisations these e-mail domains (already normalised), skipping the ones they
    have; a domain that another organisation has is refused, and then nothing is added."""
    _require_domain_manager(actor)
    wanted = {}
    for organisation, domain in pairs:
        if wanted.setdefault(domain, organisation).pk != organisation.pk:
            raise _domain_taken(domain, wanted[domain], organisation)
    held = {
        row.domain: row.organisation
        for row in EmailDomain.objects.select_related("organisation").filter(
            domain__in=list(wanted)
        )
    }
    for domain, organisation in wanted.items():
        holder = held.get(domain)
        if holder is not None and holder.pk != organisation.pk:
            raise _domain_taken(domain, holder, organisation)
    added_by = actor if actor is not None and actor.is_authenticated else None
    rows = [
        EmailDomain(organisation=organisation, domain=domain, added_by=added_by)
        for domain, organisation in sorted(wanted.items())
        if domain not in held
    ]
    try:
        with transaction.atomic():
            EmailDomain.objects.bulk_create(rows)
    except IntegrityError:  # added by someone else since the check above
        raise DomainError(
            "Someone else added one of these domains just now. Try again.",
            field="domain",
            status=409,
            code="conflict",
        ) from None
    for row in rows:
        audit_record(
            actor=actor,
            verb="email_domain.added",
            target=row.organisation,
            data={"domain": row.domain, "source": source},
        )
    return rows


def email_domain_add(*, actor, organisation: Organisation, domain: str) -> EmailDomain:
    """Add one e-mail domain to an organisation: people who verify an address at it join."""
    domain = email_domain_normalise(domain)
    added = email_domains_add(actor=actor, pairs=[(organisation, domain)])
    if not added:
        raise _domain_taken(domain, organisation, organisation)
    return added[0]


@transaction.atomic
def email_domain_remove(*, actor, email_domain: EmailDomain) -> None:
    """Take an e-mail domain off its organisation: people at it no longer join by it (those
    who joined stay members)."""
    _require_domain_manager(actor)
    deleted, _ = EmailDomain.objects.filter(pk=email_domain.pk).delete()
    if not deleted:
        raise DomainError(
            f"{email_domain.domain} has already been removed.", status=409, code="conflict"
        )
    audit_record(
        actor=actor,
        verb="email_domain.removed",
        target=email_domain.organisation,
        data={"domain": email_domain.domain},
    )


@transaction.atomic
def email_domains_import(*, actor, text: str) -> list[EmailDomain]:
    """Add the domains of a CSV file of (GSS code, domain) lines: all of them, or, when any
    line is wrong, none."""
    _require_domain_manager(actor)
    plan = selectors.email_domains_import_plan(text)
    if plan.errors:
        count = len(plan.errors)
        raise DomainError(
            f"Nothing was imported: the file has {count_of(count, 'problem')}",
            field="file",
        )
    return email_domains_add(
        actor=actor, pairs=[(row.organisation, row.domain) for row in plan.rows], source="csv"
    )


# --- The first member of staff ---------------------------------------------------------------


@transaction.atomic
def institute_staff_create_first(*, email: str, full_name: str = "") -> User:
    """The first institute staff account, made from the command line: no password (the person
    sets one through a one-time link), the address counted as verified. Refused when an
    account with that address exists."""
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise DomainError(f"{email!r} is not an e-mail address.", field="email")
    email_domain_normalise(email_domain(email))
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            f"An account for {email} already exists. Nothing was changed. If its owner "
            "cannot sign in, they can reset their password from the sign-in page.",
            status=409,
            code="conflict",
        )
    institute = Organisation.objects.filter(kind=OrganisationKind.INSTITUTE).order_by("pk").first()
    if institute is None:
        raise DomainError("There is no institute organisation: run the migrations first.")
    user = User.objects.create_user(email, None, full_name=" ".join(full_name.split())[:150])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    membership = Membership.objects.create(
        user=user, organisation=institute, role=Role.INSTITUTE_STAFF
    )
    audit_record(actor=None, verb="membership.first_staff_created", target=membership)
    return user


# --- The site's address ------------------------------------------------------------------------


def site_update_from_settings() -> Site:
    """The Sites row (allauth names it in its e-mails) says the service's name and SITE_URL's
    host, never Django's example.com. Run after every migrate."""
    host = settings.SITE_URL.split("://", 1)[1]
    site, _ = Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": host, "name": settings.SERVICE_NAME}
    )
    Site.objects.clear_cache()
    return site


def _check_role(organisation: Organisation, role: str, advice: str) -> None:
    """A role fits only some kinds of organisation (access.ROLE_ORGANISATION_KINDS), and an
    organisation that no longer exists takes nobody."""
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    if organisation.kind not in access.ROLE_ORGANISATION_KINDS[role]:
        raise DomainError(
            f"A {Role(role).label.lower()} cannot belong to {organisation.name}. {advice}",
            field="role",
        )
    if not organisation.is_current():
        raise DomainError(f"{organisation.name} no longer exists.", field="organisation")


@transaction.atomic
def membership_request_create(
    *, actor: User, organisation: Organisation, role: str, reason: str
) -> MembershipRequest:
    """Ask institute staff to let a signed-in person join an organisation in a role (a first
    organisation, or another one: a shared-service officer works for two councils)."""
    if Membership.objects.filter(user=actor, organisation=organisation).exists():
        raise DomainError(
            f"You already belong to {organisation.name}.", status=409, code="conflict"
        )
    _check_role(
        organisation, role, "Choose the organisation you work for and the role you have there."
    )
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
    notify(
        recipient_ids=selectors.institute_staff_ids(),
        kind="membership_request",
        key=f"membership_request:{request.pk}",
        title=f"{actor.email} asks to join {organisation.name} as a {Role(role).label.lower()}",
        body=reason[:500],
        url=reverse("institute:membership_request_decide", args=[request.pk]),
        exclude_user_id=actor.pk,
    )
    return request


@transaction.atomic
def membership_primary_set(*, actor: User, organisation_slug: str) -> Membership:
    """Make one of the actor's own memberships their primary one (what they act as when they
    have not chosen another for the session)."""
    membership = access.membership_for_acting(actor, organisation_slug)
    if not membership.is_primary:
        Membership.objects.filter(user=actor, is_primary=True).update(is_primary=False)
        membership.is_primary = True
        membership.save(update_fields=["is_primary"])
        audit_record(actor=actor, verb="membership.primary_set", target=membership)
    actor._state.fields_cache.pop("memberships_all", None)
    return membership


@transaction.atomic
def membership_add(*, actor: User, organisation: Organisation, email: str, role: str) -> Membership:
    """Institute staff add someone who has an account to an organisation in a role, beside the
    organisations they belong to already (their first becomes their primary one). They are
    told, and it is in the audit trail."""
    access.require(access.can_manage_memberships(actor), "Only institute staff manage memberships.")
    _check_role(organisation, role, "Choose a role people have there.")
    email = " ".join((email or "").split())
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None:
        raise DomainError(
            "No one has an account with this e-mail address. They need to sign up first "
            "(or ask to join from their account page).",
            field="email",
        )
    held = list(Membership.objects.select_for_update().filter(user=user))
    if any(m.organisation_id == organisation.pk for m in held):
        raise DomainError(
            f"{user.email} already belongs to {organisation.name}.",
            field="email",
            status=409,
            code="conflict",
        )
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, approved_by=actor, is_primary=not held
    )
    audit_record(
        actor=actor,
        verb="membership.added",
        target=organisation,
        data={"membership": membership.pk, "user": user.pk, "email": user.email, "role": role},
    )
    notify(
        recipient_ids=[user.pk],
        kind="membership_decided",
        key=f"membership:{membership.pk}:added",
        title=f"You have been added to {organisation.name} as a {Role(role).label.lower()}",
        body=f"{actor} added you. Choose which organisation you act as on your account page.",
        url=reverse("institute:account"),
        exclude_user_id=actor.pk,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Institute staff take someone off an organisation that is not their primary one (a
    person always keeps one: they make another primary first). They are told, and it is in
    the audit trail; a session acting as it goes back to the primary."""
    access.require(access.can_manage_memberships(actor), "Only institute staff manage memberships.")
    locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if locked is None:
        raise DomainError("This membership has already been removed.", status=409, code="conflict")
    if locked.is_primary:
        raise DomainError(
            f"{membership.organisation.name} is {membership.user.email}'s primary organisation, "
            "so it cannot be removed. They can make another of their organisations primary on "
            "their account page first.",
            status=409,
            code="conflict",
        )
    locked.delete()
    audit_record(
        actor=actor,
        verb="membership.removed",
        target=membership.organisation,
        data={
            "membership": membership.pk,
            "user": membership.user_id,
            "email": membership.user.email,
            "role": membership.role,
        },
    )
    notify(
        recipient_ids=[membership.user_id],
        kind="membership_decided",
        key=f"membership:{membership.pk}:removed",
        title=f"You no longer belong to {membership.organisation.name}",
        body=f"{actor} took you off it. Your other organisations are as they were.",
        url=reverse("institute:account"),
        exclude_user_id=actor.pk,
    )


def _tell_requester(request: MembershipRequest, organisation_name: str) -> None:
    """The person who asked hears the decision (in-app, and by e-mail as they prefer)."""
    if request.status == MembershipRequest.Status.APPROVED:
        title = f"You have joined {organisation_name}"
        body = f"Your request was approved. {request.decision_note}".strip()
    else:
        title = f"Your request to join {organisation_name} was turned down"
        body = request.decision_note
    notify(
        recipient_ids=[request.user_id],
        kind="membership_decided",
        key=f"membership_request:{request.pk}:decided",
        title=title,
        body=body,
        url=reverse("institute:account"),
    )


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
    """Approve a request: the person joins the organisation in the role they asked for, beside
    any organisation they already belong to (their first membership is their primary one)."""
    request = _decidable(request, actor)
    held = Membership.objects.select_for_update().filter(user_id=request.user_id)
    if any(m.organisation_id == request.organisation_id for m in held):
        raise DomainError("This person already belongs to this organisation.", status=409)
    membership = Membership.objects.create(
        user_id=request.user_id,
        organisation_id=request.organisation_id,
        role=request.role,
        approved_by=actor,
        is_primary=not held,
    )
    request.status = MembershipRequest.Status.APPROVED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit_record(actor=actor, verb="membership_request.approved", target=request, note=note)
    _tell_requester(request, membership.organisation.name)
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
    _tell_requester(request, request.organisation.name)
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


def user_home_seen(*, actor: User):
    """Record that the person opened their home page now; returns when they last did before
    (None: never), so the page can mark what changed since."""
    previous = actor.home_seen_at
    actor.home_seen_at = timezone.now()
    User.objects.filter(pk=actor.pk).update(home_seen_at=actor.home_seen_at)
    return previous


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


@transaction.atomic
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
    """Record one notification per recipient for an event; repeats of the same key are ignored.
    Each person's preferences decide, in the same transaction, whether it is e-mailed now, in a
    digest or not at all (`digests.notifications_email`)."""
    ids = {pk for pk in recipient_ids if pk and pk != exclude_user_id}
    rows = [
        Notification(recipient_id=pk, kind=kind, key=key, title=title[:300], url=url, body=body)
        for pk in sorted(ids)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if ids:
        digests.notifications_email(
            Notification.objects.filter(recipient_id__in=ids, key=key).values_list("pk", flat=True)
        )
    if ids:  # the header must not show a count from before these
        transaction.on_commit(lambda: _forget_unread_counts(ids))
    return len(rows)
