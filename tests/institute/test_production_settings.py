"""Production mode passes Django's deployment checks (the compose stack is checked in
tests/production/test_compose.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_passes_with_zero_warnings_in_production_mode():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k3y-" + "x7Qp!z9Lw#4Rt8Vb2Nm$6Hj1Kd5Fg0Sa" * 2,
        "ALLOWED_HOSTS": "platform.example.gov.uk",
        "SITE_URL": "https://platform.example.gov.uk",
        "STATIC_MANIFEST": "1",
    }
    for name in ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_dockerfile_builds_the_app_with_pinned_dependencies_and_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# syntax=docker/dockerfile") or "FROM python:3." in dockerfile
    assert "npm ci" in dockerfile
    assert "pip install" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER " in dockerfile  # does not run as root
    assert (ROOT / "package-lock.json").exists()
