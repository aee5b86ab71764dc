"""Every write of the sector app by a person: institute staff record the 2030 targets' values,
update the recommendations and link them to the work that serves them, and upload comparison
groups. Each checks who may (institute.sector.access), runs in a transaction, and leaves a line
in the audit trail. (The figures the platform counts itself are written by the refreshes:
refresh.py and targets.py.)"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from institute import fragments
from institute.errors import DomainError
from institute.sector import access, comparison, targets
from institute.sector.models import (
    Body,
    ComparisonGroupMember,
    ComparisonGroupSet,
    MetricSeries,
    MetricValue,
    Recommendation,
    RecommendationStatus,
    RecommendationUpdate,
    SeriesUnit,
)
from institute.services import audit_record

# Cached-part versions the tracker's and the comparison groups' pages depend on.
BLUEPRINT_VERSION = "sector-blueprint"
COMPARISON_VERSION = "sector-comparison-groups"


# --- The 2030 targets' recorded values ----------------------------------------------------------


@transaction.atomic
def metric_value_record(
    *,
    actor,
    series: MetricSeries,
    on: date,
    value: float,
    source_url: str,
    note: str = "",
    is_baseline: bool = False,
) -> MetricValue:
    """Record a series' value on a day, with where it comes from."""
    access.require_editor(actor)
    if series.is_computed:
        raise DomainError("The platform counts this figure itself: it cannot be recorded.")
    if on > timezone.localdate():
        raise DomainError("The date must be today or in the past", field="on")
    if value < 0:
        raise DomainError("The value must be 0 or more", field="value")
    if series.unit == SeriesUnit.PERCENT and value > 100:
        raise DomainError("A percentage must be between 0 and 100", field="value")
    if series.unit == SeriesUnit.MILESTONE and value not in (0, 1):
        raise DomainError("Enter 1 when the milestone is done, 0 when it is not", field="value")
    if not source_url:
        raise DomainError("Enter the address of the source of this figure", field="source_url")
    if is_baseline and series.target_rise_percent is None:
        raise DomainError("This figure's target does not need a baseline", field="is_baseline")
    if is_baseline and series.values.filter(is_baseline=True).exists():
        raise DomainError(
            "This figure already has a baseline: remove it first to record another",
            field="is_baseline",
        )
    if series.values.filter(date=on).exists():
        raise DomainError(
            f"A value for {on.day} {on:%B %Y} is already recorded: remove it first to correct it",
            field="on",
            status=409,
        )
    recorded = MetricValue.objects.create(
        series=series,
        date=on,
        value=value,
        is_baseline=is_baseline,
        source_url=source_url,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        verb="metric_value_recorded",
        target=recorded,
        note=note,
        data={
            "series": series.slug,
            "date": on.isoformat(),
            "value": value,
            "source_url": source_url,
            "baseline": is_baseline,
        },
    )
    fragments.bump(targets.VERSION)
    return recorded


@transaction.atomic
def metric_value_remove(*, actor, value: MetricValue) -> None:
    """Remove a recorded value (a mistake, or to record a corrected one)."""
    access.require_editor(actor)
    if value.series.is_computed:
        raise DomainError("The platform counts this figure itself: its values cannot be removed.")
    audit_record(
        actor=actor,
        verb="metric_value_removed",
        target=value,
        data={
            "series": value.series.slug,
            "date": value.date.isoformat(),
            "value": value.value,
            "source_url": value.source_url,
        },
    )
    value.delete()
    fragments.bump(targets.VERSION)


# --- The recommendations tracker ----------------------------------------------------------------


def _check_bodies(bodies) -> list[str]:
    if not bodies or any(b not in Body.values for b in bodies):
        raise DomainError("Choose who should act on it", field="bodies")
    return [b for b in Body.values if b in bodies]  # in the report's order


@transaction.atomic
def recommendation_create(
    *,
    actor,
    number: int,
    theme: str,
    bodies: list[str],
    title: str,
    summary: str,
    origin: str,
) -> Recommendation:
    """Add a recommendation of the blueprint to the tracker (not started)."""
    access.require_editor(actor)
    if Recommendation.objects.filter(number=number).exists():
        raise DomainError(f"Recommendation {number} exists already", field="number", status=409)
    recommendation = Recommendation.objects.create(
        number=number,
        theme=theme,
        bodies=_check_bodies(bodies),
        title=title,
        summary=summary,
        origin=origin,
    )
    audit_record(actor=actor, verb="recommendation_created", target=recommendation)
    fragments.bump(BLUEPRINT_VERSION)
    return recommendation


@transaction.atomic
def recommendation_update_add(
    *,
    actor,
    recommendation: Recommendation,
    status: str,
    on: date,
    note: str,
    evidence_url: str = "",
) -> RecommendationUpdate:
    """Record where a recommendation stands, from a day, with what shows it. The newest update
    by date sets its status."""
    access.require_editor(actor)
    if status not in RecommendationStatus.values:
        raise DomainError("Choose a status", field="status")
    if on > timezone.localdate():
        raise DomainError("The date must be today or in the past", field="on")
    if not note.strip():
        raise DomainError("Say what happened", field="note")
    if status == RecommendationStatus.DONE and not evidence_url:
        raise DomainError("Give the address of the evidence that it is done", field="evidence_url")
    update = RecommendationUpdate.objects.create(
        recommendation=recommendation,
        status=status,
        date=on,
        note=note.strip(),
        evidence_url=evidence_url,
        recorded_by=actor,
    )
    newest = recommendation.updates.order_by("-date", "-id").first()
    recommendation.status = newest.status
    recommendation.status_since = newest.date
    recommendation.updated_at = timezone.now()
    recommendation.save(update_fields=["status", "status_since", "updated_at"])
    audit_record(
        actor=actor,
        verb="recommendation_updated",
        target=recommendation,
        note=update.note,
        data={"status": status, "date": on.isoformat(), "evidence_url": evidence_url},
    )
    fragments.bump(BLUEPRINT_VERSION)
    return update


@transaction.atomic
def recommendation_links_set(
    *,
    actor,
    recommendation: Recommendation,
    problems=(),
    components=(),
    standards=(),
    projects=(),
    learning=(),
) -> Recommendation:
    """Say which problems, components, standards, centre projects and learning serve it."""
    access.require_editor(actor)
    links = {
        "problems": list(problems),
        "components": list(components),
        "standards": list(standards),
        "projects": list(projects),
        "learning": list(learning),
    }
    for name, rows in links.items():
        getattr(recommendation, name).set(rows)
    recommendation.updated_at = timezone.now()
    recommendation.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        verb="recommendation_links_set",
        target=recommendation,
        data={name: sorted(str(row.pk) for row in rows) for name, rows in links.items()},
    )
    fragments.bump(BLUEPRINT_VERSION)
    return recommendation


# --- Comparison groups --------------------------------------------------------------------------


@transaction.atomic
def comparison_groups_upload(
    *,
    actor,
    name: str,
    as_of: date,
    source: str,
    source_url: str,
    licence: str,
    data: bytes,
) -> ComparisonGroupSet:
    """Load a set of comparison groups from a CSV file: all of it, or (at the first problem in
    any line) none of it, with every problem named by its line and code."""
    access.require_editor(actor)
    if ComparisonGroupSet.objects.filter(name=name).exists():
        raise DomainError("A set of comparison groups with this name exists", field="name")
    groups = comparison.parse(data)
    try:
        with transaction.atomic():
            group_set = ComparisonGroupSet.objects.create(
                name=name,
                as_of=as_of,
                source=source,
                source_url=source_url,
                licence=licence,
                councils=len(groups),
                uploaded_by=actor,
            )
    except IntegrityError:  # another upload took the name meanwhile
        raise DomainError(
            "A set of comparison groups with this name exists", field="name"
        ) from None
    ComparisonGroupMember.objects.bulk_create(
        [
            ComparisonGroupMember(
                group_set=group_set, council=group.council, comparator=comparator, rank=rank
            )
            for group in groups
            for rank, comparator in enumerate(group.comparators, start=1)
        ],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        verb="comparison_groups_uploaded",
        target=group_set,
        data={"councils": len(groups), "source": source, "licence": licence},
    )
    fragments.bump(COMPARISON_VERSION)
    return group_set


@transaction.atomic
def comparison_group_set_remove(*, actor, group_set: ComparisonGroupSet) -> None:
    access.require_editor(actor)
    audit_record(
        actor=actor,
        verb="comparison_groups_removed",
        target=group_set,
        data={"name": group_set.name, "councils": group_set.councils},
    )
    group_set.delete()
    fragments.bump(COMPARISON_VERSION)
