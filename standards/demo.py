"""Demo standards: eight standards written for this project, self-assessments from many real
councils in every state, reviews, and a completed audit round.

Used by `manage.py seed_demo` after institute.demo. Everything goes through standards.services,
acting as the people involved; afterwards some submission dates are moved into the past so that
expired and expiring assessments exist. Idempotent: a standard that exists is left alone, and a
council that has assessed a standard is not given another assessment. Randomness is seeded.
"""

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from institute.demo import DEMO_PASSWORD
from institute.models import Membership, Organisation, Role, User
from standards import services
from standards.models import Assessment, Audit, Rating, Standard, StandardVersion

STAFF_EMAIL = "staff@institute.test"
DEMO_COUNCILS = 140  # councils that get a generated standards lead
NAMED_OFFICERS = [
    "officer@leeds.council.test",
    "officer@bristol.council.test",
    "officer@cornwall.council.test",
    "officer@camden.council.test",
    "officer@norfolk.council.test",
]

# (title, category, council types or [], summary, [(code, title, guidance, mandatory)])
STANDARDS = [
    (
        "Accessible online forms",
        "service",
        [],
        "Every online form a council offers can be completed by anyone, including people who "
        "use assistive technology, first time and without phoning for help.",
        [
            (
                "AF1",
                "Forms meet WCAG 2.2 at level AA",
                "Test with automated tools **and** with people who use screen readers, "
                "magnification and voice control. Keep the test report as evidence.",
                True,
            ),
            (
                "AF2",
                "Forms ask only for what the service needs",
                "Each question should have a reason you can write down. Remove questions "
                "whose answers nobody uses.",
                True,
            ),
            (
                "AF3",
                "An accessibility statement is published and current",
                "Review the statement at least once a year and after any big change.",
                True,
            ),
            (
                "AF4",
                "Error messages say how to fix the problem",
                "Follow the GOV.UK error message pattern: say what went wrong and how to fix it.",
                False,
            ),
        ],
    ),
    (
        "Open data publishing",
        "data",
        [],
        "Councils publish the data they hold that others can use, openly licensed, in "
        "machine-readable formats, and kept up to date.",
        [
            (
                "OD1",
                "Datasets are published under the Open Government Licence",
                "Or another open licence that allows reuse for any purpose.",
                True,
            ),
            (
                "OD2",
                "Each dataset has an owner and an update schedule",
                "Name a role, not a person, and say how often the data changes.",
                True,
            ),
            ("OD3", "Data is available as CSV or through an API", "PDF tables do not count.", True),
            (
                "OD4",
                "Published data follows a shared schema where one exists",
                "For example the schemas listed by the Open Data Institute or the sector.",
                False,
            ),
        ],
    ),
    (
        "Cloud hosting security",
        "technical",
        [],
        "Services hosted in the public cloud are configured, monitored and patched so that "
        "residents' data is protected.",
        [
            (
                "CH1",
                "Cloud accounts use single sign-on and multi-factor authentication",
                "No shared administrator accounts. Break-glass accounts are logged.",
                True,
            ),
            (
                "CH2",
                "Security patches are applied within 14 days",
                "Critical patches within 72 hours.",
                True,
            ),
            (
                "CH3",
                "Logs are kept centrally for at least 12 months",
                "And someone is told when something unusual happens.",
                True,
            ),
        ],
    ),
    (
        "Cross-organisation data sharing agreements",
        "data",
        [],
        "When councils share personal data with partners, the agreement is written down, "
        "lawful, published where possible and reviewed.",
        [
            (
                "DS1",
                "Every regular data share has a written agreement",
                "Use a template agreed with your data protection officer.",
                True,
            ),
            (
                "DS2",
                "Agreements say what data is shared and why",
                "Data minimisation: share the fields needed for the purpose, no more.",
                True,
            ),
            (
                "DS3",
                "A register of agreements is published",
                "Residents can see who their data is shared with.",
                False,
            ),
        ],
    ),
    (
        "Identity and sign-in",
        "technical",
        [],
        "Residents sign in to council services once, securely, with an account they control.",
        [
            (
                "ID1",
                "Resident accounts support multi-factor authentication",
                "Offer at least one option that does not need a smartphone.",
                True,
            ),
            (
                "ID2",
                "Residents can see and delete their account data",
                "Self-service where possible; otherwise within one month of asking.",
                True,
            ),
            (
                "ID3",
                "Sign-in uses an open standard such as OpenID Connect",
                "So services can share one sign-in without sharing passwords.",
                False,
            ),
        ],
    ),
    (
        "Service assessment",
        "quality",
        ["county", "unitary", "metropolitan_borough", "london_borough"],
        "New and redesigned digital services pass a peer assessment before they go live.",
        [
            (
                "SA1",
                "Services are assessed before going live",
                "By people from outside the team, using a published set of points.",
                True,
            ),
            (
                "SA2",
                "User research with real users happens in every phase",
                "Including people with access needs and low digital confidence.",
                True,
            ),
            (
                "SA3",
                "Assessment reports are published",
                "Publish within a month of the assessment.",
                False,
            ),
        ],
    ),
    (
        "Procurement of software with open standards",
        "procurement",
        [],
        "When councils buy software, they require open standards and data export so that "
        "they can change supplier without losing their data.",
        [
            (
                "PR1",
                "Contracts require data export in an open format",
                "At any time and at the end of the contract, at no extra cost.",
                True,
            ),
            (
                "PR2",
                "Tenders name the open standards the software must support",
                "Refer to the Open Standards Principles.",
                True,
            ),
            (
                "PR3",
                "Contracts longer than five years have a break clause",
                "Reviewed against the market at the break point.",
                False,
            ),
        ],
    ),
    (
        "Digital inclusion support",
        "service",
        [],
        "Residents who cannot use online services get help to do so, or another way in that "
        "is just as good.",
        [
            (
                "DI1",
                "Every online service has an offline route of equal quality",
                "Phone or face to face, without extra cost or delay.",
                True,
            ),
            (
                "DI2",
                "Assisted digital help is available in libraries or hubs",
                "With trained staff or volunteers at published times.",
                True,
            ),
            (
                "DI3",
                "Take-up of offline routes is measured",
                "So the council knows who is being left behind.",
                False,
            ),
        ],
    ),
]

# Share of councils assessing each standard, and how they tend to rate themselves.
PROFILE = [0.75, 0.55, 0.6, 0.4, 0.45, 0.5, 0.35, 0.5]
RATING_WEIGHTS = [(Rating.MET, 78), (Rating.PARTLY, 12), (Rating.NOT_MET, 7), ("n/a", 3)]


def _leads(rng) -> list[User]:
    """A standards lead at each of DEMO_COUNCILS councils, plus the named demo officers."""
    councils = list(Organisation.objects.current().councils().order_by("slug"))
    chosen = rng.sample(councils, DEMO_COUNCILS)
    emails = {f"standards.lead@{c.slug}.council.test": c for c in chosen}
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = [(email, council) for email, council in emails.items() if email not in existing]
    if new:
        password = make_password(DEMO_PASSWORD)
        users = User.objects.bulk_create(
            [
                User(email=email, full_name=f"Standards lead, {c.name}", password=password)
                for email, c in new
            ]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, organisation=c, role=Role.OFFICER)
                for u, (_, c) in zip(users, new, strict=True)
            ],
            ignore_conflicts=True,
        )
    people = list(
        User.objects.filter(email__in=[*emails, *NAMED_OFFICERS])
        .select_related("membership__organisation")
        .order_by("email")
    )
    return [p for p in people if getattr(p, "membership", None)]


def _rating(rng):
    value = rng.choices([r for r, _ in RATING_WEIGHTS], weights=[w for _, w in RATING_WEIGHTS])[0]
    return value


def _assess(rng, officer, standard, *, days_ago: int) -> Assessment | None:
    version = standard.current_version
    assessment, created = services.assessment_start(actor=officer, version=version)
    if not created:
        return None
    leave_open = rng.random() < 0.12
    for criterion in version.criteria.order_by("position"):
        rating = _rating(rng)
        reason = ""
        if rating == "n/a":
            rating, reason = Rating.NOT_APPLICABLE, "We do not provide this service ourselves."
        finish = not (leave_open and rng.random() < 0.5)
        services.answer_save(
            actor=officer,
            assessment=assessment,
            criterion=criterion,
            rating=rating,
            reason=reason,
            evidence=rng.choice(
                [
                    "Annual review report signed off by the digital board.",
                    "Internal audit findings and the action plan that followed.",
                    "Test results from our last release, kept on the team site.",
                    "Policy approved by cabinet, with the monitoring figures.",
                ]
            ),
            evidence_url=f"https://{officer.membership.organisation.slug}.example/evidence/"
            f"{criterion.code.lower()}",
            evidence_date=timezone.localdate() - timedelta(days=days_ago + rng.randint(5, 60)),
            finish=finish,
        )
    if leave_open:
        return assessment
    services.assessment_submit(actor=officer, assessment=assessment)
    submitted_at = timezone.now() - timedelta(days=days_ago)
    assessment.refresh_from_db()
    Assessment.objects.filter(pk=assessment.pk).update(
        submitted_at=submitted_at,
        started_at=submitted_at - timedelta(days=3),
        valid_until=assessment.valid_until - timedelta(days=days_ago),
    )
    assessment.refresh_from_db()
    return assessment


def _create_standards(staff, owner) -> list[Standard]:
    made = []
    for title, category, types, summary, criteria in STANDARDS:
        standard = Standard.objects.filter(title=title).first()
        if standard is None:
            standard = services.standard_create(
                actor=staff,
                title=title,
                category=category,
                owner=owner,
                summary=summary,
                council_types=types,
            )
            version = standard.versions.get()
            for code, ctitle, guidance, mandatory in criteria:
                services.criterion_add(
                    actor=staff,
                    version=version,
                    code=code,
                    title=ctitle,
                    guidance=guidance,
                    mandatory=mandatory,
                )
            services.version_update(
                actor=staff,
                version=version,
                change_notes="First version, written with councils at three workshops.",
                review_period_months=12,
            )
            services.version_publish(actor=staff, version=version)
            standard.refresh_from_db()
            made.append(standard)
    return made


def _second_version(staff, standard):
    """Accessible online forms, version 2: AF2 and AF4 merged, a new criterion on saving."""
    draft = services.version_draft_next(actor=staff, standard=standard)
    criteria = {c.code: c for c in draft.criteria.all()}
    old = {c.code: c for c in standard.current_version.criteria.all()}
    services.criterion_update(
        actor=staff,
        criterion=criteria["AF2"],
        code="AF2",
        title="Forms ask only for what is needed and explain how to fix mistakes",
        guidance="Each question has a written reason; error messages follow the GOV.UK pattern.",
        mandatory=True,
        predecessors=[old["AF2"], old["AF4"]],
    )
    services.criterion_delete(actor=staff, criterion=criteria["AF4"])
    services.criterion_add(
        actor=staff,
        version=draft,
        code="AF5",
        title="People can save a long form and come back to it",
        guidance="Any form that takes more than 10 minutes lets people save their progress.",
        mandatory=False,
    )
    services.version_update(
        actor=staff,
        version=draft,
        change_notes="AF4 is folded into AF2. New optional criterion AF5 on saving progress.",
        review_period_months=12,
    )
    services.version_publish(actor=staff, version=draft, grace_days=120)
    standard.refresh_from_db()


def _consultation(staff, standard, officers, rng):
    draft = services.version_draft_next(actor=staff, standard=standard)
    services.criterion_add(
        actor=staff,
        version=draft,
        code="DS4",
        title="Agreements are reviewed every two years",
        guidance="Or sooner when the purpose or the data changes.",
        mandatory=True,
    )
    draft = services.version_open_consultation(
        actor=staff, version=draft, closes_on=timezone.localdate() + timedelta(days=6)
    )
    remarks = [
        "Two years is too long for shares involving children's data; one year would be safer.",
        "Could the template agreement be published alongside the standard?",
        "We share with over 40 partners. A register would help us more than a review cycle.",
    ]
    criteria = list(draft.criteria.order_by("position"))
    for officer, body in zip(rng.sample(officers, 3), remarks, strict=True):
        services.consultation_comment_add(
            actor=officer,
            version=draft,
            body=body,
            criterion=rng.choice([None, criteria[-1], criteria[0]]),
        )


@transaction.atomic
def seed() -> dict:
    if Standard.objects.filter(title=STANDARDS[0][0]).exists():
        return {"standards": Standard.objects.count(), "assessments": Assessment.objects.count()}
    rng = random.Random(2030)  # noqa: S311  (demo data, not security)
    staff = User.objects.get(email=STAFF_EMAIL)
    owner = Organisation.objects.get(slug="local-digital-institute")
    standards = _create_standards(staff, owner)
    officers = _leads(rng)
    forms = standards[0]
    for index, standard in enumerate(standards):
        scope = set(standard.council_types)
        for officer in officers:
            council = officer.membership.organisation
            if scope and council.council_type not in scope:
                continue
            if rng.random() > PROFILE[index]:
                continue
            # Spread submissions over the past 15 months: some are expired or expiring.
            days_ago = rng.choice([rng.randint(1, 80), rng.randint(80, 330), rng.randint(340, 450)])
            if standard == forms:
                days_ago = max(days_ago, 40)
            _assess(rng, officer, standard, days_ago=days_ago)
    # Version 2 of the forms standard; some councils have already reassessed (carried over).
    _second_version(staff, forms)
    reassessing = [
        o
        for o in officers
        if Assessment.objects.filter(
            organisation=o.membership.organisation, standard=forms, submitted_at__isnull=False
        ).exists()
    ]
    for officer in rng.sample(reassessing, min(25, len(reassessing))):
        if not Assessment.objects.filter(
            organisation=officer.membership.organisation, standard=forms, status="in_progress"
        ).exists():
            _assess(rng, officer, forms, days_ago=rng.randint(1, 20))
    _consultation(staff, standards[3], officers, rng)
    # Versions were published before the assessments of them were submitted.
    now = timezone.now()
    for standard in standards:
        StandardVersion.objects.filter(standard=standard, number=1).update(
            published_at=now - timedelta(days=480), created_at=now - timedelta(days=500)
        )
    StandardVersion.objects.filter(standard=forms, number=2).update(
        published_at=now - timedelta(days=30), created_at=now - timedelta(days=60)
    )
    StandardVersion.objects.filter(standard=forms, number=1).update(
        superseded_at=now - timedelta(days=30)
    )
    # Reviews: verify most recent submissions, challenge a few.
    waiting = list(Assessment.objects.filter(status="submitted").order_by("id"))
    for assessment in rng.sample(waiting, min(60, len(waiting))):
        if rng.random() < 0.15:
            services.assessment_review(
                actor=staff,
                assessment=assessment,
                decision="challenge",
                note="The evidence link does not open. Please attach the report itself.",
            )
        else:
            services.assessment_review(actor=staff, assessment=assessment, decision="verify")
    # Audits of last quarter's and this quarter's submissions; most completed.
    today = timezone.localdate()
    last_quarter = services.quarter_of(today)[1] - timedelta(days=1)
    for day in (last_quarter, today):
        services.audit_round_draw(quarter_day=day, rate=0.10)
    audits = list(Audit.objects.select_related("assessment").order_by("id"))
    for audit in audits[: max(1, len(audits) * 3 // 4)]:
        answers = {a.criterion_id: a.rating for a in audit.assessment.answers.all()}
        for criterion in audit.assessment.version.criteria.all():
            own = answers.get(criterion.pk) or Rating.MET
            # Auditors mostly agree, and when they differ they rate lower.
            audited = own
            if rng.random() < 0.2:
                audited = {
                    Rating.MET: Rating.PARTLY,
                    Rating.PARTLY: Rating.NOT_MET,
                    Rating.NOT_APPLICABLE: Rating.MET,
                }.get(own, own)
            services.audit_rating_record(
                actor=staff, audit=audit, criterion=criterion, rating=audited
            )
        services.audit_complete(actor=staff, audit=audit, note="Checked against the evidence.")
    return {"standards": Standard.objects.count(), "assessments": Assessment.objects.count()}
