"""The browser fixtures of tests/browser (Debian's chromium driven by Playwright)."""

from tests.browser.conftest import browser, page  # noqa: F401
