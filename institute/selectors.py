"""Reads in the core domain, built once with the joins each page needs."""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, FilteredRelation, Min, Q
from django.utils import timezone

from institute import fragments, registry, search
from institute.errors import DomainError
from institute.fragments import Part, Parts
from institute.models import (
    AuditEvent,
    EmailDomain,
    Membership,
    MembershipRequest,
    Organisation,
    OrganisationKind,
    OutboxEmail,
    Role,
    ServiceArea,
    Succession,
)
from institute.urlcache import detail_url


def users_with_membership(users) -> list:
    """These users (a queryset), each with the membership it acts as by default (its primary)
    and that membership's organisation loaded in the same query."""
    found = list(
        users.annotate(
            primary_membership=FilteredRelation(
                "memberships", condition=Q(memberships__is_primary=True)
            )
        ).select_related("primary_membership__organisation")
    )
    for user in found:
        user._state.fields_cache["membership"] = getattr(user, "primary_membership", None)
    return found


def institute_staff_ids() -> list[int]:
    """The people who decide requests, review submissions and moderate: active institute staff."""
    return list(
        Membership.objects.filter(role=Role.INSTITUTE_STAFF, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
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


def organisation_page_parts(slug: str, user, sections) -> Parts:
    """An organisation page's cached parts (institute.fragments), by its address. Signed-in
    people see what they may do (confirm an adoption, see ratings): their page is built
    afresh. For visitors who are not signed in the whole page is the same, so it is cached
    whole ("visitor", with "row", the little of the organisation the view needs; one round trip
    to the cache for both): until the organisation's members or successions
    (`organisation:<slug>`) or any organisation's name change, or a version a section is built
    from ("demand", "components"...), or the clock changes what it shows (the page says what
    is current today; a section may say when it stops being true, `changes_at`: an adoption
    going stale)."""
    if user.is_authenticated:
        return Parts()
    own = fragments.ORGANISATION_VERSION.format(slug)
    depends = (own, "names", *(d for s in registry.sections("organisation") for d in s.depends))

    def until():
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        times = [s["changes_at"] for s in sections if s.get("changes_at")]
        return min([midnight + timedelta(days=1), *times])

    return Parts(
        row=Part(f"{own}:row", ("names",)),
        visitor=Part(f"{own}:visitor", tuple(dict.fromkeys(depends)), until),
    )


def strategic_authority_choices():
    return list(
        Organisation.objects.current()
        .filter(kind=OrganisationKind.STRATEGIC_AUTHORITY)
        .order_by("name")
        .values_list("slug", "name")
    )


def organisation_related(organisation: Organisation) -> dict:
    """What an organisation page lists beside its own facts: one query each, however many
    districts or constituent councils. (Through the reverse managers, each row would load its
    deferred key back to this organisation with a query of its own: 12 for Kent's districts.)"""
    names = Organisation.objects.order_by("name").only("name", "slug")
    return {
        "constituents": list(names.current().filter(strategic_authority=organisation)),
        "districts": list(names.current().filter(parent_county=organisation)),
        "successions_in": list(
            organisation.successions_in.select_related("predecessor").order_by(
                "date", "predecessor__name"
            )
        ),
        "successions_out": list(
            organisation.successions_out.select_related("successor").order_by(
                "date", "successor__name"
            )
        ),
        "member_count": organisation.memberships.count(),
    }


def organisation_members(organisation: Organisation):
    """The people of an organisation with their role, by e-mail address (for staff)."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "approved_by")
        .order_by("user__email", "pk")
    )


MEMBERSHIP_VERBS = {"membership.added": "Added", "membership.removed": "Removed"}


def membership_history(organisation: Organisation):
    """Who added people to the organisation and took them off, newest first (the audit trail)."""
    return audit_trail(organisation, verbs=MEMBERSHIP_VERBS).reverse()


def membership_requests_pending():
    return (
        MembershipRequest.objects.filter(status=MembershipRequest.Status.PENDING)
        .select_related("user", "organisation")
        .order_by("created_at")
    )


def count_and_oldest(queryset, field: str = "created_at") -> tuple[int, object]:
    """How many rows, and the earliest `field` among them: one query, for a line of the
    work-waiting list."""
    row = queryset.order_by().aggregate(count=Count("pk"), oldest=Min(field))
    return row["count"], row["oldest"]


def membership_requests_waiting():
    """Requests to join waiting for institute staff, for their work-waiting list."""
    return count_and_oldest(membership_requests_pending())


def failed_emails_waiting():
    """E-mails the outbox gave up on, for institute staff to send again or put right."""
    return count_and_oldest(OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED))


def work_waiting(user) -> list[dict]:
    """Institute staff's work-waiting list: each registered line with its count and oldest item
    (one query a line, whatever is waiting)."""
    rows = []
    for entry in registry.work_waiting_entries():
        count, oldest = entry.count()
        rows.append(
            {
                "label": entry.label,
                "url": entry.url,
                "query": entry.query,
                "count": count,
                "oldest": oldest,
            }
        )
    return rows


def home_sections(role: str, home, user) -> list[dict]:
    """The sections the apps add to a role's home page (`registry.section("home:<role>")`)."""
    return registry.sections_render(f"home:{role}", home, user)


# --- Shared vocabulary ---------------------------------------------------------------------------


def _service_areas() -> list[tuple[str, str, int]]:
    """(slug, name, id) of every service area by name: cached until a service area changes."""
    return fragments.cached(
        "choices:service-areas:ids",
        ("names",),
        lambda: list(ServiceArea.objects.order_by("name").values_list("slug", "name", "id")),
    )


def service_area_choices():
    """For the filters of several lists: (slug, name) pairs."""
    return [(slug, name) for slug, name, _ in _service_areas()]


def service_area_id(slug: str) -> int | None:
    """The id of the service area with this slug (None if there is none), without a query
    once cached: a list filters on ids kept beside its rows (Problem.service_area_ids)."""
    return next((pk for found, _, pk in _service_areas() if found == slug), None)


def service_area_vocabulary() -> dict[int, tuple[int, str, str]]:
    """(place in name order, slug, name) of each service area, by id: read it once for a list
    whose rows are named one at a time (an export), and give it to `service_area_names`."""
    return {pk: (i, slug, name) for i, (slug, name, pk) in enumerate(_service_areas())}


def _service_areas_of(owners, part: int, vocabulary=None) -> dict[int, list[str]]:
    areas = vocabulary if vocabulary is not None else service_area_vocabulary()
    found = {}
    for owner in owners:
        # An id no longer in the vocabulary (deleted since the row was read) is left out.
        known = sorted(areas[pk] for pk in owner.service_area_ids if pk in areas)
        if known:
            found[owner.pk] = [area[part] for area in known]
    return found


def service_area_names(owners, vocabulary=None) -> dict[int, list[str]]:
    """The names of each owner's service areas, in name order, by owner id, without a query:
    from the ids kept beside each row (`institute.models.service_area_ids_field`, which the
    rows must have been read with) and the cached vocabulary (read from the cache once per
    call, so name a page's rows in one call, or pass `service_area_vocabulary()`)."""
    return _service_areas_of(owners, 2, vocabulary)


def service_area_slugs(owners, vocabulary=None) -> dict[int, list[str]]:
    """As `service_area_names`, the slugs (in the order of the names), for the API."""
    return _service_areas_of(owners, 1, vocabulary)


def service_area_names_of(owner, names_by_owner=None) -> tuple[str, ...]:
    """One row's service area names for a list's row: from `service_area_names`' answer when
    the list has one, else the row's own (prefetched) areas."""
    if names_by_owner is not None:
        return tuple(names_by_owner.get(owner.pk, []))
    return tuple(area.name for area in owner.service_areas.all())


# --- The sector's per-council figures (read by institute.sector) -------------------------------


def organisation_heirs_sql(on) -> tuple[str, list]:
    """SQL for the pairs (`org`, `heir`): each organisation that has closed by `on` and the
    organisations existing on `on` that carry its figures, through every succession dated on
    or before `on` (a chain of them too). From its date a succession passes the predecessor's
    figures to each successor (Surrey County's to both East and West Surrey); before it they
    stay with the predecessor. The one rule for the sector's figures."""
    successions = Succession._meta.db_table
    current_sql, current_params = (
        Organisation.objects.current(on).values("id").query.sql_with_params()
    )
    sql = (
        f"WITH RECURSIVE chain(org, heir) AS ("  # noqa: S608 (constant SQL, values are parameters)
        f"SELECT s.predecessor_id, s.successor_id FROM {successions} s WHERE s.date <= %s "
        f"UNION SELECT c.org, s.successor_id FROM chain c JOIN {successions} s "
        "ON s.predecessor_id = c.heir WHERE s.date <= %s) "
        f"SELECT DISTINCT c.org, c.heir FROM chain c WHERE c.heir IN ({current_sql}) "
        f"AND c.org NOT IN ({current_sql})"
    )
    return sql, [on, on, *current_params, *current_params]


def organisation_holders_sql(on) -> tuple[str, list]:
    """SQL for the pairs (`org`, `holder`): who holds each organisation's figures on `on`. An
    organisation existing on `on` holds its own; one that has closed by then is held by each
    of its heirs (`organisation_heirs_sql`, the one rule); one that closed without heirs by
    nobody. Join a source's council column to `org` and count distinct `holder`s, and a heir
    counts a thing once though it and its predecessors all had it."""
    heirs_sql, heirs_params = organisation_heirs_sql(on)
    current_sql, current_params = (
        Organisation.objects.current(on).values("id").query.sql_with_params()
    )
    sql = (
        f"SELECT cur.id AS org, cur.id AS holder FROM ({current_sql}) cur "  # noqa: S608
        f"UNION ALL SELECT h.org, h.heir FROM ({heirs_sql}) h"
    )
    return sql, [*current_params, *heirs_params]


@dataclass(frozen=True)
class Heir:
    """A current organisation that carries the figures of one that closed."""

    pk: int
    name: str
    slug: str

    def get_absolute_url(self):
        return detail_url("institute:organisation_detail", "slug", self.slug)


def organisation_heirs(org_ids, on) -> dict[int, list[Heir]]:
    """For each of these organisations that has closed by `on`, the organisations that carry
    its figures on `on` (by name), by the same rule: one query."""
    org_ids = list(org_ids)
    if not org_ids:
        return {}
    heirs_sql, params = organisation_heirs_sql(on)
    table = Organisation._meta.db_table
    found: dict[int, list[Heir]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.org, o.id, o.name, o.slug FROM ({heirs_sql}) h "  # noqa: S608
            f"JOIN {table} o ON o.id = h.heir WHERE h.org = ANY(%s) ORDER BY o.name, o.id",
            [*params, org_ids],
        )
        for org, *heir in cursor.fetchall():
            found[org].append(Heir(*heir))
    return dict(found)


def members_by_council(*, active_since):
    """Each organisation's members (`n`, active accounts only), and those who signed in since
    `active_since` (`active`)."""
    return (
        Membership.objects.filter(user__is_active=True)
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(user__last_login__gte=active_since)))
    )


# --- E-mail domains ----------------------------------------------------------------------------

EMAIL_DOMAIN_VERBS = {"email_domain.added": "Added", "email_domain.removed": "Removed"}


def email_domain_history(organisation: Organisation):
    """Who added and removed an organisation's e-mail domains, newest first (the audit trail)."""
    return audit_trail(organisation, verbs=EMAIL_DOMAIN_VERBS).reverse()


def audit_trail(target, *, verbs=None):
    """What was done to one row, and by whom, oldest first (the audit trail)."""
    events = AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    )
    if verbs is not None:
        events = events.filter(verb__in=list(verbs))
    return events.select_related("actor").order_by("created_at", "id")


IMPORT_MAX_LINES = 5000
_GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
_HEADER_NAMES = {"gss_code", "gss code", "gss", "code", "ons gss code"}


@dataclass
class DomainImportRow:
    line: int
    gss_code: str
    domain: str
    organisation: Organisation
    status: str  # "add" or "already" (the council has it: nothing to do)


@dataclass
class DomainImportPlan:
    rows: list[DomainImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "Line 4: ...", in line order

    @property
    def to_add(self) -> list[DomainImportRow]:
        return [row for row in self.rows if row.status == "add"]


def email_domains_import_plan(text: str) -> DomainImportPlan:
    """What importing a CSV file of (GSS code, domain) lines would do, line by line, and every
    line's problem: an unknown or former council, a malformed domain, a domain another
    organisation has or that the file gives to two councils. Reads only."""
    from institute.services import email_domain_normalise  # services import this module

    plan = DomainImportPlan()
    if "\x00" in text:
        plan.errors.append("The file is not a CSV text file")
        return plan
    lines = []
    for number, values in enumerate(csv.reader(text.splitlines()), start=1):
        values = [value.strip() for value in values]
        while values and not values[-1]:
            values.pop()
        if not values:
            continue
        if not lines and values[0].lower() in _HEADER_NAMES:
            continue  # a heading line
        if len(lines) >= IMPORT_MAX_LINES:
            plan.errors.append(f"The file has more than {IMPORT_MAX_LINES} lines: split it")
            return plan
        lines.append((number, values))
    if not lines:
        plan.errors.append("The file has no lines of GSS code and domain")
        return plan
    codes = {values[0].upper() for _, values in lines}
    councils = {
        org.gss_code: org
        for org in Organisation.objects.current().councils().filter(gss_code__in=codes)
    }
    parsed = []
    for number, values in lines:
        if len(values) != 2:
            plan.errors.append(
                f"Line {number}: expected 2 values, a GSS code and a domain, "
                f"but found {len(values)}"
            )
            continue
        code, raw_domain = values[0].upper(), values[1]
        problems = []
        organisation = councils.get(code)
        if not _GSS_CODE.match(code):
            problems.append(f"{values[0]!r} is not a GSS code (like E08000035)")
        elif organisation is None:
            problems.append(f"no current council has the GSS code {code}")
        try:
            domain = email_domain_normalise(raw_domain)
        except DomainError as error:
            problems.append(f"{raw_domain!r}: {error.message[0].lower()}{error.message[1:]}")
            domain = None
        if problems:
            plan.errors.append(f"Line {number}: {'; '.join(problems)}")
            continue
        parsed.append((number, code, domain, organisation))
    held = {
        row.domain: row.organisation
        for row in EmailDomain.objects.select_related("organisation").filter(
            domain__in=[domain for _, _, domain, _ in parsed]
        )
    }
    first_line = {}
    for number, code, domain, organisation in parsed:
        holder = held.get(domain)
        seen = first_line.get(domain)
        if holder is not None and holder.pk != organisation.pk:
            plan.errors.append(f"Line {number}: {domain} already belongs to {holder.name}")
        elif seen is not None and seen[1].pk != organisation.pk:
            plan.errors.append(
                f"Line {number}: {domain} is also on line {seen[0]}, for {seen[1].name}"
            )
        elif seen is None:
            first_line[domain] = (number, organisation)
            status = "already" if holder is not None else "add"
            plan.rows.append(DomainImportRow(number, code, domain, organisation, status))
    plan.errors.sort(key=lambda message: _line_of(message))
    return plan


def _line_of(message: str) -> int:
    found = re.match(r"Line (\d+):", message)
    return int(found.group(1)) if found else 0


def organisation_search_rows(*, terms):
    """Organisations for the service search."""
    return search.ranked(
        Organisation.objects.all(),
        terms=terms,
        vector="search_vector",
        title="name",
        summary="description",
        key="slug",
    )


def organisation_search_url(key: str) -> str:
    return detail_url("institute:organisation_detail", "slug", key)
