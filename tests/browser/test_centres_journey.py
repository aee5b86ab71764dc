"""Centre staff draft learning and send it for review; the centre's lead publishes it; anyone
then finds it in the public library with its filters."""

import pytest

from centres.models import Learning, LearningStatus
from institute.models import Organisation
from tests.browser.session import sign_in, sign_out
from tests.centres.factories import CentreFactory, centre_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_draft_lead_publishes_and_it_appears_in_the_library(page, centre_staff):
    gmca = "greater-manchester-combined-authority"
    gm_centre = CentreFactory(
        name="Greater Manchester Centre",
        slug="greater-manchester",
        host=Organisation.objects.get(slug=gmca),
        regions=["E12000002"],
    )
    centre_lead = centre_person(gmca, "lead@gmca.example.test", centre=gm_centre, lead=True)
    sign_in(page, centre_staff)
    page.goto(page.base_url + gm_centre.get_absolute_url())
    page.get_by_role("link", name="Add learning").click()
    page.get_by_label("Case study").check()
    page.get_by_label("Title").fill("Plain privacy notices made residents more willing to share")
    page.get_by_label("Summary").fill("We tested a plain notice against the usual one.")
    page.get_by_label("Full text").fill("## What we did\n\nWe asked 600 residents.")
    page.get_by_label("3: One robust evaluation").check()
    page.get_by_label("Very low (under £10,000)").check()
    page.get_by_label("Impact").fill("Willingness to share rose from 58% to 71%.")
    page.get_by_label("Data exchange and maturity").check()
    page.get_by_label("Manchester").check()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("This is a draft.").wait_for()
    learning = Learning.objects.get(title__startswith="Plain privacy notices")
    assert learning.status == LearningStatus.DRAFT

    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("Sent for review").first.wait_for()
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.IN_REVIEW
    # Not public yet: the library does not list it.
    page.goto(page.base_url + "/centres/learning/")
    assert page.get_by_role("link", name=learning.title).count() == 0
    sign_out(page)

    sign_in(page, centre_lead)
    page.goto(page.base_url + "/centres/review/")
    page.get_by_role("link", name=learning.title).click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("heading", name="Learning published").wait_for()
    learning.refresh_from_db()
    assert learning.status == LearningStatus.PUBLISHED
    assert learning.published_by == centre_lead
    sign_out(page)

    # A visitor finds it with the library's filters (htmx updates the list and the address).
    page.goto(page.base_url + "/centres/learning/")
    page.get_by_label("Evidence strength").select_option(label="At least 3: One robust evaluation")
    page.wait_for_url("**min_evidence=3**")
    page.locator("main").get_by_text("1 item matches your filters").wait_for()
    page.get_by_role("link", name=learning.title).click()
    page.get_by_text("Evidence 3 of 5: one robust evaluation").first.wait_for()
    assert page.console_errors == []
