"""The sector's own rows: per-council figures rebuilt from every app, the daily record of
headline metrics that trends are drawn from, the 2030 targets' series, the recommendations
tracker and the comparison groups staff upload."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from institute.models import Organisation, Theme


class CouncilStats(models.Model):
    """One row per current council: what the dashboards aggregate, so a request never scans the
    vote, demand or adoption tables. Rebuilt set-based by `refresh.aggregates_refresh` from the
    per-council figures each app's selectors give."""

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="stats"
    )
    problems_submitted = models.PositiveIntegerField(default=0)
    problems_affected = models.PositiveIntegerField(default=0)
    officer_votes = models.PositiveIntegerField(default=0)
    problem_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    adoptions_exploring = models.PositiveIntegerField(default=0)
    adoptions_piloting = models.PositiveIntegerField(default=0)
    adoptions_in_use = models.PositiveIntegerField(default=0)
    adoptions_retired = models.PositiveIntegerField(default=0)
    adoptions_stale = models.PositiveIntegerField(default=0)
    component_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    standards_adopted_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    standards_in_progress = models.PositiveIntegerField(default=0)
    project_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    learning_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    members = models.PositiveIntegerField(default=0)
    active_users = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Dashboard figures for {self.organisation_id}"


class MetricSnapshot(models.Model):
    """A headline metric's value on one day for one filter (`filters_key` "" = all councils)."""

    date = models.DateField()
    metric = models.CharField(max_length=100)
    filters_key = models.CharField(max_length=200, blank=True, default="")
    value = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "metric", "filters_key"], name="metric_snapshot_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["metric", "filters_key", "date"], name="metric_series")]

    def __str__(self):
        return f"{self.date} {self.metric} [{self.filters_key}] = {self.value}"


# --- The 2030 targets -----------------------------------------------------------------------


class SeriesKind(models.TextChoices):
    COMPUTED = "computed", "Counted by the platform"
    RECORDED = "recorded", "Recorded by the institute"


class SeriesUnit(models.TextChoices):
    COUNT = "count", "Number"
    PERCENT = "percent", "Percentage"
    MILESTONE = "milestone", "Milestone (done or not)"


class MetricSeries(models.Model):
    """One measure of progress towards a 2030 target of the blueprint, with its target value
    and date. Its rows are written from the definitions in `institute.sector.targets` (where
    each target value has its one home); its values are counted by the platform from its own
    data (`computed`) or recorded by institute staff with a source (`recorded`)."""

    slug = models.SlugField(max_length=80, unique=True)
    theme = models.CharField(max_length=32, choices=Theme.choices)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    measure = models.TextField(help_text="What is counted, and how")
    kind = models.CharField(max_length=16, choices=SeriesKind.choices)
    unit = models.CharField(max_length=16, choices=SeriesUnit.choices)
    target_value = models.FloatField(
        null=True, blank=True, help_text="Empty while the target waits for a baseline"
    )
    target_rise_percent = models.FloatField(
        null=True, blank=True, help_text="A target set as a rise over the recorded baseline"
    )
    target_date = models.DateField()
    source = models.TextField(help_text="Where the target comes from, in our words")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "metric series"

    def __str__(self):
        return self.title

    @property
    def is_computed(self) -> bool:
        return self.kind == SeriesKind.COMPUTED

    @property
    def is_rate(self) -> bool:
        return self.unit == SeriesUnit.PERCENT


class MetricValue(models.Model):
    """A series' value on a day: counted by the platform (no one recorded it), or recorded by
    institute staff with a link to its source and a note."""

    series = models.ForeignKey(MetricSeries, on_delete=models.CASCADE, related_name="values")
    date = models.DateField()
    value = models.FloatField()
    is_baseline = models.BooleanField(
        default=False, help_text="The value a target set as a rise is measured from"
    )
    source_url = models.URLField(max_length=500, blank=True, default="")
    note = models.TextField(max_length=2000, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series", "date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="metric_value_once_a_day"),
            models.UniqueConstraint(
                fields=["series"], condition=Q(is_baseline=True), name="metric_value_one_baseline"
            ),
        ]

    def __str__(self):
        return f"{self.series.slug} {self.date} = {self.value}"


# --- The recommendations tracker ------------------------------------------------------------


class Body(models.TextChoices):
    """Who the blueprint asks to act: the columns of its "who should be doing what"."""

    COUNCILS = "councils", "Individual councils"
    CENTRES = "centres", "Centres of Service Innovation"
    INSTITUTE = "institute", "The coordinating institute"
    LGA = "lga", "Local Government Association"
    MHCLG = "mhclg", "MHCLG"
    DIGITAL_CENTRE = "digital_centre", "The Digital Centre"


class RecommendationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


# How a status is shown: the colour of its GOV.UK tag.
STATUS_TAGS = {
    RecommendationStatus.NOT_STARTED: "govuk-tag--grey",
    RecommendationStatus.IN_PROGRESS: "govuk-tag--blue",
    RecommendationStatus.DONE: "govuk-tag--green",
    RecommendationStatus.DROPPED: "govuk-tag--red",
}


class Recommendation(models.Model):
    """One recommendation of the blueprint, in the project's words: its theme, who should act,
    where it stands, and the work on the platform that serves it."""

    number = models.PositiveIntegerField(unique=True)
    theme = models.CharField(max_length=32, choices=Theme.choices)
    bodies = ArrayField(models.CharField(max_length=16, choices=Body.choices), default=list)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000)
    origin = models.CharField(
        max_length=200, help_text="Where in the report it comes from, for example a theme's list"
    )
    status = models.CharField(
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.NOT_STARTED,
    )
    status_since = models.DateField(null=True, blank=True)
    problems = models.ManyToManyField("backlog.Problem", blank=True, related_name="+")
    components = models.ManyToManyField("components.Component", blank=True, related_name="+")
    standards = models.ManyToManyField("standards.Standard", blank=True, related_name="+")
    projects = models.ManyToManyField("centres.Project", blank=True, related_name="+")
    learning = models.ManyToManyField("centres.Learning", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=~Q(bodies=[]), name="recommendation_names_a_body"),
        ]
        indexes = [
            models.Index(fields=["theme", "number"], name="recommendation_theme"),
            GinIndex(fields=["bodies"], name="recommendation_bodies"),
        ]

    def __str__(self):
        return f"R{self.number}: {self.title}"

    def get_absolute_url(self):
        return reverse("sector:recommendation_detail", kwargs={"number": self.number})

    def body_labels(self) -> list[str]:
        labels = dict(Body.choices)
        return [labels.get(b, b) for b in self.bodies]

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS.get(self.status, "")


class RecommendationUpdate(models.Model):
    """A dated change of a recommendation's status, with what shows it."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(max_length=16, choices=RecommendationStatus.choices)
    date = models.DateField(help_text="When it happened")
    note = models.TextField(max_length=2000)
    evidence_url = models.URLField(max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["recommendation", "-date"], name="recommendation_update")]

    def __str__(self):
        return f"R{self.recommendation_id} {self.status} on {self.date}"

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS.get(self.status, "")


# --- Comparison groups ----------------------------------------------------------------------


class ComparisonGroupSet(models.Model):
    """Statistical nearest neighbours, as uploaded by institute staff: for each council in it,
    the councils it is compared with. Named and dated, with its source and licence."""

    name = models.CharField(max_length=150, unique=True)
    as_of = models.DateField(help_text="The date the groups describe")
    source = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500, blank=True, default="")
    licence = models.CharField(max_length=300)
    councils = models.PositiveIntegerField(default=0, help_text="Councils with a group")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sector:comparison_group_detail", kwargs={"pk": self.pk})


class ComparisonGroupMember(models.Model):
    """One comparator of one council in a set, in the order the file gave (nearest first)."""

    group_set = models.ForeignKey(
        ComparisonGroupSet, on_delete=models.CASCADE, related_name="members"
    )
    council = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    comparator = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["group_set", "council", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_set", "council", "comparator"], name="comparator_once_per_council"
            ),
            models.CheckConstraint(
                condition=~Q(council=models.F("comparator")), name="comparator_not_itself"
            ),
        ]

    def __str__(self):
        return f"{self.council_id} ~ {self.comparator_id} ({self.group_set_id})"
