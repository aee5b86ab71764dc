"""The sector's non-trivial reads of its own rows: the recommendations tracker (its matrix of
theme and body, a theme's recommendations, one recommendation with its updates and the work
that serves it) and the comparison groups. Other apps' rows are read through their selectors."""

from urllib.parse import urlparse
from uuid import UUID

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import Resolver404, resolve

from backlog import selectors as backlog_selectors
from centres import selectors as centres_selectors
from components import selectors as components_selectors
from institute import fragments
from institute.models import Organisation, Theme
from institute.sector.models import (
    Body,
    ComparisonGroupMember,
    ComparisonGroupSet,
    Recommendation,
    RecommendationStatus,
)
from institute.sector.panels import Table
from institute.sector.services import BLUEPRINT_VERSION, COMPARISON_VERSION
from institute.urlcache import detail_url
from standards import selectors as standards_selectors

LINK_KINDS = ["problems", "components", "standards", "projects", "learning"]
LINK_LABELS = {
    "problems": "Backlog problems",
    "components": "Components",
    "standards": "Standards",
    "projects": "Centre projects",
    "learning": "Learning",
}


# --- The tracker --------------------------------------------------------------------------------


def _links_count(name: str):
    """How many rows of one link a recommendation has: a correlated count, so that five of
    them do not multiply one another."""
    through = getattr(Recommendation, name).through
    return Coalesce(
        Subquery(
            through.objects.filter(recommendation_id=OuterRef("pk"))
            .order_by()
            .values("recommendation_id")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def recommendation_list(*, theme: str = "", body: str = ""):
    """Recommendations in number order, each with how many of each kind of work serve it."""
    qs = Recommendation.objects.annotate(
        **{f"{name}_count": _links_count(name) for name in LINK_KINDS}
    )
    if theme:
        qs = qs.filter(theme=theme)
    if body:
        qs = qs.filter(bodies__contains=[body])
    return qs.order_by("number")


def _matrix() -> dict:
    rows = list(Recommendation.objects.values_list("theme", "bodies", "status"))
    cells = {}
    for theme, bodies, status in rows:
        for body in bodies:
            cell = cells.setdefault((theme, body), dict.fromkeys(RecommendationStatus.values, 0))
            cell[status] += 1
    by_status = dict.fromkeys(RecommendationStatus.values, 0)
    by_theme = {t: dict.fromkeys(RecommendationStatus.values, 0) for t in Theme.values}
    for theme, _, status in rows:
        by_status[status] += 1
        by_theme[theme][status] += 1
    return {"cells": cells, "total": len(rows), "by_status": by_status, "by_theme": by_theme}


def recommendation_matrix() -> dict:
    """Recommendations counted by theme and body (the report's "who should be doing what"), and
    by status: one query, then cached until the tracker changes."""
    return fragments.cached("sector:blueprint:matrix", (BLUEPRINT_VERSION,), _matrix)


def matrix_table(matrix: dict) -> Table:
    """The matrix as a table: a row a theme, a column a body; each cell the recommendations
    for that body under that theme, and how many of them are done or in progress."""
    rows = []
    for theme in Theme:
        row = [theme.label]
        for body in Body.values:
            cell = matrix["cells"].get((theme.value, body))
            if not cell:
                row.append(0)
                continue
            row.append(sum(cell.values()))
        rows.append(row)
    return Table(
        slug="blueprint-matrix",
        caption="Recommendations by theme and by who should act",
        headers=["Theme", *[label for _, label in Body.choices]],
        rows=rows,
        summary=(
            f"{matrix['total']} recommendations: "
            + "; ".join(
                f"{label.lower()}: {matrix['by_status'][value]}"
                for value, label in RecommendationStatus.choices
            )
            + ". A recommendation for several bodies is counted under each."
        ),
    )


def matrix_cells(matrix: dict) -> list[dict]:
    """The matrix for the page: per theme, per body, the count and its status breakdown."""
    statuses = RecommendationStatus.choices
    return [
        {
            "theme": theme,
            "cells": [
                {
                    "body": body,
                    "label": label,
                    "total": sum(cell.values()),
                    "statuses": [(s, slabel, cell[s]) for s, slabel in statuses if cell[s]],
                }
                for body, label in Body.choices
                for cell in [
                    matrix["cells"].get((theme.value, body))
                    or dict.fromkeys(RecommendationStatus.values, 0)
                ]
            ],
        }
        for theme in Theme
    ]


LINK_NOUNS = {
    "problems": ("backlog problem", "backlog problems"),
    "components": ("component", "components"),
    "standards": ("standard", "standards"),
    "projects": ("centre project", "centre projects"),
    "learning": ("piece of learning", "pieces of learning"),
}


def served_by_text(recommendation) -> str:
    """ "Served by 2 backlog problems and 1 standard.", from a listed recommendation's counts."""
    parts = []
    for name in LINK_KINDS:
        n = getattr(recommendation, f"{name}_count", 0)
        if n:
            one, many = LINK_NOUNS[name]
            parts.append(f"{n} {one if n == 1 else many}")
    if not parts:
        return "Nothing on the platform is linked to it yet."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"Served by {listed}."


def recommendations_table(recommendations) -> Table:
    """Every recommendation with where it stands: the tracker's CSV."""
    themes, bodies = dict(Theme.choices), dict(Body.choices)
    statuses = dict(RecommendationStatus.choices)
    rows = [
        [
            r.number,
            themes.get(r.theme, r.theme),
            r.title,
            "; ".join(bodies.get(b, b) for b in r.bodies),
            statuses.get(r.status, r.status),
            f"{r.status_since:%Y-%m-%d}" if r.status_since else "",
            *[getattr(r, f"{name}_count") for name in LINK_KINDS],
        ]
        for r in recommendations
    ]
    return Table(
        slug="recommendations",
        caption="The blueprint's recommendations and where they stand",
        headers=[
            "Number",
            "Theme",
            "Recommendation",
            "Who should act",
            "Status",
            "Since",
            *[LINK_LABELS[name] for name in LINK_KINDS],
        ],
        rows=rows,
    )


def recommendation_links(recommendation: Recommendation) -> dict[str, list[dict]]:
    """The work that serves a recommendation, read through each owning app's selectors: a
    fixed number of queries (a link table and a selector for each kind)."""
    ids = {
        name: list(
            getattr(Recommendation, name)
            .through.objects.filter(recommendation_id=recommendation.pk)
            .values_list(f"{field}_id", flat=True)
        )
        for name, field in (
            ("problems", "problem"),
            ("components", "component"),
            ("standards", "standard"),
            ("projects", "project"),
            ("learning", "learning"),
        )
    }
    problems = backlog_selectors.problems_by_number(ids["problems"]) if ids["problems"] else {}
    projects = centres_selectors.projects_by_number(ids["projects"]) if ids["projects"] else {}
    return {
        "problems": [
            {"text": p.title, "href": detail_url("backlog:problem_detail", "pk", p.pk)}
            for p in sorted(problems.values(), key=lambda p: p.title)
        ],
        "components": [
            {"text": name, "href": detail_url("components:component_detail", "public_id", pid)}
            for _, pid, name in (
                components_selectors.component_names(ids["components"]) if ids["components"] else []
            )
        ],
        "standards": [
            {"text": title, "href": detail_url("standards:standard_detail", "slug", slug)}
            for _, slug, title in (
                standards_selectors.standard_titles(ids["standards"]) if ids["standards"] else []
            )
        ],
        "projects": [
            {"text": p.title, "href": detail_url("centres:project_detail", "pk", p.pk)}
            for p in sorted(projects.values(), key=lambda p: p.title)
        ],
        "learning": [
            {"text": title, "href": detail_url("centres:learning_detail", "public_id", pid)}
            for _, pid, title in (
                centres_selectors.published_learning_titles(ids["learning"])
                if ids["learning"]
                else []
            )
        ],
    }


class LinkError(Exception):
    pass


# The pages a recommendation can link to: URL name -> (kind, the URL's key).
LINKABLE = {
    "backlog:problem_detail": ("problems", "pk"),
    "components:component_detail": ("components", "public_id"),
    "standards:standard_detail": ("standards", "slug"),
    "centres:project_detail": ("projects", "pk"),
    "centres:learning_detail": ("learning", "public_id"),
}


def links_from_addresses(text: str) -> tuple[dict[str, list], list[str]]:
    """The rows named by page addresses, one a line, and a message for each line that does not
    name a problem, a published component, a standard, a centre project or published learning:
    one query for each kind named."""
    wanted: dict[str, dict] = {kind: {} for kind in LINK_KINDS}
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        address = line.strip()
        if not address:
            continue
        path = urlparse(address).path or address
        try:
            match = resolve(path if path.endswith("/") else f"{path}/")
        except Resolver404:
            match = None
        linkable = LINKABLE.get(match.view_name) if match else None
        if linkable is None:
            errors.append(
                f"Line {number}: “{address}” is not the address of a problem, component, "
                "standard, centre project or piece of learning"
            )
            continue
        kind, key = linkable
        wanted[kind][match.kwargs[key]] = (number, address)
    found = {
        "problems": backlog_selectors.problems_by_number(wanted["problems"]),
        "components": components_selectors.published_components_by_public_id(
            [UUID(str(k)) for k in wanted["components"]]
        ),
        "standards": standards_selectors.standards_by_slug(wanted["standards"]),
        "projects": centres_selectors.projects_by_number(wanted["projects"]),
        "learning": centres_selectors.published_learning_by_public_id(
            [UUID(str(k)) for k in wanted["learning"]]
        ),
    }
    rows: dict[str, list] = {}
    for kind in LINK_KINDS:
        rows[kind] = []
        for key, (number, address) in sorted(wanted[kind].items(), key=lambda kv: kv[1][0]):
            row = found[kind].get(key)
            if row is None:
                errors.append(f"Line {number}: nothing published is found at “{address}”")
            else:
                rows[kind].append(row)
    errors.sort(key=lambda e: int(e.split(":")[0].removeprefix("Line ")))
    return rows, errors


def link_groups(links: dict[str, list[dict]]) -> list[tuple[str, list[dict]]]:
    """(heading, links) of each kind that has any, in the page's order."""
    return [(LINK_LABELS[kind], links[kind]) for kind in LINK_KINDS if links[kind]]


def link_addresses(links: dict[str, list[dict]]) -> str:
    """The current links as the form shows them: one page address a line."""
    return "\n".join(item["href"] for kind in LINK_KINDS for item in links[kind])


# --- Comparison groups --------------------------------------------------------------------------


def comparison_group_sets():
    return ComparisonGroupSet.objects.select_related("uploaded_by").order_by("name")


def comparison_group_choices() -> list[tuple[str, str]]:
    """(id, name) of every set, for filters: cached until a set is uploaded or removed."""
    return fragments.cached(
        "sector:comparison-group-choices",
        (COMPARISON_VERSION,),
        lambda: [
            (str(pk), name) for pk, name in ComparisonGroupSet.objects.values_list("pk", "name")
        ],
    )


def council_choices() -> list[tuple[str, str]]:
    """(slug, name) of every current council, for filters: cached until names change."""
    return fragments.cached(
        "sector:council-choices",
        ("names",),
        lambda: list(
            Organisation.objects.current().councils().order_by("name").values_list("slug", "name")
        ),
    )


def comparison_group_rows(group_set: ComparisonGroupSet):
    """Each council in a set with its comparators' names, nearest first: one query a page."""
    return (
        ComparisonGroupMember.objects.filter(group_set=group_set)
        .values("council__name", "council__gss_code", "council__slug")
        .annotate(
            comparators=ArrayAgg("comparator__name", order_by="rank"),
            n=Count("pk"),
        )
        .order_by("council__name")
    )


def comparators_of(group_set_id: int, organisation: Organisation) -> list[int]:
    return list(
        ComparisonGroupMember.objects.filter(group_set_id=group_set_id, council=organisation)
        .order_by("rank")
        .values_list("comparator_id", flat=True)
    )
