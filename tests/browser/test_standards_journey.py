"""An officer completes a self-assessment from the task list and submits it."""

import pytest

from standards.models import Assessment
from tests.browser.dates import fill_date
from tests.browser.session import sign_in
from tests.standards.factories import published_standard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_officer_completes_and_submits_an_assessment(page, officer, institute_staff):
    standard = published_standard(institute_staff)
    sign_in(page, officer)
    page.goto(page.base_url + "/standards/")
    page.get_by_role("link", name=standard.title).click()
    page.get_by_role("button", name="Start a self-assessment").click()
    page.get_by_role("heading", name=f"{standard.title}: self-assessment").wait_for()
    assert page.locator(".govuk-task-list__item").count() == 3

    # First criterion: saved for later, so it shows as in progress.
    page.get_by_role("link", name="F1: Criterion F1").click()
    page.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save and come back later").click()
    page.locator("#task-list").get_by_text("In progress").wait_for()

    # Then every criterion in turn; a missing reason is reported, then fixed.
    page.get_by_role("link", name="F1: Criterion F1").click()
    page.get_by_label("Evidence", exact=True).fill("Accessibility audit, March")
    fill_date(page, "Date of the evidence", 1, 3, 2026)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="F2: Criterion F2").wait_for()
    page.get_by_label("Partly met").check()
    page.get_by_label("Link to evidence").fill("https://leeds.example/forms-report")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="F3: Criterion F3").wait_for()
    page.get_by_label("Not applicable").check()
    page.get_by_role("button", name="Save and continue").click()
    page.locator(".govuk-error-summary").get_by_text(
        "Say why this criterion does not apply to your council"
    ).wait_for()
    page.get_by_label("If it does not apply, why not?").fill("We have no forms of this kind.")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    page.get_by_role("button", name="Submit assessment").click()
    page.get_by_role("heading", name="Assessment submitted").wait_for()
    assert "Amber" in page.locator(".govuk-panel").inner_text()
    assessment = Assessment.objects.get()
    assert assessment.status == "submitted" and assessment.result == "amber"
    assert page.console_errors == []
