"""Every non-trivial read of this app, built once with its joins: fixed query counts."""

import uuid
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import SimpleLazyObject as lazy

from backlog.models import Problem
from backlog.models import Status as ProblemStatus
from centres import access
from centres.models import (
    CENTRES_TARGET,  # noqa: F401  (the sector reads the centres' targets from here)
    DATA_SHARING_TARGET,
    RE_REVIEW_FIELDS,
    Centre,
    CentreStaff,
    Learning,
    LearningChange,
    LearningKind,
    LearningStatus,
    Project,
    ProjectStatus,
    change_summary,
)
from components.models import Component
from institute import access as core_access
from institute import fragments, search
from institute.fragments import Part, Parts
from institute.models import SEARCH_CONFIG, ChangeStatus, Organisation
from institute.pagination import counted_under
from institute.selectors import count_and_oldest
from institute.urlcache import detail_url

SORTS = {
    "newest": ("Newest", ["-published_at", "-id"]),
    "evidence": ("Strongest evidence", ["-evidence_strength", "-published_at", "-id"]),
}


def _count(queryset, field: str):
    """A correlated COUNT(*) subquery: counts without multiplying the outer rows."""
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .values(field)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def published_learning():
    return Learning.objects.filter(status=LearningStatus.PUBLISHED)


# --- Centres ---------------------------------------------------------------------------------


def centre_list():
    """Every centre with its host and how much it has done: one query."""
    return (
        Centre.objects.select_related("host")
        .annotate(
            project_count=_count(Project.objects.all(), "centre"),
            active_count=_count(Project.objects.filter(status=ProjectStatus.ACTIVE), "centre"),
            learning_count=_count(published_learning(), "centre"),
        )
        .order_by("name")
    )


def centre_choices():
    """Cached until something in the centres app changes."""
    return fragments.cached(
        "choices:centres",
        ("centres",),
        lambda: list(Centre.objects.order_by("name").values_list("slug", "name")),
    )


def centre_page(centre: Centre, user) -> dict:
    """Everything a centre's page shows: a fixed number of queries whatever its size."""
    projects = list(
        Project.objects.filter(centre=centre)
        .annotate(problem_count=_count(Project.problems.through.objects.all(), "project"))
        .order_by("status", "-start_date", "-id")
    )
    learning = list(
        published_learning()
        .filter(centre=centre)
        .only(
            "pk",
            "public_id",
            "title",
            "summary",
            "kind",
            "evidence_strength",
            "published_at",
            "centre_id",
        )
        .order_by("-published_at", "-id")[:10]
    )
    project_ids = Project.objects.filter(centre=centre).values("pk")
    problems = list(
        Problem.objects.filter(
            Exists(
                Project.problems.through.objects.filter(
                    problem_id=OuterRef("pk"), project_id__in=project_ids
                )
            )
        )
        .only("pk", "title", "status", "council_count", "vote_count")
        .order_by("-council_count", "-id")
    )
    partners = list(
        Organisation.objects.filter(
            Exists(
                Project.partner_councils.through.objects.filter(
                    organisation_id=OuterRef("pk"), project_id__in=project_ids
                )
            )
            | Exists(
                Learning.councils.through.objects.filter(
                    organisation_id=OuterRef("pk"),
                    learning__centre=centre,
                    learning__status=LearningStatus.PUBLISHED,
                )
            )
        )
        .only("pk", "name", "slug")
        .order_by("name")
    )
    works_here = access.can_work_on_centre(user, centre)
    unpublished = []
    if works_here:
        unpublished = list(
            Learning.objects.filter(centre=centre)
            .exclude(status=LearningStatus.PUBLISHED)
            .select_related("created_by")
            .order_by("-status", "-updated_at")
        )
    return {
        "staff": list(CentreStaff.objects.filter(centre=centre).select_related("user")),
        "projects": projects,
        "learning": learning,
        "learning_total": published_learning().filter(centre=centre).count(),
        "problems": problems,
        "partners": partners,
        "works_here": works_here,
        "can_publish": access.can_publish_for_centre(user, centre),
        "can_manage": access.can_manage_centres(user),
        "unpublished": unpublished,
    }


# --- Projects --------------------------------------------------------------------------------


@dataclass
class ProjectFilters:
    centre: str = ""
    status: str = ""
    problem: int | None = None


def project_list(filters: ProjectFilters | None = None):
    """Projects with their centre, partners and problems: three queries whatever the length."""
    filters = filters or ProjectFilters()
    qs = Project.objects.select_related("centre")
    if filters.centre:
        qs = qs.filter(centre__slug=filters.centre)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.problem:
        qs = qs.filter(problems__pk=filters.problem)
    return qs.order_by("-created_at", "-id").prefetch_related(
        Prefetch("partner_councils", queryset=Organisation.objects.only("pk", "name", "slug")),
        Prefetch("problems", queryset=Problem.objects.only("pk", "title", "status")),
    )


def project_with_component_slugs(project_id: int) -> Project:
    """A project as project_list gives it, with the slugs of the components it produced and
    used (for the API)."""
    slugs = Component.objects.only("pk", "slug")
    return (
        project_list()
        .prefetch_related(
            Prefetch("components_produced", queryset=slugs),
            Prefetch("components_used", queryset=slugs),
        )
        .get(pk=project_id)
    )


def project_page(project: Project) -> dict:
    return {
        "partners": list(project.partner_councils.order_by("name").only("pk", "name", "slug")),
        "problems": list(
            project.problems.order_by("-council_count").only(
                "pk", "title", "status", "council_count", "vote_count"
            )
        ),
        "learning": list(
            published_learning()
            .filter(project=project)
            .only("pk", "public_id", "title", "kind", "evidence_strength", "published_at")
        ),
        "components_produced": list(
            project.components_produced.order_by("name").only("pk", "public_id", "name", "slug")
        ),
        "components_used": list(
            project.components_used.order_by("name").only("pk", "public_id", "name", "slug")
        ),
    }


def project_choices(centre: Centre):
    return list(Project.objects.filter(centre=centre).order_by("title").values_list("pk", "title"))


# --- Learning --------------------------------------------------------------------------------


@dataclass
class LibraryFilters:
    q: str = ""
    kind: str = ""
    theme: str = ""
    service_area: str = ""
    min_evidence: int | None = None
    cost_band: str = ""
    centre: str = ""
    council_type: str = ""
    region: str = ""
    sort: str = ""

    def active(self) -> bool:
        return any(value not in ("", None) for name, value in vars(self).items() if name != "sort")


# What a row of the library page shows (`centres_tags.learning_summary`), and every sort's
# columns (a cursor is made from the page's last row).
ROW_FIELDS = [
    "public_id", "title", "kind", "evidence_strength", "summary", "centre__name", "cost_band",
    "published_at",
]  # fmt: skip


def learning_library(filters: LibraryFilters, *, rows: bool = False):
    """Published learning, searched, filtered and sorted, for the library and the API; with
    `rows`, only what the library page's rows show (ROW_FIELDS). Its count is kept until a
    write in the centres' app (learning, its councils and areas) or a change of a name (a
    council's region, a service area's slug)."""
    # Lists never show the body or the search vector: leave the wide columns behind.
    qs = (
        published_learning()
        .select_related("centre")
        .defer("body", "body_html", "search_vector", "impact_summary")
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.theme:
        qs = qs.filter(themes__contains=[filters.theme])
    if filters.service_area:
        qs = qs.filter(
            Exists(
                Learning.service_areas.through.objects.filter(
                    learning_id=OuterRef("pk"), servicearea__slug=filters.service_area
                )
            )
        )
    if filters.min_evidence:
        qs = qs.filter(evidence_strength__gte=filters.min_evidence)
    if filters.cost_band:
        qs = qs.filter(cost_band=filters.cost_band)
    if filters.centre:
        qs = qs.filter(centre__slug=filters.centre)
    if filters.region or filters.council_type:
        # "Worked in councils like mine": any council involved matches both filters.
        involved = Learning.councils.through.objects.filter(learning_id=OuterRef("pk"))
        if filters.region:
            involved = involved.filter(organisation__region=filters.region)
        if filters.council_type:
            involved = involved.filter(organisation__council_type=filters.council_type)
        qs = qs.filter(Exists(involved))
    order = SORTS.get(filters.sort, SORTS["newest"])[1]
    if filters.q:
        query = SearchQuery(filters.q, search_type="websearch", config=SEARCH_CONFIG)
        qs = qs.filter(search_vector=query)
        if not filters.sort:
            qs = qs.annotate(rank=SearchRank(F("search_vector"), query))
            order = ["-rank", *order]
    qs = qs.annotate(
        council_count=_count(Learning.councils.through.objects.all(), "learning")
    ).order_by(*order)
    if rows:
        qs = qs.only(*ROW_FIELDS)
    return counted_under(qs, "learning", filters, "centres", "names")


def learning_related(learning: Learning, *, limit: int = 4) -> list[Learning]:
    """Other published learning about the same problems, service areas or themes: one query."""
    shared_problem = Learning.problems.through.objects.filter(
        learning_id=OuterRef("pk"),
        problem_id__in=Learning.problems.through.objects.filter(learning_id=learning.pk).values(
            "problem_id"
        ),
    )
    shared_area = Learning.service_areas.through.objects.filter(
        learning_id=OuterRef("pk"),
        servicearea_id__in=Learning.service_areas.through.objects.filter(
            learning_id=learning.pk
        ).values("servicearea_id"),
    )
    return list(
        published_learning()
        .exclude(pk=learning.pk)
        .annotate(
            shares_problem=Exists(shared_problem),
            shares_area=Exists(shared_area),
        )
        .filter(Q(shares_problem=True) | Q(shares_area=True) | Q(themes__overlap=learning.themes))
        .select_related("centre")
        .only(
            "pk",
            "public_id",
            "title",
            "kind",
            "evidence_strength",
            "published_at",
            "centre__name",
            "themes",
        )
        .order_by("-shares_problem", "-shares_area", "-evidence_strength", "-published_at")[:limit]
    )


def learning_page(learning: Learning) -> dict:
    """What a learning page shows beyond its row: a fixed number of queries, each made only
    when the page renders it (parts served from the cache make none)."""

    return {
        "councils": lazy(
            lambda: list(
                learning.councils.order_by("name").only("pk", "name", "slug", "council_type")
            )
        ),
        "service_areas": lazy(lambda: list(learning.service_areas.order_by("name"))),
        "problems": lazy(
            lambda: list(
                learning.problems.order_by("-council_count").only(
                    "pk", "title", "status", "council_count", "vote_count"
                )
            )
        ),
        "components": lazy(
            lambda: list(
                learning.components.order_by("name").only("pk", "public_id", "name", "slug")
            )
        ),
        "standards": lazy(
            lambda: list(learning.standards.order_by("title").only("pk", "title", "slug"))
        ),
        "related": lazy(lambda: learning_related(learning)),
        "revisions": lazy(lambda: list(learning.revisions.select_related("replaced_by"))),
    }


def learning_claims_history(learning: Learning, revisions) -> list[dict]:
    """Each edit that changed a published item's claims (RE_REVIEW_FIELDS), newest first: when,
    what changed ("evidence rating 2 → 5") and the rating before and after. Read from the
    revisions kept at every edit, so edits made before changes were reviewed show too."""
    states = [*sorted(revisions, key=lambda r: r.number), learning]
    entries = []
    for before, after in zip(states, states[1:], strict=False):
        changed = [n for n in RE_REVIEW_FIELDS if getattr(before, n) != getattr(after, n)]
        if changed:
            entries.append(
                {
                    "on": before.replaced_at,
                    "summary": change_summary(
                        {n: getattr(before, n) for n in changed},
                        {n: getattr(after, n) for n in changed},
                    ),
                    "rating_from": before.evidence_strength,
                    "rating_to": after.evidence_strength,
                }
            )
    return entries[::-1]


def learning_rating_history(learning: Learning, revisions) -> list[dict]:
    """The evidence rating since publication, newest first: the rating and since when."""
    if not learning.published_at:
        return []
    claims = learning_claims_history(learning, revisions)
    first = claims[-1]["rating_from"] if claims else learning.evidence_strength
    history = [{"on": learning.published_at, "rating": first, "previous": None}]
    for entry in reversed(claims):
        if entry["rating_from"] != entry["rating_to"]:
            history.append(
                {"on": entry["on"], "rating": entry["rating_to"], "previous": entry["rating_from"]}
            )
    return history[::-1]


def learning_pending_change(learning: Learning) -> LearningChange | None:
    """The change to this item's claims waiting for review, if any (one query)."""
    change = (
        LearningChange.objects.filter(learning=learning, status=ChangeStatus.PENDING)
        .select_related("proposed_by")
        .first()
    )
    if change is not None:
        change.learning = learning
    return change


def learning_changes_for_review(user):
    """Changes to published learning that this user may publish: their centre's (lead) or all
    (institute staff), oldest first."""
    qs = LearningChange.objects.filter(status=ChangeStatus.PENDING).select_related(
        "learning", "learning__centre", "proposed_by"
    )
    if not core_access.is_institute_staff(user):
        lead_of = CentreStaff.objects.leads().filter(user=user).values("centre_id")
        qs = qs.filter(learning__centre_id__in=lead_of)
    return qs.order_by("proposed_at", "id")


def learning_page_parts(public_id, user) -> Parts:
    """The learning page's main column is the same for every viewer: cached until a write that
    changes it (institute.fragments): any in the centres app, people's and councils' names,
    the titles and demand of the problems it is about, components and standards. For visitors
    who are not signed in the whole page is the same, so it is cached whole, with its title."""
    own = f"learning:{public_id}"
    depends = ("centres", "names", "problem-titles", "demand", "components", "standard-titles")
    parts = {"main": Part(f"{own}:main", depends)}
    if not user.is_authenticated:
        parts["row"] = Part(f"{own}:row", ("centres",))
        parts["visitor"] = Part(f"{own}:visitor", depends)
    return Parts(**parts)


def learning_for_review(user):
    """Items in review that this user may publish: their centre's (lead) or all (institute)."""
    qs = Learning.objects.filter(status=LearningStatus.IN_REVIEW).select_related(
        "centre", "submitted_by"
    )
    if core_access.is_institute_staff(user):
        return qs.order_by("submitted_at")
    lead_of = CentreStaff.objects.leads().filter(user=user).values("centre_id")
    return qs.filter(centre_id__in=lead_of).order_by("submitted_at")


def data_sharing_examples():
    """The examples that count towards the 2030 target of 15 standards-enabled,
    cross-organisation data-sharing examples: published learning of that kind that follows at
    least one standard. The one rule, for the centres' pages and the sector's figures."""
    follows_a_standard = Learning.standards.through.objects.filter(learning_id=OuterRef("pk"))
    return (
        published_learning()
        .filter(kind=LearningKind.DATA_SHARING)
        .filter(Exists(follows_a_standard))
    )


def data_sharing_examples_count() -> int:
    """Progress towards the 2030 target of 15 data-sharing examples."""
    return data_sharing_examples().count()


def data_sharing_progress() -> dict:
    count = data_sharing_examples_count()
    return {"count": count, "target": DATA_SHARING_TARGET, "met": count >= DATA_SHARING_TARGET}


# --- Sections on other apps' pages -----------------------------------------------------------


def organisation_section(organisation, user) -> dict | None:
    """The organisation page: the centre it hosts, projects it partnered in, learning it is in."""
    projects = list(
        Project.objects.filter(partner_councils=organisation)
        .select_related("centre")
        .only("pk", "title", "status", "centre__name", "centre__slug")
        .order_by("-created_at", "-id")[:20]
    )
    learning = list(
        published_learning()
        .filter(councils=organisation)
        .select_related("centre")
        .only(
            "pk", "public_id", "title", "kind", "evidence_strength", "published_at", "centre__name"
        )
        .order_by("-published_at", "-id")[:20]
    )
    hosted = (
        Centre.objects.filter(host=organisation).first() if not organisation.is_council else None
    )
    if not projects and not learning and hosted is None:
        return None
    return {"projects": projects, "learning": learning, "hosted_centre": hosted}


def problem_section(problem, user) -> dict | None:
    """The problem page: published learning and centre projects about it, in one query."""
    if problem.status == ProblemStatus.MERGED:
        return None
    learning = (
        published_learning()
        .filter(problems=problem)
        .annotate(item=Value("learning"), sort_at=F("published_at"))
        .values("item", "pk", "public_id", "title", "kind", "evidence_strength", "sort_at")
    )
    projects = (
        Project.objects.filter(problems=problem)
        .annotate(
            item=Value("project"),
            sort_at=F("created_at"),
            kind=F("status"),
            evidence_strength=Value(None, output_field=IntegerField()),
            public_id=Value(None, output_field=UUIDField()),
        )
        .values("item", "pk", "public_id", "title", "kind", "evidence_strength", "sort_at")
    )
    rows = list(learning.union(projects, all=True).order_by("-sort_at")[:40])
    if not rows:
        return None
    kinds = dict(LearningKind.choices)
    statuses = dict(ProjectStatus.choices)
    items = {"learning": [], "projects": []}
    for row in rows:
        if row["item"] == "learning":
            row["kind_label"] = kinds.get(row["kind"], "")
            items["learning"].append(row)
        else:
            row["status_label"] = statuses.get(row["kind"], "")
            items["projects"].append(row)
    return items


# --- The sector's per-council figures (read by institute.sector) -------------------------------


def projects_by_council():
    """The projects each council is a partner in (`ids`)."""
    return (
        Project.partner_councils.through.objects.order_by()
        .values(org=F("organisation_id"))
        .annotate(ids=ArrayAgg("project_id", order_by="project_id"))
    )


def published_learning_by_council():
    """The published learning each council took part in (`ids`)."""
    return (
        Learning.councils.through.objects.filter(learning__in=published_learning())
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(ids=ArrayAgg("learning_id", order_by="learning_id"))
    )


def centre_output(*, project_ids=None, learning_ids=None) -> list[tuple[str, int, int, int]]:
    """(centre, projects, published learning, data-sharing examples) per centre, by name; only
    the projects and learning among `project_ids` and `learning_ids` (subqueries) when given."""
    projects = Project.objects.all()
    learning = published_learning()
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    if learning_ids is not None:
        learning = learning.filter(pk__in=learning_ids)
    return list(
        Centre.objects.order_by("name")
        .annotate(
            project_total=_count(projects, "centre"),
            published_total=_count(learning, "centre"),
            sharing_total=_count(learning.filter(pk__in=data_sharing_examples()), "centre"),
        )
        .values_list("name", "project_total", "published_total", "sharing_total")
    )


# --- The 2030 targets and the blueprint's links (read by institute.sector) ---------------------


def centre_start_days() -> list:
    """The day each centre was set up, oldest first: the history of centres running."""
    return [
        timezone.localdate(created)
        for created in Centre.objects.order_by("created_at").values_list("created_at", flat=True)
    ]


def data_sharing_example_days() -> list:
    """The day each data-sharing example that counts was published, oldest first."""
    return [
        timezone.localdate(published)
        for published in data_sharing_examples()
        .order_by("published_at")
        .values_list("published_at", flat=True)
    ]


def data_sharing_example_rows() -> list[dict]:
    """The examples that count, newest first, each with its centre, evidence rating and the
    standards it follows: two queries."""
    examples = (
        data_sharing_examples()
        .select_related("centre")
        .prefetch_related("standards")  # by title, the standards' own order
        .only("pk", "public_id", "title", "evidence_strength", "published_at", "centre__name")
        .order_by("-published_at", "-id")
    )
    return [
        {
            "title": item.title,
            "url": item.get_absolute_url(),
            "centre": item.centre.name,
            "evidence_strength": item.evidence_strength,
            "evidence_label": item.evidence_label,
            "published_on": timezone.localdate(item.published_at),
            "standards": [s.title for s in item.standards.all()],
        }
        for item in examples
    ]


def projects_by_number(numbers) -> dict[int, Project]:
    """Projects (public) by number; unknown numbers are missing from the result."""
    return {p.pk: p for p in Project.objects.filter(pk__in=list(numbers))}


def published_learning_titles(ids) -> list[tuple[int, object, str]]:
    """(id, public id, title) of the published learning among these, by title."""
    return list(
        published_learning()
        .filter(pk__in=list(ids))
        .order_by("title")
        .values_list("pk", "public_id", "title")
    )


def projects_by_title(titles) -> dict[str, Project]:
    return {p.title: p for p in Project.objects.filter(title__in=list(titles))}


def published_learning_by_title(titles) -> dict[str, Learning]:
    return {item.title: item for item in published_learning().filter(title__in=list(titles))}


def published_learning_by_public_id(public_ids) -> dict:
    """Published learning by public id; drafts and unknown ids are missing from the result."""
    return {item.public_id: item for item in published_learning().filter(public_id__in=public_ids)}


def learning_search_rows(*, terms):
    """Published learning for the service search (drafts and learning in review are for the
    centre and the institute)."""
    return _learning_ranked(Learning.objects.filter(status=LearningStatus.PUBLISHED), terms)


def _learning_ranked(learning, terms):
    return search.ranked(
        learning,
        terms=terms,
        vector="search_vector",
        title="title",
        summary="summary",
        key="public_id",
    )


def learning_search_drafts(*, user, terms):
    """The centre's own unpublished learning, for the service search of its staff."""
    drafts = access.learning_drafts_for_user(user)
    return None if drafts is None else _learning_ranked(drafts, terms)


def learning_search_url(key: str) -> str:
    return detail_url("centres:learning_detail", "public_id", uuid.UUID(key))


def centre_search_rows(*, terms):
    """Centres for the service search."""
    return search.ranked(
        Centre.objects.all(),
        terms=terms,
        vector="search_vector",
        title="name",
        summary="focus",
        key="slug",
    )


def centre_search_url(key: str) -> str:
    return detail_url("centres:centre_detail", "slug", key)


# --- Role homes and the work-waiting list ----------------------------------------------------


def centre_staff_home_section(home, user) -> dict | None:
    """Centre staff's home: their centre's drafts, its learning in review (which its leads
    publish) and its projects by status."""
    centre = Centre.objects.filter(host=home.organisation).first()
    if centre is None:
        return None
    unpublished = list(
        Learning.objects.filter(centre=centre)
        .exclude(status=LearningStatus.PUBLISHED)
        .only("pk", "public_id", "title", "status", "updated_at", "centre_id")
        .order_by("-updated_at", "-id")
    )
    projects = list(
        Project.objects.filter(centre=centre)
        .only("pk", "title", "status", "centre_id")
        .order_by("title", "id")
    )
    by_status = [
        (label, [p for p in projects if p.status == value])
        for value, label in ProjectStatus.choices
    ]
    return {
        "centre": centre,
        "drafts": [item for item in unpublished if item.status == LearningStatus.DRAFT],
        "in_review": [item for item in unpublished if item.status == LearningStatus.IN_REVIEW],
        "projects_by_status": [(label, items) for label, items in by_status if items],
        "is_lead": access.is_centre_lead(user, centre),
        "can_work": access.can_work_on_centre(user, centre),
    }


def learning_changes_waiting():
    """Changes to published learning's claims, waiting for a centre lead or institute staff."""
    return count_and_oldest(
        LearningChange.objects.filter(status=ChangeStatus.PENDING), "proposed_at"
    )


def learning_waiting():
    """Learning in review, waiting for a centre lead or institute staff to publish it."""
    return count_and_oldest(
        Learning.objects.filter(status=LearningStatus.IN_REVIEW), "submitted_at"
    )
