"""Celery tasks of the standards app: take ids, load rows, call one service."""

from celery import shared_task

from standards import services


@shared_task
def reminders_send() -> dict:
    """Daily: expiry, new-version and consultation-closing reminders, each exactly once."""
    return services.reminders_send()


@shared_task
def audit_round_draw() -> str | None:
    """Quarterly: draw the audit sample of the quarter that has just ended (once a quarter)."""
    audit_round = services.audit_round_draw()
    return audit_round.quarter if audit_round else None
