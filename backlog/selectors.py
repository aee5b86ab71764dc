"""Reads of the backlog, each built once with the joins its page needs."""

import importlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db.models import Exists, F, FloatField, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Greatest

from backlog.models import (
    SEARCH_CONFIG,
    Comment,
    CouncilDemand,
    DuplicateCandidate,
    Follow,
    Problem,
    ServiceArea,
    Status,
    StatusChange,
    Vote,
)
from institute.models import CouncilType, Region
from institute.urlcache import detail_url

SORTS = {
    "councils": ("Most councils affected", ["-council_count", "-id"]),
    "votes": ("Most officers", ["-vote_count", "-id"]),
    "newest": ("Newest", ["-created_at", "-id"]),
    "active": ("Recently active", ["-last_activity_at", "-id"]),
    "trending": ("Trending (councils added in the last 30 days)", ["-trending_count", "-id"]),
}
DEFAULT_SORT = "councils"


def any_word_query(text: str) -> SearchQuery | None:
    """A query matching any word of a text (a typed title is not a search for all its words).

    Only letters and digits reach to_tsquery, so nothing typed can break its syntax.
    """
    words = re.findall(r"[^\W_]{2,}", text)[:30]
    if not words:
        return None
    return SearchQuery(" | ".join(words), search_type="raw", config=SEARCH_CONFIG)


@dataclass
class BacklogFilters:
    q: str = ""
    theme: str = ""
    status: str = ""
    service_area: str = ""
    region: str = ""
    council_type: str = ""
    sort: str = ""


def problem_list(filters: BacklogFilters, *, include_merged: bool = False):
    """The public backlog, filtered and sorted; with its service areas prefetched."""
    # Lists never show the description or the search vectors: leave the wide columns behind.
    qs = Problem.objects.select_related("submitted_for").defer(
        "description", "description_html", "search_vector", "title_vector"
    )
    if not include_merged and filters.status != Status.MERGED:
        qs = qs.exclude(status=Status.MERGED)
    if filters.theme:
        qs = qs.filter(theme=filters.theme)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.service_area:
        qs = qs.filter(
            Exists(
                Problem.service_areas.through.objects.filter(
                    problem_id=OuterRef("pk"), servicearea__slug=filters.service_area
                )
            )
        )
    if filters.region or filters.council_type:
        demand = CouncilDemand.objects.filter(problem_id=OuterRef("pk"))
        if filters.region:
            demand = demand.filter(organisation__region=filters.region)
        if filters.council_type:
            demand = demand.filter(organisation__council_type=filters.council_type)
        qs = qs.filter(Exists(demand))
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]
    if filters.q:
        query = SearchQuery(filters.q, search_type="websearch", config=SEARCH_CONFIG)
        qs = qs.filter(search_vector=query)
        if not filters.sort:
            # Ranked on title and summary only: ranking on the whole search vector means reading
            # every match's description (out-of-line storage), twice the cost at 100k problems.
            qs = qs.annotate(rank=SearchRank(F("title_vector"), query))
            order = ["-rank", "-council_count", "-id"]
    return qs.order_by(*order).prefetch_related(
        Prefetch("service_areas", queryset=ServiceArea.objects.order_by("name"))
    )


SIMILAR_CANDIDATES = 60


def problem_similar(
    *, title: str, summary: str = "", exclude_ids=(), limit: int = 5, min_score: float = 0.0
):
    """Problems that look like a title (and summary) being typed, merged ones left out.

    The cost must stay flat as the backlog grows, so candidates come from two cheap,
    index-driven sets: the best text matches on ALL the words (few rows to rank), and the
    highest-demand problems matching ANY word (read in demand order, so the scan stops early).
    Those candidates are then ranked by how alike the titles are (pg_trgm) and the text rank.
    """
    if len(title.strip()) < 3:
        return []
    text = f"{title} {summary}"
    any_words = any_word_query(text)
    if any_words is None:
        return []
    all_words = SearchQuery(text, search_type="plain", config=SEARCH_CONFIG)
    open_problems = Problem.objects.exclude(status=Status.MERGED).exclude(pk__in=list(exclude_ids))
    best_matches = (
        open_problems.filter(title_vector=all_words)
        .annotate(rank=SearchRank(F("title_vector"), all_words))
        .order_by("-rank")[:SIMILAR_CANDIDATES]
    )
    in_demand = open_problems.filter(title_vector=any_words).order_by("-council_count", "-id")[
        :SIMILAR_CANDIDATES
    ]
    # Fetched apart: OR-ing the two as subqueries makes PostgreSQL scan the whole table.
    candidates = set(best_matches.values_list("pk", flat=True))
    candidates |= set(in_demand.values_list("pk", flat=True))
    if not candidates:
        return []
    rank = SearchRank(F("title_vector"), any_words, normalization=Value(1))
    qs = (
        Problem.objects.filter(pk__in=candidates)
        .annotate(
            score=Greatest(
                TrigramSimilarity("title", title), rank * Value(2.0), output_field=FloatField()
            )
        )
        .filter(score__gte=min_score)
        .order_by("-score", "-council_count")
        .only("pk", "title", "summary", "status", "council_count", "vote_count")
    )
    return list(qs[:limit])


def problem_voted_ids(user, problems) -> set[int]:
    """Which of these problems the user has voted on (one query)."""
    if not user.is_authenticated:
        return set()
    return set(
        Vote.objects.filter(user=user, problem__in=[p.pk for p in problems]).values_list(
            "problem_id", flat=True
        )
    )


@dataclass
class CouncilBreakdown:
    total: int
    by_region: list  # [(region label, [organisations])]
    by_type: list  # [(council type label, count)]


@dataclass(frozen=True)
class AffectedCouncil:
    """One council affected by a problem, as the problem page and the API show it."""

    pk: int
    name: str
    slug: str
    gss_code: str
    region: str
    council_type: str
    officers: int

    def get_absolute_url(self):
        return detail_url("institute:organisation_detail", "slug", self.slug)


def problem_councils(problem: Problem) -> CouncilBreakdown:
    """The councils affected by a problem, grouped by region, with counts by council type.

    Plain rows rather than model instances: a problem can affect most of the 317 councils.
    """
    rows = (
        CouncilDemand.objects.filter(problem=problem)
        .order_by("organisation__name")
        .values_list(
            "organisation_id",
            "organisation__name",
            "organisation__slug",
            "organisation__gss_code",
            "organisation__region",
            "organisation__council_type",
            "officers",
        )
    )
    regions = defaultdict(list)
    types = Counter()
    for row in rows:
        council = AffectedCouncil(*row)
        regions[council.region].append(council)
        types[council.council_type] += 1
    region_labels = dict(Region.choices)
    type_labels = dict(CouncilType.choices)
    return CouncilBreakdown(
        total=sum(len(v) for v in regions.values()),
        by_region=[
            (region_labels.get(code, "Other"), regions[code])
            for code in sorted(regions, key=lambda c: region_labels.get(c, "~"))
        ],
        by_type=[(type_labels.get(t, "Other"), n) for t, n in types.most_common()],
    )


def problem_comments(problem: Problem, user):
    """A problem's discussion in order; hidden comments only for those who moderate."""
    from backlog import access

    comments = Comment.objects.filter(problem=problem).select_related(
        "author", "author_organisation"
    )
    if not access.can_triage(user):
        comments = comments.filter(hidden_at__isnull=True)
    return comments.order_by("created_at", "id")


def problem_page(problem: Problem, user) -> dict:
    """Everything the problem page shows beyond the problem row: a fixed number of queries."""
    comments = problem_comments(problem, user)
    state = {"voted": False, "following": False}
    if user.is_authenticated:
        state["voted"] = Vote.objects.filter(problem=problem, user=user).exists()
        state["following"] = Follow.objects.filter(problem=problem, user=user).exists()
    return {
        "sections": problem_sections(problem, user),
        "service_areas": list(problem.service_areas.order_by("name")),
        "timeline": list(StatusChange.objects.filter(problem=problem).select_related("actor")),
        "comments": list(comments),
        "councils": problem_councils(problem),
        "merged_from": list(problem.merged_from.only("pk", "title")),
        **state,
    }


# Apps that add a section to the problem page (components that address it, centre projects and
# learning about it). Each provides `selectors.problem_section(problem, user) -> dict | None`
# rendered with `<app>/_problem_section.html`.
PROBLEM_SECTION_APPS = ["components", "standards", "centres"]


def problem_sections(problem: Problem, user) -> list[dict]:
    sections = []
    for app in PROBLEM_SECTION_APPS:
        module = importlib.import_module(f"{app}.selectors")
        section = getattr(module, "problem_section", None)
        context = section(problem, user) if section else None
        if context:
            sections.append({"template": f"{app}/_problem_section.html", **context})
    return sections


def problem_followers(problem_ids) -> set[int]:
    """Everyone following any of these problems (for other apps' notifications)."""
    return set(
        Follow.objects.filter(problem_id__in=list(problem_ids)).values_list("user_id", flat=True)
    )


def problems_for_organisation(organisation):
    """Problems an organisation submitted or that its officers said they have."""
    affected = CouncilDemand.objects.filter(problem_id=OuterRef("pk"), organisation=organisation)
    return (
        Problem.objects.filter(Q(submitted_for=organisation) | Exists(affected))
        .exclude(status=Status.MERGED)
        .annotate(submitted_here=Q(submitted_for=organisation), affected_here=Exists(affected))
        .order_by("-last_activity_at", "-id")
        .prefetch_related("service_areas")
    )


def triage_queue():
    return (
        Problem.objects.filter(status=Status.NEW)
        .select_related("submitted_for")
        .order_by("created_at", "id")
    )


def duplicate_pairs():
    """Look-alike pairs not yet dismissed and where neither side is merged, most alike first."""
    return (
        DuplicateCandidate.objects.filter(dismissed_at__isnull=True)
        .exclude(problem__status=Status.MERGED)
        .exclude(similar_to__status=Status.MERGED)
        .select_related("problem", "similar_to")
        .order_by("-score", "id")
    )


def service_area_choices():
    return list(ServiceArea.objects.order_by("name").values_list("slug", "name"))


def organisation_section(organisation, user) -> dict | None:
    """The organisation page's backlog section: what the council raised and what it has."""
    problems = list(problems_for_organisation(organisation).prefetch_related(None)[:10])
    if not problems:
        return None
    return {"problems": problems}
