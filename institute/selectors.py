"""Reads in the core domain, built once with the joins each page needs."""

import importlib

from django.db.models import Q

from institute.models import MembershipRequest, Organisation, OrganisationKind


def organisation_list_for_directory(
    *,
    q: str = "",
    region: str = "",
    council_type: str = "",
    strategic_authority: str = "",
    kind: str = "",
):
    """Current organisations for the public directory, filtered; councils first by name."""
    qs = Organisation.objects.current().select_related("strategic_authority", "parent_county")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(gss_code__iexact=q))
    if region:
        qs = qs.filter(region=region)
    if council_type:
        qs = qs.filter(council_type=council_type)
    if strategic_authority:
        qs = qs.filter(strategic_authority__slug=strategic_authority)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name")


# Apps that add a section to the organisation page, in page order. Each provides
# `selectors.organisation_section(organisation, user) -> dict | None` and renders it with the
# template `<app>/_organisation_section.html` (None: nothing to show).
ORGANISATION_SECTION_APPS = ["backlog", "components", "standards", "centres"]


def organisation_sections(organisation, user) -> list[dict]:
    """What each app shows about an organisation, respecting that app's visibility rules."""
    sections = []
    for app in ORGANISATION_SECTION_APPS:
        module = importlib.import_module(f"{app}.selectors")
        section = getattr(module, "organisation_section", None)
        context = section(organisation, user) if section else None
        if context:
            sections.append({"template": f"{app}/_organisation_section.html", **context})
    return sections


def strategic_authority_choices():
    return list(
        Organisation.objects.current()
        .filter(kind=OrganisationKind.STRATEGIC_AUTHORITY)
        .order_by("name")
        .values_list("slug", "name")
    )


def organisation_related(organisation: Organisation) -> dict:
    """What an organisation page lists beside its own facts."""
    return {
        "constituents": list(
            organisation.constituent_councils.current().order_by("name").only("name", "slug")
        ),
        "districts": list(organisation.districts.current().order_by("name").only("name", "slug")),
        "predecessors": list(organisation.predecessors.order_by("name").only("name", "slug")),
        "member_count": organisation.memberships.count(),
    }


def membership_requests_pending():
    return (
        MembershipRequest.objects.filter(status=MembershipRequest.Status.PENDING)
        .select_related("user", "organisation")
        .order_by("created_at")
    )
