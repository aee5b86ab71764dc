"""An officer finds a component, records their council's adoption, and sees it on the council's
organisation page."""

import pytest

from components.models import Adoption
from tests.browser.dates import fill_date
from tests.browser.session import sign_in
from tests.components.factories import ComponentFactory
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_officer_finds_a_component_adopts_it_and_sees_it_on_their_council_page(page, officer):
    author = UserFactory(email="maintainer@example.test")
    ComponentFactory(name="Accessible form builder", kind="open_source", submitted_by=author)
    ComponentFactory(name="Bin collection day API", kind="api", submitted_by=author)
    sign_in(page, officer)

    page.goto(page.base_url + "/components/")
    page.get_by_label("Kind").select_option(label="API or shared service")
    page.wait_for_url("**kind=api**")
    page.locator("main").get_by_text("1 component matches your filters").wait_for()
    assert page.get_by_role("link", name="Accessible form builder").count() == 0
    page.get_by_role("link", name="Bin collection day API").click()

    page.get_by_role("heading", name="Bin collection day API").wait_for()
    page.get_by_role("link", name="Record your council's adoption").click()
    page.get_by_label("In use").check()
    fill_date(page, "Since when?", 3, 2, 2025)
    page.get_by_label("Evidence note").fill("Our website and chatbot use it for bin days.")
    page.get_by_label("Show me as a contact for other council officers").check()
    page.get_by_role("button", name="Save adoption").click()

    page.get_by_text("Recorded: Leeds and Bin collection day API.").wait_for()
    adoption = Adoption.objects.get()
    assert adoption.organisation.slug == "leeds" and adoption.stage == "in_use"
    assert page.get_by_role("button", name="Confirm this is still right").is_visible()

    page.goto(page.base_url + "/organisations/leeds/")
    section = page.locator("#components")
    section.wait_for()
    row = page.get_by_role("row", name="Bin collection day API")
    assert row.get_by_text("In use").is_visible()
    assert page.console_errors == []
