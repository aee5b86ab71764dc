"""Benchmark the backlog's pages and queries against a large synthetic backlog (`make bench`).

    python -m tests.bench.run createdb     # create the benchmark database if it is missing
    python -m tests.bench.run measure      # start gunicorn, load it, time the queries, report

`measure` starts gunicorn (production settings, DEBUG off) on 127.0.0.1, then from this process
sends GET requests over keep-alive connections from a few threads, bounded by a request count
and a time limit per page, and reports throughput and latency percentiles for each page and its
ratio to a bare Django view (/bench/bare, routed when BENCHMARK_VIEWS is on). A page that is not
there (404) is reported as missing. Then it times the search and similar-problem queries at the
database and writes everything to docs/performance.md, between the markers in that file.

Only ever talks to 127.0.0.1. Not collected by pytest (the file name does not start "test_").
"""

import argparse
import http.client
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/institute_bench"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# Targets: every page at least this share of the bare view's throughput, and a p95 no more
# than this many times the bare view's; the two queries under this p95 at the database.
MIN_THROUGHPUT_RATIO = 0.05
MAX_P95_RATIO = 15.0
MAX_QUERY_P95_MS = 50.0

# Typed into the search box and the "similar problems" check: plain words officers would use.
SEARCHES = [
    "bin collection", "missed bin", "council tax", "pothole", "housing repairs", "damp mould",
    "temporary accommodation", "school admissions", "free school meals", "blue badge",
    "parking permit", "planning application", "building control", "care home", "hospital discharge",
    "safeguarding", "foster carers", "electoral register", "postal vote", "food hygiene",
    "noise complaints", "fly-tipping", "library", "garden waste", "supplier data export",
    "accessibility", "API", "spreadsheet", "contract renewal", "recruitment data engineers",
]  # fmt: skip
SIMILAR_TITLES = [
    "missed bin collections", "Missed bin reports are re-keyed by hand",
    "council tax direct debit changes", "pothole reports in different formats",
    "housing repair requests", "damp and mould reports not tracked",
    "homelessness applications take too long", "school admission appeals",
    "free school meal claims checked by hand", "blue badge applications backlog",
    "parking permit renewals online", "planning applications data",
    "building control inspections booking", "care home vacancies by phone",
    "hospital discharge notifications by email", "foster carer applications",
    "electoral register updates", "postal vote applications", "food hygiene inspections",
    "noise nuisance complaints", "fly-tipping reports", "library memberships across councils",
    "garden waste subscriptions renewal", "supplier charges to export our data",
    "accessibility failures in supplier forms",
]  # fmt: skip


# --- Environment -------------------------------------------------------------------------------


def bench_environment() -> dict:
    """Production settings (DEBUG off) on loopback, with the bare view routed."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "institute.settings",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "ALLOWED_HOSTS": HOST,
            "BENCHMARK_VIEWS": "1",
            "CACHE_KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "bench"),
            "LOG_LEVEL": "WARNING",
            # The anonymous API rate limit would turn the load into 429s: measure the API itself.
            "API_THROTTLE_ANON": env.get("API_THROTTLE_ANON", "1000000/minute"),
        }
    )
    return env


def createdb(database_url: str) -> None:
    """Create the benchmark database if it does not exist (its server must be running)."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"Unexpected database name {name!r}")
    admin = database_url.replace(parts.path, "/postgres", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Database {name} exists.")
            return
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"Created database {name}.")


# --- Server ------------------------------------------------------------------------------------


class Server:
    """gunicorn on 127.0.0.1, started and stopped by this process."""

    def __init__(self, port: int, workers: int, threads: int, env: dict):
        self.port, self.workers, self.threads, self.env = port, workers, threads, env
        self.process = None

    def __enter__(self):
        command = [
            sys.executable, "-m", "gunicorn", "institute.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "gthread", "--threads", str(self.threads),
            "--keep-alive", "30",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited during start-up")
            try:
                if get("/bench/bare", self.port)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /bench/bare within 60 seconds")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def get(path: str, port: int, timeout: float = 30):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return response.status, response.getheader("Location"), body
    finally:
        conn.close()


# --- Load --------------------------------------------------------------------------------------


def percentile(sorted_values, p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def load(path: str, port: int, *, threads: int, max_requests: int, max_seconds: float):
    """GET `path` from `threads` keep-alive connections until `max_requests` are done or
    `max_seconds` have passed. Returns throughput (ok responses per second) and latencies."""
    lock = threading.Lock()
    state = {"issued": 0}
    latencies, failures = [], []
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine, bad = [], []
        while True:
            with lock:
                if state["issued"] >= max_requests or time.perf_counter() > deadline:
                    break
                state["issued"] += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - t0
                if response.status == 200:
                    mine.append(elapsed)
                else:
                    bad.append(response.status)
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "failure_kinds": sorted({str(f) for f in failures}),
        "seconds": wall,
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def measure_page(name, path, port, args):
    """Check the page once (404: missing; other errors: reported), warm it up, then load it."""
    try:
        status, location, _ = get(path, port)
    except OSError as exc:
        return {"name": name, "path": path, "state": f"error ({type(exc).__name__})"}
    if status in (301, 302, 303, 307, 308) and location and location.startswith("/"):
        path = location
        status, _, _ = get(path, port)
    if status == 404:
        return {"name": name, "path": path, "state": "missing"}
    if status != 200:
        return {"name": name, "path": path, "state": f"error (HTTP {status})"}
    for _ in range(args.warmup):
        get(path, port)
    result = load(
        path,
        port,
        threads=args.threads,
        max_requests=args.requests,
        max_seconds=args.seconds,
    )
    return {"name": name, "path": path, "state": "ok", **result}


# --- Database ----------------------------------------------------------------------------------


def database_timings(samples: int):
    """Time the search page's queries and problem_similar at the database, ~`samples` each."""
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from backlog import selectors
    from backlog.models import Problem, Vote

    def timed(fn, inputs):
        for value in inputs[:3]:  # warm the cache, as a running server would have
            fn(value)
        times = []
        for n in range(samples):
            value = inputs[n % len(inputs)]
            t0 = time.perf_counter()
            fn(value)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        return {
            "samples": len(times),
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "max": times[-1],
        }

    def search_page(q):
        qs = selectors.problem_list(selectors.BacklogFilters(q=q))
        list(qs[:25])  # the first page, with its service areas prefetched

    def search_count(q):
        selectors.problem_list(selectors.BacklogFilters(q=q)).count()

    def similar(title):
        selectors.problem_similar(title=title, limit=5)

    results = {
        "search: first page of results (rank order)": timed(search_page, SEARCHES),
        "search: count of results": timed(search_count, SEARCHES),
        "selectors.problem_similar (5 suggestions)": timed(similar, SIMILAR_TITLES),
    }
    plans = {}
    for label, fn, value in (
        ("search: first page", search_page, "bin collection"),
        ("problem_similar", similar, "missed bin collections"),
    ):
        with CaptureQueriesContext(connection) as captured:
            fn(value)
        sql = captured.captured_queries[0]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans[label] = "\n".join(row[0] for row in cursor.fetchall())
    reset_queries()
    sizes = {
        "problems": Problem.objects.count(),
        "votes": Vote.objects.count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        sizes["postgres"] = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        sizes["shared_buffers"] = cursor.fetchone()[0]
    return results, plans, sizes


def prepare_database() -> tuple[int | None, int | None]:
    """Refresh the planner's statistics (autovacuum may be off or behind, and a table without
    statistics can turn an index scan into nested loops), and choose the problem page to load:
    the problem with most votes."""
    import django

    django.setup()
    from django.db import connection

    from backlog.models import Problem, Status

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from components.models import Component

    problem = Problem.objects.exclude(status=Status.MERGED).order_by("-vote_count", "-id").first()
    component = Component.objects.order_by("-adopting_count", "-id").first()
    connection.close()
    return (problem.pk if problem else None, component.pk if component else None)


# --- Report ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} CPU cores ({cpu}){memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def ratio_verdict(page, bare):
    if page["state"] != "ok" or bare.get("state") != "ok":
        return "", "", "", ""
    throughput = page["rps"] / bare["rps"] if bare["rps"] else 0.0
    p95 = page["p95"] / bare["p95"] if bare["p95"] else float("inf")
    ok = throughput >= MIN_THROUGHPUT_RATIO and p95 <= MAX_P95_RATIO
    return f"{throughput:.3f}", f"{p95:.1f}×", "meets" if ok else "**misses**", ok


def report(pages, db, plans, sizes, args) -> str:
    bare = pages[0]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_average = ", ".join(f"{x:.1f}" for x in args.load_average)
    lines = [
        f"Measured {now} on {machine()}; PostgreSQL {sizes['postgres']} "
        f"(shared_buffers {sizes['shared_buffers']}) and Redis on the same machine. "
        f"Load average before the run: {load_average} (other work on the machine slows "
        "every row alike, so compare the ratios).",
        "",
        f"Data: {sizes['problems']:,} problems and {sizes['votes']:,} votes "
        "(`manage.py seed_scale`).",
        f"Server: gunicorn, {args.workers} workers × {args.threads} threads (gthread), DEBUG "
        "off. Load: this script, "
        f"{args.threads} keep-alive connections, at most {args.requests} requests or "
        f"{args.seconds:.0f} s per page after {args.warmup} warm-up requests; anonymous GETs.",
        "",
        "| Page | Path | Requests | Req/s | p50 ms | p95 ms | p99 ms "
        "| Throughput vs bare | p95 vs bare | Target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in pages:
        if page["state"] != "ok":
            lines.append(f"| {page['name']} | `{page['path']}` | {page['state']} | | | | | | | |")
            continue
        failures = f" ({page['failures']} failed)" if page["failures"] else ""
        through, p95, verdict, _ = ratio_verdict(page, bare)
        if page is bare:
            through, p95, verdict = "1", "1×", "baseline"
        lines.append(
            f"| {page['name']} | `{page['path']}` | {page['requests']}{failures} "
            f"| {page['rps']:.1f} | {page['p50']:.1f} | {page['p95']:.1f} | {page['p99']:.1f} "
            f"| {through} | {p95} | {verdict} |"
        )
    lines += [
        "",
        f"Targets: each page at least {MIN_THROUGHPUT_RATIO} of the bare view's throughput, "
        f"and a p95 within {MAX_P95_RATIO:.0f}× of the bare view's p95.",
        "",
        f"Database, {args.samples} timed calls each through the selectors (Django ORM, "
        "same process as the database client, warm cache):",
        "",
        "| Query | Samples | p50 ms | p95 ms | max ms | Target (p95 < 50 ms) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, r in db.items():
        verdict = "meets" if r["p95"] < MAX_QUERY_P95_MS else "**misses**"
        lines.append(
            f"| {label} | {r['samples']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} "
            f"| {verdict} |"
        )
    for label, plan in plans.items():
        lines += [
            "",
            f"<details><summary>EXPLAIN ANALYZE: {label}</summary>",
            "",
            "```",
            plan,
            "```",
            "",
            "</details>",
        ]
    return "\n".join(lines)


TEMPLATE = """# Performance

How fast the backlog's pages and queries are with a large backlog, and how to measure it again.

## How to run

    make bench

This creates the `institute_bench` database if needed (set `BENCH_DATABASE_URL` to use another),
migrates it, loads 100,000 problems and 1,000,000 votes with `manage.py seed_scale` unless they
are already there, starts gunicorn on 127.0.0.1 with production settings, measures the pages from
a second process (`python -m tests.bench.run measure`), times the search and similar-problem
queries at the database, and rewrites the results section below.

## Results

{start}
{end}
"""


def write_report(path: Path, text: str) -> None:
    content = path.read_text() if path.exists() else TEMPLATE.format(start=START, end=END)
    if START not in content or END not in content:
        content = content.rstrip() + f"\n\n## Results\n\n{START}\n{END}\n"
    before, rest = content.split(START, 1)
    _, after = rest.split(END, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{before}{START}\n{text}\n{END}{after}")


# --- Main --------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("createdb", help="create the benchmark database if it is missing")
    m = sub.add_parser("measure", help="start gunicorn, measure pages and queries, report")
    m.add_argument("--port", type=int, default=8765)
    m.add_argument("--workers", type=int, default=3)
    m.add_argument("--threads", type=int, default=4, help="client connections (and per worker)")
    m.add_argument("--requests", type=int, default=3000, help="at most this many per page")
    m.add_argument("--seconds", type=float, default=20.0, help="at most this long per page")
    m.add_argument("--warmup", type=int, default=20)
    m.add_argument("--samples", type=int, default=50, help="timed calls per database query")
    m.add_argument("--output", type=Path, default=BASE_DIR / "docs" / "performance.md")
    m.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)

    env = bench_environment()
    os.environ.update(env)
    if args.action == "createdb":
        createdb(env["DATABASE_URL"])
        return 0

    args.load_average = os.getloadavg()
    problem_id, component_id = prepare_database()
    pages = [
        ("Bare Django view", "/bench/bare"),
        ("Backlog list", "/problems/"),
        ("Filtered list", "/problems/?theme=data&sort=votes"),
        ("Search", "/problems/?q=bin+collection"),
        ("Problem page (most votes)", f"/problems/{problem_id or 1}/"),
        ("Similar problems (partial)", "/problems/similar/?title=missed+bin+collections"),
        ("API list", "/api/v1/problems/"),
        ("Catalogue", "/components/"),
        ("Filtered catalogue", "/components/?kind=open_source&maturity=live&sort=using"),
        ("Component page (most adopted)", f"/components/{component_id or 1}/"),
    ]
    results = []
    with Server(args.port, args.workers, args.threads, env):
        for name, path in pages:
            result = measure_page(name, path, args.port, args)
            results.append(result)
            if result["state"] == "ok":
                print(
                    f"{name:<28} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms  "
                    f"p95 {result['p95']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
                    f"({result['requests']} ok, {result['failures']} failed)",
                    flush=True,
                )
            else:
                print(f"{name:<28} {result['state']}", flush=True)
    db, plans, sizes = database_timings(args.samples)
    for label, r in db.items():
        print(f"{label:<46} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  max {r['max']:.1f}")
    write_report(args.output, report(results, db, plans, sizes, args))
    if args.json:
        args.json.write_text(json.dumps({"pages": results, "database": db}, indent=2))
    print(f"Wrote {args.output}")
    bare = results[0]
    failed = [
        r["name"]
        for r in results[1:]
        if r["state"] == "ok" and bare["state"] == "ok" and not ratio_verdict(r, bare)[3]
    ]
    failed += [label for label, r in db.items() if r["p95"] >= MAX_QUERY_P95_MS]
    if failed:
        print("Below target: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
