"""The Celery application. The beat schedule lives in settings (CELERY_BEAT_SCHEDULE)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "institute.settings")

app = Celery("institute")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
