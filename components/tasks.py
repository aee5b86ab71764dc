"""Celery tasks of the components library: take ids, load rows, call one service."""

from celery import shared_task

from components import services


@shared_task
def adoption_reminders_send() -> int:
    """Daily: remind councils whose adoptions go stale within 30 days (once per period)."""
    return services.adoption_reminders_send()


@shared_task
def adoption_remind(adoption_id: int) -> bool:
    return services.adoption_remind(adoption_id=adoption_id)


@shared_task
def component_counts_refresh() -> int:
    """Daily: recount councils using each component, as adoptions go stale with time."""
    return services.component_counts_refresh()


@shared_task
def harvest_sources_check() -> int:
    """Daily: check every harvest source's publiccode.yml (each in a task of its own)."""
    ids = services.harvest_sources_due()
    for source_id in ids:
        harvest_source_check.delay(source_id)
    return len(ids)


@shared_task
def harvest_source_check(source_id: int) -> str:
    fetch = services.harvest_source_check(source_id=source_id)
    return fetch.result if fetch else ""
