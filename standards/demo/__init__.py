"""Demo standards: eight standards written for this project, self-assessments from many real
councils in every state, reviews, and a completed audit round.

The standards and what people write about them are in standards.yaml; this module decides, with
seeded randomness, which councils assess, how they rate themselves, and what is reviewed.

Used by `manage.py seed_demo` after institute.demo. Everything goes through standards.services,
acting as the people involved; afterwards some submission dates are moved into the past so that
expired and expiring assessments exist. Idempotent: a standard that exists is left alone, and a
council that has assessed a standard is not given another assessment. Randomness is seeded.
"""

import random
from datetime import timedelta
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from institute import selectors as core_selectors
from institute.demo import DEMO_PASSWORD, demo_files_scan, demo_png, demo_upload
from institute.models import Membership, Organisation, Role, User
from standards import services
from standards.models import Answer, Assessment, Audit, Rating, Standard, StandardVersion

CONTENT = yaml.safe_load(Path(__file__).with_name("standards.yaml").read_text(encoding="utf-8"))

STAFF_EMAIL = "staff@institute.test"
DEMO_COUNCILS = 140  # councils that get a generated standards lead
NAMED_OFFICERS = CONTENT["named_officers"]

# The standards (title, category, council_types, summary, criteria), in the order PROFILE
# follows; the benchmark's loader (tests/bench/load/standards.py) reuses them.
STANDARDS = CONTENT["standards"]

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
    people = core_selectors.users_with_membership(
        User.objects.filter(email__in=[*emails, *NAMED_OFFICERS]).order_by("email")
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
            rating, reason = Rating.NOT_APPLICABLE, CONTENT["not_applicable_reason"]
        finish = not (leave_open and rng.random() < 0.5)
        services.answer_save(
            actor=officer,
            assessment=assessment,
            criterion=criterion,
            rating=rating,
            reason=reason,
            evidence=rng.choice(CONTENT["evidence"]),
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
    for demo in STANDARDS:
        standard = Standard.objects.filter(title=demo["title"]).first()
        if standard is None:
            standard = services.standard_create(
                actor=staff,
                title=demo["title"],
                category=demo["category"],
                owner=owner,
                summary=demo["summary"],
                council_types=demo["council_types"],
            )
            version = standard.versions.get()
            for criterion in demo["criteria"]:
                services.criterion_add(actor=staff, version=version, **criterion)
            services.version_update(
                actor=staff,
                version=version,
                change_notes=CONTENT["first_version_notes"],
                review_period_months=12,
            )
            services.version_publish(actor=staff, version=version)
            standard.refresh_from_db()
            made.append(standard)
    return made


def _second_version(staff, standard):
    """Accessible online forms, version 2: AF2 and AF4 merged, a new criterion on saving."""
    second = CONTENT["second_version"]
    draft = services.version_draft_next(actor=staff, standard=standard)
    criteria = {c.code: c for c in draft.criteria.all()}
    old = {c.code: c for c in standard.current_version.criteria.all()}
    services.criterion_update(
        actor=staff,
        criterion=criteria["AF2"],
        **second["merged"],
        predecessors=[old["AF2"], old["AF4"]],
    )
    services.criterion_delete(actor=staff, criterion=criteria["AF4"])
    services.criterion_add(actor=staff, version=draft, **second["added"])
    services.version_update(
        actor=staff,
        version=draft,
        change_notes=second["change_notes"],
        review_period_months=12,
    )
    services.version_publish(actor=staff, version=draft, grace_days=120)
    standard.refresh_from_db()


def _consultation(staff, standard, officers, rng):
    consultation = CONTENT["consultation"]
    draft = services.version_draft_next(actor=staff, standard=standard)
    services.criterion_add(actor=staff, version=draft, **consultation["added"])
    draft = services.version_open_consultation(
        actor=staff, version=draft, closes_on=timezone.localdate() + timedelta(days=6)
    )
    criteria = list(draft.criteria.order_by("position"))
    for officer, body in zip(rng.sample(officers, 3), consultation["remarks"], strict=True):
        services.consultation_comment_add(
            actor=officer,
            version=draft,
            body=body,
            criterion=rng.choice([None, criteria[-1], criteria[0]]),
        )


def _answer_file() -> int:
    """The answer_file of standards.yaml: a chart attached to the first answer of the officer's
    open assessment of the first standard, or of one started now (once: not if their council
    has an answer with a file already). How many of the council's answers have files."""
    entry = CONTENT["answer_file"]
    officer = core_selectors.users_with_membership(User.objects.filter(email=entry["officer"]))
    standard = Standard.objects.filter(title=STANDARDS[0]["title"]).first()
    if not officer or officer[0].membership is None or standard is None:
        return 0
    officer = officer[0]
    council = officer.membership.organisation
    with_files = Answer.objects.filter(
        assessment__organisation=council, evidence_files__isnull=False
    )
    if with_files.exists():
        return with_files.count()
    assessment = Assessment.objects.filter(
        organisation=council, standard=standard, status="in_progress"
    ).first()
    if assessment is None:
        assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    criterion = assessment.version.criteria.order_by("position").first()
    file = services.answer_file_add(
        actor=officer,
        assessment=assessment,
        criterion=criterion,
        upload=demo_upload(entry["name"], demo_png(entry["values"])),
    )
    demo_files_scan([file])
    return with_files.count()


@transaction.atomic
def seed() -> dict:
    if Standard.objects.filter(title=STANDARDS[0]["title"]).exists():
        return {
            "standards": Standard.objects.count(),
            "assessments": Assessment.objects.count(),
            "answer_files": _answer_file(),
        }
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
                note=CONTENT["challenge_note"],
            )
        else:
            services.assessment_review(actor=staff, assessment=assessment, decision="verify")
    # Audits of last quarter's and this quarter's submissions; most completed.
    today = timezone.localdate()
    last_quarter = services.quarter_of(today)[1] - timedelta(days=1)
    for day in (last_quarter, today):
        services.audit_round_draw(quarter_day=day, rate=0.10, rng=rng)
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
        services.audit_complete(actor=staff, audit=audit, note=CONTENT["audit_note"])
    return {
        "standards": Standard.objects.count(),
        "assessments": Assessment.objects.count(),
        "answer_files": _answer_file(),
    }
