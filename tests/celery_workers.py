"""Real Celery worker processes for tests: started on their own queue, stopped cleanly."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_worker(queue: str, env: dict, *, hostname: str | None = None, wait=True, **popen):
    """A `celery worker` (solo pool) taking only `queue`, with environment `env`. With `wait`,
    returns once it answers a ping (or raises); `popen` goes to subprocess.Popen (stdout...)."""
    from institute.celery import app

    command = [sys.executable, "-m", "celery", "-A", "institute", "worker", "--pool=solo"]
    command += ["--loglevel=WARNING", "-Q", queue, "-n", hostname or f"{queue}@%h"]
    command += ["--without-gossip", "--without-mingle"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, **popen)
    if not wait:
        return process
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("The Celery worker exited during start-up")
        replies = app.control.ping(timeout=0.5)
        if any(queue in name for reply in replies for name in reply):
            return process
    stop(process)
    raise RuntimeError("The Celery worker did not answer within 60 seconds")


def stop(process) -> None:
    """Ask a process to end; kill it if it has not within 20 seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
