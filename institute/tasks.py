"""Celery tasks of the core domain: take ids, call one service, record what was done."""

from celery import shared_task
from django.core.management import call_command

from institute.models import TaskRun


@shared_task
def sessions_clear_expired():
    call_command("clearsessions")


@shared_task
def platform_echo(key: str) -> dict:
    """Round trip through broker and worker used by tests and operators (`/healthz` pings only).

    Idempotent: running it twice with the same key records one row.
    """
    run, created = TaskRun.objects.get_or_create(
        key=key, defaults={"name": "platform_echo", "result": {"echo": key}}
    )
    return {"key": run.key, "created": created}
