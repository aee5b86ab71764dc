"""Headless Chromium (Debian's `chromium` package) driven by Playwright.

Playwright's own browser download cannot run here, so the browser is the `chromium` found on
PATH. In CI (CI=true) browser tests are mandatory; elsewhere, without a Chromium, they skip
and say why.
"""

import contextlib
import os
import shutil
import tempfile

import pytest
from django.db import connections

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def launch_context(live_server, monkeypatch, **context_options):
    """A fresh headless Chromium in a throw-away profile, yielded as its browser context.

    Outside CI, without a Chromium on PATH, the test is skipped; in CI it fails. Extra keyword
    arguments are passed to Playwright's `launch_persistent_context` (for example
    java_script_enabled=False). `live_server` is required so the server is up before Playwright
    starts.
    """
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium package on PATH for browser tests")
        pytest.skip("No chromium on PATH: install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test itself
    # makes (fixtures, assertions) are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=path, headless=True, args=CHROMIUM_ARGS, **context_options
        )
        try:
            yield context
        finally:
            context.close()
            # Close the connections the test opened inside Playwright's context.
            connections.close_all()


@pytest.fixture
def browser(live_server, monkeypatch):
    """A fresh Chromium for each test.

    Function-scoped on purpose: the database fixtures must finish before Playwright starts,
    because Django keeps a separate connection per async context and Playwright's sync API runs
    one; a session-wide browser would make the test's database set-up (serialized rollback of
    the reference data) happen on a connection that then disappears.
    """
    with launch_context(live_server, monkeypatch) as context:
        yield context


@pytest.fixture
def page(browser, live_server):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    page.base_url = live_server.url
    yield page
    page.close()
