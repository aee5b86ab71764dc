"""An officer corrects the problem they raised, staff retitle it at triage with a reason, and
everyone reads both edits under "Changes" on the problem page, on a desktop and on a phone."""

import os
from pathlib import Path

import pytest

from backlog import services
from backlog.models import ProblemRevision
from institute.models import ServiceArea
from tests.browser.session import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _screenshot(page, name):
    """Kept only when SCREENSHOT_DIR is set (to look at the pages after a change)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_submitter_and_staff_edits_are_listed_as_changes(page, officer, institute_staff):
    problem = services.problem_submit(
        actor=officer,
        title="Parking permit renewals need a paper form",
        summary="Residents print, sign and post a form every year.",
        description="We re-key every form. Most renewals change nothing.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )
    sign_in(page, officer)
    page.goto(page.base_url + problem.get_absolute_url())
    page.get_by_role("link", name="Edit this problem").click()
    page.get_by_label("Description").fill(
        "We re-key every form by hand. Most renewals change nothing at all."
    )
    page.get_by_label("Customer services").check()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Your changes are saved").wait_for()

    sign_in(page, institute_staff)
    page.goto(page.base_url + problem.get_absolute_url())
    page.get_by_role("link", name="Edit this problem").click()
    page.get_by_label("Title", exact=True).fill("Parking permits are renewed on paper")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Say why you are changing this problem").first.wait_for()
    assert page.title().startswith("Error: ")
    page.get_by_label("Why are you changing this problem?").fill("A shorter title for the list")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Your changes are saved").wait_for()

    sign_in(page, None)
    page.goto(page.base_url + problem.get_absolute_url())
    changes = page.locator("#changes + ol")
    assert changes.locator("li").count() == 2
    newest = changes.locator("li").first
    assert "A shorter title for the list" in newest.inner_text()
    assert "Parking permit renewals need a paper form" in newest.inner_text()
    assert "by hand" in changes.locator("li").nth(1).inner_text()
    assert ProblemRevision.objects.filter(problem=problem).count() == 2
    assert page.console_errors == []
    page.locator("#changes").scroll_into_view_if_needed()
    page.set_viewport_size({"width": 1280, "height": 900})
    _screenshot(page, "problem-changes-desktop")
    page.set_viewport_size({"width": 375, "height": 800})
    _screenshot(page, "problem-changes-phone")
