"""Writes in the capability apps schedule one dashboard refresh. No rules here: the refresh
itself (`dashboards.aggregates_refresh`) decides what the figures are.

Many writes within a minute schedule one refresh (a cache key with a one-minute life); bulk
updates send no signals and are picked up by the scheduled refresh every ten minutes.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

DEBOUNCE_KEY = "dashboard:refresh:scheduled"
DEBOUNCE_SECONDS = 60

WATCHED = [
    "backlog.Problem",
    "backlog.Vote",
    "backlog.CouncilDemand",
    "components.Adoption",
    "standards.Assessment",
    "centres.Project",
    "centres.Learning",
    "institute.Membership",
]


def refresh_soon() -> bool:
    """Ask Celery for a refresh in a minute, unless one is already asked for."""
    if not getattr(settings, "DASHBOARD_REFRESH_ON_WRITE", True):
        return False
    if not cache.add(DEBOUNCE_KEY, 1, timeout=DEBOUNCE_SECONDS):
        return False
    from institute.tasks import dashboard_aggregates_refresh

    try:
        dashboard_aggregates_refresh.apply_async(countdown=DEBOUNCE_SECONDS)
    except Exception:  # a broker outage must not fail the write; the schedule catches up
        logger.warning("could not schedule a dashboard refresh", exc_info=True)
        cache.delete(DEBOUNCE_KEY)
        return False
    return True


def _written(sender, **kwargs):
    transaction.on_commit(refresh_soon)


for _label in WATCHED:
    post_save.connect(_written, sender=_label, weak=False, dispatch_uid=f"dashboard-{_label}")
    post_delete.connect(_written, sender=_label, weak=False, dispatch_uid=f"dashboard-del-{_label}")
