"""A task through a real worker and Redis, and /healthz reporting each dependency."""

import uuid

import pytest

from institute.models import TaskRun
from institute.tasks import platform_echo


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_runs_in_a_real_worker_and_its_result_comes_back(celery_worker_process):
    key = uuid.uuid4().hex
    result = platform_echo.apply_async(args=[key], queue=celery_worker_process)
    assert result.get(timeout=30) == {"key": key, "created": True}
    # The worker wrote through the same PostgreSQL database the test reads.
    assert TaskRun.objects.get(key=key).result == {"echo": key}
    # Idempotent: a second delivery of the same key records nothing new.
    again = platform_echo.apply_async(args=[key], queue=celery_worker_process)
    assert again.get(timeout=30) == {"key": key, "created": False}
    assert TaskRun.objects.filter(key=key).count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_is_200_when_database_redis_and_a_worker_answer(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "celery": "ok"},
    }


@pytest.mark.django_db
def test_healthz_is_503_naming_redis_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "unavailable"
