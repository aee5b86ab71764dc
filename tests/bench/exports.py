"""Exports and the open-data publish at scale: time to last byte and peak memory (issue #22).

    python -m tests.bench.exports            # against DATABASE_URL, default the bench database

`exports_section()` downloads each CSV export from gunicorn started as production starts it
(institute/gunicorn.conf.py, one worker, a fresh server for each export so that each peak is
its own), then runs the nightly open-data publish in a fresh process. It returns a markdown
section for docs/performance.md (tests/bench/run.py writes it there).

Peak memory is the process's high-water mark of resident memory (VmHWM, Linux), whose start
(Django loaded, one request served) is shown beside it. Only ever talks to 127.0.0.1. Not
collected by pytest (the file name does not start "test_").
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.run import BASE_DIR, HOST, bench_environment

CONFIG = BASE_DIR / "institute" / "gunicorn.conf.py"
EXPORTS = [
    ("Backlog export (every problem)", "/problems/export.csv"),
    ("Components export", "/components/export.csv"),
    ("Adoptions export (every adoption)", "/components/adoptions.csv"),
]
# The publish's own memory, measured in the process that runs it.
PUBLISH_CODE = """
import json, resource, time, django
django.setup()
from institute.sector.opendata import open_data_publish
from django.db import connection
connection.ensure_connection()
usage = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
manifest = open_data_publish()
seconds = time.perf_counter() - t0
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "before_kb": usage.ru_maxrss,
                  "peak_kb": after.ru_maxrss, "rows": manifest["rows"]}))
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (a figure the machine's load barely moves)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _download(port: int, path: str) -> dict:
    """GET `path`; time to first and last byte, bytes, and whether the body ended cleanly."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    first = None
    size = 0
    lines = 0
    complete = True
    try:
        while chunk := response.read1(1 << 16):
            if first is None:
                first = time.perf_counter() - t0
            size += len(chunk)
            lines += chunk.count(b"\n")
    except http.client.IncompleteRead:
        complete = False
    last = time.perf_counter() - t0
    conn.close()
    return {
        "status": response.status,
        "chunked": response.chunked,
        "ttfb": first or last,
        "ttlb": last,
        "bytes": size,
        "lines": lines,
        "complete": complete,
    }


def _server(env: dict, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn"]
    if CONFIG.exists():
        command += ["--config", str(CONFIG)]
    else:  # a checkout from before the config file: no worker timeout in the way of measuring
        command += ["--timeout", "900"]
    command += ["institute.wsgi", "--bind", f"{HOST}:{port}", "--workers", "1"]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/bench/bare")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer /bench/bare within 60 seconds")


def measure_export(env: dict, path: str) -> dict:
    port = _free_port()
    process = _server(env, port)
    try:
        (worker,) = _children(process.pid)
        start_kb = _status_kb(worker, "VmHWM")
        cpu = _cpu_seconds(worker)
        result = _download(port, path)
        result["cpu"] = _cpu_seconds(worker) - cpu
        result["start_mb"] = start_kb / 1024
        result["peak_mb"] = _status_kb(worker, "VmHWM") / 1024
        return result
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure_publish(env: dict) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", PUBLISH_CODE],
            cwd=BASE_DIR,
            env={**env, "GENERATED_FILES_DIR": folder},
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def exports_section(env: dict | None = None) -> str:
    """The markdown section: each export's time to first and last byte, size and peak memory,
    and the publish's time and peak memory."""
    env = env or bench_environment()
    lines = [
        "### Exports and open data",
        "",
        "Each export downloaded once from gunicorn with the production config (one worker, "
        "fresh for each export). Peak is the worker's resident-memory high-water mark; start "
        "is the same before the download (Django loaded, one request served).",
        "",
        "| export | lines | MB | first byte s | last byte s | worker CPU s | whole | start MB "
        "| peak MB |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, path in EXPORTS:
        r = measure_export(env, path)
        whole = "yes" if r["status"] == 200 and r["complete"] else f"NO ({r['status']})"
        lines.append(
            f"| {name} | {r['lines']:,} | {r['bytes'] / 1e6:.1f} | {r['ttfb']:.2f} | "
            f"{r['ttlb']:.2f} | {r['cpu']:.2f} | {whole} | {r['start_mb']:.0f} | "
            f"{r['peak_mb']:.0f} |"
        )
        print(lines[-1], flush=True)
    p = measure_publish(env)
    rows = sum(p["rows"].values())
    lines += [
        "",
        f"Open-data publish (every dataset as CSV and JSON, {rows:,} rows): "
        f"{p['seconds']:.1f} s ({p['cpu']:.1f} s of CPU), "
        f"peak resident memory {p['peak_kb'] / 1024:.0f} MB "
        f"({p['before_kb'] / 1024:.0f} MB before it started: Django and a connection; "
        f"the publish itself added {(p['peak_kb'] - p['before_kb']) / 1024:.0f} MB).",
    ]
    print(lines[-1], flush=True)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "institute.settings")
    print(exports_section())
