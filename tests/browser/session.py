"""Signing in and out in a Playwright page, through the real sign-in form, as a person would."""

from tests.factories import PASSWORD, has_authenticator_app, totp_code


def sign_in(page, user):
    """Start a fresh session as `user`, or as an anonymous visitor when `user` is None.

    Any earlier session's cookies are cleared first, so the page is signed in as `user` alone.
    Works with JavaScript on or off: the form is a plain POST that redirects to /account/.
    """
    page.context.clear_cookies()
    if user is None:
        return
    page.goto(page.base_url + "/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if has_authenticator_app(user):
        # Institute staff have an authenticator app (tests/conftest.py): type its code. A code
        # works once; a second sign-in within the same 30 seconds types the next period's.
        page.wait_for_url("**/2fa/authenticate/")
        for step in (0, 1):
            page.get_by_label("Code from your authenticator app").fill(totp_code(step=step))
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()
            if "/2fa/authenticate/" not in page.url:
                break
    page.wait_for_url("**/account/")


def sign_out(page):
    """Press the header's Sign out button and wait for the page it leads to."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
