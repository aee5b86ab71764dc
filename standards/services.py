"""Every write of the standards app: <noun>_<verb>(*, actor, ...) in a transaction.

Decisions a reader will ask about:

- The result of an assessment looks at mandatory criteria only: red if any is not met, amber if
  none is not met but some are partly met, green otherwise. A mandatory criterion rated "not
  applicable" counts as met, but only with a written reason; reviewers and auditors see those
  reasons highlighted. Optional criteria are recorded and shown but never change the result.
- "Met" and "partly met" need evidence (a description or a link); evidence dates cannot be in
  the future. Every criterion needs an answer before submitting.
- An assessment is valid until its submission date plus the version's review period.
- When a version is published the one before it becomes superseded, and assessments of it still
  count towards adoption until the grace period ends (`Standard.grace_until`).
- An audit whose ratings give another result than the council's replaces the result from the
  audit on, and the council is told (docs/adr/0012-an-audit-that-disagrees-replaces-the-result.md).
"""

import logging
import math
import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from institute import access as core_access
from institute import digests
from institute import evidence as evidence_files_core
from institute.errors import DomainError
from institute.markdown import render_markdown
from institute.models import CouncilType, EvidenceFile, Membership, Organisation
from institute.services import audit_record, notify
from standards import access
from standards.models import (
    EDITABLE_STATUSES,
    SUBMITTED_STATUSES,
    Answer,
    Assessment,
    AssessmentStatus,
    Audit,
    AuditRating,
    AuditRound,
    Category,
    ConsultationComment,
    Criterion,
    Rating,
    ReminderKind,
    ReminderSend,
    Result,
    Standard,
    StandardVersion,
    VersionStatus,
)
from standards.selectors import latest_submitted_assessments

logger = logging.getLogger(__name__)

DEFAULT_GRACE_DAYS = 90
# Paths of standards/urls.py that a standard's slug must not take.
RESERVED_SLUGS = {"new", "my-council", "reviews", "audits", "assessments", "comments"}
EXPIRY_WARNING_DAYS = 30
CONSULTATION_WARNING_DAYS = 7
# Worst first: when several old criteria map to one new one, the carried answer is the worst.
RATING_ORDER = [Rating.NOT_MET, Rating.PARTLY, Rating.MET, Rating.NOT_APPLICABLE]


def _text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {label}", field=field)
    if len(value) > max_length:
        raise DomainError(
            f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer", field=field
        )
    return value


def _require_staff(actor):
    core_access.require(core_access.can_curate(actor), "Only institute staff can do that.")


def _review_period(value) -> int:
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise DomainError(
            "Enter a review period in months, like 12", field="review_period_months"
        ) from None
    if not 1 <= months <= 60:
        raise DomainError(
            "The review period must be between 1 and 60 months", field="review_period_months"
        )
    return months


def _locked_version(version: StandardVersion) -> StandardVersion:
    return StandardVersion.objects.select_for_update().select_related("standard").get(pk=version.pk)


def _require_draft(version: StandardVersion):
    if version.status not in (VersionStatus.DRAFT, VersionStatus.CONSULTATION):
        raise DomainError(
            f"{version.label} is {version.get_status_display().lower()}: only drafts and versions "
            "in consultation can be changed.",
            status=409,
            code="conflict",
        )


# --- Standards and versions ------------------------------------------------------------------


@transaction.atomic
def standard_create(
    *,
    actor,
    title: str,
    category: str,
    owner: Organisation,
    summary: str,
    council_types=(),
    review_period_months=12,
) -> Standard:
    """Add a standard with an empty draft version 1."""
    _require_staff(actor)
    title = _text(title, field="title", label="a title", max_length=150)
    summary = _text(summary, field="summary", label="a summary", max_length=400)
    if category not in Category.values:
        raise DomainError("Choose a category", field="category")
    if owner is None:
        raise DomainError("Choose the organisation that owns the standard", field="owner")
    council_types = list(dict.fromkeys(council_types or []))
    unknown = [t for t in council_types if t not in CouncilType.values]
    if unknown:
        raise DomainError("Choose council types from the list", field="council_types")
    months = _review_period(review_period_months)
    base = slugify(title)[:140] or "standard"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Standard.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    standard = Standard.objects.create(
        title=title,
        slug=slug,
        category=category,
        owner=owner,
        summary=summary,
        council_types=council_types,
        created_by=actor,
    )
    StandardVersion.objects.create(
        standard=standard, number=1, review_period_months=months, created_by=actor
    )
    audit_record(actor=actor, verb="standard.created", target=standard)
    return standard


@transaction.atomic
def version_draft_next(*, actor, standard: Standard) -> StandardVersion:
    """Draft the next version from the latest one: criteria copied, each mapped to its original."""
    _require_staff(actor)
    Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.versions.filter(
        status__in=[VersionStatus.DRAFT, VersionStatus.CONSULTATION]
    ).exists():
        raise DomainError(
            "This standard already has a draft. Finish or publish it first.",
            status=409,
            code="conflict",
        )
    source = standard.current_version or standard.versions.order_by("-number").first()
    number = (standard.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = StandardVersion.objects.create(
        standard=standard,
        number=number,
        based_on=source,
        review_period_months=source.review_period_months if source else 12,
        created_by=actor,
    )
    if source is not None:
        for old in source.criteria.order_by("position", "id"):
            new = Criterion.objects.create(
                version=version,
                position=old.position,
                code=old.code,
                title=old.title,
                guidance=old.guidance,
                guidance_html=old.guidance_html,
                mandatory=old.mandatory,
            )
            new.predecessors.add(old)
    audit_record(actor=actor, verb="version.drafted", target=version)
    return version


@transaction.atomic
def version_update(
    *, actor, version: StandardVersion, change_notes: str, review_period_months
) -> StandardVersion:
    """Change a draft's change notes and review period."""
    _require_staff(actor)
    version = _locked_version(version)
    _require_draft(version)
    version.change_notes = _text(
        change_notes, field="change_notes", label="change notes", max_length=10000, required=False
    )
    version.change_notes_html = render_markdown(version.change_notes)
    version.review_period_months = _review_period(review_period_months)
    version.save(update_fields=["change_notes", "change_notes_html", "review_period_months"])
    return version


def _criterion_fields(version, *, code, title, guidance, predecessors, exclude_pk=None):
    code = _text(code, field="code", label="a code", max_length=20)
    title = _text(title, field="title", label="a title", max_length=200)
    guidance = _text(guidance, field="guidance", label="guidance", max_length=10000, required=False)
    if version.criteria.filter(code__iexact=code).exclude(pk=exclude_pk).exists():
        raise DomainError(f"Another criterion of this version has the code {code}", field="code")
    predecessors = list(predecessors or [])
    if any(p.version_id != version.based_on_id for p in predecessors) or (
        predecessors and version.based_on_id is None
    ):
        raise DomainError(
            "Map criteria only to criteria of the version this one was drafted from",
            field="predecessors",
        )
    return code, title, guidance, predecessors


@transaction.atomic
def criterion_add(
    *, actor, version, code: str, title: str, guidance: str = "", mandatory=True, predecessors=()
) -> Criterion:
    """Add a criterion at the end of a draft."""
    _require_staff(actor)
    version = _locked_version(version)
    _require_draft(version)
    code, title, guidance, predecessors = _criterion_fields(
        version, code=code, title=title, guidance=guidance, predecessors=predecessors
    )
    position = (version.criteria.aggregate(p=Max("position"))["p"] or 0) + 1
    criterion = Criterion.objects.create(
        version=version,
        position=position,
        code=code,
        title=title,
        guidance=guidance,
        guidance_html=render_markdown(guidance),
        mandatory=bool(mandatory),
    )
    criterion.predecessors.set(predecessors)
    return criterion


@transaction.atomic
def criterion_update(
    *, actor, criterion: Criterion, code, title, guidance="", mandatory=True, predecessors=()
) -> Criterion:
    """Change a criterion of a draft, including which old criteria it replaces."""
    _require_staff(actor)
    version = _locked_version(criterion.version)
    _require_draft(version)
    code, title, guidance, predecessors = _criterion_fields(
        version,
        code=code,
        title=title,
        guidance=guidance,
        predecessors=predecessors,
        exclude_pk=criterion.pk,
    )
    criterion.code, criterion.title, criterion.guidance = code, title, guidance
    criterion.guidance_html = render_markdown(guidance)
    criterion.mandatory = bool(mandatory)
    criterion.save(update_fields=["code", "title", "guidance", "guidance_html", "mandatory"])
    criterion.predecessors.set(predecessors)
    return criterion


@transaction.atomic
def criterion_delete(*, actor, criterion: Criterion) -> None:
    _require_staff(actor)
    version = _locked_version(criterion.version)
    _require_draft(version)
    criterion.delete()


@transaction.atomic
def criterion_move(*, actor, criterion: Criterion, up: bool) -> Criterion:
    """Swap a criterion with its neighbour above or below."""
    _require_staff(actor)
    version = _locked_version(criterion.version)
    _require_draft(version)
    ordered = list(version.criteria.order_by("position", "id"))
    index = next(i for i, c in enumerate(ordered) if c.pk == criterion.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return criterion


def _require_criteria(version):
    if not version.criteria.exists():
        raise DomainError("Add at least one criterion first.", status=409, code="conflict")


@transaction.atomic
def version_open_consultation(*, actor, version, closes_on) -> StandardVersion:
    """Ask the sector for comments on a draft until a closing date."""
    _require_staff(actor)
    version = _locked_version(version)
    if version.status != VersionStatus.DRAFT:
        raise DomainError("Only a draft can go out to consultation.", status=409, code="conflict")
    if not isinstance(closes_on, date) or closes_on <= timezone.localdate():
        raise DomainError("The closing date must be in the future", field="closes_on")
    _require_criteria(version)
    version.status = VersionStatus.CONSULTATION
    version.consultation_closes_on = closes_on
    version.save(update_fields=["status", "consultation_closes_on"])
    audit_record(actor=actor, verb="version.consultation_opened", target=version)
    officers = Membership.objects.council_officers().filter(user__is_active=True)
    notify(
        recipient_ids=digests.opted_in("standards.consultation_opened", officers.values("user_id")),
        kind="standards.consultation_opened",
        key=f"standards:version:{version.pk}:consultation_opened",
        title=f"Have your say on {version.standard.title} until {closes_on:%-d %B %Y}",
        body=(
            f"Version {version.number} of {version.standard.title} is open for comments "
            f"until {closes_on:%-d %B %Y}."
        ),
        url=version.get_absolute_url(),
    )
    return version


@transaction.atomic
def version_publish(*, actor, version, grace_days=DEFAULT_GRACE_DAYS) -> StandardVersion:
    """Publish a draft: the published version before it is superseded, with a grace period."""
    _require_staff(actor)
    try:
        grace_days = int(grace_days)
    except (TypeError, ValueError):
        raise DomainError("Enter the grace period in days, like 90", field="grace_days") from None
    if not 0 <= grace_days <= 730:
        raise DomainError("The grace period must be between 0 and 730 days", field="grace_days")
    version = _locked_version(version)
    _require_draft(version)
    _require_criteria(version)
    standard = Standard.objects.select_for_update().get(pk=version.standard_id)
    now = timezone.now()
    previous = standard.current_version
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
        standard.previous_version = previous
        standard.grace_until = timezone.localdate() + timedelta(days=grace_days)
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at"])
    standard.current_version = version
    standard.save(update_fields=["current_version", "previous_version", "grace_until"])
    audit_record(
        actor=actor, verb="version.published", target=version, data={"grace_days": grace_days}
    )
    return version


@transaction.atomic
def version_retire(*, actor, version) -> StandardVersion:
    """Withdraw a published version: nothing counts as adopting it any more."""
    _require_staff(actor)
    version = _locked_version(version)
    if version.status not in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        raise DomainError("Only published versions can be retired.", status=409, code="conflict")
    standard = Standard.objects.select_for_update().get(pk=version.standard_id)
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    if standard.current_version_id == version.pk:
        standard.current_version = None
    if standard.previous_version_id == version.pk:
        standard.previous_version = None
        standard.grace_until = None
    standard.save(update_fields=["current_version", "previous_version", "grace_until"])
    audit_record(actor=actor, verb="version.retired", target=version)
    return version


# --- Consultation ----------------------------------------------------------------------------


@transaction.atomic
def consultation_comment_add(*, actor, version, body: str, criterion=None) -> ConsultationComment:
    """Comment on a version in consultation, as a whole or on one of its criteria."""
    core_access.require(
        access.can_comment_on_consultation(actor),
        "Only council officers, centre staff and institute staff can comment.",
    )
    version = StandardVersion.objects.get(pk=version.pk)
    if version.status != VersionStatus.CONSULTATION:
        raise DomainError("This version is not open for comments.", status=409, code="conflict")
    if version.consultation_closes_on and version.consultation_closes_on < timezone.localdate():
        raise DomainError("The consultation has closed.", status=409, code="conflict")
    if criterion is not None and criterion.version_id != version.pk:
        raise DomainError("Choose a criterion of this version", field="criterion")
    body = _text(body, field="body", label="a comment", max_length=5000)
    return ConsultationComment.objects.create(
        version=version,
        criterion=criterion,
        author=actor,
        author_organisation=core_access.membership_of(actor).organisation,
        body=body,
        body_html=render_markdown(body),
    )


@transaction.atomic
def consultation_comment_address(*, actor, comment, addressed=True) -> ConsultationComment:
    """Mark a consultation comment as addressed (or not) in the draft."""
    _require_staff(actor)
    comment.addressed_at = timezone.now() if addressed else None
    comment.addressed_by = actor if addressed else None
    comment.save(update_fields=["addressed_at", "addressed_by"])
    return comment


# --- Self-assessment -------------------------------------------------------------------------


def _carry_source(organisation, version) -> Assessment | None:
    """The council's latest submitted assessment of an earlier (or this) version."""
    return (
        Assessment.objects.filter(
            organisation=organisation,
            standard_id=version.standard_id,
            status__in=SUBMITTED_STATUSES,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )


def _carry_over(assessment: Assessment, source: Assessment, actor) -> int:
    """Pre-fill answers from an earlier assessment through the criterion mapping."""
    old = {a.criterion_id: a for a in source.answers.all()}
    same_version = source.version_id == assessment.version_id
    # Files of evidence come along too (linked, not copied: one stored file, two answers).
    through = Answer.evidence_files.through
    files_of = {}
    for answer_id, file_id in through.objects.filter(answer__assessment=source).values_list(
        "answer_id", "evidencefile_id"
    ):
        files_of.setdefault(answer_id, []).append(file_id)
    rows = []
    row_files = []
    for criterion in assessment.version.criteria.prefetch_related("predecessors"):
        ids = [criterion.pk] if same_version else [p.pk for p in criterion.predecessors.all()]
        answers = [old[i] for i in ids if i in old and old[i].rating]
        if not answers:
            continue
        worst = min(answers, key=lambda a: RATING_ORDER.index(a.rating))
        with_evidence = next((a for a in answers if a.evidence or a.evidence_url), worst)
        rows.append(
            Answer(
                assessment=assessment,
                criterion=criterion,
                rating=worst.rating,
                reason=worst.reason,
                evidence=with_evidence.evidence,
                evidence_url=with_evidence.evidence_url,
                evidence_date=with_evidence.evidence_date,
                carried_over=True,
                complete=False,
                updated_by=actor,
            )
        )
        row_files.append({f for a in answers for f in files_of.get(a.pk, ())})
    Answer.objects.bulk_create(rows)
    through.objects.bulk_create(
        [
            through(answer_id=row.pk, evidencefile_id=file_id)
            for row, file_ids in zip(rows, row_files, strict=True)
            for file_id in sorted(file_ids)
        ]
    )
    return len(rows)


@transaction.atomic
def assessment_start(*, actor, version) -> tuple[Assessment, bool]:
    """Start (or carry on with) the council's assessment of a published version.

    Answers from the council's last submitted assessment of this standard are carried over
    through the criterion mapping and wait to be confirmed.
    """
    membership = core_access.membership_of(actor)
    organisation = membership.organisation if membership else None
    core_access.require(
        organisation is not None and core_access.can_act_for_council(actor, organisation),
        "Only officers of a council can assess their council.",
    )
    version = StandardVersion.objects.select_related("standard").get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(
            "Only the published version of a standard can be assessed.", status=409, code="conflict"
        )
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    existing = Assessment.objects.filter(
        organisation=organisation, standard_id=version.standard_id, status__in=EDITABLE_STATUSES
    ).first()
    if existing is not None:
        if existing.version_id != version.pk:
            raise DomainError(
                f"Your council already has an open assessment of {existing.version}. "
                "Submit it first.",
                status=409,
                code="conflict",
            )
        return existing, False
    source = _carry_source(organisation, version)
    assessment = Assessment.objects.create(
        standard_id=version.standard_id,
        version=version,
        organisation=organisation,
        started_by=actor,
        carried_from=source,
    )
    carried = _carry_over(assessment, source, actor) if source else 0
    audit_record(
        actor=actor, verb="assessment.started", target=assessment, data={"carried_over": carried}
    )
    return assessment, True


def _require_editable(assessment, actor):
    core_access.require(
        core_access.can_act_for_council(actor, assessment.organisation),
        "Only officers of the council can change its assessment.",
    )
    if assessment.status not in EDITABLE_STATUSES:
        raise DomainError(
            "This assessment has been submitted and cannot be changed.", status=409, code="conflict"
        )


def _answer_complete(rating, reason, evidence, evidence_url) -> str | None:
    """Why an answer is not complete yet (field, message), or None."""
    if not rating:
        return ("rating", "Choose a rating")
    if rating == Rating.NOT_APPLICABLE and not reason:
        return ("reason", "Say why this criterion does not apply to your council")
    if rating in (Rating.MET, Rating.PARTLY) and not (evidence or evidence_url):
        return ("evidence", "Describe your evidence or give a link to it")
    return None


@transaction.atomic
def answer_save(
    *,
    actor,
    assessment: Assessment,
    criterion: Criterion,
    rating: str = "",
    reason: str = "",
    evidence: str = "",
    evidence_url: str = "",
    evidence_date=None,
    finish: bool = True,
    upload=None,
) -> Answer:
    """Save the answer to one criterion, with a file of evidence if one is given. With
    `finish`, it must be complete; without, it is kept as work in progress (save as you go).
    A refused file refuses the whole answer: nothing changes."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _require_editable(assessment, actor)
    if criterion.version_id != assessment.version_id:
        raise DomainError("That criterion is not part of this assessment", field="criterion")
    rating = rating or ""
    if rating and rating not in Rating.values:
        raise DomainError("Choose a rating from the list", field="rating")
    reason = _text(reason, field="reason", label="a reason", max_length=2000, required=False)
    evidence = _text(evidence, field="evidence", label="evidence", max_length=5000, required=False)
    evidence_url = (evidence_url or "").strip()
    if evidence_url and not evidence_url.lower().startswith(("https://", "http://")):
        raise DomainError("Enter a link that starts with https:// or http://", field="evidence_url")
    if len(evidence_url) > 500:
        raise DomainError("The link must be 500 characters or fewer", field="evidence_url")
    if evidence_date is not None:
        if not isinstance(evidence_date, date):
            raise DomainError("Enter a real date", field="evidence_date")
        if evidence_date > timezone.localdate():
            raise DomainError(
                "The evidence date must be today or in the past", field="evidence_date"
            )
    if rating != Rating.NOT_APPLICABLE:
        reason = ""
    missing = _answer_complete(rating, reason, evidence, evidence_url)
    if finish and missing:
        raise DomainError(missing[1], field=missing[0])
    answer, _ = Answer.objects.update_or_create(
        assessment=assessment,
        criterion=criterion,
        defaults={
            "rating": rating,
            "reason": reason,
            "evidence": evidence,
            "evidence_url": evidence_url,
            "evidence_date": evidence_date,
            "carried_over": False,
            "complete": missing is None and finish,
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    if upload is not None:
        _answer_file_attach(actor=actor, assessment=assessment, answer=answer, upload=upload)
    return answer


def _answer_file_attach(*, actor, assessment: Assessment, answer: Answer, upload) -> EvidenceFile:
    most = evidence_files_core.MAX_FILES_PER_RECORD
    if answer.evidence_files.count() >= most:
        raise DomainError(
            f"An answer can have at most {most} files. Remove one first.", field="file"
        )
    url = reverse("standards:answer_edit", args=[assessment.public_id, answer.criterion_id])
    added = evidence_files_core.evidence_file_create(
        actor=actor, organisation=assessment.organisation, upload=upload, context_url=url
    )
    answer.evidence_files.add(added)
    return added


@transaction.atomic
def answer_file_add(*, actor, assessment: Assessment, criterion: Criterion, upload) -> EvidenceFile:
    """Add a file of evidence to the answer to one criterion (the answer is started if there
    is none yet). The file is checked for viruses after the upload, and served only then."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _require_editable(assessment, actor)
    if criterion.version_id != assessment.version_id:
        raise DomainError("That criterion is not part of this assessment", field="criterion")
    answer, _ = Answer.objects.get_or_create(
        assessment=assessment,
        criterion=criterion,
        defaults={"updated_at": timezone.now(), "updated_by": actor},
    )
    return _answer_file_attach(actor=actor, assessment=assessment, answer=answer, upload=upload)


@transaction.atomic
def answer_file_remove(*, actor, assessment: Assessment, file: EvidenceFile) -> None:
    """Remove a file from the council's answer while the assessment can still change."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _require_editable(assessment, actor)
    answer = Answer.objects.filter(assessment=assessment, evidence_files=file).first()
    if answer is None:
        raise DomainError("That file is not part of this assessment", status=404)
    answer.evidence_files.remove(file)
    # A file carried over is still the evidence of the earlier, submitted answer: kept for it.
    if not Answer.objects.filter(evidence_files=file).exists():
        evidence_files_core.evidence_file_remove(actor=actor, evidence=file)
    else:
        audit_record(actor=actor, verb="evidence.unlinked", target=file, data={"answer": answer.pk})


def assessment_result(ratings: list[tuple[bool, str]]) -> str:
    """Green, amber or red from (mandatory, rating) pairs (see the module docstring)."""
    mandatory = [rating for is_mandatory, rating in ratings if is_mandatory]
    if Rating.NOT_MET in mandatory:
        return Result.RED
    if Rating.PARTLY in mandatory:
        return Result.AMBER
    return Result.GREEN


def assessment_missing(assessment: Assessment) -> list[Criterion]:
    """Criteria without a completed answer, in order."""
    done = set(assessment.answers.filter(complete=True).values_list("criterion_id", flat=True))
    return [c for c in assessment.version.criteria.order_by("position", "id") if c.pk not in done]


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment) -> Assessment:
    """Submit a complete assessment: its result is worked out and it is valid for the review
    period of the version."""
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("organisation", "version")
        .get(pk=assessment.pk)
    )
    _require_editable(assessment, actor)
    missing = assessment_missing(assessment)
    if missing:
        names = ", ".join(c.code for c in missing)
        raise DomainError(
            f"Answer every criterion before you submit. Not completed: {names}",
            field="answers",
        )
    pairs = [
        (a.criterion.mandatory, a.rating)
        for a in assessment.answers.select_related("criterion").only(
            "rating", "criterion__mandatory"
        )
    ]
    now = timezone.now()
    assessment.result = assessment_result(pairs)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = actor
    assessment.valid_until = timezone.localdate(now) + relativedelta(
        months=assessment.version.review_period_months
    )
    assessment.save(
        update_fields=["result", "status", "submitted_at", "submitted_by", "valid_until"]
    )
    audit_record(
        actor=actor,
        verb="assessment.submitted",
        target=assessment,
        data={"result": assessment.result},
    )
    return assessment


@transaction.atomic
def assessment_review(
    *, actor, assessment: Assessment, decision: str, note: str = ""
) -> Assessment:
    """Verify a submitted assessment, or challenge it with a note the council reads and acts on."""
    _require_staff(actor)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise DomainError(
            "Only a submitted assessment waiting for review can be reviewed.",
            status=409,
            code="conflict",
        )
    if decision not in ("verify", "challenge"):
        raise DomainError("Choose verify or challenge", field="decision")
    note = _text(
        note,
        field="note",
        label="a note for the council",
        max_length=5000,
        required=decision == "challenge",
    )
    assessment.status = (
        AssessmentStatus.VERIFIED if decision == "verify" else AssessmentStatus.CHALLENGED
    )
    assessment.reviewed_at = timezone.now()
    assessment.reviewed_by = actor
    assessment.review_note = note
    assessment.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    audit_record(actor=actor, verb=f"assessment.{decision}", target=assessment, note=note)
    officers = (
        Membership.objects.council_officers()
        .filter(organisation_id=assessment.organisation_id)
        .values_list("user_id", flat=True)
    )
    verb = "verified" if decision == "verify" else "challenged"
    notify(
        recipient_ids=officers,
        kind="standards.review",
        key=f"standards:assessment:{assessment.pk}:{verb}:{assessment.reviewed_at.isoformat()}",
        title=f"Your assessment of {assessment.standard.title} was {verb}",
        url=assessment.get_absolute_url(),
        body=note,
    )
    return assessment


# --- Audit -----------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[str, date, date]:
    """('2026-Q1', first day, last day) of the quarter a date is in."""
    q = (day.month - 1) // 3
    start = date(day.year, q * 3 + 1, 1)
    end = start + relativedelta(months=3) - timedelta(days=1)
    return f"{day.year}-Q{q + 1}", start, end


def audit_round_draw(
    *, quarter_day: date | None = None, rate=None, rng: random.Random | None = None
) -> AuditRound | None:
    """Draw a random sample of the quarter's submitted assessments into the audit queue.

    By default the quarter is the one that ended most recently. A quarter is drawn once: its
    AuditRound row is written in the same transaction as the sample, so a rerun finds it.
    `rng`: the demo data's seeded generator (an audit now changes figures, so its sample must
    be the same every time); otherwise the system's.
    """
    if quarter_day is None:
        quarter_day = quarter_of(timezone.localdate())[1] - timedelta(days=1)
    label, start, end = quarter_of(quarter_day)
    if rate is None:
        rate = getattr(settings, "STANDARDS_AUDIT_SAMPLE_RATE", 0.10)
    rate = float(rate)
    if not 0 < rate <= 1:
        raise DomainError("The sample rate must be more than 0 and at most 1", field="rate")
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        try:
            with transaction.atomic():
                audit_round = AuditRound.objects.create(quarter=label, sample_rate=round(rate, 3))
        except IntegrityError:
            return None
        population = list(
            Assessment.objects.filter(
                status__in=SUBMITTED_STATUSES,
                submitted_at__gte=datetime.combine(start, time.min, tzinfo=tz),
                submitted_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
            )
            .exclude(audit__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        size = math.ceil(len(population) * rate) if population else 0
        chosen = (rng or random.SystemRandom()).sample(population, size)
        Audit.objects.bulk_create(
            [Audit(round=audit_round, assessment_id=pk) for pk in sorted(chosen)],
            ignore_conflicts=True,
        )
        audit_round.population = len(population)
        audit_round.save(update_fields=["population"])
    return audit_round


@transaction.atomic
def audit_rating_record(*, actor, audit: Audit, criterion, rating: str, note: str = ""):
    """Record the auditor's own rating of one criterion."""
    _require_staff(actor)
    audit = Audit.objects.select_for_update().select_related("assessment").get(pk=audit.pk)
    if audit.completed_at is not None:
        raise DomainError("This audit is complete.", status=409, code="conflict")
    if criterion.version_id != audit.assessment.version_id:
        raise DomainError("That criterion is not part of the audited version", field="criterion")
    if rating not in Rating.values:
        raise DomainError("Choose the audited rating", field="rating")
    note = _text(note, field="note", label="a note", max_length=2000, required=False)
    row, _ = AuditRating.objects.update_or_create(
        audit=audit, criterion=criterion, defaults={"rating": rating, "note": note}
    )
    return row


@transaction.atomic
def audit_complete(*, actor, audit: Audit, note: str = "") -> Audit:
    """Close an audit once every criterion has an audited rating; count the agreements."""
    _require_staff(actor)
    audit = Audit.objects.select_for_update().select_related("assessment").get(pk=audit.pk)
    if audit.completed_at is not None:
        raise DomainError("This audit is already complete.", status=409, code="conflict")
    audited = {r.criterion_id: r.rating for r in audit.ratings.all()}
    criteria = list(audit.assessment.version.criteria.all())
    missing = [c.code for c in criteria if c.pk not in audited]
    if missing:
        raise DomainError(
            f"Record an audited rating for every criterion. Missing: {', '.join(missing)}",
            field="ratings",
        )
    self_rated = {a.criterion_id: a.rating for a in audit.assessment.answers.all()}
    now = timezone.now()
    audit.compared = len(criteria)
    audit.agreed = sum(1 for c in criteria if self_rated.get(c.pk) == audited[c.pk])
    audit.self_result = audit.assessment.result
    audit.result = assessment_result([(c.mandatory, audited[c.pk]) for c in criteria])
    audit.completed_at = now
    audit.completed_by = actor
    audit.note = (note or "").strip()[:5000]
    audit.save(
        update_fields=[
            "compared",
            "agreed",
            "self_result",
            "result",
            "completed_at",
            "completed_by",
            "note",
        ]
    )
    audit_record(
        actor=actor,
        verb="audit.completed",
        target=audit,
        data={
            "compared": audit.compared,
            "agreed": audit.agreed,
            "self_result": audit.self_result,
            "result": audit.result,
        },
    )
    if audit.result_replaced:
        _audited_result_apply(audit, now)
    return audit


def _audited_result_apply(audit: Audit, now) -> None:
    """An audit whose ratings give another result than the council's: the audited result
    replaces the self-assessed one from now on (adoption counts it), and the council is told."""
    assessment = audit.assessment  # locked with the audit
    assessment.result = audit.result
    assessment.audited_at = now
    assessment.save(update_fields=["result", "audited_at"])
    officers = (
        Membership.objects.council_officers()
        .filter(organisation_id=assessment.organisation_id)
        .values_list("user_id", flat=True)
    )
    audited, own = Result(audit.result).label.lower(), Result(audit.self_result).label.lower()
    notify(
        recipient_ids=officers,
        kind="standards.review",
        key=f"standards:audit:{audit.pk}:result",
        title=f"An audit changed the result of your assessment of {audit.assessment.standard.title}"
        f" to {audited}",
        url=assessment.get_absolute_url(),
        body=(
            f"The institute's auditor rated the criteria again. Their ratings give {audited}, "
            f"not {own} as your council's did. The audited result is the one that counts "
            f"towards adoption. {audit.note}"
        ).strip(),
    )


# --- Reminders -------------------------------------------------------------------------------


def _officer_ids(organisation_ids) -> dict[int, list[int]]:
    officers: dict[int, list[int]] = {}
    for org_id, user_id in (
        Membership.objects.council_officers()
        .filter(organisation_id__in=list(organisation_ids))
        .values_list("organisation_id", "user_id")
    ):
        officers.setdefault(org_id, []).append(user_id)
    return officers


def _reminder_text(kind, assessment=None, version=None) -> tuple[str, str, str]:
    """Title, body and link of a reminder."""
    if kind == ReminderKind.CONSULTATION_CLOSING:
        closes = version.consultation_closes_on.strftime("%-d %B %Y")
        return (
            f"Consultation on {version.standard.title} closes on {closes}",
            "You commented on this draft. Read the other comments and add anything you missed.",
            version.get_absolute_url(),
        )
    title = assessment.standard.title
    until = assessment.valid_until.strftime("%-d %B %Y")
    texts = {
        ReminderKind.EXPIRING: (
            f"Your council's assessment of {title} expires on {until}",
            "Start a new self-assessment before then: your answers are carried over.",
        ),
        ReminderKind.EXPIRED: (
            f"Your council's assessment of {title} has expired",
            f"It was valid until {until}. Assess again to count as adopting the standard.",
        ),
        ReminderKind.NEW_VERSION: (
            f"A new version of {title} is published",
            "Assess against the new version; answers carry over where criteria are unchanged.",
        ),
    }
    subject, body = texts[kind]
    return subject, body, assessment.standard.get_absolute_url()


def _due_assessments(today: date) -> list[tuple[str, Assessment]]:
    """(kind, assessment) pairs a reminder is due for today, latest assessments only."""
    due = []
    latest = latest_submitted_assessments().select_related("standard", "version")
    for assessment in latest:
        if assessment.valid_until is None:
            continue
        if assessment.valid_until < today:
            due.append((ReminderKind.EXPIRED, assessment))
        elif assessment.valid_until <= today + timedelta(days=EXPIRY_WARNING_DAYS):
            due.append((ReminderKind.EXPIRING, assessment))
        standard = assessment.standard
        if (
            standard.previous_version_id == assessment.version_id
            and assessment.valid_until >= today
        ):
            due.append((ReminderKind.NEW_VERSION, assessment))
    return due


def reminders_record(*, today: date | None = None) -> int:
    """Record the reminders due today, each with its in-app notification, exactly once.

    The ReminderSend row and the Notification rows are written in one transaction per reminder;
    the unique constraint means a second run (or a run racing this one) records nothing more.
    E-mails are queued with the notifications (`notify`) and sent by the outbox.
    """
    today = today or timezone.localdate()
    recorded = 0
    due = _due_assessments(today)
    already = set(
        ReminderSend.objects.filter(assessment_id__in=[a.pk for _, a in due]).values_list(
            "assessment_id", "kind"
        )
    )
    officers = _officer_ids({a.organisation_id for _, a in due})
    for kind, assessment in due:
        if (assessment.pk, kind) in already:
            continue
        title, body, url = _reminder_text(kind, assessment=assessment)
        with transaction.atomic():
            send, created = ReminderSend.objects.get_or_create(assessment=assessment, kind=kind)
            if not created:
                continue
            notify(
                recipient_ids=officers.get(assessment.organisation_id, []),
                kind=f"standards.{kind}",
                key=f"standards:reminder:{send.pk}",
                title=title,
                url=url,
                body=body,
            )
            recorded += 1
    closing = StandardVersion.objects.filter(
        status=VersionStatus.CONSULTATION,
        consultation_closes_on__gte=today,
        consultation_closes_on__lte=today + timedelta(days=CONSULTATION_WARNING_DAYS),
    ).select_related("standard")
    for version in closing:
        commenters = set(version.consultation_comments.values_list("author_id", flat=True))
        title, body, url = _reminder_text(ReminderKind.CONSULTATION_CLOSING, version=version)
        for user_id in sorted(commenters):
            with transaction.atomic():
                send, created = ReminderSend.objects.get_or_create(
                    assessment=None,
                    version=version,
                    recipient_id=user_id,
                    kind=ReminderKind.CONSULTATION_CLOSING,
                )
                if not created:
                    continue
                notify(
                    recipient_ids=[user_id],
                    kind="standards.consultation_closing",
                    key=f"standards:reminder:{send.pk}",
                    title=title,
                    url=url,
                    body=body,
                )
                recorded += 1
    return recorded


def reminders_send(*, today: date | None = None) -> dict:
    """The daily reminder job: record what is due with its notifications. Each officer's
    preferences decide whether a reminder is e-mailed now, in a digest or not at all; the
    outbox sends the e-mails."""
    return {"recorded": reminders_record(today=today)}
