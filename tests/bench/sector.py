"""Issue #7: the sector dashboards' refresh and the digests, timed against sector-scale data.

    python -m tests.bench.sector [--runs 3] [--users 10000] [--no-send] [--no-digests] [--json]

Needs a benchmark database loaded by `python -m tests.bench.load` problems, components and
standards (self-assessments for every council, and the 10,000 digest readers);
DATABASE_URL defaults to the one `make bench` uses. Only ever reads and writes that database.
Exits 1 when a target of issue #7 is not met.

Functions for tests/bench/run.py (call them after django.setup(); each returns a dict):

- `table_counts()`: rows in the tables behind the figures (problems, votes, adoptions...).
- `time_aggregate_refresh(runs=3)`: runs the real refresh (`refresh.aggregates_refresh`,
  what the Celery task `dashboard_aggregates_refresh` calls) `runs` times: seconds of each
  run, min, median, max, its queries, and row counts of the aggregate table. The refresh is
  idempotent, so what it commits is what a worker would leave.
- `time_dashboard(runs=3)`: the sector dashboard (all councils) as the page builds it, on the
  first view after a refresh (cold) and later views (warm, from the cache): seconds, queries.
- `time_metrics_snapshot()`: the nightly snapshot of headline metrics (rolled back).
- `time_digest_build(users=10_000, send=True, cadence="weekly")`: plans this period's digests
  (`digests.digest_chunks`, as the task `digests_send` does), then builds the digests of the
  first `users` people chunk by chunk (100 people each) as `digest_send_chunk` does, counting
  the queries of each chunk's build with CaptureQueriesContext; with `send`, it then queues
  every chunk's digests in the outbox with `digests.digests_queue_chunk` (the task's own
  function) and sends them with `outbox.send_due` through Django's in-memory e-mail backend.
  All of it runs in one transaction that is rolled back, so nothing is left behind: a second
  run finds the same work. The digests are built "as of" just after the newest synthetic
  notification, so they are due whenever the benchmark runs.
- `report(refresh, dashboard, snapshot, digest, counts) -> str`: the text `main` prints.

`time_aggregate_refresh` and `time_digest_build` have `meets_target` against issue #7 (refresh
under 10 s; 10,000 digests built under two minutes with the same queries for every chunk);
the digests' result also has `send_meets_target` for building and sending them.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/institute_bench"
REFRESH_TARGET_S = 10.0
DIGEST_TARGET_S = 120.0
SCALE_NOTIFICATIONS = "scale:"  # keys of the notifications of tests/bench/load/standards.py


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "institute.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    for name, value in (("DEBUG", "0"), ("SECURE_SSL_REDIRECT", "0"), ("STATIC_MANIFEST", "0")):
        os.environ.setdefault(name, value)
    import django

    django.setup()


def _count(cursor, sql: str, params=()) -> int:
    cursor.execute(sql, list(params))
    return cursor.fetchone()[0]


def table_counts() -> dict:
    """Rows behind the dashboards and digests (what "at scale" means here)."""
    from django.db import connection

    with connection.cursor() as cursor:
        return {
            "councils": _count(
                cursor,
                "SELECT count(*) FROM institute_organisation WHERE kind = 'council' "
                "AND (valid_from IS NULL OR valid_from <= current_date) "
                "AND (valid_to IS NULL OR valid_to >= current_date)",
            ),
            "problems": _count(cursor, "SELECT count(*) FROM backlog_problem"),
            "votes": _count(cursor, "SELECT count(*) FROM backlog_vote"),
            "council_demand": _count(cursor, "SELECT count(*) FROM backlog_councildemand"),
            "components": _count(cursor, "SELECT count(*) FROM components_component"),
            "adoptions": _count(cursor, "SELECT count(*) FROM components_adoption"),
            "assessments": _count(cursor, "SELECT count(*) FROM standards_assessment"),
            "councils_assessing": _count(
                cursor, "SELECT count(DISTINCT organisation_id) FROM standards_assessment"
            ),
            "users": _count(cursor, "SELECT count(*) FROM institute_user"),
            "notifications": _count(cursor, "SELECT count(*) FROM institute_notification"),
            "follows": _count(cursor, "SELECT count(*) FROM backlog_follow"),
        }


# --- Dashboards -------------------------------------------------------------------------------


def _aggregate_rows() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*), coalesce(sum(cardinality(problem_ids)), 0),
            coalesce(sum(cardinality(component_ids)), 0),
            coalesce(sum(cardinality(standards_adopted_ids)), 0),
            coalesce(sum(cardinality(project_ids)), 0),
            coalesce(sum(cardinality(learning_ids)), 0),
            count(*) FILTER (WHERE active_users > 0)
            FROM sector_councilstats"""
        )
        row = cursor.fetchone()
        snapshots = _count(cursor, "SELECT count(*) FROM sector_metricsnapshot")
    keys = [
        "councilstats",
        "problem_ids",
        "component_ids",
        "standards_adopted_ids",
        "project_ids",
        "learning_ids",
        "councils_with_active_users",
    ]
    return {**dict(zip(keys, row, strict=True)), "metricsnapshot": snapshots}


def time_aggregate_refresh(runs: int = 3) -> dict:
    """Time the real refresh of every council's dashboard row `runs` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from institute.sector import refresh

    seconds, queries = [], 0
    for i in range(max(1, runs)):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            rows = refresh.aggregates_refresh()
            seconds.append(time.perf_counter() - started)
        if i == 0:
            queries = len(captured)
    best, middle = min(seconds), statistics.median(seconds)
    return {
        "runs": [round(s, 3) for s in seconds],
        "min_s": round(best, 3),
        "median_s": round(middle, 3),
        "max_s": round(max(seconds), 3),
        "refreshed_rows": rows,
        "queries": queries,
        "rows": _aggregate_rows(),
        "target_s": REFRESH_TARGET_S,
        "meets_target": middle < REFRESH_TARGET_S,
    }


def time_dashboard(runs: int = 3) -> dict:
    """Time the sector dashboard for all councils as the page builds it: "cold" is the first
    view after a refresh (every panel computed from the summary rows), "warm" any later view
    until the next refresh (the panels come from the cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from institute.sector import figures, panels

    sas = figures.strategic_authorities()
    filters = figures.Filters()

    def timed(build):
        seconds, queries = [], set()
        for _ in range(max(1, runs)):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                data = build()
                seconds.append(time.perf_counter() - started)
            queries.add(len(captured))
        return seconds, sorted(queries), data

    def cold():  # what a view does when the cache has nothing for this refresh
        return panels._dashboard(panels.Selection.of(filters, sas, timezone.localdate()))

    cold_s, cold_q, data = timed(cold)
    panels.dashboard(filters, sas)  # fill the cache
    warm_s, warm_q, _ = timed(lambda: panels.dashboard(filters, sas))
    return {
        "cold_runs": [round(s, 3) for s in cold_s],
        "cold_median_s": round(statistics.median(cold_s), 3),
        "cold_queries": cold_q,
        "warm_median_s": round(statistics.median(warm_s), 4),
        "warm_queries": warm_q,
        "councils": data["councils"],
        "tables": len(data["tables"]),
    }


def time_metrics_snapshot() -> dict:
    """Time the nightly snapshot of headline metrics (all councils and each single filter), in
    a transaction that is rolled back."""
    from django.db import transaction

    from institute.sector import panels

    with transaction.atomic():
        started = time.perf_counter()
        rows = panels.metrics_snapshot()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": round(seconds, 3), "rows": rows}


# --- Digests ----------------------------------------------------------------------------------


def digest_moment():
    """Just after the newest synthetic notification: when those digests are due."""
    from institute.models import Notification

    latest = (
        Notification.objects.filter(key__startswith=SCALE_NOTIFICATIONS)
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        return None
    return latest.created_at + timedelta(minutes=1)


def _summary(values) -> dict:
    values = list(values)
    if not values:
        return {"min": 0, "median": 0, "max": 0}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def time_digest_build(users: int = 10_000, *, send: bool = True, cadence: str = "weekly") -> dict:
    """Plan, build (and with `send`, send) the digests of `users` people in chunks of 100, in a
    transaction that is rolled back. Query counts are per chunk (see the module docstring)."""
    from django.core import mail
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, override_settings

    from institute import digests, outbox

    now = digest_moment()
    if now is None:
        raise SystemExit(
            "No digest readers: run `python -m tests.bench.load standards --users 10000` first."
        )
    result: dict = {"cadence": cadence, "as_of": now.isoformat(), "chunk_size": digests.CHUNK_SIZE}
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        transaction.atomic(),
    ):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            chunks = digests.digest_chunks(cadence=cadence, now=now)
        result["plan_s"] = round(time.perf_counter() - started, 3)
        result["plan_queries"] = len(captured)
        result["people_due"] = sum(len(c) for c in chunks)
        taken, people = [], 0
        for chunk in chunks:
            if people >= users:
                break
            chunk = chunk[: users - people]
            taken.append(chunk)
            people += len(chunk)
        result["people"] = people
        result["chunks"] = len(taken)

        # Build every chunk: time, queries and what each chunk holds.
        build_queries, items_per_chunk, items_per_person, built = [], [], [], 0
        started = time.perf_counter()
        for chunk in taken:
            connection.queries_log.clear()  # the log keeps 9,000 queries: count each chunk afresh
            with CaptureQueriesContext(connection) as captured:
                chunk_digests = digests.digests_build(user_ids=chunk, cadence=cadence, now=now)
            build_queries.append(len(captured))
            counts = [len(d.notifications) for d in chunk_digests]
            built += len(chunk_digests)
            items_per_chunk.append(sum(counts))
            items_per_person.extend(counts)
        build_s = time.perf_counter() - started
        full = [
            q for q, c in zip(build_queries, taken, strict=True) if len(c) == digests.CHUNK_SIZE
        ]
        result["build"] = {
            "seconds": round(build_s, 3),
            "digests": built,
            "queries_per_chunk": sorted(set(build_queries)),
            "same_queries_every_chunk": len(set(build_queries)) == 1,
            "full_chunks": len(full),
            "items_per_chunk": _summary(items_per_chunk),
            "items_per_person": _summary(items_per_person),
        }

        # Send every chunk as the task does (build + one transaction per person).
        if send:
            send_queries, sent = [], 0
            started = time.perf_counter()
            for chunk in taken:
                mail.outbox = []
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured:
                    n = digests.digests_queue_chunk(user_ids=chunk, cadence=cadence, now=now)
                assert outbox.send_due(limit=len(chunk)) == n
                sent += n
                # Per person sent, beyond the chunk's build: the same for everyone.
                send_queries.append((len(captured), n))
            send_s = time.perf_counter() - started
            build_q = build_queries[0] if build_queries else 0
            per_person = sorted({round((q - build_q) / n, 2) for q, n in send_queries if n} or {0})
            result["send"] = {
                "seconds": round(send_s, 3),
                "sent": sent,
                "emails": sent,
                "queries_per_full_chunk": sorted(
                    {q for (q, n) in send_queries if n == digests.CHUNK_SIZE}
                ),
                "queries_per_person": per_person,
            }
            mail.outbox = []
        transaction.set_rollback(True)  # leave nothing behind: the next run finds the same work

    total = result["plan_s"] + result["build"]["seconds"]
    result["target_s"] = DIGEST_TARGET_S
    result["meets_target"] = (
        total < DIGEST_TARGET_S
        and result["build"]["same_queries_every_chunk"]
        and result["people"] >= min(users, result["people_due"])
    )
    if send:
        result["send_meets_target"] = result["plan_s"] + result["send"]["seconds"] < DIGEST_TARGET_S
    return result


# --- Report -----------------------------------------------------------------------------------


def report(
    refresh: dict, dashboard: dict, snapshot: dict, digest: dict | None, counts: dict
) -> str:
    lines = [
        "Sector dashboards and digests at scale (issue #7)",
        "",
        "Data: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()),
        "",
        f"Dashboard aggregates refresh: median {refresh['median_s']:.2f} s "
        f"(min {refresh['min_s']:.2f} s, runs {refresh['runs']}), {refresh['queries']} queries, "
        f"{refresh['refreshed_rows']} council rows; target < {refresh['target_s']:.0f} s: "
        + ("met" if refresh["meets_target"] else "NOT MET"),
        "  aggregate rows: " + ", ".join(f"{k} {v:,}" for k, v in refresh["rows"].items()),
        f"Sector dashboard (all councils): first view after a refresh median "
        f"{dashboard['cold_median_s'] * 1000:.0f} ms in {dashboard['cold_queries']} queries; "
        f"later views {dashboard['warm_median_s'] * 1000:.1f} ms in "
        f"{dashboard['warm_queries']} queries (cached until the next refresh)",
        f"Nightly metrics snapshot: {snapshot['seconds']:.2f} s for {snapshot['rows']} rows",
    ]
    if digest:
        build = digest["build"]
        lines += [
            f"Digests ({digest['cadence']}): {digest['people']:,} people in {digest['chunks']} "
            f"chunks of {digest['chunk_size']} (due: {digest['people_due']:,}); planning "
            f"{digest['plan_s']:.2f} s in {digest['plan_queries']} query",
            f"  build: {build['seconds']:.2f} s for {build['digests']:,} digests; queries per "
            f"chunk {build['queries_per_chunk']} (same for every chunk: "
            f"{'yes' if build['same_queries_every_chunk'] else 'NO'}); items per chunk "
            f"{build['items_per_chunk']['min']}-{build['items_per_chunk']['max']}, per person "
            f"{build['items_per_person']['min']}-{build['items_per_person']['max']}; "
            f"target < {digest['target_s']:.0f} s: "
            + ("met" if digest["meets_target"] else "NOT MET"),
        ]
        if "send" in digest:
            send = digest["send"]
            lines.append(
                f"  build and send (as the task, e-mail in memory, rolled back): "
                f"{send['seconds']:.2f} s for {send['sent']:,} e-mails; queries per full chunk "
                f"{send['queries_per_full_chunk']}, per person beyond the build "
                f"{send['queries_per_person']}"
            )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="refresh runs (median reported)")
    parser.add_argument("--users", type=int, default=10_000, help="people to build digests for")
    parser.add_argument("--no-send", action="store_true", help="build the digests only")
    parser.add_argument("--no-digests", action="store_true", help="time the refresh only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    _setup()
    counts = table_counts()
    refresh = time_aggregate_refresh(args.runs)
    dashboard = time_dashboard(args.runs)
    snapshot = time_metrics_snapshot()
    digest = None if args.no_digests else time_digest_build(args.users, send=not args.no_send)
    if args.json:
        print(
            json.dumps(
                {
                    "counts": counts,
                    "refresh": refresh,
                    "dashboard": dashboard,
                    "snapshot": snapshot,
                    "digests": digest,
                },
                indent=2,
            )
        )
    else:
        print(report(refresh, dashboard, snapshot, digest, counts))
    ok = refresh["meets_target"] and (digest is None or digest["meets_target"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
