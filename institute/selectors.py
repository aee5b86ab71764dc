"""Reads in the core domain, built once with the joins each page needs."""

from collections import defaultdict

from django.db.models import Count, F, Q

from institute import fragments, registry
from institute.models import (
    Membership,
    MembershipRequest,
    Organisation,
    OrganisationKind,
    ServiceArea,
)


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


def organisation_sections(organisation, user) -> list[dict]:
    """What each app shows about an organisation (registered by the app, institute.registry),
    respecting that app's visibility rules."""
    return registry.sections_render("organisation", organisation, user)


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


# --- Shared vocabulary ---------------------------------------------------------------------------


def service_area_choices():
    """For the filters of several lists: cached until a service area changes."""
    return fragments.cached(
        "choices:service-areas",
        ("names",),
        lambda: list(ServiceArea.objects.order_by("name").values_list("slug", "name")),
    )


def service_area_names(relation, owners) -> dict[int, list[str]]:
    """The names of each owner's service areas, by owner id, through a many-to-many
    `relation` to ServiceArea (Problem.service_areas, Component.service_areas): one small
    query (a prefetch of ServiceArea rows costs a list page more than the page itself)."""
    names = dict(service_area_choices())
    owner = f"{relation.field.m2m_field_name()}_id"
    areas = defaultdict(list)
    through = relation.through.objects.filter(**{f"{owner}__in": [o.pk for o in owners]})
    for owner_id, slug in through.values_list(owner, "servicearea__slug"):
        areas[owner_id].append(names.get(slug, slug))
    return {pk: sorted(found) for pk, found in areas.items()}


# --- The sector's per-council figures (read by institute.sector) -------------------------------


def members_by_council(*, active_since):
    """Each organisation's members (`n`, active accounts only), and those who signed in since
    `active_since` (`active`)."""
    return (
        Membership.objects.filter(user__is_active=True)
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(user__last_login__gte=active_since)))
    )
