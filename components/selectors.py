"""Reads of the components library, each built once with the joins its page needs."""

import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    TextField,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.functional import SimpleLazyObject as lazy

from backlog.models import Status
from components import access
from components.models import (
    ACTIVE_STAGES,
    REMIND_BEFORE,
    STALE_AFTER,
    Adoption,
    AdoptionChange,
    Component,
    ComponentChange,
    ComponentEvent,
    ComponentProblem,
    FetchResult,
    HarvestFetch,
    HarvestSource,
    ReviewStatus,
    SourceStatus,
    Stage,
    counted_q,
    stale_q,
)
from components.publiccode import publiccode_refusal
from institute import access as core_access
from institute import fragments, search
from institute import selectors as core_selectors
from institute.fragments import Part, Parts
from institute.models import SEARCH_CONFIG, ChangeStatus
from institute.pagination import counted_under
from institute.selectors import count_and_oldest
from institute.urlcache import detail_url

SORTS = {
    "using": ("Most councils using it", ["-using_count", "-adopting_count", "name", "id"]),
    "newest": ("Newest", ["-published_at", "-id"]),
    "name": ("Name", ["name", "id"]),
}
DEFAULT_SORT = "using"
ORIGINS = {
    "harvested": "Harvested from publiccode.yml",
    "hand": "Entered by hand",
    "failing": "Harvest source failing",
}


@dataclass
class ComponentFilters:
    q: str = ""
    kind: str = ""
    maturity: str = ""
    service_area: str = ""
    theme: str = ""
    licence: str = ""
    open_licence: str = ""  # "yes", "no" or ""
    cost_model: str = ""
    hosting: str = ""
    origin: str = ""  # ORIGINS: harvested, by hand, or from a failing source
    sort: str = ""

    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__ if name != "sort")


# What a row of the catalogue page shows (`components_tags.component_summary`), and every
# sort's columns (a cursor is made from the page's last row).
ROW_FIELDS = [
    "public_id", "name", "summary", "kind", "maturity", "licence", "cost_model", "hosting",
    "maintainer__name", "maintainer_name", "using_count", "adopting_count", "published_at",
    "service_area_ids",
]  # fmt: skip


def component_list(
    filters: ComponentFilters, *, status: str = ReviewStatus.PUBLISHED, rows: bool = False
):
    """The catalogue, filtered and sorted, with the maintainer loaded (the service areas are
    the ids beside each row: `institute.selectors.service_area_names`); with `rows`, only
    what the page's rows show (ROW_FIELDS). Its count is kept until a write in the catalogue
    (any of its rows, which its filters read) or a change of a name (a service area's slug)."""
    # Lists never show the description or the search vector: leave the wide columns behind.
    qs = (
        Component.objects.filter(status=status)
        .select_related("maintainer")
        .defer("description", "description_html", "search_vector")
    )
    for name in ("kind", "maturity", "theme", "cost_model", "hosting"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.licence:
        qs = qs.filter(licence__iexact=filters.licence)
    if filters.open_licence in {"yes", "no"}:
        qs = qs.filter(licence_open=filters.open_licence == "yes")
    if filters.service_area:
        # The component_service_area_ids index (an unknown slug matches nothing).
        area = core_selectors.service_area_id(filters.service_area)
        qs = qs.filter(service_area_ids__contains=[area]) if area else qs.none()
    if filters.origin in ORIGINS:
        sources = HarvestSource.objects.filter(component_id=OuterRef("pk"))
        if filters.origin == "harvested":
            qs = qs.filter(Exists(sources))
        elif filters.origin == "hand":
            qs = qs.filter(~Exists(sources))
        else:
            qs = qs.filter(Exists(sources.filter(status=SourceStatus.FAILING)))
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]
    if filters.q:
        query = SearchQuery(filters.q, search_type="websearch", config=SEARCH_CONFIG)
        qs = qs.filter(search_vector=query)
        if not filters.sort:
            qs = qs.annotate(rank=SearchRank(F("search_vector"), query))
            order = ["-rank", "-using_count", "id"]
    qs = qs.order_by(*order)
    if rows:
        qs = qs.only(*ROW_FIELDS)
    return counted_under(qs, f"components:{status}", filters, "components", "names")


def review_queue():
    return (
        Component.objects.filter(
            status__in=[ReviewStatus.IN_REVIEW, ReviewStatus.CHANGES_REQUESTED]
        )
        .select_related("submitted_by", "submitted_for")
        .order_by("status", "updated_at", "id")
    )


def components_submitted_by(user):
    return (
        Component.objects.filter(submitted_by=user)
        .select_related("submitted_for")
        .order_by("-created_at", "-id")
    )


def licence_choices():
    """Licences in use in the published catalogue, for the filter: cached until a component
    changes."""

    def licences():
        return [
            (licence, licence)
            for licence in Component.objects.filter(status=ReviewStatus.PUBLISHED)
            .exclude(licence="")
            .order_by("licence")
            .values_list("licence", flat=True)
            .distinct()[:100]
        ]

    return fragments.cached("choices:licences", ("components",), licences)


@dataclass
class AdoptionSummary:
    total: int  # councils with a current (not stale) adoption at an active stage
    by_stage: list  # [(label, count)]
    stale: int
    by_region: list  # [(label, count)]
    by_type: list  # [(label, count)]
    like_mine: list  # [Adoption] at councils of the viewer's type or region
    contacts: list  # [Adoption] whose officer agreed to be contacted (if the viewer may see)
    rows: list  # every adoption, councils by name
    changes_at: object = None  # when the next adoption goes stale (the figures change), or None


def adoption_summary(component: Component, user, *, now=None) -> AdoptionSummary:
    """Who uses a component: by stage, region and council type; councils like the viewer's."""
    now = now or timezone.now()
    rows = list(
        Adoption.objects.filter(component=component)
        .select_related("organisation", "contact")
        .order_by("organisation__name")
    )
    for row in rows:
        row.stale = row.is_stale(now)
    counted = [row for row in rows if row.is_counted(now)]
    stages = Counter(row.stage for row in counted)
    regions = Counter(row.organisation.get_region_display() or "Other" for row in counted)
    types = Counter(row.organisation.get_council_type_display() or "Other" for row in counted)
    membership = core_access.membership_of(user)
    like_mine = []
    if membership and membership.organisation.is_council:
        mine = membership.organisation
        like_mine = [
            row
            for row in counted
            if row.organisation_id != mine.pk
            and (
                row.organisation.council_type == mine.council_type
                or (mine.region and row.organisation.region == mine.region)
            )
        ]
    contacts = []
    if access.can_see_contacts(user):
        contacts = [
            row for row in counted if row.show_as_contact and row.contact and row.contact.is_active
        ]
    return AdoptionSummary(
        total=len(counted),
        by_stage=[(label, stages[value]) for value, label in Stage.choices if stages[value]],
        stale=sum(1 for row in rows if row.stale and row.stage in ACTIVE_STAGES),
        by_region=sorted(regions.items(), key=lambda item: (-item[1], item[0])),
        by_type=sorted(types.items(), key=lambda item: (-item[1], item[0])),
        like_mine=like_mine,
        contacts=contacts,
        rows=rows,
        changes_at=min((row.stale_at for row in rows if not row.stale), default=None),
    )


def component_page(component: Component, user) -> dict:
    """Everything the component page shows beyond its row: a fixed number of queries, each
    made only when the page renders it (parts served from the cache make none)."""

    summary = lazy(lambda: adoption_summary(component, user))

    def own_adoption():
        membership = core_access.membership_of(user)
        if membership is None or not access.can_record_adoption(user):
            return None
        return next(
            (row for row in summary.rows if row.organisation_id == membership.organisation_id),
            None,
        )

    def events():
        show_history = access.can_edit_component(user, component) or (
            user.is_authenticated and component.submitted_by_id == user.pk
        )
        if not show_history:
            return []
        return list(ComponentEvent.objects.filter(component=component).select_related("actor"))

    return {
        "service_areas": lazy(lambda: list(component.service_areas.order_by("name"))),
        "standards": lazy(lambda: list(component.standards.order_by("title"))),
        "problem_links": lazy(
            lambda: list(
                ComponentProblem.objects.filter(component=component)
                .select_related("problem")
                .order_by("problem__title")
            )
        ),
        "summary": summary,
        "own_adoption": lazy(own_adoption),
        "events": lazy(events),
        "export_refusal": lazy(lambda: publiccode_refusal(component)),
        "harvest_source": lazy(
            lambda: HarvestSource.objects.filter(component=component).order_by("pk").first()
        ),
        "last_change": lazy(lambda: component_last_change(component)),
    }


def component_last_change(component: Component) -> ComponentChange | None:
    """The latest reviewed change to a component's promises, for "Updated on … (what changed)"."""
    return (
        ComponentChange.objects.filter(component=component, status=ChangeStatus.PUBLISHED)
        .order_by("-decided_at", "-id")
        .first()
    )


def component_pending_change(component: Component) -> ComponentChange | None:
    """The change to this component's promises waiting for review, if any (one query)."""
    change = (
        ComponentChange.objects.filter(component=component, status=ChangeStatus.PENDING)
        .select_related("proposed_by")
        .first()
    )
    if change is not None:
        change.component = component
    return change


def component_changes_for_review():
    """Changes to published components waiting for institute staff, oldest first."""
    return (
        ComponentChange.objects.filter(status=ChangeStatus.PENDING)
        .select_related("component", "proposed_by")
        .order_by("proposed_at", "id")
    )


def component_page_parts(public_id, user, summary) -> Parts:
    """The component page's parts that are the same for every viewer, cached until a write
    that changes them (institute.fragments), or until an adoption goes stale: its usage, its
    details and its adopters. For visitors who are not signed in the whole page is the same,
    so it is cached whole, with the little of the row the view needs ("row")."""
    own = f"component:{public_id}"
    depends = (own, "names", "problem-titles", "standard-titles")

    def until():
        return summary.changes_at  # the summary was computed to render the part

    parts = {
        "usage": Part(f"{own}:usage", depends, until),
        "details": Part(f"{own}:details", depends),
        "adopters": Part(f"{own}:adopters", depends, until),
    }
    if not user.is_authenticated:
        parts["row"] = Part(f"{own}:row", (own,))
        parts["visitor"] = Part(f"{own}:visitor", depends, until)
    return Parts(**parts)


def adoption_files_attach(user, adoptions) -> bool:
    """Give each adoption its documents as `files` (in upload order) when the user may see them
    (access.can_view_adoption_files), else None: one query for the whole list, none when the
    user may see none. Each adoption's organisation should be loaded (or set) already. True
    when the user may see the documents of any of them."""
    rows = list(adoptions)
    visible = [row for row in rows if access.can_view_adoption_files(user, row)]
    for row in rows:
        row.files = None
    if not visible:
        return False
    links = (
        Adoption.evidence_files.through.objects.filter(adoption__in=[row.pk for row in visible])
        .select_related("evidencefile")
        .order_by("evidencefile__uploaded_at", "evidencefile_id")
    )
    by_adoption = {row.pk: [] for row in visible}
    for link in links:
        by_adoption[link.adoption_id].append(link.evidencefile)
    for row in visible:
        row.files = by_adoption[row.pk]
    return True


def component_adoption_files(component: Component, user) -> list[Adoption]:
    """The adoptions of a component that have documents the user may see, councils by name,
    each with its `files` in upload order: one query (none for a visitor, who may see none)."""
    if not user.is_authenticated:
        return []
    links = (
        Adoption.evidence_files.through.objects.filter(adoption__component=component)
        .select_related("adoption__organisation", "evidencefile")
        .order_by("adoption__organisation__name", "adoption_id", "evidencefile__uploaded_at")
    )
    adoptions = {}
    for link in links:
        adoption = adoptions.setdefault(link.adoption_id, link.adoption)
        adoption.__dict__.setdefault("files", []).append(link.evidencefile)
    return [row for row in adoptions.values() if access.can_view_adoption_files(user, row)]


def adoption_history(adoption: Adoption):
    return list(AdoptionChange.objects.filter(adoption=adoption).select_related("actor"))


# Adoptions in the order people read them (the CSV export, open data), and in the order of the
# table's unique index (the API, which is paged through by programs): a page of the API's list,
# at any depth, starts in that index (institute.pagination.Keyset), where the names' order
# across two joins must be sorted each time.
BY_NAME = ("component__name", "organisation__name", "id")
BY_ID = ("component_id", "organisation_id", "id")


def adoption_list(
    *, component=None, organisation=None, published_only=True, order=BY_NAME, columns=()
):
    """Adoption rows for the API (`order=BY_ID`) and the CSV (by component, then council name);
    with `columns`, only those (the adoption's, and the component's and council's through
    `component__name` and the like), not every column of all three rows."""
    qs = Adoption.objects.select_related("component", "organisation")
    if columns:
        qs = qs.only(*columns)
    if published_only:
        qs = qs.filter(component__status=ReviewStatus.PUBLISHED)
    if component is not None:
        qs = qs.filter(component=component)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    filters = (component and component.pk, organisation and organisation.pk, published_only)
    return counted_under(qs.order_by(*order), "adoptions", filters, "components", "names")


def adoption_list_for_export(now=None):
    """adoption_list for the CSV export and open data, which read values, not model instances:
    with each row's `stale` (Adoption.is_stale, in SQL), and as ISO text the component's id
    (`id_text`), `since_text` and the day of the last confirmation in the service's time zone
    (`confirmed_on`): PostgreSQL writes them faster than Python parses and prints them (a third
    of the 300,000-row export's time)."""
    return adoption_list().annotate(
        stale=ExpressionWrapper(stale_q(now), output_field=BooleanField()),
        id_text=Cast("component__public_id", TextField()),
        since_text=Cast("since", TextField()),
        confirmed_on=Cast(
            TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()), TextField()
        ),
    )


# How many of a council's adoptions its organisation page and profile list; the rest are on
# the council's own paginated list (a large council has recorded ~1,000).
SECTION_ADOPTIONS = 10


def council_adoptions(organisation):
    """A council's adoptions of published components, by component name, with only the columns
    a list shows (the component's name and address, not its description)."""
    return (
        Adoption.objects.filter(organisation=organisation, component__status=ReviewStatus.PUBLISHED)
        .select_related("component")
        .only(
            "pk",
            "stage",
            "since",
            "confirmed_at",
            "organisation_id",
            "component__name",
            "component__public_id",
        )
        .order_by("component__name", "pk")
    )


def council_adoption_counts(organisation, now=None) -> dict:
    """How many published components a council has recorded, at each stage, and how many of
    those not retired are stale; and when the next of them goes stale (`changes_at`, None if
    none will), after which these figures are not true any more: one query."""
    stale = stale_q(now) & ~Q(stage=Stage.RETIRED)
    counts = (
        Adoption.objects.filter(organisation=organisation, component__status=ReviewStatus.PUBLISHED)
        .order_by()
        .aggregate(
            total=Count("pk"),
            stale=Count("pk", filter=stale),
            next_confirmed=Min("confirmed_at", filter=~stale_q(now)),
            **{stage: Count("pk", filter=Q(stage=stage)) for stage in Stage.values},
        )
    )
    confirmed = counts.pop("next_confirmed")
    counts["changes_at"] = confirmed + STALE_AFTER if confirmed else None
    counts["stages"] = [(label, counts[value]) for value, label in Stage.choices if counts[value]]
    return counts


def adoptions_mark_stale(adoptions, now=None) -> list:
    rows = list(adoptions)
    now = now or timezone.now()
    for row in rows:
        row.stale = row.is_stale(now)
    return rows


def organisation_section(organisation, user) -> dict | None:
    """The organisation page's section: how many components the council has recorded at each
    stage and the most recently adopted few, with a link to them all (two queries, whatever
    the council has recorded)."""
    if not organisation.is_council:
        return None
    counts = council_adoption_counts(organisation)
    if not counts["total"]:
        return None
    latest = council_adoptions(organisation).order_by("-since", "component__name", "pk")
    adoptions = adoptions_mark_stale(latest[:SECTION_ADOPTIONS])
    for adoption in adoptions:
        adoption.organisation = organisation
    return {
        "adoptions": adoptions,
        "show_files": adoption_files_attach(user, adoptions),
        "counts": counts,
        "more": counts["total"] > SECTION_ADOPTIONS,
        "can_record": core_access.can_act_for_council(user, organisation),
        "changes_at": counts["changes_at"],  # a page that caches the section (the clock)
    }


def problem_section(problem, user) -> dict | None:
    """The problem page's section: components that address the problem."""
    links = ComponentProblem.objects.filter(problem=problem).select_related("component")
    if not access.can_review(user):
        q = Q(component__status=ReviewStatus.PUBLISHED)
        if user.is_authenticated:
            q |= Q(component__submitted_by=user)
        links = links.filter(q)
    components = [link.component for link in links.order_by("-component__using_count", "id")]
    if not components:
        return None
    return {
        "components": components,
        "solved": problem.status == Status.SOLVED,
    }


# --- Harvest sources -----------------------------------------------------------------------------


def sources_for_user(user):
    """The sources a user registered; every source for institute staff."""
    qs = HarvestSource.objects.select_related("component", "organisation", "listing").annotate(
        repository_count=Count("repositories")
    )
    if not access.can_review(user):
        qs = qs.filter(registered_by=user)
    return qs.order_by("status", "url", "pk")


def source_fetches(source, limit: int = 50):
    """A source's fetch history, newest first."""
    return list(HarvestFetch.objects.filter(source=source).select_related("decided_by")[:limit])


def proposals_pending():
    """Changes harvested from publiccode.yml waiting for staff, oldest first."""
    return (
        HarvestFetch.objects.filter(result=FetchResult.PROPOSED, decision="")
        .select_related("source__component")
        .order_by("created_at", "pk")
    )


# --- Cached page parts ---------------------------------------------------------------------------


def cache_versions_of_components(ids, component=None) -> list[str]:
    """The cached-part versions of these components' pages (institute.fragments): a component's
    pages are found by its public id, and so are their versions."""
    if component is not None:
        public_ids = [component.public_id]
    else:
        public_ids = Component.objects.filter(pk__in=list(ids)).values_list("public_id", flat=True)
    return [f"component:{public_id}" for public_id in public_ids]


def cache_versions_of_row(row) -> list[str]:
    """The versions a row about one component (an adoption, a link) changes."""
    cached = type(row).component.is_cached(row)
    return cache_versions_of_components([row.component_id], row.component if cached else None)


# --- For other apps that link to components ----------------------------------------------------


def components_to_link(selected=()):
    """Published components, and any linked before that has since left the library."""
    return Component.objects.filter(
        Q(status=ReviewStatus.PUBLISHED) | Q(pk__in=[c.pk for c in selected])
    ).order_by("name")


def published_components_by_name(names) -> dict[str, Component]:
    published = Component.objects.filter(status=ReviewStatus.PUBLISHED, name__in=list(names))
    return {c.name: c for c in published}


def published_components_by_public_id(public_ids) -> dict:
    """Published components by public id; others are missing from the result."""
    published = Component.objects.filter(
        status=ReviewStatus.PUBLISHED, public_id__in=list(public_ids)
    )
    return {c.public_id: c for c in published}


def components_to_link_by_slug(slugs, selected=()) -> dict[str, Component]:
    """The components of components_to_link(selected) with these slugs. Any other (someone's
    draft, a rejected suggestion) is missing, exactly like a slug nobody uses: an error must not
    reveal that it exists or what it is called."""
    return {c.slug: c for c in components_to_link(selected).filter(slug__in=list(slugs))}


# --- The sector's per-council figures (read by institute.sector) -------------------------------


def adoptions_by_council(now):
    """Each council's adoptions of published components at `now`: counted ones by stage, the
    retired, the stale (not retired, not confirmed for 12 months) and which components it
    counts (`ids`). Stale and counted are `stale_q` and `counted_q`: the one rule."""
    unpublished = Component.objects.filter(pk=OuterRef("component_id")).exclude(
        status=ReviewStatus.PUBLISHED
    )
    counted = counted_q(now)
    return (
        Adoption.objects.filter(~Exists(unpublished))
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(
            exploring=Count("pk", filter=counted & Q(stage=Stage.EXPLORING)),
            piloting=Count("pk", filter=counted & Q(stage=Stage.PILOTING)),
            in_use=Count("pk", filter=counted & Q(stage=Stage.IN_USE)),
            retired=Count("pk", filter=Q(stage=Stage.RETIRED)),
            stale=Count("pk", filter=Q(stage__in=ACTIVE_STAGES) & stale_q(now)),
            ids=ArrayAgg("component_id", order_by="component_id", filter=counted),
        )
    )


def component_names(ids) -> list[tuple[int, object, str]]:
    """(id, public id, name) of these components, by name."""
    return list(
        Component.objects.filter(pk__in=list(ids))
        .order_by("name", "id")
        .values_list("pk", "public_id", "name")
    )


def stage_choices() -> list[tuple[str, str]]:
    return list(Stage.choices)


def component_search_rows(*, terms):
    """Published components for the service search (others are for their submitter and the
    review queue)."""
    return _component_ranked(Component.objects.filter(status=ReviewStatus.PUBLISHED), terms)


def component_search_drafts(*, user, terms):
    """The user's own unpublished components, for their service search."""
    drafts = access.component_drafts_for_user(user)
    return None if drafts is None else _component_ranked(drafts, terms)


def _component_ranked(components, terms):
    return search.ranked(
        components,
        terms=terms,
        vector="search_vector",
        title="name",
        summary="summary",
        key="public_id",
        candidate_order=("-using_count", "-id"),
    )


def component_search_url(key: str) -> str:
    return detail_url("components:component_detail", "public_id", uuid.UUID(key))


# --- Role homes and the work-waiting list ----------------------------------------------------


def officer_home_section(home, user) -> dict | None:
    """A council officer's home: their council's adoptions that are stale or go stale within
    the reminder window (30 days), to confirm."""
    council = home.organisation
    if not council.is_council:
        return None
    now = timezone.now()
    rows = list(
        Adoption.objects.filter(
            organisation=council,
            component__status=ReviewStatus.PUBLISHED,
            stage__in=ACTIVE_STAGES,
        )
        .filter(stale_q(now + REMIND_BEFORE))
        .select_related("component")
        .order_by("confirmed_at", "id")
    )
    for row in rows:
        row.stale = row.is_stale(now)
    return {"council": council, "adoptions": rows}


def component_changes_waiting():
    """Changes to published components' promises waiting for institute review."""
    return count_and_oldest(
        ComponentChange.objects.filter(status=ChangeStatus.PENDING), "proposed_at"
    )


def components_waiting():
    """Components waiting for institute review."""
    return count_and_oldest(Component.objects.filter(status=ReviewStatus.IN_REVIEW), "created_at")
