"""A change to published content waiting for review: the steps every app's re-review shares
(docs/adr/0020-re-review-of-published-claims.md).

An app says what differs in one ChangeReview (its change model, who may decide, how it keeps
its audit trail, whom it tells and how); its services call change_propose, change_publish and
change_reject with it, inside their own transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from institute.errors import DomainError, NotAllowed
from institute.models import ChangeStatus, ReviewedChange
from institute.services import notify


@dataclass(frozen=True)
class ChangeReview:
    model: type[ReviewedChange]
    # The change's foreign key to what it changes ("learning"), and what to load with the
    # change for may_decide ("learning__centre").
    target: str
    related: str
    # (target) -> the target again, locked for update.
    lock: Callable
    # (actor, change) -> whether they may publish or reject it; refusal is what they are told.
    may_decide: Callable
    refusal: str
    # (actor, target, verb, *, change, note, data): the audit trail; verb is "change_proposed",
    # "change_published" or "change_rejected", note the reason of a rejection (else blank).
    record: Callable
    # Notifications: their kind, the start of their keys ("centres:learning-change"), and
    # (target) -> the name they give it.
    kind: str
    key: str
    name: Callable


def change_propose(
    review: ChangeReview, *, actor, target, claims: dict, now, recipient_ids
) -> ReviewedChange:
    """Hold a change to published claims for review; a later change replaces one nobody has
    decided on yet. The reviewers (recipient_ids, never the author) are told."""
    review.model.objects.filter(**{review.target: target}, status=ChangeStatus.PENDING).update(
        status=ChangeStatus.REPLACED, decided_at=now
    )
    change = review.model.objects.create(
        **{review.target: target},
        proposed=claims,
        previous={name: getattr(target, name) for name in claims},
        proposed_by=actor,
        proposed_at=now,
    )
    review.record(
        actor,
        target,
        "change_proposed",
        change=change,
        note="",
        data={"change": change.pk, "fields": sorted(claims)},
    )
    notify(
        recipient_ids=recipient_ids,
        kind=review.kind,
        key=f"{review.key}:{change.pk}:proposed",
        title=f"Change to review: {review.name(target)} ({change.summary})",
        url=change.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return change


def _decidable(review: ChangeReview, actor, change: ReviewedChange) -> ReviewedChange:
    change = (
        review.model.objects.select_for_update(of=("self",))
        .select_related(review.related)
        .get(pk=change.pk)
    )
    if not review.may_decide(actor, change):
        raise NotAllowed(review.refusal)
    if change.status != ChangeStatus.PENDING:
        raise DomainError(
            f"This change is {change.get_status_display().lower()} already.",
            status=409,
            code="conflict",
        )
    if change.proposed_by_id == actor.pk:
        raise NotAllowed("Someone else must review a change you made.")
    return change


def change_publish(review: ChangeReview, *, actor, change: ReviewedChange, apply: Callable):
    """Publish a pending change (someone who may decide, not its author) and tell its author.
    apply(target, proposed, now) writes the proposed values to the locked target and saves it;
    returns the target."""
    change = _decidable(review, actor, change)
    target = review.lock(getattr(change, review.target))
    now = timezone.now()
    previous = {name: getattr(target, name) for name in change.proposed}
    apply(target, change.proposed, now)
    change.previous = previous
    change.status = ChangeStatus.PUBLISHED
    change.decided_by = actor
    change.decided_at = now
    change.save(update_fields=["previous", "status", "decided_by", "decided_at"])
    review.record(
        actor,
        target,
        "change_published",
        change=change,
        note="",
        data={"change": change.pk, "previous": previous, "proposed": change.proposed},
    )
    notify(
        recipient_ids=[change.proposed_by_id],
        kind=review.kind,
        key=f"{review.key}:{change.pk}:published",
        title=f"Your change is published: {review.name(target)} ({change.summary})",
        url=target.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return target


def change_reject(
    review: ChangeReview, *, actor, change: ReviewedChange, reason: str
) -> ReviewedChange:
    """Turn down a pending change with a reason (already checked by the app's service); readers
    keep seeing what was published and its author is told why."""
    change = _decidable(review, actor, change)
    change.status = ChangeStatus.REJECTED
    change.reason = reason
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    target = getattr(change, review.target)
    review.record(
        actor,
        target,
        "change_rejected",
        change=change,
        note=reason,
        data={"change": change.pk, "proposed": change.proposed},
    )
    notify(
        recipient_ids=[change.proposed_by_id],
        kind=review.kind,
        key=f"{review.key}:{change.pk}:rejected",
        title=f"Your change was not published: {review.name(target)} ({change.summary})",
        body=reason,
        url=target.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return change
