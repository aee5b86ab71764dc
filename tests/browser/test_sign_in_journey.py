"""A council officer signs in, reaches their organisation's page and signs out, in Chromium."""

import pytest

from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_officer_signs_in_reaches_their_organisation_and_signs_out(page, officer):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/account/")
    assert page.get_by_role("heading", name="Your account").is_visible()
    page.get_by_role("link", name="Leeds", exact=True).click()

    page.wait_for_url("**/organisations/leeds/")
    assert page.get_by_role("heading", level=1).inner_text() == "Leeds"
    assert page.get_by_text("E08000035").is_visible()

    page.get_by_role("button", name="Sign out").click()
    # allauth asks for confirmation on GET, but our header posts straight to it.
    page.wait_for_url(lambda url: "/account/" not in url or "/login/" in url)
    assert page.get_by_role("link", name="Sign in").first.is_visible()
    assert page.console_errors == []


def test_wrong_password_shows_the_error_summary_and_focuses_it(page, officer):
    page.goto(page.base_url + "/account/login/")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    # GOV.UK Frontend moves focus to the summary so screen reader users hear it.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.console_errors == []


def test_directory_filters_update_the_list_and_the_url_with_javascript(page):
    page.goto(page.base_url + "/organisations/")
    page.get_by_label("Region").select_option(label="London")
    page.wait_for_url("**region=E12000007**")
    # 33 London councils and the Greater London Authority.
    page.locator("main").get_by_text("34 organisations match your filters").wait_for()
    assert page.get_by_role("link", name="Camden").is_visible()
    assert page.console_errors == []
