"""Strategic Centres of Service Innovation, their projects and the learning they publish."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from institute.models import Region, ReviewedChange, Role, Theme, stored_search_vector
from institute.urlcache import detail_url

# The 2030 targets of the blueprint that are about centres, which the sector tracks: centres
# running, and standards-enabled cross-organisation data-sharing examples (published learning
# of that kind that follows at least one standard: `selectors.data_sharing_examples`).
CENTRES_TARGET = 5
DATA_SHARING_TARGET = 15

# Evidence strength, 0 to 5, as shown on the public scale page and beside every rating.
EVIDENCE_SCALE = {
    0: (
        "Opinion or anecdote",
        "What the people involved believe worked. No data was collected to check it.",
    ),
    1: (
        "Descriptive data",
        "Measures taken before and after in one place, with nothing to compare them with.",
    ),
    2: (
        "Comparison",
        "Outcomes compared with a similar group, place or period. Other causes could still "
        "explain the difference.",
    ),
    3: (
        "One robust evaluation",
        "One well-designed evaluation with a comparison group, in one place, reported in full.",
    ),
    4: (
        "Repeated in more than one place",
        "Robust evaluations in at least two councils that found the same effect.",
    ),
    5: (
        "Several rigorous evaluations",
        "Several rigorous evaluations, at least one randomised or as strong, with consistent "
        "results across different kinds of council.",
    ),
}


class Centre(models.Model):
    """A regional centre, hosted by a strategic authority, working with councils in its area."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    host = models.OneToOneField(
        "institute.Organisation",
        on_delete=models.PROTECT,
        related_name="centre",
        help_text="The strategic authority (or host body) its staff belong to",
    )
    regions = ArrayField(models.CharField(max_length=9, choices=Region.choices), default=list)
    focus_themes = ArrayField(models.CharField(max_length=32, choices=Theme.choices), default=list)
    focus = models.CharField(max_length=200, help_text="One line: what the centre is expert in")
    description = models.TextField(max_length=10000, blank=True, default="", help_text="Markdown")
    description_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # What the service search matches, kept by the database.
    search_vector = stored_search_vector(("name", "A"), ("focus", "B"), ("description", "C"))

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centres:centre_detail", kwargs={"slug": self.slug})

    def region_labels(self):
        labels = dict(Region.choices)
        return [labels.get(code, code) for code in self.regions]

    def theme_labels(self):
        labels = dict(Theme.choices)
        return [labels.get(code, code) for code in self.focus_themes]


class CentreStaffQuerySet(models.QuerySet):
    def leads(self):
        """Who may publish a centre's learning (besides institute staff), one rule for the
        publish action, the review queue and who is told an item waits: marked as the centre's
        lead, and still centre staff at its host."""
        return self.filter(
            is_lead=True,
            user__memberships__role=Role.CENTRE_STAFF,
            user__memberships__organisation=models.F("centre__host"),
        )


class CentreStaff(models.Model):
    """A person shown as working for a centre, and whether they lead it.

    Permission to work for a centre comes from the person's Membership (centre staff at the
    host); this row adds what the public page shows and who may publish: the lead.
    """

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="centre_staff"
    )
    job_title = models.CharField(max_length=150, blank=True, default="")
    is_lead = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(default=timezone.now)

    objects = CentreStaffQuerySet.as_manager()

    class Meta:
        ordering = ["-is_lead", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre"], condition=Q(is_lead=True), name="one_lead_per_centre"
            )
        ]

    def __str__(self):
        return f"{self.user} at {self.centre}{' (lead)' if self.is_lead else ''}"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class ProjectPhase(models.TextChoices):
    """How far the project is: it moves its problems to "in discovery" or "in progress"."""

    DISCOVERY = "discovery", "Discovery: understanding the problem"
    DELIVERY = "delivery", "Delivery: building or testing a fix"


class Project(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=150)
    summary = models.TextField(max_length=1000)
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    phase = models.CharField(
        max_length=16, choices=ProjectPhase.choices, default=ProjectPhase.DISCOVERY
    )
    partner_councils = models.ManyToManyField(
        "institute.Organisation", blank=True, related_name="centre_projects"
    )
    problems = models.ManyToManyField("backlog.Problem", blank=True, related_name="centre_projects")
    components_produced = models.ManyToManyField(
        "components.Component", blank=True, related_name="produced_by_projects"
    )
    components_used = models.ManyToManyField(
        "components.Component", blank=True, related_name="used_by_projects"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_in_order",
            )
        ]
        indexes = [models.Index(fields=["centre", "status"], name="project_centre_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("centres:project_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self):
        return self.status == ProjectStatus.ACTIVE


class LearningKind(models.TextChoices):
    CASE_STUDY = "case_study", "Case study"
    EVALUATION = "evaluation", "Evaluation"
    WHAT_WORKS = "what_works", "What-works guide"
    PLAYBOOK = "playbook", "Playbook"
    DATA_SHARING = "data_sharing", "Data-sharing example"


class CostBand(models.TextChoices):
    VERY_LOW = "very_low", "Very low (under £10,000)"
    LOW = "low", "Low (£10,000 to £50,000)"
    MODERATE = "moderate", "Moderate (£50,000 to £250,000)"
    HIGH = "high", "High (£250,000 to £1 million)"
    VERY_HIGH = "very_high", "Very high (over £1 million)"
    UNKNOWN = "unknown", "Not known"


class LearningStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Learning(models.Model):
    """A piece of learning a centre publishes for the sector, rated for its evidence."""

    # The identifier in URLs and the API: drafts must not be found by guessing numbers.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="learning")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="learning"
    )
    kind = models.CharField(max_length=16, choices=LearningKind.choices)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    body = models.TextField(max_length=50000, help_text="Markdown")
    body_html = models.TextField(editable=False, default="")
    evidence_strength = models.PositiveSmallIntegerField()
    cost_band = models.CharField(max_length=16, choices=CostBand.choices)
    impact_summary = models.TextField(max_length=1000)
    councils = models.ManyToManyField(
        "institute.Organisation", blank=True, related_name="centre_learning"
    )
    themes = ArrayField(models.CharField(max_length=32, choices=Theme.choices), default=list)
    service_areas = models.ManyToManyField(
        "institute.ServiceArea", blank=True, related_name="centre_learning"
    )
    problems = models.ManyToManyField("backlog.Problem", blank=True, related_name="centre_learning")
    components = models.ManyToManyField("components.Component", blank=True, related_name="learning")
    standards = models.ManyToManyField("standards.Standard", blank=True, related_name="learning")
    status = models.CharField(
        max_length=16, choices=LearningStatus.choices, default=LearningStatus.DRAFT
    )
    review_note = models.TextField(blank=True, default="", help_text="Why it was sent back")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    search_vector = stored_search_vector(
        ("title", "A"), ("summary", "B"), ("impact_summary", "B"), ("body", "C")
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(evidence_strength__gte=0) & Q(evidence_strength__lte=5),
                name="learning_evidence_0_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="learning_published_has_date",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="learning_search_vector"),
            # The service search forgives typing mistakes in titles (pg_trgm word similarity).
            GinIndex(fields=["title"], name="learning_title_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["themes"], name="learning_themes"),
            models.Index(fields=["status", "-published_at"], name="learning_newest"),
            models.Index(
                fields=["status", "-evidence_strength", "-published_at"],
                name="learning_strongest",
            ),
            models.Index(fields=["centre", "status"], name="learning_centre_status"),
            models.Index(fields=["kind", "status"], name="learning_kind_status"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # Without a reverse() each time: the library lists 25 of these on every request.
        return detail_url("centres:learning_detail", "public_id", self.public_id)

    @property
    def is_published(self):
        return self.status == LearningStatus.PUBLISHED

    @property
    def evidence_label(self):
        return EVIDENCE_SCALE.get(self.evidence_strength, ("", ""))[0]

    def theme_labels(self):
        labels = dict(Theme.choices)
        return [labels.get(code, code) for code in self.themes]


# A published item's claims to readers. A change to any of them waits for review by the
# centre's lead or institute staff (someone other than who made it) before readers see it;
# every other field is a correction (title wording, summary, body text, links) and is published
# straight away. The one list: the service, the edit form's hint and the API use it.
RE_REVIEW_FIELDS = {
    "evidence_strength": "evidence rating",
    "cost_band": "cost band",
    "impact_summary": "impact",  # what it concludes changed, with its numbers
}


def change_summary(previous: dict, proposed: dict) -> str:
    """ "evidence rating 2 → 5, impact changed": what a reviewed change did, for readers."""
    parts = []
    for name, label in RE_REVIEW_FIELDS.items():
        if name not in proposed:
            continue
        if name == "evidence_strength":
            parts.append(f"{label} {previous.get(name)} → {proposed[name]}")
        elif name == "cost_band":
            labels = dict(CostBand.choices)
            before = labels.get(previous.get(name), previous.get(name)).split(" (")[0]
            after = labels.get(proposed[name], proposed[name]).split(" (")[0]
            parts.append(f"{label} {before.lower()} → {after.lower()}")
        else:
            parts.append(f"{label} changed")
    return ", ".join(parts)


class LearningChange(ReviewedChange):
    """A change to a published item's claims (RE_REVIEW_FIELDS) waiting for review; readers
    see the published values until it is published. At most one waits per item."""

    learning = models.ForeignKey(Learning, on_delete=models.CASCADE, related_name="changes")

    class Meta(ReviewedChange.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["learning"],
                condition=Q(status="pending"),
                name="one_pending_change_per_learning",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="learning_change_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="learning_change_status")]

    def __str__(self):
        return f"{self.learning_id} change {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse(
            "centres:learning_change",
            kwargs={"public_id": self.learning.public_id, "pk": self.pk},
        )

    @property
    def summary(self) -> str:
        return change_summary(self.previous, self.proposed)

    def rows(self) -> list[dict]:
        """Each changed field with its label and the values before and after, for review."""
        labels = dict(CostBand.choices)
        rows = []
        for name, label in RE_REVIEW_FIELDS.items():
            if name in self.proposed:
                before, after = self.previous.get(name), self.proposed[name]
                if name == "cost_band":
                    before, after = labels.get(before, before), labels.get(after, after)
                rows.append({"label": label, "before": before, "after": after})
        return rows


class LearningRevision(models.Model):
    """The text of a published item as it was before an edit replaced it."""

    learning = models.ForeignKey(Learning, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    body = models.TextField()
    body_html = models.TextField()
    impact_summary = models.TextField()
    evidence_strength = models.PositiveSmallIntegerField()
    cost_band = models.CharField(max_length=16, choices=CostBand.choices)
    text_from = models.DateTimeField(help_text="When this text was last saved")
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["learning", "number"], name="one_revision_number_per_learning"
            )
        ]

    def __str__(self):
        return f"{self.learning_id} revision {self.number}"

    def get_absolute_url(self):
        return reverse(
            "centres:learning_revision",
            kwargs={"public_id": self.learning.public_id, "number": self.number},
        )

    @property
    def evidence_label(self):
        return EVIDENCE_SCALE.get(self.evidence_strength, ("", ""))[0]
