"""Service standards, their versions and criteria, consultation, self-assessment and audit.

Rules live in standards.services; what "adopted" means lives once in standards.selectors.
"""

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from institute.models import CouncilType, stored_search_vector
from institute.urlcache import detail_url


class Category(models.TextChoices):
    SERVICE = "service", "Service"
    TECHNICAL = "technical", "Technical"
    DATA = "data", "Data"
    PROCUREMENT = "procurement", "Procurement"
    QUALITY = "quality", "Quality"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONSULTATION = "consultation", "In consultation"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    RETIRED = "retired", "Retired"


class Rating(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Result(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    VERIFIED = "verified", "Verified"
    CHALLENGED = "challenged", "Challenged"


def assessment_status_tag(status: str) -> tuple[str, str]:
    """(label, GOV.UK tag class) for an assessment's status: the one way every page names it,
    the assessment's own page and the standard's page alike."""
    return AssessmentStatus(status).label, _ASSESSMENT_TAG_CLASSES[status]


_ASSESSMENT_TAG_CLASSES = {
    AssessmentStatus.IN_PROGRESS: "govuk-tag--light-blue",
    AssessmentStatus.SUBMITTED: "govuk-tag--blue",
    AssessmentStatus.VERIFIED: "govuk-tag--green",
    AssessmentStatus.CHALLENGED: "govuk-tag--red",
}


# An assessment in one of these can still be changed by its council.
EDITABLE_STATUSES = {AssessmentStatus.IN_PROGRESS, AssessmentStatus.CHALLENGED}
SUBMITTED_STATUSES = {
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.VERIFIED,
    AssessmentStatus.CHALLENGED,
}


class Standard(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    owner = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="owned_standards"
    )
    summary = models.CharField(max_length=400)
    council_types = ArrayField(
        models.CharField(max_length=32, choices=CouncilType.choices),
        blank=True,
        default=list,
        help_text="Council types in scope; empty means every council.",
    )
    # Kept by the services that publish, supersede and retire versions, so adoption can be
    # computed from the standard row without looking through its versions.
    current_version = models.ForeignKey(
        "StandardVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_version = models.ForeignKey(
        "StandardVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grace_until = models.DateField(
        null=True, blank=True, help_text="Last day assessments of the previous version count"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the service search matches, kept by the database.
    search_vector = stored_search_vector(("title", "A"), ("summary", "B"))

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["category", "title"], name="standard_category")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("standards:standard_detail", kwargs={"slug": self.slug})

    def scope_label(self) -> str:
        if not self.council_types:
            return "All councils"
        labels = dict(CouncilType.choices)
        return ", ".join(labels.get(t, t) for t in self.council_types)


class StandardVersion(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )
    change_notes = models.TextField(max_length=10000, blank=True, default="", help_text="Markdown")
    change_notes_html = models.TextField(editable=False, default="")
    review_period_months = models.PositiveSmallIntegerField(default=12)
    consultation_closes_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="published"),
                name="one_published_version_per_standard",
            ),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status__in=["draft", "consultation"]),
                name="one_open_draft_per_standard",
            ),
            models.CheckConstraint(
                condition=Q(review_period_months__gte=1) & Q(review_period_months__lte=60),
                name="version_review_period_range",
            ),
        ]

    def __str__(self):
        return f"{self.standard} v{self.number}"

    def get_absolute_url(self):
        return reverse(
            "standards:version_detail", kwargs={"slug": self.standard.slug, "number": self.number}
        )

    @property
    def label(self):
        return f"Version {self.number}"


class Criterion(models.Model):
    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField()
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    guidance = models.TextField(max_length=10000, blank=True, default="", help_text="Markdown")
    guidance_html = models.TextField(editable=False, default="")
    mandatory = models.BooleanField(default=True)
    # Which criteria of the version this one was drafted from it replaces: answers carry over.
    predecessors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="successors"
    )

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class ConsultationComment(models.Model):
    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="consultation_comments"
    )
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=5000, help_text="Markdown")
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    addressed_at = models.DateTimeField(null=True, blank=True)
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["version", "criterion"], name="consultation_comment_on")]

    def __str__(self):
        return f"Comment {self.pk} on {self.version}"


# Its status and review history, kept by the database (institute/history.py): a row on creation
# and on every change of these fields, however it is made.
@pghistory.track(
    pghistory.InsertEvent("started"),
    pghistory.UpdateEvent("changed"),
    fields=[
        "version",
        "status",
        "result",
        "submitted_at",
        "submitted_by",
        "valid_until",
        "reviewed_at",
        "reviewed_by",
        "review_note",
        "audited_at",
    ],
    model_name="AssessmentEvent",
    obj_field=pghistory.ObjForeignKey(related_name="history"),
)
class Assessment(models.Model):
    """A council's self-assessment of one published version."""

    # Its identifier in URLs and the API: not a guessable sequence (docs/api.md).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="assessments")
    version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="standard_assessments"
    )
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    result = models.CharField(max_length=8, choices=Result.choices, blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_until = models.DateField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True, default="")
    # Set when an audit disagreed and its result replaced the council's (the Audit row keeps
    # both): the replaced result counts from then on, not from the submission (docs/adr/0012).
    audited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "standard"],
                condition=Q(status__in=["in_progress", "challenged"]),
                name="one_open_assessment_per_council_and_standard",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="assessment_submitted_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["standard", "organisation", "-submitted_at"], name="assessment_latest"
            ),
            models.Index(fields=["status", "submitted_at"], name="assessment_status"),
            models.Index(fields=["valid_until"], name="assessment_valid_until"),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.version}"

    def get_absolute_url(self):
        return detail_url("standards:assessment_detail", "public_id", self.public_id)

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    rating = models.CharField(max_length=16, choices=Rating.choices, blank=True, default="")
    reason = models.TextField(max_length=2000, blank=True, default="")
    evidence = models.TextField(max_length=5000, blank=True, default="")
    evidence_url = models.URLField(max_length=500, blank=True, default="")
    evidence_date = models.DateField(null=True, blank=True)
    # Documents given as evidence (institute.evidence); served only to who may see the answer.
    evidence_files = models.ManyToManyField("institute.EvidenceFile", blank=True, related_name="+")
    # Filled in from an earlier assessment through the criterion mapping: the council confirms.
    carried_over = models.BooleanField(default=False)
    complete = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_answer_per_criterion"
            ),
            models.CheckConstraint(
                condition=~Q(rating="not_applicable") | ~Q(reason="") | Q(complete=False),
                name="answer_not_applicable_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.assessment_id}/{self.criterion_id}: {self.rating}"

    @property
    def task_status(self) -> str:
        if self.complete:
            return "completed"
        return "in_progress"


class AuditRound(models.Model):
    """One quarter's random sample; its row is written first so a second run draws nothing."""

    quarter = models.CharField(max_length=7, unique=True, help_text="For example 2026-Q1")
    sample_rate = models.DecimalField(max_digits=4, decimal_places=3)
    population = models.PositiveIntegerField(default=0)
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-quarter"]

    def __str__(self):
        return self.quarter


class Audit(models.Model):
    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="audits")
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="audit")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    # Set when completed: ratings compared and ratings the auditor agreed with, the result the
    # council's own ratings gave and the result the audited ratings give (the one that counts).
    compared = models.PositiveIntegerField(default=0)
    agreed = models.PositiveIntegerField(default=0)
    self_result = models.CharField(max_length=8, choices=Result.choices, blank=True, default="")
    result = models.CharField(max_length=8, choices=Result.choices, blank=True, default="")

    class Meta:
        ordering = ["completed_at", "id"]

    def __str__(self):
        return f"Audit of {self.assessment}"

    def get_absolute_url(self):
        return reverse("standards:audit_detail", kwargs={"pk": self.pk})

    @property
    def result_replaced(self) -> bool:
        return bool(self.result) and self.result != self.self_result


class AuditRating(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=16, choices=Rating.choices)
    note = models.TextField(max_length=2000, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "criterion"], name="one_audit_rating")
        ]

    def __str__(self):
        return f"{self.audit_id}/{self.criterion_id}: {self.rating}"


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", "Assessment expires in 30 days"
    EXPIRED = "expired", "Assessment has expired"
    NEW_VERSION = "new_version", "A new version is published"
    CONSULTATION_CLOSING = "consultation_closing", "Consultation closes in 7 days"


class ReminderSend(models.Model):
    """Written with a reminder's notifications (their e-mails go through the outbox): at most one
    per assessment (or commenter) and kind."""

    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    version = models.ForeignKey(
        StandardVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind"],
                condition=Q(assessment__isnull=False),
                name="one_reminder_per_assessment_and_kind",
            ),
            models.UniqueConstraint(
                fields=["version", "recipient", "kind"],
                condition=Q(assessment__isnull=True),
                name="one_reminder_per_commenter_and_kind",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.assessment_id or self.version_id}"
