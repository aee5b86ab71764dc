"""The project package and the core domain (organisations, people, roles)."""

from institute.celery import app as celery_app

__all__ = ["celery_app"]
