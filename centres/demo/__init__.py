"""Demo centres: five Centres of Service Innovation at real strategic authorities, with their
staff, about fifteen projects and about forty pieces of learning across every kind and evidence
level, several of them data-sharing examples.

The centres, people, projects and learning are in centres.yaml; this module writes them in
order. Used by `manage.py seed_demo` after institute.demo and backlog.demo. Everything is
written through centres.services, acting as the people involved; projects link to demo backlog
problems when those exist (matched by title), a few projects to the demo components they
produce or use, and a few pieces of learning to demo components and standards (matched by name
and title) when those exist. Idempotent: centres, projects and learning are matched by name or
title, and what exists is left alone. Afterwards publication dates are spread over the past
year so that "newest" means something.
"""

from datetime import timedelta
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from backlog import selectors as backlog_selectors
from centres import services
from centres.models import (
    Centre,
    CentreStaff,
    Learning,
    LearningChange,
    LearningStatus,
    Project,
)
from components import selectors as components_selectors
from institute.demo import DEMO_PASSWORD, unwrap_markdown
from institute.models import Membership, Organisation, ServiceArea, User
from standards import selectors as standards_selectors

STAFF_EMAIL = "staff@institute.test"

CONTENT = yaml.safe_load(Path(__file__).with_name("centres.yaml").read_text(encoding="utf-8"))


def _link_project_components(people_by_centre: dict) -> int:
    """Link a few projects to the demo components that exist (published), by name; what is
    linked already is left alone, so running again changes nothing."""
    links = CONTENT["project_components"]
    names = [n for link in links for n in [*link["produces"], *link["uses"]]]
    components = components_selectors.published_components_by_name(names)
    linked = 0
    for link in links:
        produced, used = link["produces"], link["uses"]
        project = Project.objects.filter(title=link["project"]).select_related("centre").first()
        actor = people_by_centre.get(project.centre_id) if project else None
        if actor is None:
            continue
        have_produced = list(project.components_produced.all())
        have_used = list(project.components_used.all())
        add_produced = [
            components[n]
            for n in produced
            if n in components and components[n] not in have_produced
        ]
        add_used = [
            components[n] for n in used if n in components and components[n] not in have_used
        ]
        if not add_produced and not add_used:
            continue
        services.project_update(
            actor=actor,
            project=project,
            title=project.title,
            summary=project.summary,
            status=project.status,
            phase=project.phase,
            partner_councils=list(project.partner_councils.all()),
            problems=list(project.problems.all()),
            start_date=project.start_date,
            end_date=project.end_date,
            components_produced=have_produced + add_produced,
            components_used=have_used + add_used,
        )
        linked += 1
    return linked


def _current(learning: Learning, **changes) -> dict:
    """Everything learning_update takes, as the item has it now, with `changes` applied."""
    return {
        "kind": learning.kind,
        "title": learning.title,
        "summary": learning.summary,
        "body": learning.body,
        "evidence_strength": learning.evidence_strength,
        "cost_band": learning.cost_band,
        "impact_summary": learning.impact_summary,
        "themes": learning.themes,
        "service_areas": list(learning.service_areas.all()),
        "councils": list(learning.councils.all()),
        "problems": list(learning.problems.all()),
        "components": list(learning.components.all()),
        "standards": list(learning.standards.all()),
        "project": learning.project,
        **changes,
    }


def _link_components_and_standards(people_by_centre: dict) -> int:
    """Link a few items to the demo components and standards that exist; what is linked
    already is left alone, so running again changes nothing."""
    links = CONTENT["learning_links"]
    component_names = [name for link in links for name in link["components"]]
    standard_titles = [title for link in links for title in link["standards"]]
    components = components_selectors.published_components_by_name(component_names)
    standards = standards_selectors.standards_by_title(standard_titles)
    linked = 0
    for link in links:
        names, titles = link["components"], link["standards"]
        learning = Learning.objects.filter(title=link["learning"]).select_related("centre").first()
        actor = people_by_centre.get(learning.centre_id) if learning else None
        if actor is None:
            continue
        have_components = set(learning.components.values_list("pk", flat=True))
        have_standards = set(learning.standards.values_list("pk", flat=True))
        add_components = [
            components[n]
            for n in names
            if n in components and components[n].pk not in have_components
        ]
        add_standards = [
            standards[t] for t in titles if t in standards and standards[t].pk not in have_standards
        ]
        if not add_components and not add_standards:
            continue
        data = _current(learning)
        data["components"] += add_components
        data["standards"] += add_standards
        services.learning_update(actor=actor, learning=learning, **data)
        linked += 1
    return linked


def _claim_changes(people: dict) -> int:
    """The changes of `claim_changes`: proposed by the centre's staff member, published by its
    lead or left waiting. An item with any change already is left alone."""
    made = 0
    for entry in CONTENT["claim_changes"]:
        learning = Learning.objects.filter(
            title=entry["learning"], status=LearningStatus.PUBLISHED
        ).first()
        if learning is None or LearningChange.objects.filter(learning=learning).exists():
            continue
        claims = {
            name: entry[name]
            for name in ("evidence_strength", "cost_band", "impact_summary")
            if name in entry
        }
        if "impact_summary" in claims:
            claims["impact_summary"] = " ".join(claims["impact_summary"].split())
        staff, lead = people[entry["centre"]]["staff"], people[entry["centre"]]["lead"]
        updated = services.learning_update(
            actor=staff, learning=learning, **_current(learning, **claims)
        )
        if entry["publish"] and updated.proposed_change is not None:
            services.learning_change_publish(actor=lead, change=updated.proposed_change)
        made += 1
    return made


def _person(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _body(what: str, happened: str, advice: str) -> str:
    return (
        f"## What we did\n\n{what}\n\n## What happened\n\n{happened}\n\n"
        f"## What we would tell another council\n\n{advice}\n"
    )


@transaction.atomic
def seed() -> dict:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        return {"centres": 0, "note": "run institute.demo first"}
    staff._state.fields_cache.pop("membership", None)
    centres = {}
    for key, demo in CONTENT["centres"].items():
        centre = Centre.objects.filter(name=demo["name"]).first()
        if centre is None:
            centre = services.centre_create(
                actor=staff,
                name=demo["name"],
                host=Organisation.objects.get(slug=demo["host"]),
                regions=demo["regions"],
                focus_themes=demo["themes"],
                focus=demo["focus"],
                description=unwrap_markdown(demo["description"]),
            )
        centres[key] = centre

    people = {}
    for person in CONTENT["people"]:
        key, job_title, lead = person["centre"], person["job_title"], person["lead"]
        user = _person(person["email"], person["full_name"])
        centre = centres[key]
        if not CentreStaff.objects.filter(user=user, centre=centre).exists():
            membership = Membership.objects.filter(user=user).first()
            if membership is None or membership.organisation_id == centre.host_id:
                services.centre_staff_assign(
                    actor=staff, centre=centre, user=user, job_title=job_title, lead=lead
                )
        user._state.fields_cache.pop("membership", None)
        people.setdefault(key, {})["lead" if lead else "staff"] = user
    for key in centres:
        people[key].setdefault("staff", people[key]["lead"])

    problems = backlog_selectors.problems_by_title()
    councils = {o.slug: o for o in Organisation.objects.councils()}

    projects = {}
    for demo in CONTENT["projects"]:
        key, title = demo["centre"], demo["title"]
        project = Project.objects.filter(title=title).first()
        if project is None:
            project = services.project_create(
                actor=people[key]["lead"],
                centre=centres[key],
                title=title,
                summary=demo["summary"],
                status=demo["status"],
                phase=demo["phase"],
                partner_councils=[councils[s] for s in demo["partners"] if s in councils],
                problems=[problems[t] for t in demo["problems"] if t in problems],
                start_date=demo.get("start"),
                end_date=demo.get("end"),
            )
        projects[title] = project

    areas = {a.slug: a for a in ServiceArea.objects.all()}
    created = 0
    now = timezone.now()
    for index, demo in enumerate(CONTENT["learning"]):
        key, title, status = demo["centre"], demo["title"], demo["status"]
        if Learning.objects.filter(title=title).exists():
            continue
        author, lead = people[key]["staff"], people[key]["lead"]
        learning = services.learning_create(
            actor=author,
            centre=centres[key],
            kind=demo["kind"],
            title=title,
            summary=demo["summary"],
            body=_body(demo["what_we_did"], demo["what_happened"], demo["advice"]),
            evidence_strength=demo["evidence"],
            cost_band=demo["cost"],
            impact_summary=demo["impact"],
            themes=demo["themes"],
            service_areas=[areas[s] for s in demo["service_areas"] if s in areas],
            councils=[councils[s] for s in demo["councils"] if s in councils],
            problems=[problems[t] for t in demo["problems"] if t in problems],
            project=projects.get(demo.get("project")),
        )
        created += 1
        if status in (LearningStatus.IN_REVIEW, LearningStatus.PUBLISHED):
            services.learning_submit(actor=author, learning=learning)
        if status == LearningStatus.PUBLISHED:
            services.learning_publish(actor=lead, learning=learning)
            # Spread publication over the past year, oldest first in the list order.
            when = now - timedelta(days=360 - index * 8)
            Learning.objects.filter(pk=learning.pk).update(
                created_at=when - timedelta(days=14),
                submitted_at=when - timedelta(days=3),
                published_at=when,
                updated_at=when,
            )

    # One published item edited after publication, so its history shows a previous version.
    revision = CONTENT["revision"]
    revised = Learning.objects.filter(title=revision["learning"], revisions__isnull=True).first()
    if revised is not None and created:
        services.learning_update(
            actor=people["woe"]["lead"],
            learning=revised,
            kind=revised.kind,
            title=revised.title,
            summary=revised.summary,
            body=f"{revised.body}\n## Update\n\n{revision['update']}\n",
            evidence_strength=revised.evidence_strength,
            cost_band=revised.cost_band,
            impact_summary=revised.impact_summary,
            themes=revised.themes,
            service_areas=list(revised.service_areas.all()),
            councils=list(revised.councils.all()),
            problems=list(revised.problems.all()),
            components=list(revised.components.all()),
            standards=list(revised.standards.all()),
            project=revised.project,
        )
    leads = {centre.pk: people[key]["lead"] for key, centre in centres.items()}
    linked = _link_components_and_standards(leads)
    claim_changes = _claim_changes(people)
    projects_linked = _link_project_components(leads)
    return {
        "centres": len(centres),
        "projects": Project.objects.count(),
        "learning": Learning.objects.count(),
        "new_learning": created,
        "newly_linked_to_components_or_standards": linked,
        "projects_newly_linked_to_components": projects_linked,
        "claim_changes": claim_changes,
    }
