"""Who may do what. Every app's access.py builds on these role checks.

The rules are checked on the server for every write and every read of non-public data, here and
nowhere else, so that a reader finds each rule in one place.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from institute.errors import NotAllowed
from institute.models import (
    EmailDomain,
    Membership,
    MembershipRequest,
    Organisation,
    OrganisationKind,
    Role,
)

# Which kinds of organisation each role can belong to.
ROLE_ORGANISATION_KINDS = {
    Role.OFFICER: {OrganisationKind.COUNCIL},
    Role.CENTRE_STAFF: {OrganisationKind.CENTRE_HOST, OrganisationKind.STRATEGIC_AUTHORITY},
    Role.INSTITUTE_STAFF: {OrganisationKind.INSTITUTE},
    Role.SECTOR_VIEWER: {OrganisationKind.NATIONAL_BODY},
}


# The session key holding the organisation (slug) a person with several memberships acts as.
ACTING_SESSION_KEY = "acting_organisation"


def membership_of(user):
    """The membership the user acts as now, or None (anonymous, or signed in without an
    organisation yet): the one chosen for the session (membership_acting_set), else the
    primary. The one rule behind `user.membership`; votes, adoptions and assessments are done
    as its organisation."""
    if not user.is_authenticated:
        return None
    # Load membership and organisation together, once per user object (i.e. once a request;
    # the sign-in backend loads the primary one with the user).
    cache = user._state.fields_cache
    if "membership" not in cache:
        cache["membership"] = (
            Membership.objects.select_related("organisation")
            .filter(user=user)
            .order_by("-is_primary", "created_at")
            .first()
        )
    return cache["membership"]


def memberships_of(user) -> list:
    """All the user's memberships, the primary first, then by organisation name."""
    if not user.is_authenticated:
        return []
    cache = user._state.fields_cache
    if "memberships_all" not in cache:
        cache["memberships_all"] = list(
            Membership.objects.select_related("organisation")
            .filter(user=user)
            .order_by("-is_primary", "organisation__name")
        )
    return cache["memberships_all"]


def has_several_memberships(user) -> bool:
    """Whether the user belongs to more than one organisation: read from the count loaded with
    the signed-in user (institute.auth_backends), else asked."""
    if not user.is_authenticated:
        return False
    count = getattr(user, "membership_count", None)
    if count is None:
        count = len(memberships_of(user))
    return count > 1


def membership_for_acting(user, organisation_slug) -> Membership:
    """The user's own membership of the organisation with this slug, to act as it; NotAllowed
    for any other organisation (a forged form value, session or API header)."""
    membership = next(
        (m for m in memberships_of(user) if m.organisation.slug == organisation_slug), None
    )
    if membership is None:
        raise NotAllowed("You can only act as an organisation you belong to.")
    return membership


def membership_acting_set(user, organisation_slug) -> Membership:
    """Act as the chosen organisation from now on in this request (the page middleware and the
    API's token sign-in call it with the person's choice); NotAllowed as above."""
    current = user._state.fields_cache.get("membership")
    if current is not None and current.organisation.slug == organisation_slug:
        return current  # the primary, loaded with the user: no query
    membership = membership_for_acting(user, organisation_slug)
    user._state.fields_cache["membership"] = membership
    return membership


def role_of(user):
    membership = membership_of(user)
    return membership.role if membership else None


def is_institute_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or role_of(user) == Role.INSTITUTE_STAFF)


def needs_second_factor(user) -> bool:
    """Institute staff publish and change everyone's data: they must sign in with a second
    factor (institute.security.StaffMfaMiddleware). For everyone else it is optional."""
    return is_institute_staff(user)


def is_sector_viewer(user) -> bool:
    return role_of(user) == Role.SECTOR_VIEWER


def belongs_to_an_organisation(user) -> bool:
    """Signed in and a member of an organisation (institute staff always count). Someone signed
    in without one yet reads what the public reads and asks to join from their account page;
    they change nothing, through the pages or the API."""
    return is_institute_staff(user) or membership_of(user) is not None


NO_ORGANISATION_MESSAGE = (
    "Join your organisation before you do this: ask to join from your account page."
)


def is_read_only(user) -> bool:
    """Sector viewers (LGA, MHCLG, the Digital Centre) read the whole sector and change
    nothing in it: no problems, votes, comments, components, imports, adoptions, assessments,
    projects or learning, on pages or through the API. What is their own stays theirs to
    manage: their account and its second factor, API tokens (which act with the same rights),
    notifications and digests, following a problem, and reporting a comment to moderators."""
    return is_sector_viewer(user)


def can_contribute(user) -> bool:
    """Add to what the service shares (suggest a component, import one, register a repository):
    a member of an organisation whose role is not read-only. Roles with narrower rules (voting,
    assessing) say so below."""
    return belongs_to_an_organisation(user) and not is_read_only(user)


def contribute_refusal(user, action: str) -> str:
    """Why someone cannot `action` ("submit a component"), for a refusal's message."""
    if not user.is_authenticated:
        return f"Sign in to {action}."
    if not belongs_to_an_organisation(user):
        return NO_ORGANISATION_MESSAGE
    return f"Your organisation has read-only access, so you cannot {action}."


def can_participate(user) -> bool:
    """Submit, vote, comment and follow: council officers, centre staff and institute staff."""
    return is_institute_staff(user) or role_of(user) in {Role.OFFICER, Role.CENTRE_STAFF}


def is_council_officer(user, organisation: Organisation | None = None) -> bool:
    """An officer of a council (of this council, when one is given): who says "my council has
    this problem too", records the council's adoptions and self-assesses for it."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.is_council_officer
        and (organisation is None or membership.organisation_id == organisation.pk)
    )


def can_act_for_council(user, organisation: Organisation) -> bool:
    """Record adoption and self-assess for a council: only that council's own officers."""
    return is_council_officer(user, organisation)


def can_work_for_centre(user, organisation: Organisation) -> bool:
    """Run projects and draft learning for a centre's host organisation."""
    if is_institute_staff(user):
        return True
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role == Role.CENTRE_STAFF
        and membership.organisation_id == organisation.pk
    )


def can_curate(user) -> bool:
    """Triage, review, publish, moderate, manage people: institute staff only."""
    return is_institute_staff(user)


def can_view_sector_detail(user) -> bool:
    """Council-level dashboards and exports: sector viewers and institute staff."""
    return is_institute_staff(user) or is_sector_viewer(user)


def can_decide_membership_requests(user) -> bool:
    return is_institute_staff(user)


def can_manage_email_domains(user) -> bool:
    """Add, remove and import organisations' e-mail domains: institute staff."""
    return is_institute_staff(user)


def require(allowed: bool, message: str | None = None):
    if not allowed:
        raise NotAllowed(message) if message else NotAllowed()


def organisation_get_for_user(user, slug: str, *, write: bool = False) -> Organisation:
    """Organisations are public to read; only institute staff change them."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("parent_county", "strategic_authority"),
        slug=slug,
    )
    if write and not can_curate(user):
        raise NotAllowed()
    return organisation


def email_domain_get_for_user(user, organisation: Organisation, pk: int):
    """One of an organisation's e-mail domains, for staff who manage them."""
    require(can_manage_email_domains(user))
    return get_object_or_404(
        EmailDomain.objects.select_related("organisation"), pk=pk, organisation=organisation
    )


def can_manage_memberships(user) -> bool:
    """Add people to organisations and take them off (not their primary one): institute staff."""
    return is_institute_staff(user)


def membership_get_for_user(user, organisation: Organisation, pk: int) -> Membership:
    """One of an organisation's memberships, for staff who manage them."""
    require(can_manage_memberships(user), "Only institute staff manage memberships.")
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=organisation,
    )


def membership_request_get_for_user(user, pk: int, *, write: bool = False):
    request = MembershipRequest.objects.select_related("user", "organisation").filter(pk=pk).first()
    if request is None:
        raise Http404
    if can_decide_membership_requests(user):
        return request
    if request.user_id == user.pk and not write:
        return request
    raise Http404
