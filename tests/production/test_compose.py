"""docker-compose.yml and the Dockerfile, checked without Docker.

The docker CLI here has no compose plugin and no engine (`docker compose config` answers
"unknown command"), so the file is checked another way: against the Compose Specification's own
JSON schema (tests/production/fixtures/compose-spec.json, from compose-spec/compose-spec), for
references between its parts, and by loading the project's settings with the environment the
stack gives the app, as `docker compose config` would interpolate it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "compose-spec.json").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
APP = ("web", "worker", "beat")
# Debian release of the image -> the major version of its postgresql-client.
DEBIAN_POSTGRESQL_CLIENT = {"bookworm": 15, "trixie": 17}
_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def _interpolate(value, given: dict):
    """What compose makes of ${VAR:-default} and ${VAR:?message} with `given` as the shell."""
    if isinstance(value, dict):
        return {k: _interpolate(v, given) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, given) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        name, kind, rest = match.groups()
        if given.get(name):
            return given[name]
        if kind == ":?":
            raise KeyError(f"{name}: {rest}")
        return rest or ""

    return _VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def test_the_file_follows_the_compose_specification():
    jsonschema.Draft7Validator(SCHEMA).validate(COMPOSE)


def test_the_stack_has_its_services_each_with_a_health_check():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "mailpit", "clamav", "web", "worker", "beat"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert services["beat"]["deploy"]["replicas"] == 1  # beat: exactly one
    # Uploaded evidence is scanned by the stack's own clamd, which web and worker both reach.
    assert all(services[name]["environment"]["CLAMD_ADDRESS"] for name in APP)


def test_every_reference_names_something_the_file_defines():
    services, volumes = COMPOSE["services"], set(COMPOSE["volumes"])
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services) - {name}, name
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            assert source.startswith(("/", ".")) or source in volumes, (name, mount)
    used = {m.split(":", 1)[0] for s in services.values() for m in s.get("volumes", [])}
    assert volumes <= used  # no volume declared for nothing


def test_only_the_secret_key_must_be_given_and_the_app_starts_on_http_localhost():
    with pytest.raises(KeyError, match="SECRET_KEY"):
        _interpolate(COMPOSE, {})
    stack = _interpolate(COMPOSE, {"SECRET_KEY": "x" * 50})
    environments = [stack["services"][name]["environment"] for name in APP]
    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["SITE_URL"] == "http://localhost:8000"
    assert not {"SECURE_SSL_REDIRECT", "BEHIND_TLS_PROXY", "SECURE_HSTS_SECONDS"} & set(env)
    assert env["EMAIL_HOST"] == "mailpit" and "8025:8025" in stack["services"]["mailpit"]["ports"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    for name in APP:  # the worker writes generated files where web reads them
        assert f"generated:{env['GENERATED_FILES_DIR']}" in stack["services"][name]["volumes"]
    web = stack["services"]["web"]["command"][-1]
    assert "migrate --no-input" in web and "--workers 3" in web


def test_the_apps_settings_accept_the_stacks_environment():
    """The settings module loaded with web's environment (hosts resolve only inside compose,
    so nothing connects): plain http on localhost:8000, no TLS redirect or secure cookies,
    Mailpit for mail, generated files on the shared volume."""
    stack = _interpolate(COMPOSE, {"SECRET_KEY": "k3y-" + "x7Qp!z9Lw#4Rt8Vb2Nm$6Hj1Kd5Fg0Sa" * 2})
    env = {**{k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}}
    env.update({k: str(v) for k, v in stack["services"]["web"]["environment"].items()})
    env["STATIC_MANIFEST"] = "0"  # the image has collected static files; this checkout has not
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import storages; print(json.dumps(["
        "s.DEBUG, s.SITE_URL, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.EMAIL_HOST, s.EMAIL_PORT, str(storages['generated'].location)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "institute.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [
        False,
        "http://localhost:8000",
        False,
        False,
        0,
        "mailpit",
        1025,
        "/app/var/generated",
    ]


def test_the_image_has_pg_dump_for_the_stacks_postgresql():
    release = re.search(r"^FROM python:3\.\d+-slim-(\w+)$", DOCKERFILE, re.M).group(1)
    assert "postgresql-client" in DOCKERFILE
    server = int(COMPOSE["services"]["postgres"]["image"].split(":")[1])
    assert DEBIAN_POSTGRESQL_CLIENT[release] >= server  # pg_dump refuses a newer server
    assert (
        "chown -R app:app /app/var" in DOCKERFILE and "GENERATED_FILES_DIR=/app/var" in DOCKERFILE
    )
