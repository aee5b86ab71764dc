"""`manage.py backup` then `manage.py restore` into an empty database gives back every table of a
demo-sized platform row for row, and the sequences, so new rows after a restore do not collide."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backlog.models import Vote
from centres import demo as centres_demo
from components.models import Adoption
from institute import demo as institute_demo
from institute.models import Membership, Notification, Organisation, Role, User
from tests.components.factories import ComponentFactory
from tests.conftest import _database_url
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parent.parent.parent

TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""
# The number of rows and a digest of their whole content, in an order that does not depend on
# how the restore laid them out.
ROWS = """
    SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))
    FROM "{table}" t
"""


def _manage(*args, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _snapshot(url: str) -> dict:
    """{table: (rows, md5 of every row)} for every table, and {sequence: last value}."""
    with psycopg.connect(url) as conn:
        tables = [name for (name,) in conn.execute(TABLES)]
        snapshot = {}
        for name in tables:
            snapshot[name] = conn.execute(ROWS.format(table=name)).fetchone()
        sequences = dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )
    return {"tables": snapshot, "sequences": sequences}


def _demo_sized_platform():
    """About as many rows as `seed_demo` writes (25,000 in 79 tables), in seconds rather than
    the minutes seed_demo takes: the demo people and centres, the reference data from the
    migrations, and problems, votes, components, adoptions and notifications in bulk."""
    institute_demo.seed()
    centres_demo.seed()
    councils = list(Organisation.objects.current().councils().order_by("slug"))
    people = User.objects.bulk_create(
        User(email=f"officer{n}@{c.slug}.example.test", full_name=f"Officer {n}", password="!")
        for n, c in enumerate(councils)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=c, role=Role.OFFICER)
        for u, c in zip(people, councils, strict=True)
    )
    officers = [(u.pk, c.pk) for u, c in zip(people, councils, strict=True)]
    problems = [ProblemFactory() for _ in range(60)]
    Vote.objects.bulk_create(
        Vote(problem=p, cast_on=p, user_id=user, organisation_id=org)
        for p in problems
        for user, org in officers[:120]
    )
    components = [ComponentFactory() for _ in range(20)]
    Adoption.objects.bulk_create(
        Adoption(
            component=c,
            organisation=o,
            stage="in_use",
            since=date(2025, 1, 1),
            evidence_note="In use by our contact centre.",
        )
        for c in components
        for o in councils[:30]
    )
    Notification.objects.bulk_create(
        Notification(recipient_id=user, kind="problem_status", key=f"n{n}", title=f"Update {n}")
        for user, _ in officers
        for n in range(20)
    )


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database, dropped afterwards."""
    source = _database_url(connection.settings_dict)
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = urlsplit(source)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(source)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_an_empty_database_gives_back_every_row(
    tmp_path, empty_database, settings
):
    settings.DASHBOARD_REFRESH_ON_WRITE = False
    _demo_sized_platform()
    source = _database_url(connection.settings_dict)
    connection.close()
    before = _snapshot(source)
    assert before["tables"]["backlog_problem"][0] > 0 and before["tables"]["backlog_vote"][0] > 0

    started = time.monotonic()
    backup = _manage("backup", "--output-dir", str(tmp_path), database_url=source)
    backed_up = time.monotonic() - started
    assert backup.returncode == 0, backup.stderr
    [dump] = list(tmp_path.glob("*.dump"))
    assert dump.name in backup.stdout

    started = time.monotonic()
    restore = _manage("restore", str(dump), "--no-input", database_url=empty_database)
    restored = time.monotonic() - started
    assert restore.returncode == 0, restore.stderr
    print(
        f"\ndemo-sized data: {sum(rows for rows, _ in before['tables'].values())} rows in "
        f"{len(before['tables'])} tables, backup {dump.stat().st_size / 1e6:.1f} MB; "
        f"backup {backed_up:.1f} s, restore {restored:.1f} s"
    )

    after = _snapshot(empty_database)
    assert after["tables"].keys() == before["tables"].keys()
    for table, (rows, digest) in before["tables"].items():
        assert after["tables"][table] == (rows, digest), table
    assert after["sequences"] == before["sequences"]

    # Restoring the same backup again over the restored data leaves it the same.
    again = _manage("restore", str(dump), "--no-input", database_url=empty_database)
    assert again.returncode == 0, again.stderr
    assert _snapshot(empty_database) == before


def test_restore_without_a_backup_file_refuses_and_changes_nothing(tmp_path):
    with pytest.raises(CommandError, match="There is no backup file at"):
        call_command("restore", str(tmp_path / "missing.dump"), interactive=False)


def test_restore_of_a_file_that_is_not_a_backup_refuses_and_changes_nothing(tmp_path):
    bogus = tmp_path / "notes.dump"
    bogus.write_text("not a backup")
    councils = Organisation.objects.count()
    with pytest.raises(CommandError, match="not a pg_dump archive"):
        call_command("restore", str(bogus), interactive=False)
    assert Organisation.objects.count() == councils > 300
