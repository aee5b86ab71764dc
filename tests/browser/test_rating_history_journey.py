"""A centre's staff raise a published item's evidence rating; readers keep seeing the published
rating until the lead publishes the change; then the page says so and shows the rating history,
on a desktop and on a phone. Screenshots go to SCREENSHOT_DIR when it is set."""

import os
from pathlib import Path

import pytest

from centres.models import LearningChange
from institute.models import Organisation
from tests.browser.session import sign_in, sign_out
from tests.centres.factories import CentreFactory, LearningFactory, centre_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_raised_rating_is_reviewed_then_shown_with_its_history(page, centre_staff):
    gmca = "greater-manchester-combined-authority"
    centre = CentreFactory(
        name="Greater Manchester Centre",
        slug="greater-manchester",
        host=Organisation.objects.get(slug=gmca),
        regions=["E12000002"],
    )
    lead = centre_person(gmca, "lead@gmca.example.test", centre=centre, lead=True)
    item = LearningFactory(
        centre=centre,
        created_by=centre_staff,
        evidence_strength=2,
        cost_band="low",
        title="Plain privacy notices made residents more willing to share",
        impact_summary="Willingness to share rose from 58% to 71%.",
    )
    item.councils.set([Organisation.objects.get(slug="manchester")])
    sign_in(page, centre_staff)
    page.goto(page.base_url + item.get_absolute_url())
    page.get_by_role("link", name="Edit").click()
    page.get_by_text("Changes to the evidence rating, cost band or impact need review").wait_for()
    page.get_by_label("5: Several rigorous evaluations").check()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("waits for review").first.wait_for()
    sign_out(page)
    # Readers still see the published rating.
    page.goto(page.base_url + item.get_absolute_url())
    assert page.get_by_text("Evidence rating history").count() == 0

    sign_in(page, lead)
    page.goto(page.base_url + item.get_absolute_url())
    page.get_by_role("link", name="Review the change").click()
    _shot(page, "learning-change-review-desktop")
    page.get_by_label("Publish the change").check()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text("The change is published").wait_for()
    assert LearningChange.objects.get(learning=item).status == "published"
    sign_out(page)

    for name, width in (("desktop", 1280), ("phone", 375)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page.base_url + item.get_absolute_url())
        page.get_by_text("(evidence rating 2 → 5)").wait_for()
        history = page.get_by_role("table", name="The evidence rating since publication")
        assert history.get_by_role("cell", name="Changed from 2 to 5").is_visible()
        # Nothing wider than a phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"learning-rating-history-{name}")
    assert not page.console_errors
