"""Reads of the backlog, each built once with the joins its page needs."""

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject as lazy
from django.utils.functional import cached_property

from backlog import access
from backlog.models import (
    Comment,
    CommentReport,
    CouncilDemand,
    DuplicateCandidate,
    Follow,
    Problem,
    ProblemRevision,
    Status,
    StatusChange,
    Vote,
    problem_places,
)
from institute import access as core_access
from institute import fragments, registry, search
from institute import selectors as core_selectors
from institute.fragments import Part, Parts
from institute.models import SEARCH_CONFIG, CouncilType, Region, ServiceArea
from institute.pagination import PAGE_SIZE, counted_under
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
        # The problem_service_area_ids index (an unknown slug matches nothing).
        area = core_selectors.service_area_id(filters.service_area)
        qs = qs.filter(service_area_ids__contains=[area]) if area else qs.none()
    if filters.region or filters.council_type:
        # Any council of the region and type has it: the problem_demand_places index.
        place = problem_places(region=filters.region, council_type=filters.council_type)
        qs = qs.filter(demand_places__contains=[place])
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


# A plain search (words, no other filter or sort) ranks by relevance only the best-known
# matches: title matches among the SEARCH_WINDOW problems most councils have, at most
# SEARCH_RANKED of them. Ranking every match meant reading every matching row (12,000 for
# "API" at 100,000 problems); this reads a narrow index (problem_search_demand) instead.
SEARCH_WINDOW = 20_000
SEARCH_RANKED = 200
# The backlog page counts a search's matches up to this many ("more than 500 problems", 20
# pages): counting reads every matching row from the table (a full-text index cannot answer
# an index-only count), and a search that matches thousands needs more words, not a number.
SEARCH_COUNT_CAP = 500


# A list filtered by region, council type or service area is counted up to this many ("more
# than 1,000"): the matches come from a GIN index, which cannot count without reading each row,
# and a region has tens of thousands (a service area about 11,000 at 100,000 problems). Pages
# past the count are still reached by "Next" (keyset pagination).
FILTER_COUNT_CAP = 1_000


# What decides which problems a filtered list holds, as cached-part versions: the problems' own
# columns and service areas ("problem-titles", bumped by every save of a problem and every change
# of its service areas) and the names of organisations and service areas (a region, a slug).
LIST_DEPENDS = ("problem-titles", "names")


# What a row of the backlog page shows (the service areas' names come from their ids:
# institute.selectors.service_area_names).
ROW_FIELDS = [
    "pk", "title", "summary", "theme", "status", "council_count", "vote_count",
    "service_area_ids", "submitted_for__name",
]  # fmt: skip


def problem_list_page(
    filters: BacklogFilters, *, count_cap: int | None = None, rows=False, columns=()
):
    """What the backlog page and the API list page by page: `problem_list`, or for a plain
    search its `SearchResults`. A search of any kind is counted up to `count_cap` if given, a
    list filtered through a GIN index up to FILTER_COUNT_CAP. With `rows`, only what the
    page's rows show is loaded (ROW_FIELDS); with `columns`, only those columns and
    nothing joined or prefetched (the API builds its rows from them)."""
    words_only = filters.q and not any(
        getattr(filters, name)
        for name in ("theme", "status", "service_area", "region", "council_type")
    )
    plain = words_only and not filters.sort
    # A plain search's matches in demand order, not ranked: SearchResults ranks what it shows.
    qs = problem_list(replace(filters, sort=DEFAULT_SORT) if plain else filters)
    if rows:
        qs = qs.prefetch_related(None).only(*ROW_FIELDS)
    if columns:
        qs = qs.prefetch_related(None).select_related(None).only(*columns)
    if plain:
        return SearchResults(qs, filters.q, count_cap=count_cap)
    if words_only:
        # A search sorted otherwise matches the same problems as the plain search of its words:
        # it reads their cached count (read by institute.pagination.CappedPaginator).
        qs.capped_count = SearchResults(qs, filters.q).capped_count
    # Read by institute.pagination.CappedPaginator: the smallest cap that applies.
    caps = [count_cap if filters.q else None]
    if filters.region or filters.council_type or filters.service_area:
        caps.append(FILTER_COUNT_CAP)
    if caps := [cap for cap in caps if cap]:
        qs.count_cap = min(caps)
    # The count is kept until a write changes which problems match: a problem added, edited or
    # moved on, or (for the places filters) a council new to a problem; the first page's order
    # until then or a vote or any activity (the counters and dates the sorts read).
    depends = LIST_DEPENDS
    if filters.region or filters.council_type:
        depends += ("demand",)
    return counted_under(
        qs, "problems", filters, *depends, order_depends=("demand", ACTIVITY_VERSION)
    )


class SearchResults:
    """A plain search's matches, for a paginator: first the best-known title matches (see
    SEARCH_WINDOW), by relevance, then every other match, most councils first. When fewer
    than a page of those are found, the search matches few problems: all are ranked.

    Only what a paginator uses: a capped count (through `order_by()`) and slices."""

    ordered = True

    def __init__(self, matches, q: str, *, count_cap: int | None = None):
        self.matches = matches  # in demand order
        self.q = q
        self.count_cap = count_cap  # institute.pagination.CappedPaginator's, if not None

    def order_by(self, *fields):
        return self.matches.order_by(*fields)

    def count(self) -> int:
        return self.matches.count()

    def capped_count(self, cap: int) -> int:
        """The matches, counted up to cap + 1. Kept until a problem is added, edited or changes
        status (nothing else changes which problems a search matches): counting reads every
        matching row, and popular searches repeat."""
        digest = hashlib.sha256(self.q.encode()).hexdigest()
        return fragments.cached(
            f"search-count:{cap}:{digest}",
            ("problem-titles",),
            lambda: self.matches.order_by()[: cap + 1].count(),
        )

    @cached_property
    def ranked_ids(self) -> list[int] | None:
        """The ranked problems' ids, best first; None when every match is ranked."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT top.id, top.council_count, ts_rank(top.title_vector, query)
                FROM (
                    SELECT id, council_count, title_vector FROM {Problem._meta.db_table}
                    WHERE NOT (status = %s) ORDER BY council_count DESC, id DESC LIMIT %s
                ) top, websearch_to_tsquery(%s::regconfig, %s) query
                WHERE top.title_vector @@ query
                ORDER BY top.council_count DESC, top.id DESC LIMIT %s""",  # noqa: S608
                [Status.MERGED, SEARCH_WINDOW, SEARCH_CONFIG, self.q, SEARCH_RANKED],
            )
            rows = cursor.fetchall()
        if len(rows) < PAGE_SIZE:
            return None
        rows.sort(key=lambda row: (-row[2], -row[1], -row[0]))
        return [row[0] for row in rows]

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        ranked = self.ranked_ids
        if ranked is None:  # few matches: rank them all, as problem_list does
            query = SearchQuery(self.q, search_type="websearch", config=SEARCH_CONFIG)
            ranked_all = self.matches.annotate(rank=SearchRank(F("title_vector"), query))
            return list(ranked_all.order_by("-rank", "-council_count", "-id")[start:stop])
        rows = []
        if start < len(ranked):
            ids = ranked[start:stop]
            found = {p.pk: p for p in self.matches.filter(pk__in=ids)}
            rows = [found[pk] for pk in ids if pk in found]
        if stop is None or stop > len(ranked):
            rest = self.matches.exclude(pk__in=ranked)
            offset = max(start - len(ranked), 0)
            rows += list(rest[offset : None if stop is None else stop - len(ranked)])
        return rows

    def __iter__(self):
        return iter(self[0:None])


SIMILAR_CANDIDATES = 30  # of each set; scoring titles by trigrams is the costly step


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
        .order_by("-rank")
        .values("pk")[:SIMILAR_CANDIDATES]
    )
    in_demand = (
        open_problems.filter(title_vector=any_words)
        .order_by("-council_count", "-id")
        .values("pk")[:SIMILAR_CANDIDATES]
    )
    # One statement: the two sets as a UNION, each planned on its own (OR-ing the two
    # conditions instead makes PostgreSQL scan the whole table).
    candidates = best_matches.union(in_demand, all=True)
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
    """Which of these problems the user has voted on for the council they act as (one
    query)."""
    membership = core_access.membership_of(user)
    if membership is None:
        return set()
    return set(
        Vote.objects.filter(
            user=user,
            organisation_id=membership.organisation_id,
            problem__in=[p.pk for p in problems],
        ).values_list("problem_id", flat=True)
    )


@dataclass(frozen=True)
class VoteState:
    """Where the viewer's council stands on a problem, for its vote button: whether the viewer
    voted, and how many officers of their council are counted (a colleague's vote counts the
    council, so the button says so and asks only for their name)."""

    voted: bool = False
    officers: int = 0
    council: str = ""


def problem_vote_states(user, problems) -> dict[int, VoteState]:
    """The viewer's VoteState for each of these problems that their council is counted on (one
    query; none for a visitor or someone who cannot vote)."""
    membership = core_access.membership_of(user)
    if membership is None or not access.can_vote(user):
        return {}
    rows = (
        Problem.objects.filter(pk__in=[p.pk for p in problems])
        .annotate(
            voted=Exists(
                Vote.objects.filter(
                    problem=OuterRef("pk"), user=user, organisation_id=membership.organisation_id
                )
            ),
            officers=Subquery(
                CouncilDemand.objects.filter(
                    problem=OuterRef("pk"), organisation_id=membership.organisation_id
                ).values("officers")[:1]
            ),
        )
        .values_list("pk", "voted", "officers")
    )
    council = membership.organisation.name
    return {
        pk: VoteState(voted=voted, officers=officers or 0, council=council)
        for pk, voted, officers in rows
        if voted or officers
    }


@dataclass
class CouncilBreakdown:
    total: int
    by_region: list  # [(region label, [organisations])]
    by_type: list  # [(council type label, count)]
    # The councils current today that carry the demand: those listed that still exist, and
    # the councils that replaced those that closed (institute.selectors.organisation_heirs),
    # each once. The sector dashboard's "councils affected" counts the same councils.
    current: int = 0
    closed: int = 0  # how many of those listed have closed
    # When the breakdown stops being true with the clock alone: the day after a listed
    # council's last day (its page part is cached until then).
    changes_at: datetime | None = None


@dataclass(frozen=True)
class AffectedCouncil:
    """One council affected by a problem, as the problem page and the API show it: a council
    that said it has the problem; if it has closed since, its last day and the councils that
    carry its figures now."""

    pk: int
    name: str
    slug: str
    gss_code: str
    region: str
    council_type: str
    officers: int
    valid_to: date | None = None
    closed: bool = False
    heirs: tuple = ()

    def get_absolute_url(self):
        return detail_url("institute:organisation_detail", "slug", self.slug)


# The councils affected by a problem, as one JSON array of rows [id, name, slug, GSS code, region,
# council type, officers, last day or null] in order of name (plain rows: a problem can affect
# most of the 317 councils). The council %(organisation)s comes too, with no officers if it is
# not counted, so that a vote or a withdrawal reads it in its own statement and counts that
# council in or out (councils_breakdown). An expression, for a SELECT list.
PROBLEM_COUNCILS_SQL = """(
SELECT coalesce(json_agg(json_build_array(
    o.id, o.name, o.slug, o.gss_code, o.region, o.council_type, d.officers, o.valid_to)
    ORDER BY o.name), '[]')
FROM (
    SELECT organisation_id, officers FROM backlog_councildemand WHERE problem_id = %(problem)s
    UNION ALL
    SELECT %(organisation)s, NULL WHERE NOT EXISTS (
        SELECT FROM backlog_councildemand
        WHERE problem_id = %(problem)s AND organisation_id = %(organisation)s)
) d JOIN institute_organisation o ON o.id = d.organisation_id
)"""


def problem_councils(problem, today: date | None = None) -> CouncilBreakdown:
    """The councils affected by a problem (the problem or its id), grouped by region, with
    counts by council type: one query, and one more when some of them have closed by `today`
    (the councils that carry their figures now).

    The list and its counts are the councils that said so, as the problem's `council_count`;
    a succession does not rewrite them. `current` is how many councils have it today.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {PROBLEM_COUNCILS_SQL}",  # noqa: S608 (no input in it)
            {"problem": getattr(problem, "pk", problem), "organisation": None},
        )
        return councils_breakdown(cursor.fetchone()[0], today=today)


def councils_breakdown(
    rows, organisation_id=None, officers_change: int = 0, today: date | None = None
) -> CouncilBreakdown:
    """PROBLEM_COUNCILS_SQL's rows grouped by region, with counts by council type; the officers
    of the council `organisation_id` changed by `officers_change` (a vote read before its own
    write), and councils with no officers left out. Councils closed by `today` name the
    councils that carry their figures now (one query, only when there are any)."""
    today = today or timezone.localdate()
    councils = []
    for row in rows:
        officers = row[6] or 0
        if row[0] == organisation_id:
            officers += officers_change
        if officers <= 0:
            continue
        valid_to = date.fromisoformat(row[7]) if row[7] else None
        councils.append(
            AffectedCouncil(
                *row[:6], officers, valid_to, closed=valid_to is not None and valid_to < today
            )
        )
    rows = councils
    closed = [council.pk for council in rows if council.closed]
    heirs = core_selectors.organisation_heirs(closed, today) if closed else {}
    holders = {council.pk for council in rows if not council.closed}
    for found in heirs.values():
        holders.update(heir.pk for heir in found)
    ends = [council.valid_to for council in rows if council.valid_to and not council.closed]
    regions = defaultdict(list)
    types = Counter()
    for council in rows:
        if council.closed:
            council = replace(council, heirs=tuple(heirs.get(council.pk, ())))
        regions[council.region].append(council)
        types[council.council_type] += 1
    region_labels = dict(Region.choices)
    type_labels = dict(CouncilType.choices)
    return CouncilBreakdown(
        total=len(rows),
        by_region=[
            (region_labels.get(code, "Other"), regions[code])
            for code in sorted(regions, key=lambda c: region_labels.get(c, "~"))
        ],
        by_type=[(type_labels.get(t, "Other"), n) for t, n in types.most_common()],
        current=len(holders),
        closed=len(closed),
        changes_at=(
            timezone.make_aware(datetime.combine(min(ends) + timedelta(days=1), time.min))
            if ends
            else None
        ),
    )


def problem_comments(problem: Problem, user):
    """A problem's discussion in order; hidden comments only for those who moderate."""
    comments = Comment.objects.filter(problem=problem).select_related(
        "author", "author_organisation"
    )
    if not access.can_triage(user):
        comments = comments.filter(hidden_at__isnull=True)
    return comments.order_by("created_at", "id")


# The problem page shows its latest changes; the rest are on their own page, paginated.
RECENT_REVISIONS = 5


def problem_revisions(problem: Problem):
    """A problem's revisions, newest first, with who made them (a fixed number of queries)."""
    return ProblemRevision.objects.filter(problem=problem).select_related(
        "actor", "actor_organisation"
    )


def problem_page(problem: Problem, user, *, councils=None) -> dict:
    """Everything the problem page shows beyond the problem row: a fixed number of queries.

    Each is made only when the page renders it (parts served from the cache make none), and
    `problem` may itself be lazy: nothing here touches it until then. `councils`: the lazy
    breakdown the page's parts were given (`problem_page_parts`), so that it is made once."""

    state = {"voted": False, "following": False, "vote_state": VoteState()}
    membership = core_access.membership_of(user)
    if user.is_authenticated:
        state = (  # one query for all three
            Problem.objects.filter(pk=problem.pk)
            .values(
                voted=Exists(
                    Vote.objects.filter(
                        problem=OuterRef("pk"),
                        user=user,
                        organisation_id=membership.organisation_id if membership else None,
                    )
                ),
                following=Exists(Follow.objects.filter(problem=OuterRef("pk"), user=user)),
                officers=Subquery(
                    CouncilDemand.objects.filter(
                        problem=OuterRef("pk"),
                        organisation_id=membership.organisation_id if membership else None,
                    ).values("officers")[:1]
                ),
            )
            .get()
        )
        state["vote_state"] = VoteState(
            voted=state["voted"],
            officers=state.pop("officers") or 0,
            council=membership.organisation.name if membership else "",
        )
    return {
        "sections": lazy(lambda: problem_sections(problem, user)),
        "service_areas": lazy(lambda: list(problem.service_areas.order_by("name"))),
        "timeline": lazy(
            lambda: list(StatusChange.objects.filter(problem=problem).select_related("actor"))
        ),
        "comments": lazy(lambda: list(problem_comments(problem, user))),
        "councils": councils if councils is not None else lazy(lambda: problem_councils(problem)),
        "merged_from": lazy(lambda: list(problem.merged_from.only("pk", "title"))),
        # One more than are shown: whether to link to the page of all the changes.
        "revisions": lazy(lambda: list(problem_revisions(problem)[: RECENT_REVISIONS + 1])),
        "recent_revisions": RECENT_REVISIONS,
        **state,
    }


def problem_page_councils(pk: int):
    """The problem's councils (`problem_councils`), made when first read."""
    return lazy(lambda: problem_councils(pk))


def problem_page_parts(pk: int, user, *, councils=None) -> Parts:
    """The problem page's parts that are the same for every viewer, cached until a write that
    changes them (institute.fragments): its details, councils and timeline. For visitors who
    are not signed in the whole page is the same (signed-in people may see unpublished
    components, hidden comments, their own links and buttons), so it is cached whole, with
    the little of the row the view needs ("row"): such a view makes no query at all.

    The councils change with the clock when one of them closes (`councils`, the lazy
    breakdown the page shows, says when): their parts are kept until then only."""
    own = f"problem:{pk}"
    until = (lambda: councils.changes_at) if councils is not None else None
    parts = {
        "details": Part(f"{own}:details", (own, "names")),
        "councils": Part(f"{own}:councils", (own, "names"), until),
        "changes": Part(f"{own}:changes", (own, "names")),
    }
    if not user.is_authenticated:
        everything = (own, "names", *_section_versions())
        parts["row"] = Part(f"{own}:row", (own,))
        parts["visitor"] = Part(f"{own}:visitor", everything, until)
        parts["sections"] = Part(f"{own}:sections:public", everything)
        parts["discussion"] = Part(f"{own}:discussion:public", (own, "names"))
    return Parts(**parts)


def _section_versions() -> list[str]:
    return [name for entry in registry.sections("problem") for name in entry.depends]


def problem_sections(problem: Problem, user) -> list[dict]:
    """What other apps show on the problem page (components that address it, centre projects
    and learning about it), each registered by its app (institute.registry)."""
    return registry.sections_render("problem", problem, user)


def problem_followers(problem_ids) -> set[int]:
    """Everyone following any of these problems (for other apps' notifications)."""
    return set(
        Follow.objects.filter(problem_id__in=list(problem_ids)).values_list("user_id", flat=True)
    )


# The cached-part version (institute.fragments) of what lists ordered by problems' last activity
# show in that order: bumped by the writes that move a problem's activity without saving it.
ACTIVITY_VERSION = "problem-activity"


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


def organisation_section(organisation, user) -> dict | None:
    """The organisation page's backlog section: what the council raised and what it has."""
    problems = list(problems_for_organisation(organisation).prefetch_related(None)[:10])
    if not problems:
        return None
    return {"problems": problems}


def problems_by_number(numbers) -> dict[int, Problem]:
    """The problems with these numbers (problems are public), by number; unknown numbers are
    missing from the result. For other apps that link to problems."""
    return {p.pk: p for p in Problem.objects.filter(pk__in=list(numbers))}


# --- The sector's per-council figures (read by institute.sector) -------------------------------
# Each gives one row per council (`org`) with named figures: the sector's refresh composes them
# into one statement, so they must stay plain grouped querysets.


def problems_raised_by_council():
    """Problems each council raised (`n`), not counting those merged away."""
    return (
        Problem.objects.exclude(status=Status.MERGED)
        .order_by()
        .values(org=F("submitted_for_id"))
        .annotate(n=Count("*"))
    )


def problems_affecting_council():
    """Problems each council has (`n`, and which: `ids`), not counting those merged away. Few
    problems are merged: an anti-join on them is cheaper than a join on the rest."""
    merged = Problem.objects.filter(pk=OuterRef("problem_id"), status=Status.MERGED)
    return (
        CouncilDemand.objects.filter(~Exists(merged))
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(n=Count("*"), ids=ArrayAgg("problem_id", order_by="problem_id"))
    )


def votes_by_council():
    """Officers' votes from each council (`n`)."""
    return Vote.objects.order_by().values(org=F("organisation_id")).annotate(n=Count("*"))


def problem_counts_by_theme_and_status(*, problem_ids, since):
    """(theme, status, problems, of which raised since `since`) for the problems whose ids
    `problem_ids` (an expression or subquery) gives."""
    return list(
        Problem.objects.filter(pk__in=problem_ids)
        .order_by()
        .values_list("theme", "status")
        .annotate(n=Count("id"), new=Count("id", filter=Q(created_at__gte=since)))
    )


def problem_titles(ids) -> dict[int, tuple[str, str]]:
    """(title, status label) of each of these problems, by id."""
    labels = dict(Status.choices)
    return {
        pk: (title, labels.get(status, status))
        for pk, title, status in Problem.objects.filter(pk__in=list(ids)).values_list(
            "pk", "title", "status"
        )
    }


def status_choices(*, include_merged: bool = True) -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in Status if include_merged or s != Status.MERGED]


def problems_by_title(titles=None) -> dict[str, Problem]:
    """Problems not merged away, by title (all of them, or those with these titles)."""
    qs = Problem.objects.exclude(status=Status.MERGED).only(
        "pk", "title", "status", "merged_into_id"
    )
    if titles is not None:
        qs = qs.filter(title__in=list(titles))
    return {p.title: p for p in qs}


def problem_search_rows(*, terms):
    """Problems for the service search: every problem but merged ones (their page leads to the
    problem they were merged into), matched and scored on title and summary (the backlog's own
    search reads descriptions too)."""
    return search.ranked(
        Problem.objects.exclude(status=Status.MERGED),
        terms=terms,
        vector="title_vector",
        title="title",
        summary="summary",
        candidate_order=("-council_count", "-id"),  # the problem_search_demand index
    )


def problem_search_url(key: str) -> str:
    return detail_url("backlog:problem_detail", "pk", int(key))


# --- Role homes, the work-waiting list and the reported comments --------------------------------

HOME_ROWS = 5


def officer_home_section(home, user) -> dict | None:
    """A member's home: problems they follow (changed since their last visit marked), and their
    organisation's problems and how many it has said it has."""
    organisation = home.organisation
    followed = list(
        Problem.objects.filter(follows__user=user)
        .exclude(status=Status.MERGED)
        .only("pk", "title", "status", "council_count", "last_activity_at")
        .order_by("-last_activity_at", "-id")[:HOME_ROWS]
    )
    for problem in followed:
        problem.changed = home.since is not None and problem.last_activity_at > home.since
    own = problems_for_organisation(organisation)
    counts = own.order_by().aggregate(
        submitted=Count("pk", filter=Q(submitted_for=organisation)),
        affected=Count("pk", filter=Q(affected_here=True)),
    )
    return {
        "organisation": organisation,
        "followed": followed,
        "own": list(own.prefetch_related(None)[:HOME_ROWS]),
        "counts": counts,
    }


def problems_waiting():
    """New problems waiting for triage."""
    return core_selectors.count_and_oldest(triage_queue())


def duplicates_waiting():
    """Look-alike pairs waiting for institute staff to merge or dismiss."""
    return core_selectors.count_and_oldest(duplicate_pairs(), "found_at")


def reported_comments():
    """Comments with reports no moderator has dealt with, oldest report first: each with its
    problem, author and open reports (a fixed number of queries whatever the length)."""
    open_reports = CommentReport.objects.filter(resolved_at__isnull=True)
    return (
        Comment.objects.filter(Exists(open_reports.filter(comment=OuterRef("pk"))))
        .annotate(
            first_reported_at=Subquery(
                open_reports.filter(comment=OuterRef("pk"))
                .order_by("created_at")
                .values("created_at")[:1]
            )
        )
        .select_related("problem", "author", "author_organisation")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=open_reports.select_related("reporter").order_by("created_at", "id"),
                to_attr="open_reports",
            )
        )
        .order_by("first_reported_at", "id")
    )


def reported_comments_waiting():
    """Reported comments waiting for a moderator."""
    row = CommentReport.objects.filter(resolved_at__isnull=True).aggregate(
        count=Count("comment", distinct=True), oldest=Min("created_at")
    )
    return row["count"], row["oldest"]


# What a moderator did to a comment, for its audit trail on the moderation page.
COMMENT_VERBS = {
    "comment.reported": "Reported",
    "comment.hidden": "Hidden",
    "comment.restored": "Restored",
    "comment.reports_dismissed": "Reports dismissed",
}


def comment_moderation_trail(comment) -> list:
    """Reports and moderators' decisions on a comment, oldest first."""
    events = list(core_selectors.audit_trail(comment, verbs=COMMENT_VERBS))
    for event in events:
        event.label = COMMENT_VERBS[event.verb]
    return events
