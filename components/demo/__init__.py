"""Demo components library: about thirty components as councils would describe them, adopted
by councils across England, some adoptions stale, a few submissions still in review, linked to
backlog problems where the demo backlog has them.

The components are in components.yaml; this module decides, with seeded randomness, which
councils adopt each, at which stage and when. Used by `manage.py seed_demo` after institute.demo
(and backlog.demo, if present). Written through components.services, acting as the people
involved; then confirmation dates are spread over the past two years so that staleness and
reminders mean something. Idempotent: components are matched by name and one that exists is
left alone. Randomness is seeded.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from backlog import selectors as backlog_selectors
from components import services
from components.models import (
    Adoption,
    AdoptionChange,
    Component,
    ComponentChange,
    ComponentEvent,
    Stage,
)
from institute import selectors as core_selectors
from institute.demo import (
    DEMO_PASSWORD,
    SHARED_SERVICE,
    demo_files_scan,
    demo_pdf,
    demo_upload,
    unwrap_markdown,
)
from institute.models import Membership, Organisation, Role, ServiceArea, User
from standards import selectors as standards_selectors

CONTENT = yaml.safe_load(Path(__file__).with_name("components.yaml").read_text(encoding="utf-8"))

STAFF_EMAIL = "staff@institute.test"
FIRST, LAST, USES = CONTENT["first_names"], CONTENT["last_names"], CONTENT["uses"]

ALLTYPES = {"county", "district", "unitary", "metropolitan_borough", "london_borough"}
UPPER = {"county", "unitary", "metropolitan_borough", "london_borough"}
LOWER = {"district", "unitary", "metropolitan_borough", "london_borough"}
# The council types that would adopt a component, by the name components.yaml gives them.
COUNCIL_TYPES = {"all": ALLTYPES, "upper": UPPER, "lower": LOWER}


@dataclass
class Demo:
    name: str
    summary: str
    kind: str
    maturity: str
    description: str  # Markdown, as stored
    licence: str
    service_areas: list[str]
    council_types: set[str]  # that would adopt it
    cost_model: str = "free"
    hosting: str = "self_hosted"
    theme: str = ""
    source: str = ""
    docs: str = ""
    maintainer: str = ""  # an organisation slug, or a name
    adopters: int = 10
    status: str = "published"  # or in_review / changes_requested
    submitter: str = "officer@leeds.council.test"
    problems: list[str] = field(default_factory=list)
    note: str = ""


def _component(entry: dict) -> Demo:
    """A component of components.yaml: its council types as a set, its description unwrapped."""
    return Demo(
        **{
            **entry,
            "council_types": COUNCIL_TYPES[entry.get("council_types", "all")],
            "description": unwrap_markdown(entry["description"]),
        }
    )


COMPONENTS = [_component(entry) for entry in CONTENT["components"]]
# Demo components that meet demo standards (standards/demo), linked by name when both exist.
STANDARDS_MET = [(link["component"], link["standard"]) for link in CONTENT["standards_met"]]


def _staff():
    return User.objects.get(email=STAFF_EMAIL)


def _officers_for(councils, rng) -> dict:
    """One officer per council (an existing one where there is one), created in bulk. The
    demo's shared-service officers are left to their own councils' pages (people.yaml)."""
    existing = {}
    for m in (
        Membership.objects.filter(
            organisation__in=councils, role=Role.OFFICER, user__is_active=True
        )
        .exclude(user__email__in=[person["email"] for person in SHARED_SERVICE])
        .select_related("user")
        .order_by("user__email")
    ):
        existing.setdefault(m.organisation_id, m.user)
    missing = [c for c in councils if c.pk not in existing]
    if missing:
        password = make_password(DEMO_PASSWORD)
        emails = {c.pk: f"digital.lead@{c.slug}.council.test" for c in missing}
        found = {u.email: u for u in User.objects.filter(email__in=emails.values())}
        new = [
            User(email=emails[c.pk], full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                 password=password)
            for c in missing if emails[c.pk] not in found
        ]  # fmt: skip
        for user in User.objects.bulk_create(new):
            found[user.email] = user
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in new]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=found[emails[c.pk]], organisation=c, role=Role.OFFICER)
                for c in missing
            ],
            ignore_conflicts=True,
        )
        for c in missing:
            existing[c.pk] = found[emails[c.pk]]
    return existing


def _fields(demo: Demo, organisations, areas) -> dict:
    maintainer = organisations.get(demo.maintainer)
    return {
        "name": demo.name,
        "summary": demo.summary,
        "description": demo.description,
        "kind": demo.kind,
        "maturity": demo.maturity,
        "theme": demo.theme,
        "service_areas": [areas[a] for a in demo.service_areas if a in areas],
        "licence": demo.licence,
        "source_url": demo.source,
        "documentation_url": demo.docs,
        "maintainer": maintainer,
        "maintainer_name": "" if maintainer else demo.maintainer,
        "cost_model": demo.cost_model,
        "hosting": demo.hosting,
    }


def _link_standards() -> int:
    """Link demo components to the standards they meet; safe to run again."""
    components = {
        c.name: c for c in Component.objects.filter(name__in={name for name, _ in STANDARDS_MET})
    }
    standards = standards_selectors.standards_by_title({title for _, title in STANDARDS_MET})
    linked = 0
    for name, title in STANDARDS_MET:
        component, standard = components.get(name), standards.get(title)
        if component is not None and standard is not None:
            component.standards.add(standard)
            linked += 1
    return linked


STAGES = [(Stage.IN_USE, 60), (Stage.PILOTING, 18), (Stage.EXPLORING, 16), (Stage.RETIRED, 6)]


def _reviewed_content() -> dict:
    """A change waiting for review on a published component, and an adoption with a file of
    evidence (components.yaml: pending_change, adoption_file). Each is made once."""
    made = {"pending_changes": 0, "adoption_files": 0}
    pending = CONTENT["pending_change"]
    component = Component.objects.filter(name=pending["component"], status="published").first()
    if component is not None and not ComponentChange.objects.filter(component=component).exists():
        proposer = User.objects.get(email=pending["proposed_by"])
        services.component_update(actor=proposer, component=component, maturity=pending["maturity"])
        made["pending_changes"] = 1

    entry = CONTENT["adoption_file"]
    component = Component.objects.filter(name=entry["component"], status="published").first()
    officer = core_selectors.users_with_membership(User.objects.filter(email=entry["officer"]))
    if component is None or not officer or officer[0].membership is None:
        return made
    officer = officer[0]
    adoption = Adoption.objects.filter(
        component=component, organisation=officer.membership.organisation
    ).first()
    if adoption is not None and adoption.evidence_files.exists():
        return made
    upload = demo_upload(entry["name"], demo_pdf(entry["title"], entry["lines"]))
    if adoption is None:
        adoption, _ = services.adoption_record(
            actor=officer,
            component=component,
            organisation=officer.membership.organisation,
            stage=entry["stage"],
            since=entry["since"],
            evidence_note=entry["evidence_note"],
            show_as_contact=True,
            upload=upload,
        )
    else:
        services.adoption_file_add(actor=officer, adoption=adoption, upload=upload)
    demo_files_scan(list(adoption.evidence_files.all()))
    made["adoption_files"] = 1
    return made


@transaction.atomic
def seed() -> dict:
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    staff = _staff()
    existing = set(Component.objects.values_list("name", flat=True))
    todo = [d for d in COMPONENTS if d.name not in existing]
    if not todo:
        _link_standards()
        return {"components": 0, "adoptions": 0, **_reviewed_content()}
    slugs = {d.maintainer for d in todo} | {"leeds"}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    areas = {a.slug: a for a in ServiceArea.objects.all()}
    councils = list(Organisation.objects.current().councils().order_by("slug"))
    submitters = {u.email: u for u in User.objects.filter(email__in={d.submitter for d in todo})}
    now = timezone.now()
    made, adoptions, linked = 0, 0, 0
    plans = []
    for index, demo in enumerate(todo):
        submitter = submitters.get(demo.submitter) or staff
        component = services.component_submit(
            actor=submitter, **_fields(demo, organisations, areas)
        )
        made += 1
        for title in demo.problems:
            problem = backlog_selectors.problems_by_title([title]).get(title)
            if problem is not None:
                linked += services.component_link_problem(
                    actor=staff, component=component, problem=problem
                )
        if demo.status == "changes_requested":
            services.component_request_changes(actor=staff, component=component, note=demo.note)
        if demo.status != "published":
            continue
        component = services.component_publish(actor=staff, component=component)
        age = 60 + index * 25 + rng.randint(0, 20)
        published = now - timedelta(days=age)
        Component.objects.filter(pk=component.pk).update(
            created_at=published - timedelta(days=14), published_at=published
        )
        ComponentEvent.objects.filter(component=component).update(created_at=published)
        eligible = [c for c in councils if c.council_type in demo.council_types]
        chosen = rng.sample(eligible, min(demo.adopters, len(eligible)))
        if demo.adopters and organisations.get("leeds") and rng.random() < 0.3:
            chosen = [c for c in chosen if c.slug != "leeds"]
        plans.append((component, chosen, age))

    officers = _officers_for({c for _, chosen, _ in plans for c in chosen}, rng)
    stages, weights = zip(*STAGES, strict=True)
    for component, chosen, age in plans:
        for council in chosen:
            stage = rng.choices(stages, weights=weights)[0]
            since = (now - timedelta(days=rng.randint(30, age + 400))).date()
            officer = officers[council.pk]
            evidence = rng.choice(
                [
                    {"evidence_url": f"https://{council.slug}.council.test/digital"},
                    {"evidence_note": f"Used by our {rng.choice(USES)} since {since:%B %Y}."},
                ]
            )  # fmt: skip
            adoption, _ = services.adoption_record(
                actor=officer,
                component=component,
                organisation=council,
                stage=stage,
                since=since,
                show_as_contact=rng.random() < 0.4,
                **evidence,
            )
            adoptions += 1
            # Confirmation dates spread over two years: some stale, some due a reminder soon.
            roll = rng.random()
            if roll < 0.15:
                days = rng.randint(370, 700)  # stale
            elif roll < 0.25:
                days = rng.randint(336, 364)  # goes stale within 30 days
            else:
                days = rng.randint(1, 300)
            confirmed = now - timedelta(days=days)
            Adoption.objects.filter(pk=adoption.pk).update(
                confirmed_at=confirmed, created_at=confirmed, updated_at=confirmed
            )
            AdoptionChange.objects.filter(adoption=adoption).update(created_at=confirmed)
    services.component_counts_refresh()
    _link_standards()
    return {
        "components": made,
        "adoptions": adoptions,
        "problem_links": linked,
        **_reviewed_content(),
    }
