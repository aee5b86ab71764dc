"""Common components and councils' adoption of them, with evidence that stays fresh."""

import uuid
from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from institute.models import ReviewedChange, service_area_ids_field, stored_search_vector
from institute.urlcache import detail_url

# An adoption not confirmed for 12 months (365 days) is stale: shown as such and no longer
# counted. The boundary, once for every page, figure and file: an adoption confirmed at moment
# T is fresh until T + STALE_AFTER and stale from that moment on (`stale_q`, `is_stale`).
STALE_AFTER = timedelta(days=365)
# Officers are reminded this long before their adoption goes stale.
REMIND_BEFORE = timedelta(days=30)


class Kind(models.TextChoices):
    SOFTWARE = "software", "Software product"
    OPEN_SOURCE = "open_source", "Open-source code"
    API = "api", "API or shared service"
    DATA_STANDARD = "data_standard", "Data standard or schema"
    PATTERN = "pattern", "Design or service pattern"


class Maturity(models.TextChoices):
    CONCEPT = "concept", "Concept"
    ALPHA = "alpha", "Alpha"
    BETA = "beta", "Beta"
    LIVE = "live", "Live"
    RETIRING = "retiring", "Retiring"
    RETIRED = "retired", "Retired"


class CostModel(models.TextChoices):
    FREE = "free", "Free"
    PAID = "paid", "Paid"
    SHARED = "shared", "Shared cost"


class Hosting(models.TextChoices):
    SELF_HOSTED = "self_hosted", "Self-hosted"
    HOSTED = "hosted", "Hosted service"


class ReviewStatus(models.TextChoices):
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class Stage(models.TextChoices):
    EXPLORING = "exploring", "Exploring"
    PILOTING = "piloting", "Piloting"
    IN_USE = "in_use", "In use"
    RETIRED = "retired", "Retired"


# Stages that count as a council adopting a component (when not stale).
ACTIVE_STAGES = {Stage.EXPLORING, Stage.PILOTING, Stage.IN_USE}


def stale_cutoff(now=None):
    """Adoptions last confirmed at or before this moment are stale."""
    return (now or timezone.now()) - STALE_AFTER


def stale_q(now=None, prefix: str = "") -> Q:
    """In SQL: the adoption is stale at `now` (the same boundary as `Adoption.is_stale`)."""
    return Q(**{f"{prefix}confirmed_at__lte": stale_cutoff(now)})


def counted_q(now=None, prefix: str = "") -> Q:
    """In SQL: the adoption counts at `now` (the same rule as `Adoption.is_counted`)."""
    return Q(**{f"{prefix}stage__in": ACTIVE_STAGES}) & ~stale_q(now, prefix)


class Component(models.Model):
    # The identifier in URLs, the API and open data: components in review must not be found
    # by guessing numbers (docs/api.md).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.CharField(max_length=300)
    description = models.TextField(max_length=20000, help_text="Markdown")
    description_html = models.TextField(editable=False, default="")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    maturity = models.CharField(max_length=16, choices=Maturity.choices)
    theme = models.CharField(max_length=32, blank=True, default="")  # institute.models.Theme
    service_areas = models.ManyToManyField(
        "institute.ServiceArea", related_name="components", blank=True
    )
    # Kept by a trigger on the join table (migration 0017): the service area filter reads one
    # GIN index, and the catalogue shows the areas' names without a query.
    service_area_ids = service_area_ids_field()
    licence = models.CharField("licence (SPDX identifier)", max_length=100, blank=True)
    licence_open = models.BooleanField(default=False, help_text="An open-source licence")
    source_url = models.URLField(max_length=500, blank=True, default="")
    documentation_url = models.URLField(max_length=500, blank=True, default="")
    maintainer = models.ForeignKey(
        "institute.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="maintained_components",
    )
    maintainer_name = models.CharField(
        max_length=200, blank=True, default="", help_text="When not an organisation here"
    )
    cost_model = models.CharField(max_length=16, choices=CostModel.choices)
    hosting = models.CharField(max_length=16, choices=Hosting.choices)
    problems = models.ManyToManyField(
        "backlog.Problem", through="ComponentProblem", related_name="components"
    )
    standards = models.ManyToManyField("standards.Standard", blank=True, related_name="components")

    status = models.CharField(
        max_length=32, choices=ReviewStatus.choices, default=ReviewStatus.IN_REVIEW
    )
    review_note = models.TextField(blank=True, default="", help_text="Shown to the submitter")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_components"
    )
    submitted_for = models.ForeignKey(
        "institute.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submitted_components",
    )
    retired_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # From a publiccode.yml (imported or harvested): what the catalogue holds beyond the fields
    # above (every description language, categories, maintenance, release, dependencies, the
    # repository's own "usedBy" claim; components.publiccode.EXTRA_KEYS), and the file itself.
    publiccode = models.JSONField(default=dict, blank=True)
    publiccode_original = models.TextField(blank=True, default="")

    # Councils adopting it now (not stale), kept equal to the Adoption rows by the services in
    # the same transaction as every adoption write, and recomputed daily as adoptions go stale.
    using_count = models.PositiveIntegerField(default=0, help_text="Councils with it in use")
    adopting_count = models.PositiveIntegerField(
        default=0, help_text="Councils exploring, piloting or using it"
    )

    search_vector = stored_search_vector(("name", "A"), ("summary", "B"), ("description", "C"))

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="component_search_vector"),
            GinIndex(fields=["service_area_ids"], name="component_service_area_ids"),
            # The service search forgives typing mistakes in names (pg_trgm word similarity).
            GinIndex(fields=["name"], name="component_name_trgm", opclasses=["gin_trgm_ops"]),
            # The catalogue's default order, whole, so a page past the numbered ones starts in it.
            models.Index(
                fields=["status", "-using_count", "-adopting_count", "name", "id"],
                name="component_using",
            ),
            models.Index(fields=["status", "-published_at", "-id"], name="component_newest"),
            models.Index(fields=["status", "name", "id"], name="component_name"),
            models.Index(fields=["kind", "maturity"], name="component_kind_maturity"),
            models.Index(fields=["licence"], name="component_licence"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(using_count__lte=models.F("adopting_count")),
                name="component_using_within_adopting",
            ),
            models.CheckConstraint(
                condition=~Q(maturity="retired") | ~Q(retired_reason=""),
                name="component_retired_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("components:component_detail", "public_id", self.public_id)

    @property
    def reference(self) -> str:
        """What the submitter quotes to staff: short, and not a count of submissions."""
        return f"C-{self.public_id.hex[:8].upper()}"

    @property
    def is_published(self):
        return self.status == ReviewStatus.PUBLISHED

    @property
    def maintainer_display(self):
        return self.maintainer.name if self.maintainer_id else self.maintainer_name


# What a published component promises adopters: how ready it is, on what terms, and where its
# code and documentation are. A change to any of them waits for review by institute staff
# (someone other than who made it) before readers see it; every other field is a correction
# (name wording, summary, description, maintainer) and is published straight away. The one
# list: the service, the edit form's hint and the API use it.
RE_REVIEW_FIELDS = {
    "maturity": "maturity",
    "licence": "licence",
    "source_url": "source code link",
    "documentation_url": "documentation link",
}


def change_summary(previous: dict, proposed: dict) -> str:
    """ "maturity beta → live, source code link changed": what a reviewed change did."""
    labels = dict(Maturity.choices)
    parts = []
    for name, label in RE_REVIEW_FIELDS.items():
        if name not in proposed:
            continue
        if name == "maturity":
            before = labels.get(previous.get(name), previous.get(name))
            after = labels.get(proposed[name], proposed[name])
            parts.append(f"{label} {str(before).lower()} → {str(after).lower()}")
        elif name == "licence":
            parts.append(f"{label} {previous.get(name) or 'none'} → {proposed[name] or 'none'}")
        else:
            parts.append(f"{label} changed")
    return ", ".join(parts)


class ComponentChange(ReviewedChange):
    """A change to a published component's promises (RE_REVIEW_FIELDS) waiting for review;
    readers see the published values until it is published. At most one waits per component."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="changes")

    class Meta(ReviewedChange.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["component"],
                condition=Q(status="pending"),
                name="one_pending_change_per_component",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="component_change_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="component_change_status")]

    def __str__(self):
        return f"{self.component_id} change {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse(
            "components:component_change",
            kwargs={"public_id": self.component.public_id, "pk": self.pk},
        )

    @property
    def summary(self) -> str:
        return change_summary(self.previous, self.proposed)

    def rows(self) -> list[dict]:
        """Each changed field with its label and the values before and after, for review."""
        labels = dict(Maturity.choices)
        rows = []
        for name, label in RE_REVIEW_FIELDS.items():
            if name in self.proposed:
                before, after = self.previous.get(name), self.proposed[name]
                if name == "maturity":
                    before, after = labels.get(before, before), labels.get(after, after)
                rows.append({"label": label, "before": before or "None", "after": after or "None"})
        return rows


class ComponentProblem(models.Model):
    """A backlog problem a component addresses."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="links")
    problem = models.ForeignKey(
        "backlog.Problem", on_delete=models.CASCADE, related_name="component_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["component", "problem"], name="component_problem_once")
        ]
        indexes = [models.Index(fields=["problem"], name="component_problem_problem")]

    def __str__(self):
        return f"{self.component_id} addresses {self.problem_id}"


class ComponentEvent(models.Model):
    """The component's history: submitted, reviewed, edited, retired; with who and why."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=40)
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["component", "created_at"], name="component_event")]

    def __str__(self):
        return f"{self.component_id} {self.verb}"


# Every write to an adoption, kept by the database (institute/history.py).
@pghistory.track(
    pghistory.InsertEvent("recorded"),
    pghistory.UpdateEvent("changed"),
    pghistory.DeleteEvent("deleted"),
    obj_field=pghistory.ObjForeignKey(related_name="history"),
)
class Adoption(models.Model):
    """One council's use of one component: its stage, since when, the evidence and when it was
    last confirmed. One row per council and component; the stage history is AdoptionChange."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="adoptions"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)
    since = models.DateField()
    evidence_url = models.URLField(max_length=500, blank=True, default="")
    evidence_note = models.TextField(max_length=2000, blank=True, default="")
    # Documents given as evidence (institute.evidence): for the council, staff and sector
    # viewers, not the public (components.access.can_view_adoption_files).
    evidence_files = models.ManyToManyField("institute.EvidenceFile", blank=True, related_name="+")
    show_as_contact = models.BooleanField(default=False)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoption_contacts",
        help_text="The officer who last recorded or confirmed it",
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["component", "organisation"], name="one_adoption_per_council"
            ),
            models.CheckConstraint(
                condition=~Q(evidence_url="") | ~Q(evidence_note=""),
                name="adoption_has_evidence",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation"], name="adoption_organisation"),
            # A council's most recent adoptions (its organisation page): the first few rows by
            # the index, not a sort of all ~1,000 of a large council's.
            models.Index(fields=["organisation", "-since"], name="adoption_organisation_since"),
            models.Index(fields=["component", "stage"], name="adoption_component_stage"),
            models.Index(fields=["confirmed_at"], name="adoption_confirmed_at"),
            # The API's order (selectors.BY_ID), whole: the row before a deep page is found in
            # the index alone.
            models.Index(fields=["component", "organisation", "id"], name="adoption_key_order"),
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.stage} {self.component_id}"

    @property
    def stale_at(self):
        return self.confirmed_at + STALE_AFTER

    def is_stale(self, now=None) -> bool:
        return self.confirmed_at <= stale_cutoff(now)

    def is_counted(self, now=None) -> bool:
        return self.stage in ACTIVE_STAGES and not self.is_stale(now)


class AdoptionChange(models.Model):
    """The stage history of an adoption."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.adoption_id}: {self.from_stage} → {self.to_stage}"


class AdoptionReminder(models.Model):
    """A reminder that an adoption will go stale, written with its notifications (and so
    its e-mails, through the outbox): one per adoption and confirmation period, so a rerun of
    the daily job never reminds twice."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="reminders")
    stale_on = models.DateField(help_text="The day the adoption goes stale; names the period")
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "stale_on"], name="one_reminder_per_adoption_period"
            )
        ]

    def __str__(self):
        return f"Reminder for {self.adoption_id} before {self.stale_on}"


# --- Harvesting publiccode.yml from repositories (components.harvest) -------------------------


class SourceKind(models.TextChoices):
    REPOSITORY = "repository", "Git repository"
    FILE = "file", "publiccode.yml file"
    LISTING = "listing", "Organisation's list of repositories"


class SourceStatus(models.TextChoices):
    WORKING = "working", "Working"
    FAILING = "failing", "Failing"


class HarvestSource(models.Model):
    """Where a component's publiccode.yml is fetched from on a schedule, or (a listing) an
    organisation's list of repository addresses, each of which becomes a source of its own."""

    url = models.CharField(max_length=500, unique=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    component = models.ForeignKey(
        Component,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="harvest_sources",
    )
    organisation = models.ForeignKey(
        "institute.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="harvest_sources",
    )
    listing = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repositories"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="harvest_sources"
    )
    status = models.CharField(
        max_length=16, choices=SourceStatus.choices, default=SourceStatus.WORKING
    )
    failures = models.PositiveIntegerField(default=0, help_text="Errors in a row")
    last_error = models.TextField(blank=True, default="")
    checked_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url"]
        indexes = [
            models.Index(fields=["component"], name="harvest_source_component"),
            models.Index(fields=["status"], name="harvest_source_status"),
        ]

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return detail_url("components:source_detail", "pk", self.pk)


class FetchResult(models.TextChoices):
    CREATED = "created", "Component created for review"
    UNCHANGED = "unchanged", "No change"
    PROPOSED = "proposed", "Change proposed"
    MATCHES = "matches", "Matches the catalogue"
    LISTED = "listed", "Repositories listed"
    INVALID = "invalid", "Invalid publiccode.yml"
    FAILED = "failed", "Could not fetch"


class Decision(models.TextChoices):
    APPLIED = "applied", "Applied"
    DISMISSED = "dismissed", "Dismissed"
    SUPERSEDED = "superseded", "Replaced by a later change"


class HarvestFetch(models.Model):
    """One check of a source: when, the result, and what changed. A proposed change (the file
    changed for a component already in the catalogue) waits here for staff to apply or
    dismiss it."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="fetches")
    created_at = models.DateTimeField(default=timezone.now)
    result = models.CharField(max_length=16, choices=FetchResult.choices)
    message = models.TextField(blank=True, default="")
    errors = models.JSONField(default=list, blank=True)
    changed = models.JSONField(default=list, blank=True, help_text="Names of changed fields")
    proposed = models.JSONField(default=dict, blank=True, help_text="The proposed values")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["source", "-created_at"], name="harvest_fetch_source"),
            models.Index(fields=["result", "decision"], name="harvest_fetch_pending"),
        ]

    def __str__(self):
        return f"{self.source_id} {self.result}"

    @property
    def pending(self) -> bool:
        return self.result == FetchResult.PROPOSED and not self.decision
