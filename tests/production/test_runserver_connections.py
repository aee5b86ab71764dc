"""`make run` serves pages with Django's development server, which handles each request in a new
thread. Started as the Procfile starts it, many page views leave no pile of open database
connections behind (the same server with persistent connections does: the test can fail)."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from institute.devservices import _free_port
from tests.conftest import _database_url

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "institute" / "Procfile.dev"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _web_command() -> str:
    for line in PROCFILE.read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web process")


# The server's connections name themselves, so other work on the database cannot be counted.
APPLICATION_NAME = "runserver-connections-test"


def _open_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("command", "piles_up"),
    [
        pytest.param(_web_command(), False, id="as the Procfile starts it"),
        pytest.param(
            _web_command().replace("CONN_MAX_AGE=0", "CONN_MAX_AGE=60"), True, id="persistent"
        ),
    ],
)
def test_page_views_on_the_development_server_leave_no_pile_of_connections(
    command, piles_up, tmp_path
):
    port = _free_port()
    url = _database_url(connection.settings_dict)
    url += ("&" if "?" in url else "?") + f"application_name={APPLICATION_NAME}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        # As `make run` does: the Procfile's `python` is the virtual environment's.
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    }
    env.pop("CONN_MAX_AGE", None)  # the Procfile's own setting decides
    log = (tmp_path / "runserver.log").open("w")
    server = subprocess.Popen(
        ["sh", "-c", f"{command} --noreload"],  # a shell, as honcho runs it
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "runserver.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "runserver did not answer within 60 s"
            try:
                if _get(port, "/healthz") in (200, 503):
                    break
            except OSError:
                time.sleep(0.2)
        counts = []
        for _ in range(2):
            for _ in range(20):
                assert _get(port, "/organisations/") == 200
            time.sleep(0.5)  # threads finish after answering
            counts.append(_open_connections())
        print(f"connections left open after 20 and 40 page views: {counts}")
        if piles_up:  # left open until the finished threads' connections are collected
            assert max(counts) > 0
        else:
            assert counts == [0, 0]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
        log.close()
