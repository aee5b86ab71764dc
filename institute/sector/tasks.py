"""Celery tasks of the sector: refresh the per-council rows and the 2030 targets' counted
figures (soon after writes, and on a schedule), rebuild the targets' history and snapshot the
headline metrics nightly, publish the open data nightly."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from institute.sector import opendata, panels, refresh, targets, views

logger = logging.getLogger(__name__)

# Many writes within a minute schedule one refresh: a cache key with a one-minute life.
DEBOUNCE_KEY = "dashboard:refresh:scheduled"
DEBOUNCE_SECONDS = 60


@shared_task
def dashboard_aggregates_refresh() -> int:
    """Rebuild the dashboards' per-council rows (after writes, debounced, and every 10 min),
    and bring the 2030 targets' counted figures up to today."""
    cache.delete(DEBOUNCE_KEY)  # writes from now on schedule the next refresh
    count = refresh.aggregates_refresh()
    targets.targets_refresh()
    caches_warm()
    return count


def caches_warm() -> None:
    """Fill what a refresh made stale, so the first viewer after it does not wait: the
    all-councils panels, the public summary's and the dashboard's markup, the profiles'
    figures (filtered views are computed on first use). A failure leaves the pages to compute
    it themselves: the refresh stands."""
    try:
        views.pages_warm()
    except Exception:
        logger.warning("could not warm the sector's caches", exc_info=True)


@shared_task
def dashboard_metrics_snapshot() -> int:
    """Nightly: the 2030 targets' counted figures and the standards' trends rebuilt from the
    kept history, fresh figures, then today's headline metrics for the trend charts."""
    targets.history_rebuild()
    refresh.aggregates_refresh()
    caches_warm()
    return panels.metrics_snapshot()


@shared_task
def open_data_publish() -> dict:
    """Nightly: write the open data files. Idempotent: it overwrites."""
    return opendata.open_data_publish()


def refresh_soon() -> bool:
    """Ask Celery for a refresh in a minute, unless one is already asked for. Bulk updates send
    no signals; the scheduled refresh every ten minutes picks them up."""
    if not getattr(settings, "DASHBOARD_REFRESH_ON_WRITE", True):
        return False
    if not cache.add(DEBOUNCE_KEY, 1, timeout=DEBOUNCE_SECONDS):
        return False
    try:
        dashboard_aggregates_refresh.apply_async(countdown=DEBOUNCE_SECONDS)
    except Exception:  # a broker outage must not fail the write; the schedule catches up
        logger.warning("could not schedule a dashboard refresh", exc_info=True)
        cache.delete(DEBOUNCE_KEY)
        return False
    return True


def refresh_soon_receiver(sender, **kwargs) -> None:
    """Connected (in SectorConfig.ready) to institute.registry.figures_changed, which the
    apps send after writing rows the figures count."""
    refresh_soon()
