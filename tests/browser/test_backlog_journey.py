"""An officer finds their problem already raised, votes for it, then raises a new one."""

import pytest

from backlog.models import Problem, Vote
from tests.browser.session import sign_in
from tests.factories import ProblemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_officer_votes_from_live_suggestions_then_submits_a_new_problem(page, other_officer):
    existing = ProblemFactory(title="Missed bin collections are reported by phone")
    sign_in(page, other_officer)

    page.goto(page.base_url + "/problems/new/")
    page.get_by_label("Title").press_sequentially("missed bin collections", delay=20)
    suggestion = page.locator("#similar-suggestions").get_by_role("link", name=existing.title)
    suggestion.wait_for()
    page.locator("#similar-suggestions").get_by_role(
        "button", name="My council has this problem too"
    ).click()
    page.locator("#similar-suggestions").get_by_text("Your council has this problem").wait_for()
    assert Vote.objects.filter(user=other_officer, problem=existing).exists()

    page.get_by_label("Title").fill("Blue badge renewals need a paper form")
    page.get_by_label("Summary").fill("Residents print, sign and post a form to renew a badge.")
    page.get_by_label("Description").fill("We scan every form by hand.")
    page.get_by_label("Capacity, capability and skills").check()
    page.get_by_label("Customer services").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Problem submitted").wait_for()
    created = Problem.objects.get(title="Blue badge renewals need a paper form")
    assert created.council_count == 1  # Bristol, the submitter's council
    assert page.console_errors == []


def test_backlog_filters_update_the_list_and_the_address(page):
    ProblemFactory(title="A data problem", theme="data")
    ProblemFactory(title="A skills problem", theme="skills")
    page.goto(page.base_url + "/problems/")
    page.get_by_label("Theme").select_option(label="Capacity, capability and skills")
    page.wait_for_url("**theme=skills**")
    page.locator("main").get_by_text("1 problem matches your filters").wait_for()
    assert page.get_by_role("link", name="A skills problem").is_visible()
    assert page.get_by_role("link", name="A data problem").count() == 0
    # The address is shareable: loading it without JavaScript state gives the same list.
    page.reload()
    assert page.get_by_role("link", name="A skills problem").is_visible()
    assert page.console_errors == []
