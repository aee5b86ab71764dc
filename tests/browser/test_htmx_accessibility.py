"""What htmx changes on a page reaches screen reader and keyboard users: result counts are
read out from a live region that stays on the page, errors in swapped fragments are shown,
and a swap that replaces the focused control keeps focus where the person was."""

import pytest

from backlog.models import Vote
from institute.models import Organisation
from tests.browser.keyboard import focused, tab_to
from tests.browser.session import sign_in
from tests.factories import ProblemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ANNOUNCER = "#app-announcer"


def _announced(page, text: str):
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).textContent.includes(text)",
        arg=[ANNOUNCER, text],
    )


def test_filtering_a_list_announces_the_new_count_once(page):
    ProblemFactory(title="A data problem", theme="data")
    ProblemFactory(title="A skills problem", theme="skills")
    page.goto(page.base_url + "/problems/")
    assert page.locator(ANNOUNCER).get_attribute("role") == "status"

    page.get_by_label("Theme").select_option(label="Capacity, capability and skills")
    _announced(page, "1 problem matches your filters")
    # The count that came with the new markup is no longer a live region of its own, so a
    # screen reader reads it once, from the announcer.
    assert page.locator("#results [role=status], #results[aria-live]").count() == 0
    assert page.console_errors == []


def test_typing_a_title_announces_how_many_similar_problems_there_are(page, officer):
    ProblemFactory(title="Missed bin collections are reported by phone")
    sign_in(page, officer)
    page.goto(page.base_url + "/problems/new/")
    page.get_by_label("Title").press_sequentially("missed bin collections", delay=20)
    _announced(page, "1 similar problem found")
    page.get_by_label("Title").press("Control+a")
    page.keyboard.type("Zzqx ywvu kkjh")
    _announced(page, "No similar problems found yet.")
    assert page.console_errors == []


def test_a_vote_by_keyboard_keeps_focus_on_the_vote_control(page, officer, other_officer):
    problem = ProblemFactory(
        submitted_by=other_officer,
        submitted_for=Organisation.objects.get(slug="bristol-city-of"),
    )
    sign_in(page, officer)
    page.goto(page.base_url + problem.get_absolute_url())
    tab_to(page, "My council has this problem too", tag="button")
    page.keyboard.press("Enter")
    page.locator(f"#vote-{problem.pk}").get_by_text("Your council has this problem").wait_for()
    page.wait_for_function("() => document.activeElement !== document.body")
    assert focused(page)["name"].startswith("Withdraw your vote")
    assert Vote.objects.filter(user=officer, problem=problem).exists()
    assert page.console_errors == []


def test_an_empty_inline_comment_shows_the_error_and_focuses_it(page, officer):
    problem = ProblemFactory()
    sign_in(page, officer)
    page.goto(page.base_url + problem.get_absolute_url())
    page.get_by_role("button", name="Post comment").click()
    summary = page.locator("#discussion .govuk-error-summary")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert "There is a problem" in summary.inner_text()
    assert problem.comments.count() == 0
    # The 400 answer is expected and shown, not reported as a failed request by htmx.
    assert [e for e in page.console_errors if "htmx" in e or "Response Status" in e] == []


def test_a_vote_through_htmx_announces_the_new_count(page, officer, other_officer):
    problem = ProblemFactory(
        submitted_by=other_officer,
        submitted_for=Organisation.objects.get(slug="bristol-city-of"),
    )
    sign_in(page, officer)
    page.goto(page.base_url + problem.get_absolute_url())
    page.get_by_role("button", name="My council has this problem too").click()
    page.locator(f"#vote-{problem.pk}").get_by_text("Your council has this problem").wait_for()
    shown = page.locator(f"[data-demand='{problem.pk}']").first.inner_text().strip()
    assert "affected" in shown
    _announced(page, shown)
    assert page.console_errors == []
