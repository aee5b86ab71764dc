"""The production server never cuts an export short, and a download that fails cannot look whole.

gunicorn is started with the Dockerfile's own command (its CMD, read from the Dockerfile: the
settings in institute/gunicorn.conf.py), bound to 127.0.0.1, with one worker, a worker timeout
of 4 seconds instead of 60 (so the tests need not wait a minute), and the platform's WSGI
application wrapped so that CSV downloads come slowly (tests/production/slow_exports.py): the
largest export, every adoption, takes more than twice the timeout. (Under the command the image
had before, sync workers, the arbiter killed the worker at the timeout and cut the download.)"""

import csv
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from components.models import Adoption
from institute.devservices import _free_port
from institute.models import Organisation
from tests.components.factories import ComponentFactory
from tests.production.servers import ROOT, production_env, stop

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXPORT = "/components/adoptions.csv"  # the largest export at scale (300,000 rows)
TIMEOUT = 4  # seconds: gunicorn's worker timeout in these tests
PAUSE = 0.1  # seconds before each 4 KB of a CSV download (slow_exports.py)
SLOW_APP = "tests.production.slow_exports:application"


def _dockerfile_command() -> list[str]:
    """The image's CMD, as JSON in the Dockerfile."""
    line = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    return json.loads(line)


def _start(command: list[str], log: Path) -> tuple[subprocess.Popen, int]:
    """`command` (a gunicorn command line) on 127.0.0.1, its app slowed, one worker."""
    assert command[0] == "gunicorn" and "institute.wsgi" in command
    port = _free_port()
    args = [SLOW_APP if arg == "institute.wsgi" else arg for arg in command[1:]]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args]
        + ["--bind", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT)],
        env=production_env(WEB_CONCURRENCY="1", SLOW_EXPORT_PAUSE=str(PAUSE)),
        cwd=ROOT,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/nothing-here")  # a 404: answering is enough
            conn.getresponse().read()
            conn.close()
            return process, port
        except OSError:
            time.sleep(0.2)
    stop(process)  # never left running when it did not start
    raise AssertionError("gunicorn did not answer within 60 seconds\n" + log.read_text()[-4000:])


def _workers(master: subprocess.Popen) -> list[int]:
    return [
        int(pid)
        for task in Path(f"/proc/{master.pid}/task").iterdir()
        for pid in (task / "children").read_text().split()
    ]


class Download:
    """A GET read to its end as a client reads it; `complete` is False when the body ended
    before the server said it had ended (for chunked encoding: no final empty chunk)."""

    def __init__(self, port: int, path: str, *, on_first_piece=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        started = time.monotonic()
        conn.request("GET", path)
        response = conn.getresponse()
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        pieces = []
        self.complete = True
        try:
            while piece := response.read1(65536):
                if not pieces and on_first_piece:
                    on_first_piece()
                pieces.append(piece)
        except (http.client.IncompleteRead, ConnectionError) as exc:
            if isinstance(exc, http.client.IncompleteRead):
                pieces.append(exc.partial)
            self.complete = False
        self.seconds = time.monotonic() - started
        self.body = b"".join(pieces)
        conn.close()


@pytest.fixture
def adoptions():
    """2,536 adoptions (8 published components, every council): about 380 KB of CSV, which
    slow_exports.py sends over about 9 seconds, more than twice the worker timeout."""
    components = [ComponentFactory(name=f"Shared service {n}") for n in range(8)]
    confirmed = timezone.now() - timedelta(days=30)
    councils = list(Organisation.objects.filter(kind="council").order_by("name"))
    Adoption.objects.bulk_create(
        Adoption(
            component=component,
            organisation=council,
            stage="in_use",
            evidence_note="Used by our contact centre.",
            since=confirmed.date(),
            confirmed_at=confirmed,
        )
        for component in components
        for council in councils
    )
    return Adoption.objects.count()


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def test_the_image_starts_gunicorn_with_the_config_file():
    command = _dockerfile_command()
    assert command[:3] == ["gunicorn", "--config", "institute/gunicorn.conf.py"]
    assert (ROOT / "institute" / "gunicorn.conf.py").exists()


def test_an_export_longer_than_the_worker_timeout_arrives_whole(adoptions, tmp_path):
    server, port = _start(_dockerfile_command(), tmp_path / "web.log")
    try:
        download = Download(port, EXPORT)
    finally:
        stop(server)

    assert download.seconds > 2 * TIMEOUT  # the export really outlived the timeout
    assert download.status == 200 and download.complete
    # Streamed without a length: the end is the final empty chunk, which only a whole export gets.
    assert download.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in download.headers
    rows = _rows(download.body)
    assert rows[0][:3] == ["component_id", "component", "council"]
    assert len(rows) == adoptions + 1
    last = Adoption.objects.order_by("component__name", "organisation__name", "id").last()
    assert rows[-1][1:3] == [last.component.name, last.organisation.name]


def test_a_download_whose_worker_dies_is_seen_to_fail(adoptions, tmp_path):
    """A worker killed mid-export (out of memory, a crash): the client sees the download fail
    and does not get a short file that ends like a whole one."""
    server, port = _start(_dockerfile_command(), tmp_path / "web.log")

    def kill_worker():
        for pid in _workers(server):
            os.kill(pid, signal.SIGKILL)

    try:
        download = Download(port, EXPORT, on_first_piece=kill_worker)
    finally:
        stop(server)

    assert download.status == 200  # the headers had gone before the worker died...
    assert not download.complete  # ...but the client knows the body is not whole
    assert 0 < len(_rows(download.body)) < adoptions + 1


def test_three_slow_exports_leave_the_server_answering_pages(adoptions, tmp_path):
    server, port = _start(_dockerfile_command(), tmp_path / "web.log")
    downloads = []
    threads = [
        threading.Thread(target=lambda: downloads.append(Download(port, EXPORT))) for _ in range(3)
    ]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1)  # the three are under way
        page = Download(port, "/components/")
        for thread in threads:
            thread.join()
    finally:
        stop(server)

    assert page.status == 200 and page.seconds < TIMEOUT
    assert [(d.status, d.complete) for d in downloads] == [(200, True)] * 3
