"""Benchmark the platform's pages and queries against large synthetic data (`make bench`).

    python -m tests.bench.run createdb     # create the benchmark database if it is missing
    python -m tests.bench.run seed-demo    # load the demo data (standards, learning, people) once
    python -m tests.bench.run measure      # start gunicorn, load it, time the queries, report

`measure` starts gunicorn (production settings, DEBUG off) on 127.0.0.1, then from this process
sends requests over keep-alive connections from a few threads, and reports throughput and
latency percentiles for each page and its ratio to a bare Django view (/bench/bare, routed when
BENCHMARK_VIEWS is on). The bare view is measured again between every two pages, and each page
is compared with the bare-view runs just before and after it, so other work on the machine hits
both sides of a ratio alike. Pages are read pages, detail pages (one object) or writes (a vote),
each kind with its own target. A page that is not there (404) is reported as missing. Then it
times the search and similar-problem queries at the database and writes everything to
docs/performance.md, between the markers in that file.

Besides one URL per page it measures the paths through the lists (issue #22, `list_pages`):
each filter alone, the most selective combined, each sort, search with each sort, the first
page and a deep one (page 400 by its "Next" cursor, and by an old ?page= link). Other modules
add their pages through `other_pages` (tests/bench/profiles.py, tests/bench/exports.py, when
present). `--cpu-load N` runs N CPU-burning processes beside the measurement, as a busy machine.

Only ever talks to 127.0.0.1. Not collected by pytest (the file name does not start "test_").
"""

import argparse
import http.client
import itertools
import json
import os
import platform
import re
import secrets
import signal
import string
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/institute_bench"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Target:
    """At least `throughput` of the bare view's requests per second and, when set, a p95 no
    more than `p95` times the bare view's p95."""

    throughput: float
    p95: float | None

    def describe(self) -> str:
        parts = [f"≥ {self.throughput:g}×"] if self.throughput else []
        parts += [f"p95 ≤ {self.p95:g}×"] if self.p95 else []
        return ", ".join(parts)


# Issue #9: every read page at least 0.05 of the bare view's throughput with a p95 within 15×;
# a detail page (one object) at least 0.25; the vote (a write) at least 0.1.
TARGETS = {
    "read": Target(0.05, 15.0),
    "detail": Target(0.25, 15.0),
    "write": Target(0.10, None),
    # A first request after something (a refresh) that the row's requests prepare, untimed, one
    # at a time: its throughput counts the preparation, so only its latency is judged.
    "cold": Target(0.0, 15.0),
}
# The search and similar-problem queries: p95 under this at the database (issues #3 and #22).
MAX_QUERY_P95_MS = 25.0

# Typed into the search box and the "similar problems" check: plain words officers would use.
SEARCHES = [
    "bin collection", "missed bin", "council tax", "pothole", "housing repairs", "damp mould",
    "temporary accommodation", "school admissions", "free school meals", "blue badge",
    "parking permit", "planning application", "building control", "care home", "hospital discharge",
    "safeguarding", "foster carers", "electoral register", "postal vote", "food hygiene",
    "noise complaints", "fly-tipping", "library", "garden waste", "supplier data export",
    "accessibility", "API", "spreadsheet", "contract renewal", "recruitment data engineers",
]  # fmt: skip
# What people type with a slip of the finger: the service search finds them by trigrams.
MISTYPED = [
    "bin colection",
    "councl tax",
    "pot hole",
    "housing repiars",
    "damp mold",
    "blue badg",
    "parkng permit",
    "planing application",
    "safegaurding",
    "fly tipping",
    "libary",
]

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


def seed_demo() -> None:
    """The demo data (people for each role, standards, centres, learning) unless it is there:
    the loaders of tests/bench/load write problems, components and assessments, not the rest."""
    import django

    django.setup()
    from django.core.management import call_command

    from centres.models import Learning
    from institute.models import Membership, Role

    if Learning.objects.exists() and Membership.objects.filter(role=Role.SECTOR_VIEWER).exists():
        print("Demo data already loaded.")
        return
    call_command("seed_demo")


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


def get(path: str, port: int, headers: dict | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, response.getheader("Location"), body
    finally:
        conn.close()


# --- Pages -------------------------------------------------------------------------------------


@dataclass
class Page:
    """One row of the table: what to request, and which target applies."""

    name: str
    kind: str  # "baseline", or a key of TARGETS
    path: str
    headers: dict = field(default_factory=dict)
    note: str = ""
    # For writes: a function of the client thread's number returning its next request,
    # (method, path, headers, body); GET pages send `path` with `headers` every time.
    requests: object = None
    # Client threads for this page (None: the run's --threads). A page whose requests must not
    # overlap (each follows its own preparation) runs on one.
    threads: int | None = None

    def request_source(self, thread: int):
        if self.requests is not None:
            return self.requests(thread)
        request = ("GET", self.path, self.headers, None)
        return lambda: request


def session_cookie(user) -> str:
    """A signed-in session for `user`, stored as the sign-in form would store it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from institute.security import LAST_SEEN_KEY, STARTED_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    now = int(time.time())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "institute.auth_backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[STARTED_KEY] = now
    store[LAST_SEEN_KEY] = now
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class VotePlan:
    """Signed-in officers (one per client thread) who each vote on, then withdraw from, a long
    run of open problems they had not voted on or followed: every request is a real write.

    The order continues across the measured runs, and `undo` takes back what is left, so the
    data is as it was after the benchmark."""

    def __init__(self, threads: int, problems_each: int = 1500):
        from django.conf import settings

        from backlog.models import OPEN_STATUSES, Follow, Problem, Vote
        from institute.models import Membership, Role

        memberships = (
            Membership.objects.filter(role=Role.OFFICER, organisation__kind="council")
            .select_related("user")
            .order_by("-user__email")[:threads]  # the synthetic officers (".scale.test") first
        )
        self.users = [m.user for m in memberships]
        if not self.users:
            raise LookupError("no council officers")
        self.plan = []
        self.undo_pairs = []
        for user in self.users:
            ids = list(
                Problem.objects.filter(status__in=OPEN_STATUSES)
                .exclude(pk__in=Vote.objects.filter(user=user).values("problem_id"))
                .exclude(pk__in=Follow.objects.filter(user=user).values("problem_id"))
                .order_by("?")
                .values_list("pk", flat=True)[:problems_each]
            )
            csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            headers = {
                "Cookie": f"{session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={csrf}",
                "X-CSRFToken": csrf,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            self.plan.append(self._cycle(ids, headers))
            self.undo_pairs.append((user, ids))

    @staticmethod
    def _cycle(ids, headers):
        def steps():
            for pk in itertools.cycle(ids):
                path = f"/problems/{pk}/vote/"
                yield ("POST", path, headers, b"action=vote")
                yield ("POST", path, headers, b"action=withdraw")

        iterator = steps()
        lock = threading.Lock()

        def next_request():
            with lock:
                return next(iterator)

        return next_request

    def requests(self, thread: int):
        return self.plan[thread % len(self.plan)]

    def undo(self) -> int:
        """Withdraw any vote still standing and drop the follows the votes added."""
        from backlog import services
        from backlog.models import Follow, Problem, Vote

        undone = 0
        for user, ids in self.undo_pairs:
            for problem in Problem.objects.filter(
                pk__in=Vote.objects.filter(user=user, problem_id__in=ids).values("problem_id")
            ):
                services.problem_vote_withdraw(actor=user, problem=problem)
                undone += 1
            Follow.objects.filter(user=user, problem_id__in=ids).delete()
        return undone


def prepare_database(threads: int) -> dict:
    """Vacuum and analyse, as autovacuum would have done on a running server (it may be off
    here: a table without statistics can turn an index scan into nested loops, and pages not
    marked all-visible make index-only scans read the table), refresh the dashboards'
    aggregates, and choose what the detail pages and signed-in pages use."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from backlog.models import Problem, Status
    from centres.models import Learning
    from components.models import Component
    from institute import fragments
    from institute.models import Membership, Role
    from institute.sector.tasks import dashboard_aggregates_refresh
    from standards.models import Standard

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    fragments.invalidate_all()  # the seeders write behind the ORM's back: no cached page parts
    t0 = time.perf_counter()
    dashboard_aggregates_refresh()  # what the Celery task does after writes and every 10 min
    chosen = {"aggregates_seconds": time.perf_counter() - t0}

    problem = Problem.objects.exclude(status=Status.MERGED).order_by("-vote_count", "-id").first()
    chosen["problem"] = problem.get_absolute_url() if problem else None
    component = (
        Component.objects.filter(published_at__isnull=False)
        .order_by("-adopting_count", "-id")
        .first()
    )
    chosen["component"] = component.get_absolute_url() if component else None
    standard = (
        Standard.objects.filter(current_version__isnull=False)
        .annotate(n=Count("assessments"))
        .order_by("-n", "pk")
        .first()
    )
    chosen["standard"] = standard.get_absolute_url() if standard else None
    learning = (
        Learning.objects.filter(status="published").order_by("-evidence_strength", "pk").first()
    )
    chosen["learning"] = learning.get_absolute_url() if learning else None
    chosen["deep"] = deep_cursors()
    viewer = Membership.objects.filter(role=Role.SECTOR_VIEWER).select_related("user").first()
    chosen["viewer_cookie"] = session_cookie(viewer.user) if viewer else None
    try:
        chosen["votes"] = VotePlan(threads)
    except LookupError:
        chosen["votes"] = None
    connection.close()
    return chosen


# --- The paths through the lists (issue #22) -----------------------------------------------------

# The most selective filters the backlog offers, for its combined rows: the region and council
# type with fewest problems at this scale (South West counties), and with a status on top.
REGION, COUNCIL_TYPE, STATUS, THEME = "E12000009", "county", "solved", "data"
SERVICE_AREA = "waste-and-recycling"
DEEP_ROW = 10_000  # a deep page starts here: page 400 of 25, or page 100 of the API's 100
CATALOGUE_LAST_ROW = 5_000  # the catalogue's page 201 starts here


def deep_cursors() -> dict:
    """The cursors of the pages that start DEEP_ROW rows into the backlog (the page's "Next"
    link and the API's `next` carry these; reaching them by OFFSET is what they replace)."""
    from backlog import selectors
    from institute.pagination import Keyset

    found = {}
    for name, per_page in (("page", 25), ("api", 100)):
        qs = selectors.problem_list_page(selectors.BacklogFilters(), rows=name == "page")
        keyset = Keyset.of(qs)
        row = next(iter(qs[DEEP_ROW - 1 : DEEP_ROW]), None) if keyset else None
        if row is not None:
            found[name] = keyset.cursor(row, page=DEEP_ROW // per_page + 1)
    # The catalogue's last page (201 of 25 at 5,000 components), by its "Next" link.
    from components.selectors import ComponentFilters, component_list

    qs = component_list(ComponentFilters()).prefetch_related(None)
    keyset = Keyset.of(qs)
    row = next(iter(qs[CATALOGUE_LAST_ROW - 1 : CATALOGUE_LAST_ROW]), None) if keyset else None
    if row is not None:
        found["catalogue"] = keyset.cursor(row, page=CATALOGUE_LAST_ROW // 25 + 1)
    return found


def list_pages(chosen: dict) -> list[Page]:
    """For each list: every filter alone, the most selective combined, each sort, search with
    each sort, the first page and a deep one."""
    from backlog.selectors import SORTS as BACKLOG_SORTS
    from components.selectors import SORTS as CATALOGUE_SORTS

    deep = chosen.get("deep", {})
    backlog = [
        ("theme", f"theme={THEME}"),
        ("status", f"status={STATUS}"),
        ("service area", f"service_area={SERVICE_AREA}"),
        ("region", f"region={REGION}"),
        ("council type", f"council_type={COUNCIL_TYPE}"),
        ("region + council type", f"region={REGION}&council_type={COUNCIL_TYPE}"),
        (
            "region + council type + status",
            f"region={REGION}&council_type={COUNCIL_TYPE}&status={STATUS}",
        ),
        (
            "region + council type + theme",
            f"region={REGION}&council_type={COUNCIL_TYPE}&theme={THEME}",
        ),
        *((f"sort {sort}", f"sort={sort}") for sort in BACKLOG_SORTS),
        *((f"search, sort {sort}", f"q=bin+collection&sort={sort}") for sort in BACKLOG_SORTS),
        ("page 20 (last numbered)", "page=20"),
    ]
    pages = [Page(f"Backlog: {name}", "read", f"/problems/?{query}") for name, query in backlog]
    if "page" in deep:
        pages.append(
            Page("Backlog: page 400 (Next link)", "read", f"/problems/?after={deep['page']}")
        )
    pages.append(Page("Backlog: page 400 (old ?page= link)", "read", "/problems/?page=400"))
    catalogue = [
        ("kind", "kind=open_source"),
        ("maturity", "maturity=live"),
        ("theme", f"theme={THEME}"),
        ("service area", f"service_area={SERVICE_AREA}"),
        ("kind + maturity", "kind=open_source&maturity=live"),
        *((f"sort {sort}", f"sort={sort}") for sort in CATALOGUE_SORTS),
        ("search", "q=data"),
        *((f"search, sort {sort}", f"q=data&sort={sort}") for sort in CATALOGUE_SORTS),
        ("last page", "page=201"),
    ]
    pages += [
        Page(f"Catalogue: {name}", "read", f"/components/?{query}") for name, query in catalogue
    ]
    if "catalogue" in deep:
        pages.append(
            Page(
                "Catalogue: last page (Next link)",
                "read",
                f"/components/?after={deep['catalogue']}",
            )
        )
    learning = [
        ("region", f"region={REGION}"),
        ("council type", f"council_type={COUNCIL_TYPE}"),
        ("region + council type", f"region={REGION}&council_type={COUNCIL_TYPE}"),
        ("sort evidence", "sort=evidence"),
        ("search", "q=data"),
        ("search, sort newest", "q=data&sort=newest"),
    ]
    pages += [
        Page(f"Learning: {name}", "read", f"/centres/learning/?{query}") for name, query in learning
    ]
    api = [
        (
            "problems, region + council type",
            f"problems/?region={REGION}&council_type={COUNCIL_TYPE}",
        ),
        ("problems, search, sort votes", "problems/?q=bin+collection&sort=votes"),
        ("problems, 100 a page", "problems/?page_size=100"),
        ("problems, page 100 of 100 (old ?page=)", "problems/?page_size=100&page=100"),
    ]
    if "api" in deep:
        api.append(
            (
                "problems, page 100 of 100 (next link)",
                f"problems/?page_size=100&cursor={deep['api']}",
            )
        )
    api.append(("adoptions, 100 a page, page 100", "adoptions/?page_size=100&page=100"))
    pages += [Page(f"API: {name}", "read", f"/api/v1/{query}") for name, query in api]
    return pages


def other_pages(chosen: dict) -> list[Page]:
    """Pages other modules add (issue #22): tests/bench/profiles.py (council profiles and
    organisation pages) and tests/bench/exports.py, each with `pages(chosen) -> list[Page]`
    when it is there. Exports' time to last byte and memory are their own report (run below)."""
    import importlib

    pages = []
    for name in ("tests.bench.profiles", "tests.bench.exports"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        if hasattr(module, "pages"):
            pages += module.pages(chosen)
    return pages


def bench_pages(chosen: dict) -> list[Page]:
    viewer = {"Cookie": chosen["viewer_cookie"]} if chosen["viewer_cookie"] else None
    votes = chosen["votes"]
    pages = [
        Page("Bare Django view", "baseline", "/bench/bare"),
        Page("Home", "read", "/"),
        Page("Backlog list", "read", "/problems/"),
        Page("Filtered list", "read", "/problems/?theme=data&sort=votes"),
        Page("Search", "read", "/problems/?q=bin+collection"),
        Page("Service search", "read", "/search/?q=bin+collection"),
        Page("Service search, with a typing mistake", "read", "/search/?q=bin+colection"),
        Page("Problem page (most votes)", "detail", chosen["problem"] or "/problems/0/"),
        Page(
            "Similar problems (htmx)",
            "read",
            "/problems/similar/?title=missed+bin+collections",
            {"HX-Request": "true"},
        ),
        Page(
            "Vote and withdraw (POST, htmx)",
            "write",
            "/problems/<id>/vote/",
            note="signed-in officers; vote and withdraw in turn over 1,500 problems each",
            requests=votes.requests if votes else None,
        ),
        Page("Catalogue", "read", "/components/"),
        Page(
            "Filtered catalogue", "read", "/components/?kind=open_source&maturity=live&sort=using"
        ),
        Page("Component page (most adopted)", "detail", chosen["component"] or "/components/0/"),
        Page("Standards", "read", "/standards/"),
        Page("Standard page (most assessed)", "detail", chosen["standard"] or "/standards/none/"),
        Page("Learning library", "read", "/centres/learning/"),
        Page("Learning page", "detail", chosen["learning"] or "/centres/learning/none/"),
        Page("Dashboard (sector viewer)", "read", "/dashboard/", viewer or {}),
        Page("Sector summary (public)", "read", "/dashboard/summary/"),
        Page("The 2030 blueprint (public)", "read", "/blueprint/"),
        Page("API: problems", "read", "/api/v1/problems/"),
        Page("API: components", "read", "/api/v1/components/"),
        Page("API: standards", "read", "/api/v1/standards/"),
        Page("API: learning", "read", "/api/v1/learning/"),
        Page("API: adoptions", "read", "/api/v1/adoptions/"),
        Page("API: search", "read", "/api/v1/search/?q=bin+collection"),
    ]
    pages += list_pages(chosen) + other_pages(chosen)
    if votes is None:
        pages = [p for p in pages if p.kind != "write"]
    if viewer is None:
        pages = [p for p in pages if p.path != "/dashboard/"]
    return pages


# --- Load --------------------------------------------------------------------------------------


class CpuLoad:
    """`count` processes that burn CPU beside the measurement (--cpu-load), as other work on a
    busy machine would: the ratios then show the margin a page keeps when the cores are shared.
    Started and stopped by this process, by their own ids."""

    BURN = "import time\nwhile True:\n    sum(i * i for i in range(10_000))\n"

    def __init__(self, count: int):
        self.count, self.processes = count, []

    def __enter__(self):
        for _ in range(self.count):
            self.processes.append(subprocess.Popen([sys.executable, "-c", self.BURN]))  # noqa: S603
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def percentile(sorted_values, p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


@dataclass
class Segment:
    """One timed run of one page: its successful latencies (seconds) and what failed."""

    latencies: list
    failures: list
    seconds: float


def load(page: Page, port: int, *, threads: int, max_requests: int, max_seconds: float):
    """Send `page`'s requests from `threads` keep-alive connections until `max_requests` are
    done or `max_seconds` have passed."""
    lock = threading.Lock()
    state = {"issued": 0}
    latencies, failures = [], []
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker(number):
        next_request = page.request_source(number)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine, bad = [], []
        while True:
            with lock:
                if state["issued"] >= max_requests or time.perf_counter() > deadline:
                    break
                state["issued"] += 1
            method, path, headers, body = next_request()
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
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

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Segment(latencies, failures, time.perf_counter() - started)


def summarise(segments: list[Segment]) -> dict:
    latencies = sorted(x for s in segments for x in s.latencies)
    failures = [f for s in segments for f in s.failures]
    seconds = sum(s.seconds for s in segments)
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "failure_kinds": sorted({str(f) for f in failures}),
        "seconds": seconds,
        "rps": len(latencies) / seconds if seconds else 0.0,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def check_page(page: Page, port: int) -> str:
    """'ok', 'missing' (404) or 'error (…)'; a GET that redirects is measured at its target."""
    if page.requests is not None:
        return "ok"  # a write: its responses are checked as it runs
    try:
        status, location, _ = get(page.path, port, page.headers)
        if status in (301, 302, 303, 307, 308) and location and location.startswith("/"):
            page.path = location
            status, _, _ = get(page.path, port, page.headers)
    except OSError as exc:
        return f"error ({type(exc).__name__})"
    if status == 404:
        return "missing"
    return "ok" if status == 200 else f"error (HTTP {status})"


def run_pages(pages: list[Page], port: int, args) -> list[dict]:
    """Measure every page `args.rounds` times, with the bare view measured before the first page
    and after every page; each page is compared with the bare runs on either side of it."""
    bare, others = pages[0], pages[1:]
    states = {page.name: check_page(page, port) for page in pages}
    if states[bare.name] != "ok":
        raise SystemExit(f"The bare view is not answering: {states[bare.name]}")
    live = [page for page in others if states[page.name] == "ok"]
    for page in [bare, *live]:
        if page.requests is None:
            for _ in range(args.warmup):
                get(page.path, port, page.headers)

    def run(page, seconds):
        return load(
            page,
            port,
            threads=page.threads or args.threads,
            max_requests=args.requests,
            max_seconds=seconds,
        )

    bare_runs = []
    page_runs = {page.name: [] for page in live}
    neighbours = {page.name: [] for page in live}
    for round_number in range(args.rounds):
        before = run(bare, args.bare_seconds)
        bare_runs.append(before)
        for page in live:
            segment = run(page, args.seconds)
            after = run(bare, args.bare_seconds)
            bare_runs.append(after)
            page_runs[page.name].append(segment)
            neighbours[page.name] += [before, after]
            before = after
            figures = summarise([segment])
            print(
                f"round {round_number + 1}  {page.name:<32} {figures['rps']:8.1f} req/s  "
                f"p95 {figures['p95']:7.1f} ms   bare {summarise([after])['rps']:7.1f} req/s",
                flush=True,
            )
    results = [{"name": bare.name, "kind": bare.kind, "path": bare.path, "state": "ok",
                **summarise(bare_runs)}]  # fmt: skip
    for page in others:
        row = {"name": page.name, "kind": page.kind, "path": page.path, "note": page.note}
        if page.name not in page_runs:
            results.append({**row, "state": states[page.name]})
            continue
        reference = summarise(neighbours[page.name])
        results.append(
            {
                **row,
                "state": "ok",
                **summarise(page_runs[page.name]),
                "bare_rps": reference["rps"],
                "bare_p95": reference["p95"],
            }
        )
    return results


def verdict(row) -> tuple[str, str, str, bool | None]:
    """Throughput ratio, p95 ratio, verdict text, met (None when there is no verdict)."""
    if row["state"] != "ok" or row["kind"] == "baseline":
        return "", "", "", None
    target = TARGETS[row["kind"]]
    throughput = row["rps"] / row["bare_rps"] if row["bare_rps"] else 0.0
    p95 = row["p95"] / row["bare_p95"] if row["bare_p95"] else float("inf")
    ok = throughput >= target.throughput and (target.p95 is None or p95 <= target.p95)
    if row["failures"]:
        ok = False
    return f"{throughput:.3f}", f"{p95:.1f}×", "meets" if ok else "**misses**", ok


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

    from backlog.selectors import SEARCH_COUNT_CAP
    from institute.pagination import PAGE_SIZE

    def search_page(q):  # what the search page and the API fetch: the first page, ranked
        list(selectors.problem_list_page(selectors.BacklogFilters(q=q))[0:PAGE_SIZE])

    def search_count(q):  # and count, as far as the page counts
        filters = selectors.BacklogFilters(q=q)
        results = selectors.problem_list_page(filters, count_cap=selectors.SEARCH_COUNT_CAP)
        results.order_by()[: results.count_cap + 1].count()

    def similar(title):
        selectors.problem_similar(title=title, limit=5)

    from institute import registry, search

    kinds = {entry.kind: entry for entry in registry.search_kinds()}

    def service_search(q):  # /search/ and /api/v1/search/: one statement across six kinds
        # The statements themselves (the closest words of any typing mistake, then the rows):
        # search.search answers a repeated search from the cache.
        search._found(search.terms_clean(q), kinds)

    results = {
        "search: first page of results (ranked)": timed(search_page, SEARCHES),
        f"search: count of results (up to {SEARCH_COUNT_CAP:,}, as the page counts)": timed(
            search_count, SEARCHES
        ),
        "selectors.problem_similar (5 suggestions)": timed(similar, SIMILAR_TITLES),
        "service search: every kind, ranked (/search/)": timed(service_search, SEARCHES),
        "service search with typing mistakes (/search/)": timed(service_search, MISTYPED),
    }
    plans = {}
    for label, fn, value, which in (
        ("search: the ranked candidates for “API” (12,000 matches)", search_page, "API", 0),
        ("problem_similar", similar, "missed bin collections", 0),
        # Its last statement: the first looks the words up for typing mistakes.
        ("service search for “bin colection”", service_search, "bin colection", -1),
    ):
        with CaptureQueriesContext(connection) as captured:
            fn(value)
        query = captured.captured_queries[which]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans[label] = "\n".join(row[0] for row in cursor.fetchall())
    reset_queries()
    from centres.models import Learning
    from components.models import Adoption, Component
    from standards.models import Assessment

    sizes = {
        "rows": {
            "problems": Problem.objects.count(),
            "votes": Vote.objects.count(),
            "components": Component.objects.count(),
            "adoptions": Adoption.objects.count(),
            "assessments": Assessment.objects.count(),
            "councils with an assessment": Assessment.objects.values("organisation_id")
            .distinct()
            .count(),
            "pieces of learning": Learning.objects.count(),
        }
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        sizes["postgres"] = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        sizes["shared_buffers"] = cursor.fetchone()[0]
    return results, plans, sizes


def print_database_timings(db: dict) -> None:
    for label, r in db.items():
        print(f"{label:<46} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  max {r['max']:.1f}")


def sector_timings(args) -> str:
    """Issue #7's figures (tests/bench/sector.py): the dashboards' aggregate refresh, the
    dashboard's first and later views, the nightly snapshot and 10,000 weekly digests."""
    from tests.bench import sector

    counts = sector.table_counts()
    refresh = sector.time_aggregate_refresh(args.sector_runs)
    dashboard = sector.time_dashboard(args.sector_runs)
    snapshot = sector.time_metrics_snapshot()
    digest = sector.time_digest_build()
    return sector.report(refresh, dashboard, snapshot, digest, counts)


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


def markdown_table(pages: list[dict]) -> list[str]:
    lines = [
        "| Page | Kind | Path | Requests | Req/s | p50 ms | p95 ms | p99 ms | Bare req/s "
        "| Throughput vs bare | p95 vs bare | Target | |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in pages:
        if row["state"] != "ok":
            lines.append(
                f"| {row['name']} | {row['kind']} | `{row['path']}` | {row['state']} "
                "| | | | | | | | | |"
            )
            continue
        failures = f" ({row['failures']} failed)" if row["failures"] else ""
        through, p95, text, _ = verdict(row)
        if row["kind"] == "baseline":
            bare_rps, through, p95, target, text = f"{row['rps']:.1f}", "1", "1×", "", "baseline"
        else:
            bare_rps, target = f"{row['bare_rps']:.1f}", TARGETS[row["kind"]].describe()
        lines.append(
            f"| {row['name']} | {row['kind']} | `{row['path']}` | {row['requests']}{failures} "
            f"| {row['rps']:.1f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} "
            f"| {bare_rps} | {through} | {p95} | {target} | {text} |"
        )
    return lines


def report(pages, db, plans, sizes, chosen, args, sector_text=None, exports_text=None) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_average = ", ".join(f"{x:.1f}" for x in args.load_average)
    notes = [f"{row['name']}: {row['note']}" for row in pages if row.get("note")]
    lines = [
        f"Measured {now} on {machine()}; PostgreSQL {sizes['postgres']} "
        f"(shared_buffers {sizes['shared_buffers']}) and Redis on the same machine. "
        f"Load average before the run: {load_average} (other work on the machine slows "
        "every row alike, so compare the ratios).",
        "",
        "Data: " + ", ".join(f"{n:,} {label}" for label, n in sizes["rows"].items()) + ". "
        f"Dashboard aggregates refreshed before the run in {chosen['aggregates_seconds']:.1f} s.",
        (
            f"With {args.cpu_load} CPU-burning processes beside the server (--cpu-load). "
            if args.cpu_load
            else ""
        )
        + f"Server: gunicorn, {args.workers} workers × {args.threads} threads (gthread), DEBUG "
        f"off. Load: this script, {args.threads} keep-alive connections; {args.rounds} rounds, "
        f"each page {args.seconds:g} s a round (after {args.warmup} warm-up requests) with the "
        f"bare view measured for {args.bare_seconds:g} s between every two pages. Each page's "
        "ratios are to the bare-view runs just before and after it (the Bare req/s column). "
        "Anonymous GETs unless the page says otherwise"
        + (f" ({'; '.join(notes)})." if notes else "."),
        "",
        *markdown_table(pages),
        "",
        "Targets, as a share of the bare view's throughput and a multiple of its p95: "
        + "; ".join(f"{kind} pages {t.describe()}" for kind, t in TARGETS.items())
        + ".",
        "",
        f"Database, {args.samples} timed calls each through the selectors (Django ORM, "
        "same process as the database client, warm cache):",
        "",
        f"| Query | Samples | p50 ms | p95 ms | max ms | Target (p95 < {MAX_QUERY_P95_MS:g} ms) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, r in db.items():
        text = "meets" if r["p95"] < MAX_QUERY_P95_MS else "**misses**"
        lines.append(
            f"| {label} | {r['samples']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} "
            f"| {text} |"
        )
    if sector_text:
        title, *rest = sector_text.splitlines()
        while rest and not rest[0].strip():
            rest.pop(0)
        lines += ["", f"{title}, from `tests/bench/sector.py`:", "", "```text", *rest, "```"]
    if exports_text:
        lines += ["", exports_text]
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

How fast the platform's pages and queries are with large synthetic data, and how to measure it
again: `make bench`.

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
    sub.add_parser("seed-demo", help="load the demo data unless it is already there")
    q = sub.add_parser("queries", help="time only the search and suggestion queries (no server)")
    q.add_argument("--samples", type=int, default=50, help="timed calls per database query")
    q.add_argument("--plans", action="store_true", help="also print the EXPLAIN ANALYZE plans")
    m = sub.add_parser("measure", help="start gunicorn, measure pages and queries, report")
    m.add_argument("--port", type=int, default=8765)
    m.add_argument("--workers", type=int, default=3)
    m.add_argument("--threads", type=int, default=4, help="client connections (and per worker)")
    m.add_argument("--rounds", type=int, default=2, help="times each page is measured")
    m.add_argument("--seconds", type=float, default=6.0, help="per page and round")
    m.add_argument("--bare-seconds", type=float, default=3.0, help="bare view between pages")
    m.add_argument("--requests", type=int, default=100_000, help="at most this many a run")
    m.add_argument("--warmup", type=int, default=20)
    m.add_argument("--samples", type=int, default=50, help="timed calls per database query")
    m.add_argument("--only", help="comma-separated parts of page names; the report is not written")
    m.add_argument(
        "--cpu-load",
        type=int,
        default=0,
        metavar="N",
        help="run N CPU-burning processes beside the measurement (a busy machine)",
    )
    m.add_argument(
        "--no-sector", action="store_true", help="skip the dashboards' and digests' timings"
    )
    m.add_argument(
        "--no-exports", action="store_true", help="skip the exports' and publish's timings"
    )
    m.add_argument("--sector-runs", type=int, default=3, help="aggregate refresh runs")
    m.add_argument("--output", type=Path, default=BASE_DIR / "docs" / "performance.md")
    m.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)

    env = bench_environment()
    os.environ.update(env)
    if args.action == "createdb":
        createdb(env["DATABASE_URL"])
        return 0
    if args.action == "seed-demo":
        seed_demo()
        return 0
    if args.action == "queries":
        import django

        django.setup()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # as `measure` does first
        db, plans, _sizes = database_timings(args.samples)
        print_database_timings(db)
        if args.plans:
            for label, plan in plans.items():
                print(f"\n{label}\n{plan}")
        return 1 if any(r["p95"] >= MAX_QUERY_P95_MS for r in db.values()) else 0

    args.load_average = os.getloadavg()
    chosen = prepare_database(args.threads)
    pages = bench_pages(chosen)
    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        pages = [pages[0]] + [p for p in pages[1:] if any(w in p.name.lower() for w in wanted)]
    try:
        with Server(args.port, args.workers, args.threads, env), CpuLoad(args.cpu_load):
            results = run_pages(pages, args.port, args)
    finally:
        if chosen["votes"]:
            chosen["votes"].undo()
    print()
    print("\n".join(markdown_table(results)))
    failed = [row["name"] for row in results if verdict(row)[3] is False]
    if args.only:
        if failed:
            print("Below target: " + "; ".join(failed))
        return 0
    db, plans, sizes = database_timings(args.samples)
    print_database_timings(db)
    sector_text = None if args.no_sector else sector_timings(args)
    if sector_text:
        print(sector_text)
    exports_text = None
    if not args.no_exports:
        from tests.bench.exports import exports_section

        exports_text = exports_section(env)
        print(exports_text)
    write_report(
        args.output, report(results, db, plans, sizes, chosen, args, sector_text, exports_text)
    )
    if args.json:
        args.json.write_text(json.dumps({"pages": results, "database": db}, indent=2))
    print(f"Wrote {args.output}")
    failed += [label for label, r in db.items() if r["p95"] >= MAX_QUERY_P95_MS]
    if failed:
        print("Below target: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
