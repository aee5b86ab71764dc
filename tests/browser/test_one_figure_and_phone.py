"""In a real browser: a vote updates every demand figure on the problem page at once; on a
phone, similar problems appear right under the title and list filters wait behind a button
(a link to them, after the results, without JavaScript)."""

import re

import pytest

from backlog import services
from institute.models import ServiceArea
from tests.browser.conftest import launch_context
from tests.browser.session import sign_in
from tests.factories import ProblemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}
DEMAND = re.compile(r"\d+ councils? affected \(\d+ officers?\)")


def test_a_vote_updates_every_demand_figure_on_the_problem_page(page, officer, other_officer):
    problem = services.problem_submit(
        actor=officer,
        title="Housing repairs reports go missing between systems",
        summary="Tenants report a repair twice.",
        description="Two systems, no link.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )
    sign_in(page, other_officer)
    page.goto(page.base_url + problem.get_absolute_url())
    main = page.locator("main")
    assert set(DEMAND.findall(main.inner_text())) == {"1 council affected (1 officer)"}
    page.get_by_role("button", name="My council has this problem too").click()
    page.get_by_role("button", name="Withdraw your vote").wait_for()
    page.wait_for_function(
        "() => !document.querySelector('main').innerText.includes('1 council affected')"
    )
    # Every figure on the page (the top box, "Councils affected") says the same, and the
    # councils by region list Bristol, all without a reload.
    assert set(DEMAND.findall(main.inner_text())) == {"2 councils affected (2 officers)"}
    assert page.locator("#councils-breakdown").get_by_text("Bristol", exact=False).count()
    assert page.console_errors == []


def test_on_a_phone_similar_problems_appear_right_under_the_title(page, other_officer):
    existing = ProblemFactory(title="Missed bin collections are reported by phone")
    page.set_viewport_size(PHONE)
    sign_in(page, other_officer)
    page.goto(page.base_url + "/problems/new/")
    title = page.get_by_label("Title")
    title.press_sequentially("missed bin collections", delay=20)
    suggestion = page.locator("#similar-suggestions").get_by_role("link", name=existing.title)
    suggestion.wait_for()
    title_box, suggestion_box = title.bounding_box(), suggestion.bounding_box()
    assert 0 < suggestion_box["y"] - title_box["y"] < 400  # on the same screen, not 2,400 px on
    # Voting from there is its own form, not a submit of the problem form.
    page.locator("#similar-suggestions").get_by_role(
        "button", name="My council has this problem too"
    ).click()
    page.locator("#similar-suggestions").get_by_text("Your council has this problem").wait_for()
    assert page.get_by_role("heading", name="Submit a problem").is_visible()
    assert page.console_errors == []


@pytest.mark.parametrize("path", ["/problems/", "/components/", "/centres/learning/"])
def test_on_a_phone_list_filters_wait_behind_a_show_filters_button(page, path):
    ProblemFactory(title="A data problem", theme="data")
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + path)
    filters = page.locator("#filters")
    button = page.get_by_role("button", name="Show filters")
    assert button.is_visible() and not filters.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert filters.is_visible()
    assert page.get_by_role("button", name="Hide filters").get_attribute("aria-expanded") == "true"
    # Wide screens keep the filters in the sidebar, with no button.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    assert filters.is_visible() and page.get_by_role("button", name="Show filters").count() == 0
    assert page.console_errors == []


def test_without_javascript_a_phone_gets_the_results_first_and_a_link_to_the_filters(
    live_server, monkeypatch
):
    ProblemFactory(title="A data problem", theme="data")
    with launch_context(live_server, monkeypatch, java_script_enabled=False) as context:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + "/problems/")
        link = page.get_by_role("link", name="Show filters")
        assert link.get_attribute("href") == "#filters"
        result = page.get_by_role("link", name="A data problem").bounding_box()
        filters = page.locator("#filters").bounding_box()
        assert link.bounding_box()["y"] < result["y"] < filters["y"]
