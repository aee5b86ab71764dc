"""Synthetic sector-scale data for the benchmark (`make bench`, docs/performance.md), written
behind the ORM into a benchmark database, never a shared one:

    python -m tests.bench.load problems [--problems 100000] [--votes 1000000] [--officers 3000]
                                        [--seed 2026] [--reset | --skip-if-loaded] [--no-vacuum]
    python -m tests.bench.load components [--components 5000] [--adoptions 300000]
                                          [--skip-if-loaded]
    python -m tests.bench.load standards [--users 10000] [--history 3] [--seed 2027]
                                         [--reset | --skip-if-loaded] [--no-analyze]

Each loader is a Django command class run without manage.py (`--help` lists its options), so
that no runtime package carries benchmark code; tests run one with call_command(Command(), ...).
DJANGO_SETTINGS_MODULE is institute.settings unless set.
"""

import os
import sys
from importlib import import_module

LOADERS = ["problems", "components", "standards"]
PROG = "python -m tests.bench.load"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in LOADERS:
        print(f"usage: {PROG} {{{','.join(LOADERS)}}} [--help | options]")
        raise SystemExit(0 if argv and argv[0] in ("-h", "--help") else 2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "institute.settings")
    import django

    django.setup()
    # run_from_argv parses the options and reports a CommandError as manage.py would.
    import_module(f"tests.bench.load.{argv[0]}").Command().run_from_argv([PROG, *argv])
