"""PostgreSQL stops and starts again under a running web server: while it is down every page is
the GOV.UK "service unavailable" page (503, Retry-After, no traceback), /healthz says the
database is unavailable, and when it is back the same gunicorn serves pages again by itself."""

import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from backlog import selectors
from institute.celery import app
from institute.devservices import _free_port
from tests.celery_workers import start_worker
from tests.celery_workers import stop as _stop
from tests.faults.own_postgres import OwnPostgres

ROOT = Path(__file__).resolve().parent.parent.parent
WORKERS = 2  # gunicorn processes, each with its own persistent database connection


def _get(port: int, path: str) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def _statuses(port: int, path: str, times: int = 3 * WORKERS) -> list[int]:
    """Enough requests that every gunicorn worker (and its connection) answers some."""
    return [_get(port, path)[0] for _ in range(times)]


@pytest.fixture
def own_postgres():
    server = OwnPostgres()
    try:
        server.start()
        server.create_database("institute")
        yield server
    finally:
        server.destroy()


@pytest.fixture
def platform(own_postgres, tmp_path):
    """The real web server (gunicorn, production settings, persistent connections) and a Celery
    worker, on a migrated database in the PostgreSQL this test owns. Yields the web port."""
    env = {
        **os.environ,
        "DATABASE_URL": own_postgres.url("institute"),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "DASHBOARD_REFRESH_ON_WRITE": "0",
    }
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    print(f"\nmigrate on the test's own PostgreSQL: {time.monotonic() - started:.1f} s")
    port = _free_port()
    # Every 503 is logged with its database error: kept out of the test output, shown on failure.
    log = (tmp_path / "platform.log").open("w")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "institute.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = start_worker(
        queue, {**env, "CONN_MAX_AGE": "0"}, wait=False, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None and worker.poll() is None, "the platform did not start"
            assert time.monotonic() < deadline, "the platform did not answer within 60 seconds"
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        yield port
    finally:
        _stop(web)
        _stop(worker)
        log.close()
        print((tmp_path / "platform.log").read_text()[-5000:])  # pytest shows it on failure


def test_pages_are_unavailable_while_the_database_is_down_and_recover_after(own_postgres, platform):
    port = platform
    assert _statuses(port, "/problems/") == [200] * 3 * WORKERS
    status, _, body = _get(port, "/healthz")
    assert (status, json.loads(body)["checks"]["database"]) == (200, "ok")

    own_postgres.stop(mode="fast")

    for path in ["/problems/", "/components/", "/standards/", "/centres/"]:
        for _ in range(WORKERS * 2):
            status, headers, body = _get(port, path)
            assert status == 503, (path, body[:500])
            assert headers["Retry-After"] == "30"
            assert "Sorry, the service is unavailable" in body
            assert "Traceback" not in body and "OperationalError" not in body
    status, headers, body = _get(port, "/api/v1/problems/")
    assert (status, json.loads(body)["code"]) == (503, "unavailable")
    status, _, body = _get(port, "/healthz")
    assert (status, json.loads(body)["checks"]["database"]) == (503, "unavailable")

    own_postgres.start()
    back = time.monotonic()
    while _get(port, "/problems/")[0] != 200:
        assert time.monotonic() - back < 10, "pages did not recover within 10 s"
        time.sleep(0.2)
    print(f"pages served again {time.monotonic() - back:.2f} s after PostgreSQL was back")
    assert _statuses(port, "/problems/") == [200] * 3 * WORKERS  # every worker reconnected
    status, _, body = _get(port, "/healthz")
    assert (status, json.loads(body)["checks"]["database"]) == (200, "ok")
    assert app.control.ping(timeout=1)  # the worker lived through it too


# --- The same handling in process: fast, and covering a signed-in visitor --------------------


def _refused(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


@pytest.mark.django_db
def test_a_database_error_in_a_view_gives_the_503_page(monkeypatch):
    monkeypatch.setattr(selectors, "problem_list", _refused)
    response = Client(raise_request_exception=False).get("/problems/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()


@pytest.mark.django_db
def test_a_signed_in_visitor_whose_session_cannot_load_gets_the_503_page(officer, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    # The session is read by a middleware, before any view runs (whichever engine is set).
    monkeypatch.setattr(import_module(settings.SESSION_ENGINE).SessionStore, "load", _refused)
    response = client.get("/problems/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_still_give_the_500_page(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(selectors, "problem_list", broken)
    response = Client(raise_request_exception=False).get("/problems/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
