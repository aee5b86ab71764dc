"""Demo components library: about thirty components as councils would describe them, adopted
by councils across England, some adoptions stale, a few submissions still in review, linked to
backlog problems where the demo backlog has them.

Used by `manage.py seed_demo` after institute.demo (and backlog.demo, if present). Written
through components.services, acting as the people involved; then confirmation dates are spread
over the past two years so that staleness and reminders mean something. Idempotent: components
are matched by name and one that exists is left alone. Randomness is seeded.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from backlog.models import Problem
from components import services
from components.models import Adoption, AdoptionChange, Component, ComponentEvent, Stage
from institute.demo import DEMO_PASSWORD
from institute.models import Membership, Organisation, Role, ServiceArea, User
from standards.models import Standard

STAFF_EMAIL = "staff@institute.test"
FIRST = [
    "Asha",
    "Ben",
    "Ceri",
    "Dev",
    "Eve",
    "Femi",
    "Gwen",
    "Hugo",
    "Isla",
    "Jon",
    "Kemi",
    "Leo",
    "Maya",
    "Nik",
    "Orla",
    "Pete",
    "Rhea",
]
LAST = [
    "Archer",
    "Bose",
    "Coles",
    "Dunn",
    "Ellis",
    "Frost",
    "Gill",
    "Hart",
    "Iqbal",
    "Jenkins",
    "Kerr",
    "Lowe",
    "Marsh",
    "Nash",
]
USES = ["contact centre", "service team", "digital team", "back office"]


@dataclass
class Demo:
    name: str
    summary: str
    kind: str
    maturity: str
    description: str
    cost_model: str = "free"
    hosting: str = "self_hosted"
    licence: str = "MIT"
    theme: str = ""
    areas: tuple = ()
    source: str = ""
    docs: str = ""
    maintainer: str = ""  # an organisation slug, or a name
    adopters: int = 10
    status: str = "published"  # or in_review / changes_requested
    submitter: str = "officer@leeds.council.test"
    problems: tuple = ()
    note: str = ""
    types: set = field(default_factory=set)  # council types that would adopt it


ALLTYPES = {"county", "district", "unitary", "metropolitan_borough", "london_borough"}
UPPER = {"county", "unitary", "metropolitan_borough", "london_borough"}
LOWER = {"district", "unitary", "metropolitan_borough", "london_borough"}
GH = "https://github.com/local-digital-commons/"

COMPONENTS = [
    Demo(
        "Bin collection day API",
        "A small, open API that answers “when is my bin collected?” for any address, from the "
        "council's own round data.",
        "api",
        "live",
        "Residents look up their collection day more than any other council fact. This API "
        "reads rounds exported from the waste system each night and answers by UPRN, so the "
        "website, chatbot and smart speakers all give the same answer.\n\n"
        "- responses follow the shared bin collection schedule format\n"
        "- bank holiday changes are published once, centrally\n"
        "- runs on a single small container",
        licence="MIT",
        theme="data",
        areas=("waste-and-recycling",),
        source=GH + "bin-day-api",
        docs="https://bin-day-api.example.org/docs",
        maintainer="bristol-city-of",
        adopters=46,
        problems=("Every council publishes its bin collection calendar in a different format",),
        types=LOWER,
    ),
    Demo(
        "Bin collection schedule data standard",
        "A schema for publishing collection rounds, days and exceptions so any app can read "
        "every council's calendar.",
        "data_standard",
        "beta",
        "A JSON schema and CSV template describing collection rounds by property, with the "
        "container types, frequencies and one-off changes. Written with waste officers from "
        "twelve councils and two in-cab system suppliers.",
        licence="OGL-UK-3.0",
        theme="standards",
        areas=("waste-and-recycling",),
        source=GH + "bin-schedule-schema",
        maintainer="local-digital-institute",
        adopters=31,
        problems=("Every council publishes its bin collection calendar in a different format",),
        types=LOWER,
    ),
    Demo(
        "Accessible form builder",
        "Build GOV.UK-style online forms that pass WCAG 2.2 AA without writing code, and share "
        "form templates with other councils.",
        "open_source",
        "live",
        "Form designers drag tested question patterns into a form; the builder produces "
        "accessible pages, saves answers as JSON and hands them to the case system by webhook. "
        "Templates for about forty common council forms are shared in a public library.",
        licence="MIT",
        theme="infrastructure",
        areas=("customer-services",),
        source=GH + "form-builder",
        docs="https://forms.example.org/guide",
        maintainer="camden",
        adopters=38,
        problems=("Every council builds its own online forms for the same services",),
        types=ALLTYPES,
    ),
    Demo(
        "Planning application data schema",
        "A common schema for planning applications and decisions so councils can publish and "
        "compare them.",
        "data_standard",
        "beta",
        "Defines the fields of a planning application, its documents, consultation and "
        "decision, with code lists for application types. Councils publish to it from their "
        "back-office systems with a small exporter.",
        licence="OGL-UK-3.0",
        theme="data",
        areas=("planning-and-building-control",),
        source=GH + "planning-data-schema",
        maintainer="local-digital-institute",
        adopters=24,
        problems=("Planning application data cannot be compared between councils",),
        types=LOWER,
    ),
    Demo(
        "Appointment booking pattern",
        "A tested design pattern for booking, changing and cancelling appointments with a "
        "council service.",
        "pattern",
        "live",
        "Covers choosing a service, a place and a slot, confirming by e-mail or text, and "
        "changing or cancelling without phoning. Tested with residents in five councils, "
        "including people using screen readers.",
        licence="OGL-UK-3.0",
        theme="infrastructure",
        areas=("customer-services",),
        docs="https://patterns.example.org/booking",
        maintainer="local-digital-institute",
        adopters=27,
        types=ALLTYPES,
    ),
    Demo(
        "FOI case tool",
        "Log, track and answer freedom of information requests, with deadlines, redaction and "
        "a public disclosure log.",
        "open_source",
        "live",
        "Requests arrive by e-mail or web form and become cases with their 20-working-day "
        "deadline. Officers assign questions to services, redact documents in the browser and "
        "publish answers to a searchable disclosure log.",
        licence="AGPL-3.0-or-later",
        theme="infrastructure",
        areas=("corporate-it-finance-and-hr",),
        source=GH + "foi-tool",
        maintainer="norfolk",
        adopters=19,
        types=ALLTYPES,
    ),
    Demo(
        "Missed bin report connector",
        "Passes missed bin reports from the web form straight to in-cab systems and sends the "
        "crew's outcome back to the resident.",
        "open_source",
        "beta",
        "Connectors for three in-cab suppliers translate a missed bin case into a crew job as "
        "it is reported. When the crew records the outcome, the resident gets a text.",
        licence="Apache-2.0",
        theme="infrastructure",
        areas=("waste-and-recycling",),
        source=GH + "missed-bin-connector",
        maintainer="leeds",
        adopters=9,
        problems=("Missed bin reports do not reach collection crews until the next day",),
        types=LOWER,
    ),
    Demo(
        "Shared address matching service",
        "Matches messy addresses to UPRNs with a confidence score, as a hosted API councils "
        "share the cost of.",
        "api",
        "live",
        "Send an address as typed; get back the best UPRN, its confidence and alternatives. "
        "Used to clean council tax, waste and planning records so they agree.",
        cost_model="shared",
        hosting="hosted",
        licence="",
        theme="data",
        areas=("revenues-and-benefits", "planning-and-building-control"),
        docs="https://address-match.example.org/docs",
        maintainer="Address Matching Co-op",
        adopters=41,
        problems=("Address data differs between council tax, waste and planning systems",),
        types=ALLTYPES,
    ),
    Demo(
        "Council tax direct debit sign-up",
        "An accessible online journey for setting up and changing council tax direct debits.",
        "pattern",
        "live",
        "A short journey, designed with residents, that checks the account, collects bank "
        "details and confirms the instalments, then passes them to the revenues system.",
        licence="OGL-UK-3.0",
        theme="infrastructure",
        areas=("revenues-and-benefits",),
        maintainer="cornwall",
        adopters=22,
        problems=("Every council designs its own council tax direct debit sign-up",),
        types=LOWER,
    ),
    Demo(
        "Pothole report data standard",
        "A common structure for defect reports so residents' reports reach any highways system.",
        "data_standard",
        "alpha",
        "Fields for location, defect type, size, photos and risk, aligned with national "
        "highways asset guidance. Suppliers of two highways systems take part.",
        licence="OGL-UK-3.0",
        theme="standards",
        areas=("highways-and-transport",),
        source=GH + "defect-report-standard",
        maintainer="local-digital-institute",
        adopters=8,
        problems=("There is no common data standard for reporting a pothole",),
        types=UPPER,
    ),
    Demo(
        "Free school meals eligibility checker",
        "Checks benefit data to find children eligible for free school meals and enrols them "
        "automatically.",
        "software",
        "live",
        "Uses the housing benefit and council tax support data the council already holds to "
        "identify eligible families, and tells schools, with an opt-out for families.",
        cost_model="paid",
        hosting="hosted",
        licence="",
        theme="data",
        areas=("education-and-skills", "revenues-and-benefits"),
        maintainer="Eligibility Ltd",
        adopters=17,
        problems=(
            "Free school meals eligibility is checked by hand, so eligible children miss out",
        ),
        types=UPPER,
    ),
    Demo(
        "Contract register and renewals alerts",
        "A shared register of contracts that warns officers before notice periods close.",
        "open_source",
        "beta",
        "Import contracts from a spreadsheet; the register works out notice dates and reminds "
        "owners 6, 3 and 1 months ahead. Councils can compare what they pay, if they opt in.",
        licence="MIT",
        theme="procurement",
        areas=("corporate-it-finance-and-hr",),
        source=GH + "contract-register",
        maintainer="birmingham",
        adopters=14,
        problems=("Contract renewals are rushed because notice periods are spotted too late",),
        types=ALLTYPES,
    ),
    Demo(
        "Local services directory (Open Referral UK)",
        "One directory of community services, published in the Open Referral UK format, that "
        "every team can use.",
        "software",
        "live",
        "Community organisations keep their own entries up to date; council teams, the NHS "
        "and social prescribers search one list through a website and an API.",
        licence="GPL-3.0-or-later",
        theme="data",
        areas=("adult-social-care", "public-health"),
        source=GH + "services-directory",
        maintainer="Open Community Directory Co-op",
        adopters=29,
        problems=("Every team keeps its own directory of local community services",),
        types=UPPER,
    ),
    Demo(
        "Digital planning site plan checker",
        "Validates digital site plans against the red line boundary and planning data before an "
        "officer opens the case.",
        "open_source",
        "alpha",
        "Reads the submitted boundary and drawings, checks them against constraints data and "
        "flags missing information, so validation takes minutes rather than days.",
        licence="MPL-2.0",
        theme="skills",
        areas=("planning-and-building-control",),
        source=GH + "site-plan-checker",
        maintainer="camden",
        adopters=6,
        types=LOWER,
    ),
    Demo(
        "Hospital discharge data sharing agreement template",
        "A reusable data sharing agreement and DPIA for sharing discharge data with the NHS.",
        "pattern",
        "live",
        "Written with information governance leads from councils and integrated care boards. "
        "Covers the lawful basis, the data items and retention, ready to adapt locally.",
        licence="OGL-UK-3.0",
        theme="data",
        areas=("adult-social-care", "public-health"),
        maintainer="local-digital-institute",
        adopters=33,
        problems=("No lawful, repeatable way to share hospital discharge data with the NHS",),
        types=UPPER,
    ),
    Demo(
        "Shared DPIA library",
        "Data protection impact assessments for common products, written once and reused.",
        "pattern",
        "beta",
        "A library of assessments for products many councils use, kept current by a rota of "
        "information governance officers. Each council adds only its local details.",
        licence="OGL-UK-3.0",
        theme="leadership",
        areas=("corporate-it-finance-and-hr",),
        maintainer="local-digital-institute",
        adopters=21,
        problems=(
            "Each council writes its own data protection impact assessment for the same product",
        ),
        types=ALLTYPES,
    ),
    Demo(
        "Homelessness placement notification service",
        "Tells a council automatically when another council places a household in its area.",
        "api",
        "beta",
        "When a placing council records an out-of-area placement, the receiving council gets a "
        "secure notification with the details it needs, as the law expects.",
        cost_model="shared",
        hosting="hosted",
        licence="",
        theme="data",
        areas=("housing",),
        maintainer="London Councils digital team",
        adopters=18,
        problems=("We are not told when other councils place homeless households in our area",),
        types=LOWER,
    ),
    Demo(
        "Housing evidence locker",
        "Applicants upload evidence once and share it with each housing team that needs it.",
        "software",
        "alpha",
        "A resident-controlled store for identity, income and tenancy documents, with consent "
        "for each sharing and an audit trail for officers.",
        cost_model="paid",
        hosting="hosted",
        licence="",
        theme="data",
        areas=("housing",),
        maintainer="Locker Systems Ltd",
        adopters=5,
        problems=("Housing applicants send the same evidence again and again",),
        types=LOWER,
    ),
    Demo(
        "Channel shift measurement kit",
        "Definitions, a spreadsheet and a small dashboard for counting contacts by channel the "
        "same way.",
        "data_standard",
        "live",
        "Agreed definitions of a contact, a transaction and a channel, with a collection "
        "template and a dashboard. Lets councils compare channel use fairly.",
        licence="OGL-UK-3.0",
        theme="data",
        areas=("customer-services",),
        maintainer="local-digital-institute",
        adopters=26,
        problems=("We cannot compare channel use because every system counts differently",),
        types=ALLTYPES,
    ),
    Demo(
        "Licensing application forms pack",
        "Tested online forms for taxi, alcohol and street trading licences, with shared "
        "question wording.",
        "pattern",
        "beta",
        "Question sets and page designs for the most common licensing applications, with "
        "guidance on fees and the checks behind each question.",
        licence="OGL-UK-3.0",
        theme="standards",
        areas=("environmental-health",),
        maintainer="norfolk",
        adopters=12,
        problems=("Licensing applications use different forms in every district",),
        types=LOWER,
    ),
    Demo(
        "Cloud landing zone for councils",
        "A secure, documented starting point for council workloads in the public cloud.",
        "open_source",
        "live",
        "Infrastructure as code for accounts, networks, logging and guardrails that meet the "
        "usual assurance questions. Includes runbooks for small IT teams.",
        licence="Apache-2.0",
        theme="infrastructure",
        areas=("corporate-it-finance-and-hr",),
        source=GH + "landing-zone",
        maintainer="manchester",
        adopters=15,
        problems=("Every council designs its own cloud hosting set-up from scratch",),
        types=ALLTYPES,
    ),
    Demo(
        "Cyber exercise in a box",
        "A ready-made tabletop exercise for testing incident response with neighbouring councils.",
        "pattern",
        "live",
        "Scenarios, injects, facilitator notes and a debrief template. Runs in half a day with "
        "IT, communications, emergency planning and senior leaders.",
        licence="CC-BY-4.0",
        theme="skills",
        areas=("corporate-it-finance-and-hr",),
        maintainer="local-digital-institute",
        adopters=36,
        problems=("Cyber incident response plans are never tested with neighbouring councils",),
        types=ALLTYPES,
    ),
    Demo(
        "Resident contact preferences API",
        "Records how a resident wants to be contacted, once, for every service to read.",
        "api",
        "alpha",
        "Stores channel, language and accessibility preferences against a resident record, with "
        "consent, and lets each service system read them.",
        licence="MIT",
        theme="data",
        areas=("customer-services",),
        source=GH + "contact-prefs",
        maintainer="leeds",
        adopters=4,
        problems=("There is no agreed way to record how a resident wants to be contacted",),
        types=ALLTYPES,
    ),
    Demo(
        "Roadworks data converter",
        "Converts street works data from the national register into formats council systems read.",
        "open_source",
        "beta",
        "A small service that pulls permits and works from the national feed and writes them to "
        "GeoJSON and the council's highways system.",
        licence="MIT",
        theme="data",
        areas=("highways-and-transport",),
        source=GH + "roadworks-converter",
        maintainer="kent",
        adopters=11,
        problems=("Roadworks data arrives in formats our systems cannot read",),
        types=UPPER,
    ),
    Demo(
        "Service naming list (local government service list)",
        "A common list of service names and identifiers for council websites and systems.",
        "data_standard",
        "live",
        "Plain-English names for about 1,000 council services with stable identifiers, so "
        "websites, search and reporting use the same words.",
        licence="OGL-UK-3.0",
        theme="standards",
        areas=("customer-services",),
        maintainer="local-digital-institute",
        adopters=44,
        problems=("The same service has different names on every council website",),
        types=ALLTYPES,
    ),
    Demo(
        "Care provider vacancy tracker",
        "Providers post their vacancies daily in a shared tracker instead of weekly phone calls.",
        "software",
        "live",
        "Care homes and home care agencies update vacancies in a simple web app; brokerage "
        "teams search them by need and area.",
        cost_model="shared",
        hosting="hosted",
        licence="",
        theme="data",
        areas=("adult-social-care",),
        maintainer="Regional Care Market Partnership",
        adopters=20,
        problems=("Care provider vacancies are still collected by phone every week",),
        types=UPPER,
    ),
    Demo(
        "Parking permit API specification",
        "An open API specification parking permit systems should offer, to avoid lock-in.",
        "data_standard",
        "concept",
        "Endpoints for permits, vehicles, zones and virtual permits, written to be used in "
        "procurement as a requirement.",
        licence="OGL-UK-3.0",
        theme="procurement",
        areas=("highways-and-transport",),
        maintainer="local-digital-institute",
        adopters=3,
        problems=("Parking permit systems are sold as closed products with no API",),
        types=ALLTYPES,
    ),
    Demo(
        "Library card that works across councils",
        "A shared membership scheme and lookup service so one card works in neighbouring "
        "libraries.",
        "api",
        "alpha",
        "A lookup between library management systems that recognises members of partner "
        "authorities and lets them borrow.",
        licence="",
        cost_model="shared",
        hosting="hosted",
        theme="infrastructure",
        areas=("libraries-and-culture",),
        maintainer="Libraries Connected pilot group",
        adopters=0,
        status="in_review",
        submitter="officer@norfolk.council.test",
        problems=("Library membership does not carry across council boundaries",),
    ),
    Demo(
        "Phishing awareness micro-course",
        "Ten-minute lessons and a simulated phishing campaign for staff and councillors.",
        "pattern",
        "beta",
        "Short lessons with quizzes, plus templates for safe simulated phishing, written for "
        "local government roles.",
        licence="CC-BY-4.0",
        theme="skills",
        areas=("corporate-it-finance-and-hr",),
        maintainer="",
        adopters=0,
        status="changes_requested",
        submitter="officer@cornwall.council.test",
        note="Please say who maintains it and add a link to the lessons so we can check them.",
    ),
    Demo(
        "Consultation response hub",
        "Keeps every consultation and its responses in one searchable place.",
        "software",
        "concept",
        "An idea for a shared consultation platform that keeps questions, responses and the "
        "council's reply together and searchable for years.",
        cost_model="paid",
        hosting="hosted",
        licence="",
        theme="leadership",
        areas=("customer-services",),
        maintainer="",
        adopters=0,
        status="in_review",
        submitter="officer@camden.council.test",
        problems=("Consultation responses are spread across tools and hard to find later",),
    ),
]


def _staff():
    return User.objects.get(email=STAFF_EMAIL)


def _officers_for(councils, rng) -> dict:
    """One officer per council (an existing one where there is one), created in bulk."""
    existing = {}
    for m in (
        Membership.objects.filter(
            organisation__in=councils, role=Role.OFFICER, user__is_active=True
        )
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
        "service_areas": [areas[a] for a in demo.areas if a in areas],
        "licence": demo.licence,
        "source_url": demo.source,
        "documentation_url": demo.docs,
        "maintainer": maintainer,
        "maintainer_name": "" if maintainer else demo.maintainer,
        "cost_model": demo.cost_model,
        "hosting": demo.hosting,
    }


# Demo components that meet demo standards (standards/demo.py), linked by name when both exist.
STANDARDS_MET = [
    ("Accessible form builder", "Accessible online forms"),
    ("Council tax direct debit sign-up", "Accessible online forms"),
    ("Bin collection schedule data standard", "Open data publishing"),
]


def _link_standards() -> int:
    """Link demo components to the standards they meet; safe to run again."""
    components = {
        c.name: c for c in Component.objects.filter(name__in={name for name, _ in STANDARDS_MET})
    }
    standards = {
        s.title: s for s in Standard.objects.filter(title__in={title for _, title in STANDARDS_MET})
    }
    linked = 0
    for name, title in STANDARDS_MET:
        component, standard = components.get(name), standards.get(title)
        if component is not None and standard is not None:
            component.standards.add(standard)
            linked += 1
    return linked


STAGES = [(Stage.IN_USE, 60), (Stage.PILOTING, 18), (Stage.EXPLORING, 16), (Stage.RETIRED, 6)]


@transaction.atomic
def seed() -> dict:
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    staff = _staff()
    existing = set(Component.objects.values_list("name", flat=True))
    todo = [d for d in COMPONENTS if d.name not in existing]
    if not todo:
        _link_standards()
        return {"components": 0, "adoptions": 0}
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
            problem = Problem.objects.filter(title=title).exclude(status="merged").first()
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
        eligible = [c for c in councils if c.council_type in (demo.types or ALLTYPES)]
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
    return {"components": made, "adoptions": adoptions, "problem_links": linked}
