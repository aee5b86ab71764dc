"""The sector's own rows: per-council figures rebuilt from every app, and the daily record of
headline metrics that trends are drawn from."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from institute.models import Organisation


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
