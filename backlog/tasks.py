"""Celery tasks of the backlog: take ids, load rows, call one service."""

from celery import shared_task

from backlog import services
from backlog.models import Problem


@shared_task
def problem_find_duplicates(problem_id: int) -> int:
    """After a submission: record look-alike problems for the triage page (idempotent)."""
    problem = Problem.objects.filter(pk=problem_id).first()
    if problem is None:
        return 0
    return services.duplicate_candidates_find(problem=problem)


@shared_task
def trending_refresh() -> int:
    return services.trending_refresh()
