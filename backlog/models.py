"""Common problems and the demand for them, counted by council."""

import difflib
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from institute.models import ServiceArea, Theme, service_area_ids_field, stored_search_vector
from institute.urlcache import detail_url


class Status(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_DISCOVERY = "in_discovery", "In discovery"
    IN_PROGRESS = "in_progress", "In progress"
    SOLVED = "solved", "Solved"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"
    MERGED = "merged", "Merged"


# Statuses in which demand can still be added: voting on anything else changes nothing.
OPEN_STATUSES = {Status.NEW, Status.TRIAGED, Status.IN_DISCOVERY, Status.IN_PROGRESS}


# Status history kept by the database (institute/history.py): a trigger writes a row whenever
# the status changes, however it changes (service, bulk update, raw SQL).
@pghistory.track(
    pghistory.InsertEvent("submitted"),
    pghistory.UpdateEvent("status_changed", condition=pghistory.AnyChange("status")),
    fields=["status", "merged_into"],
    model_name="ProblemStatusEvent",
    obj_field=pghistory.ObjForeignKey(related_name="status_history"),
)
class Problem(models.Model):
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    description = models.TextField(max_length=20000, help_text="Markdown")
    description_html = models.TextField(editable=False, default="")
    theme = models.CharField(max_length=32, choices=Theme.choices)
    service_areas = models.ManyToManyField(ServiceArea, related_name="problems")
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.NEW)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_problems"
    )
    submitted_for = models.ForeignKey(
        "institute.Organisation",
        on_delete=models.PROTECT,
        related_name="submitted_problems",
        help_text="The submitter's organisation when they submitted",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    # Demand, kept equal to the rows of Vote and CouncilDemand by the services that write them.
    vote_count = models.PositiveIntegerField(default=0)
    council_count = models.PositiveIntegerField(default=0)
    # Councils that first said they have this problem in the last 30 days; refreshed by Celery.
    trending_count = models.PositiveIntegerField(default=0)
    # Where the councils that have this problem are: "r:<region>", "t:<council type>" and
    # "rt:<region>:<council type>" for each, so the backlog's region and council type filters
    # (alone or together) are one GIN index lookup. Kept by a database trigger on CouncilDemand
    # (migration 0009), however demand is written: see problem_places.
    demand_places = ArrayField(
        models.CharField(max_length=64), default=list, db_default=[], editable=False
    )
    # The ids of its service areas, so the service area filter is one GIN index lookup rather
    # than a walk of the sort's index testing each problem's areas, and a list shows their
    # names without a query. Kept by a database trigger on the join table (migration 0014).
    service_area_ids = service_area_ids_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    search_vector = stored_search_vector(("title", "A"), ("summary", "B"), ("description", "C"))

    # Title and summary only: what "is it one of these?" suggestions match while someone types.
    title_vector = stored_search_vector(("title", "A"), ("summary", "B"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="problem_search_vector"),
            GinIndex(fields=["title_vector"], name="problem_title_vector"),
            # Lets the (capped) count of the public backlog use an index-only scan.
            models.Index(fields=["id"], condition=~Q(status="merged"), name="problem_not_merged"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="problem_title_trgm"),
            models.Index(fields=["status", "-council_count"], name="problem_status_councils"),
            # The lists' orders. Every list leaves merged problems out, so these do too: a page
            # far down a list (an old ?page=N link) is then found from the index alone.
            models.Index(
                fields=["-council_count", "-id"],
                condition=~Q(status="merged"),
                name="problem_councils",
            ),
            # Search ranks only the most-demanded title matches: this walks problems in demand
            # order and tests their titles without reading the (wide) rows.
            models.Index(
                fields=["-council_count", "-id"],
                include=["title_vector"],
                condition=~Q(status="merged"),
                name="problem_search_demand",
            ),
            models.Index(
                fields=["-vote_count", "-id"], condition=~Q(status="merged"), name="problem_votes"
            ),
            models.Index(
                fields=["-created_at", "-id"], condition=~Q(status="merged"), name="problem_newest"
            ),
            models.Index(
                fields=["-last_activity_at", "-id"],
                condition=~Q(status="merged"),
                name="problem_active",
            ),
            models.Index(
                fields=["-trending_count", "-id"],
                condition=~Q(status="merged"),
                name="problem_trending",
            ),
            models.Index(fields=["theme", "status"], name="problem_theme_status"),
            GinIndex(fields=["demand_places"], name="problem_demand_places"),
            GinIndex(fields=["service_area_ids"], name="problem_service_area_ids"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="problem_merged_iff_merged_into",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="problem_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("backlog:problem_detail", "pk", self.pk)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


def problem_places(*, region: str = "", council_type: str = "") -> str:
    """The demand_places entry of councils in this region and/or of this type ("" if neither)."""
    if region and council_type:
        return f"rt:{region}:{council_type}"
    if region:
        return f"r:{region}"
    return f"t:{council_type}" if council_type else ""


# Votes are withdrawn by deleting the row and moved by merges: inserts, updates and deletes are
# all kept (institute/history.py).
@pghistory.track(
    pghistory.InsertEvent("cast"),
    pghistory.UpdateEvent("changed"),
    pghistory.DeleteEvent("deleted"),
    obj_field=pghistory.ObjForeignKey(related_name="history"),
)
class Vote(models.Model):
    """An officer saying "my council has this problem too".

    `problem` is where the vote counts now; `cast_on` is where it was cast. A merge moves votes
    to the surviving problem and an unmerge moves back exactly those cast on the merged one.
    """

    # Foreign keys without their own index: the unique constraint and Meta indexes cover them,
    # and every vote writes each index.
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    cast_on = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="votes_cast", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One vote per officer per problem for each council they act as: a shared-service
            # officer of two councils says so for each (institute.access.membership_of).
            models.UniqueConstraint(
                fields=["problem", "user", "organisation"], name="one_vote_per_officer_council"
            ),
        ]
        indexes = [
            models.Index(fields=["cast_on"], name="vote_cast_on"),
            models.Index(fields=["user"], name="vote_user"),
            models.Index(fields=["problem", "organisation"], name="vote_problem_organisation"),
        ]

    def __str__(self):
        return f"{self.user} → {self.problem_id}"


class CouncilDemand(models.Model):
    """One row per council affected by a problem: how many of its officers said so, and since when.

    Derived from Vote in the same transaction as every vote, withdrawal, merge and unmerge.
    """

    # Covered by the unique (problem, organisation) constraint and the demand_organisation_problem
    # index.
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="demand", db_index=False
    )
    organisation = models.ForeignKey(
        "institute.Organisation",
        on_delete=models.PROTECT,
        related_name="problem_demand",
        db_index=False,
    )
    officers = models.PositiveIntegerField(default=0)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "organisation"], name="one_demand_row_per_council"
            ),
            models.CheckConstraint(condition=Q(officers__gt=0), name="demand_has_officers"),
        ]
        indexes = [
            # With the problem: a council's problems (its organisation page) are read from the
            # index alone, without visiting ~3,000 table pages for a large council's rows.
            models.Index(fields=["organisation", "problem"], name="demand_organisation_problem"),
            models.Index(fields=["since"], name="demand_since"),
        ]

    def __str__(self):
        return f"{self.organisation_id} has problem {self.problem_id} ({self.officers})"


class Follow(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "user"], name="one_follow_per_person")
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.problem_id}"


class StatusChange(models.Model):
    """The problem's timeline: every status change, with who, when and why."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="timeline")
    from_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.problem_id}: {self.from_status} → {self.to_status}"


class Merge(models.Model):
    """A merge of one problem into another, and its undoing."""

    source = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="merges_in")
    source_status = models.CharField(
        max_length=32, choices=Status.choices, help_text="Status to restore on unmerge"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    votes_moved = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(undone_at__isnull=True),
                name="one_active_merge_per_source",
            ),
        ]

    def __str__(self):
        return f"{self.source_id} into {self.target_id}"


class DuplicateCandidate(models.Model):
    """A pair of problems that look alike, found by Celery after each submission."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="+")
    similar_to = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    found_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "similar_to"], name="one_candidate_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(problem__lt=models.F("similar_to")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-score"],
                condition=Q(dismissed_at__isnull=True),
                name="candidate_open_by_score",
            )
        ]

    def __str__(self):
        return f"{self.problem_id} ~ {self.similar_to_id} ({self.score:.2f})"


class Comment(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    author_organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=5000, help_text="Markdown")
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["problem", "created_at"], name="comment_problem")]

    def __str__(self):
        return f"Comment {self.pk} on {self.problem_id}"

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_person")
        ]

    def __str__(self):
        return f"Report of comment {self.comment_id}"


FIELD_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "description": "Description",
    "theme": "Theme",
    "service_areas": "Service areas",
}
DIFF_CONTEXT_WORDS = 6  # words kept either side of a change in a description's short diff
DIFF_MAX_CHARS = 400  # a description's short diff stops there ("…")


@dataclass(frozen=True)
class ChangeRow:
    """One field of a revision as the "Changes" list shows it: before → after, or for the
    description (long Markdown) the changed words with a little context (`diff`)."""

    label: str
    before: str
    after: str
    diff: tuple[tuple[str, str], ...] = ()  # ("same" | "removed" | "added", words)


def short_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """The words that changed between two texts, with a few words of context, at most about
    DIFF_MAX_CHARS long."""
    a, b = before.split(), after.split()
    parts, length = [], 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            if len(words) > 2 * DIFF_CONTEXT_WORDS:
                first = words[:DIFF_CONTEXT_WORDS] if parts else []
                last = words[-DIFF_CONTEXT_WORDS:] if i2 < len(a) or j2 < len(b) else []
                text = " ".join(filter(None, [" ".join(first), "…", " ".join(last)]))
            else:
                text = " ".join(words)
            pieces = [("same", text)]
        else:
            pieces = []
            if i2 > i1:
                pieces.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                pieces.append(("added", " ".join(b[j1:j2])))
        for kind, text in pieces:
            if length + len(text) > DIFF_MAX_CHARS:
                parts.append((kind, text[: max(DIFF_MAX_CHARS - length, 0)] + "…"))
                return tuple(parts)
            parts.append((kind, text))
            length += len(text)
    return tuple(parts)


class ProblemRevision(models.Model):
    """One edit of a problem: who made it, when, why (staff must say) and what changed.

    `changes` is a list of {"field", "before", "after"} with the values as people read them
    (a theme's label, service areas' names), so the list stays right if a label changes later.
    """

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="revisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    by_staff = models.BooleanField(default=False)
    reason = models.TextField(blank=True, default="")
    changes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["problem", "-created_at", "-id"], name="revision_problem")]

    def __str__(self):
        return f"Revision {self.pk} of {self.problem_id}"

    @property
    def rows(self) -> list[ChangeRow]:
        rows = []
        for change in self.changes:
            field, before, after = change["field"], change["before"], change["after"]
            label = FIELD_LABELS.get(field, field)
            if field == "description":
                rows.append(ChangeRow(label, "", "", short_diff(before, after)))
            else:
                rows.append(ChangeRow(label, before, after))
        return rows


class WithdrawnProblem(models.Model):
    """What is left of a problem its council withdrew: its number (its address keeps working,
    as a tombstone page), which council raised it and when it went. Nothing of its content."""

    number = models.BigIntegerField(primary_key=True, help_text="The problem's id")
    organisation = models.ForeignKey(
        "institute.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Problem {self.number} (withdrawn)"
