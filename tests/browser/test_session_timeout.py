"""Nobody is signed out without warning, and nothing typed is lost when they are (WCAG 2.2.1):
a GOV.UK timeout warning two minutes before the session ends, "Stay signed in" that really
extends it, and a long form's text shown again after signing back in.

The page's clock is Playwright's (no waiting); the server's idle limit is changed through
settings, which the live server in this process reads on each request."""

import pytest

from backlog.models import Problem
from tests.browser.session import sign_in
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WARNING = "You’re about to be signed out"


def _sign_in_here(page, user, settings):
    """Sign in on the sign-in page the service sent us to (it leads back), with the server's
    idle limit back to normal."""
    page.wait_for_url("**/account/login/**")
    settings.SESSION_IDLE_SECONDS = 30 * 60
    assert "signed out to keep your account safe" in page.content()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_warning_two_minutes_before_the_end_and_stay_signed_in_extends_it(page, officer):
    sign_in(page, officer)
    page.clock.install()
    page.goto(page.base_url + "/problems/new/")
    dialog = page.get_by_role("dialog", name=WARNING)
    assert not dialog.is_visible()
    page.clock.run_for("27:00")  # 30 minutes idle, less 2 minutes and a bit
    assert not dialog.is_visible()
    page.clock.run_for("01:05")
    dialog.wait_for()
    assert "2 minutes" in dialog.inner_text()
    with page.expect_response("**/account/session/") as answer:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200 and answer.value.json()["seconds_left"] > 1700
    dialog.wait_for(state="hidden")
    # Still signed in, and still on the page.
    page.clock.run_for("10:00")
    assert page.url.endswith("/problems/new/") and not dialog.is_visible()
    assert page.console_errors == []


def test_text_typed_when_time_runs_out_comes_back_after_signing_in(page, officer, settings):
    sign_in(page, officer)
    page.clock.install()
    page.goto(page.base_url + "/problems/new/")
    page.get_by_label("Title").fill("Residents cannot see when their bin is due")
    page.get_by_label("Description").fill("A long description that took a while to write.")
    settings.SESSION_IDLE_SECONDS = -1  # the server now finds the session idle too long
    page.clock.run_for("31:00")
    _sign_in_here(page, officer, settings)
    page.wait_for_url("**/problems/new/")
    assert page.get_by_label("Title").input_value() == "Residents cannot see when their bin is due"
    assert "took a while" in page.get_by_label("Description").input_value()
    assert "What you typed is shown again below" in page.locator("main").inner_text()
    assert not Problem.objects.exists()


def test_a_form_sent_after_the_session_ended_is_shown_again_after_signing_in(
    page, officer, settings
):
    sign_in(page, officer)
    page.goto(page.base_url + "/problems/new/")
    page.get_by_label("Title").fill("Council tax rebates are claimed on paper")
    page.get_by_label("Summary").fill("Every claim is typed in again by hand.")
    settings.SESSION_IDLE_SECONDS = -1
    page.get_by_role("button", name="Continue").click()
    _sign_in_here(page, officer, settings)
    page.wait_for_url("**/problems/new/")
    assert page.get_by_label("Title").input_value() == "Council tax rebates are claimed on paper"
    assert page.get_by_label("Summary").input_value() == "Every claim is typed in again by hand."
    assert not Problem.objects.exists()
