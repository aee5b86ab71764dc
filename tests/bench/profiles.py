"""Issue #22: the council profile and the organisation page of the largest and the smallest
council, a county's page, and the public summary's first request after a refresh, as pages for
tests/bench/run.py.

    python -m tests.bench.profiles [--seconds 4] [--rounds 1]   # measure these pages alone

For run.py (after `prepare_database`, which sets Django up and refreshes the figures):

- `profile_pages(viewer_cookie=None) -> list[Page]`: the pages, in run.py's `Page` shape. The
  largest council is the one with the most adoptions, the smallest the current council with the
  fewest; the profiles are requested as a sector viewer when `viewer_cookie` is given (LGA and
  the ministry open them), as a visitor otherwise. Kinds: profiles are "read" pages (the issue
  asks 0.1 of the bare view of them, twice the read target), organisation pages "detail".
- The "first request after a refresh" row sends every request just after a refresh of the
  figures: each request's preparation (not timed) touches every council's row as a refresh
  does (a new `refreshed_at`, which every cached panel is keyed by, and the bumped versions
  of the profiles' figures and the targets), then runs what the refresh task runs after it
  (`tasks.caches_warm`). One client sends them, so no request overlaps another's refresh
  (with several, a refresh would retire the caches under a request still in flight). Its
  latency is the one to read (compare it with the warm "Sector summary (public)" row); its
  throughput counts the preparation's time too, so the "cold" target judges latency only.
"""

import argparse
import os
import sys
import threading

from tests.bench.run import (
    Page,
    Server,
    bench_environment,
    markdown_table,
    prepare_database,
    run_pages,
    verdict,
)

SUMMARY = "/dashboard/summary/"


def _councils() -> dict:
    """The current councils with the most and the fewest adoptions, and the county with the
    most districts: slugs."""
    from django.db.models import Count

    from institute.models import Organisation

    councils = Organisation.objects.current().councils().annotate(n=Count("adoptions"))
    largest = councils.order_by("-n", "pk").first()
    smallest = councils.order_by("n", "pk").first()
    county = (
        Organisation.objects.current()
        .filter(council_type="county")
        .annotate(n=Count("districts"))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "largest": (largest.slug, largest.n),
        "smallest": (smallest.slug, smallest.n),
        "county": (county.slug, county.n),
    }


class AfterRefresh:
    """Each request follows a refresh, one at a time (see the module's docstring)."""

    def __init__(self, path: str, headers: dict | None = None):
        self.request = ("GET", path, headers or {}, None)
        self.lock = threading.Lock()

    @staticmethod
    def refresh_touch() -> None:
        from django.db import transaction
        from django.utils import timezone

        from institute import fragments
        from institute.sector import targets, tasks
        from institute.sector.figures import FIGURES_VERSION
        from institute.sector.models import CouncilStats

        with transaction.atomic():
            CouncilStats.objects.update(refreshed_at=timezone.now())
            fragments.bump(FIGURES_VERSION, targets.VERSION)
        tasks.caches_warm()

    def requests(self, thread: int):
        def next_request():
            with self.lock:
                self.refresh_touch()
                return self.request

        return next_request


def pages(chosen: dict) -> list[Page]:
    """run.py's hook (`other_pages`)."""
    return profile_pages(chosen["viewer_cookie"])


def profile_pages(viewer_cookie: str | None = None) -> list[Page]:
    chosen = _councils()
    viewer = {"Cookie": viewer_cookie} if viewer_cookie else {}
    who = "as a sector viewer" if viewer else "as a visitor"
    pages = []
    for size in ("largest", "smallest"):
        slug, adoptions = chosen[size]
        pages += [
            Page(
                f"Council profile ({size}: {adoptions:,} adoptions)",
                "read",
                f"/dashboard/councils/{slug}/",
                viewer,
                note=f"{who}; the issue asks ≥ 0.1 of the bare view",
            ),
            Page(
                f"Organisation page ({size}: {adoptions:,} adoptions)",
                "detail",
                f"/organisations/{slug}/",
            ),
        ]
    slug, districts = chosen["county"]
    pages.append(Page(f"Organisation page (county, {districts} districts)", "detail",
                      f"/organisations/{slug}/"))  # fmt: skip
    cold = AfterRefresh(SUMMARY)
    pages.append(
        Page(
            "Sector summary, first request after a refresh",
            "cold",
            SUMMARY,
            note="one client; each request just after a refresh and its cache warming (not "
            "timed): judged by its latency",
            requests=cold.requests,
            threads=1,
        )
    )
    return pages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--bare-seconds", type=float, default=2.0)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    env = bench_environment()
    os.environ.update(env)
    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    chosen = prepare_database(args.threads)
    if chosen["votes"]:
        chosen["votes"].undo()  # no votes are sent here
    pages = [Page("Bare Django view", "baseline", "/bench/bare")]
    pages += [Page("Sector summary (public)", "read", SUMMARY)]
    pages += profile_pages(chosen["viewer_cookie"])
    with Server(args.port, args.workers, args.threads, env):
        results = run_pages(pages, args.port, args)
    print()
    print(f"Load average before the run: {load_average}")
    print("\n".join(markdown_table(results)))
    failed = [row["name"] for row in results if verdict(row)[3] is False]
    if failed:
        print("Below target: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
