"""Signing in and out in a Playwright page, through the real sign-in form, as a person would."""

from tests.factories import PASSWORD


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
    page.wait_for_url("**/account/")


def sign_out(page):
    """Press the header's Sign out button and wait for the page it leads to."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
