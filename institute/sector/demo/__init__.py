"""Demo blueprint: the report's recommendations in our words with made-up progress, recorded
values for the targets the platform cannot count, and an illustrative set of comparison groups
(blueprint.yaml, comparison-groups.csv). Then the targets' counted figures are rebuilt from the
kept history.

Used by `manage.py seed_demo` after every other app's demo (it links to their rows by title,
read through their selectors). Everything is written through institute.sector.services, acting
as the demo institute staff member. Idempotent: a recommendation, a value or a set that exists
is left alone.
"""

from datetime import timedelta
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from backlog import selectors as backlog_selectors
from centres import selectors as centres_selectors
from components import selectors as components_selectors
from institute.models import User
from institute.sector import services, targets
from institute.sector.models import ComparisonGroupSet, MetricSeries, MetricValue, Recommendation
from institute.urlcache import absolute_url
from standards import selectors as standards_selectors

STAFF_EMAIL = "staff@institute.test"
HERE = Path(__file__).parent
CONTENT = yaml.safe_load((HERE / "blueprint.yaml").read_text(encoding="utf-8"))


def _url(address: str) -> str:
    """A demo address: this site's own pages are written as paths."""
    return absolute_url(address) if address.startswith("/") else address


def _lookups() -> dict:
    """Every row the recommendations name, by title: one query for each kind."""
    names = {"problems": set(), "components": set(), "standards": set(), "projects": set()}
    names["learning"] = set()
    for demo in CONTENT["recommendations"]:
        for kind, titles in demo.get("links", {}).items():
            names[kind].update(titles)
    return {
        "problems": backlog_selectors.problems_by_title(names["problems"]),
        "components": components_selectors.published_components_by_name(names["components"]),
        "standards": standards_selectors.standards_by_title(names["standards"]),
        "projects": centres_selectors.projects_by_title(names["projects"]),
        "learning": centres_selectors.published_learning_by_title(names["learning"]),
    }


def _recommendations(staff, today) -> int:
    existing = set(Recommendation.objects.values_list("number", flat=True))
    found = _lookups()
    origins = CONTENT["origins"]
    created = 0
    for demo in CONTENT["recommendations"]:
        if demo["number"] in existing:
            continue
        recommendation = services.recommendation_create(
            actor=staff,
            number=demo["number"],
            theme=demo["theme"],
            bodies=demo["bodies"],
            title=demo["title"],
            summary=demo["summary"],
            origin=origins[demo["origin"]],
        )
        for update in demo.get("updates", []):
            services.recommendation_update_add(
                actor=staff,
                recommendation=recommendation,
                status=update["status"],
                on=today - timedelta(days=update["days_ago"]),
                note=update["note"],
                evidence_url=_url(update["evidence"]) if update.get("evidence") else "",
            )
        links = demo.get("links", {})
        if links:
            services.recommendation_links_set(
                actor=staff,
                recommendation=recommendation,
                **{
                    kind: [found[kind][t] for t in titles if t in found[kind]]
                    for kind, titles in links.items()
                },
            )
        created += 1
    return created


def _recorded_values(staff, today) -> int:
    series = {s.slug: s for s in MetricSeries.objects.all()}
    have = set(MetricValue.objects.values_list("series__slug", "date"))
    recorded = 0
    for slug, values in CONTENT["recorded_values"].items():
        for demo in values:
            on = today - timedelta(days=demo["days_ago"])
            if (slug, on) in have:
                continue
            services.metric_value_record(
                actor=staff,
                series=series[slug],
                on=on,
                value=demo["value"],
                source_url=_url(demo["source"]),
                note=demo["note"],
                is_baseline=demo.get("baseline", False),
            )
            recorded += 1
    return recorded


def _comparison_groups(staff, today) -> int:
    demo = CONTENT["comparison_groups"]
    if ComparisonGroupSet.objects.filter(name=demo["name"]).exists():
        return 0
    group_set = services.comparison_groups_upload(
        actor=staff,
        name=demo["name"],
        as_of=today - timedelta(days=demo["days_ago"]),
        source=demo["source"],
        source_url="",
        licence=demo["licence"],
        data=(HERE / demo["file"]).read_bytes(),
    )
    return group_set.councils


@transaction.atomic
def seed() -> dict:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        return {"recommendations": 0, "note": "run institute.demo first"}
    staff._state.fields_cache.pop("membership", None)
    today = timezone.localdate()
    targets.series_sync()
    return {
        "recommendations": _recommendations(staff, today),
        "recorded_values": _recorded_values(staff, today),
        "councils_with_comparison_groups": _comparison_groups(staff, today),
        "counted_values": targets.history_rebuild(today=today),
    }
