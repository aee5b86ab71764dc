"""The four core journeys with JavaScript turned off: every page is a real form or link, so
submitting a problem, voting, self-assessing and publishing learning all still work, and the
database shows it."""

import pytest

from backlog.models import Problem, Vote
from centres.models import Learning, LearningStatus
from institute.models import Organisation
from standards.models import Assessment
from tests.browser.conftest import launch_context
from tests.browser.dates import fill_date
from tests.browser.session import sign_in, sign_out
from tests.centres.factories import CentreFactory, centre_person
from tests.factories import ProblemFactory
from tests.standards.factories import published_standard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(live_server, monkeypatch):
    """A page in a Chromium with JavaScript disabled (as tests/browser/conftest.py, otherwise)."""
    with launch_context(live_server, monkeypatch, java_script_enabled=False) as context:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        yield page


def test_officer_submits_a_problem_without_javascript(page, officer):
    sign_in(page, officer)
    page.goto(page.base_url + "/problems/")
    page.get_by_role("link", name="Submit a problem").click()
    page.get_by_label("Title").fill("Garden waste renewals need a phone call")
    page.get_by_label("Summary").fill("Residents cannot renew garden waste collections online.")
    page.get_by_label("Description").fill("Every renewal is a call to the contact centre.")
    page.get_by_label("Procurement, contracts and market shaping").check()
    page.get_by_label("Waste and recycling").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Problem submitted").wait_for()

    problem = Problem.objects.get(title="Garden waste renewals need a phone call")
    assert problem.theme == "procurement"
    assert problem.submitted_for.slug == "leeds"
    assert Vote.objects.filter(problem=problem, user=officer).exists()


def test_officer_votes_on_a_problem_without_javascript(page, officer, other_officer):
    problem = ProblemFactory(
        title="Missed bin collections are reported by phone",
        submitted_by=other_officer,
        submitted_for=Organisation.objects.get(slug="bristol-city-of"),
    )
    sign_in(page, officer)
    page.goto(page.base_url + problem.get_absolute_url())
    # Scripts really are off: base.html's inline script marks <body> when JavaScript runs.
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    page.get_by_role("button", name="My council has this problem too").click()
    page.get_by_text("Recorded: your council has this problem too.").wait_for()

    assert Vote.objects.filter(user=officer, problem=problem).exists()
    problem.refresh_from_db()
    assert problem.council_count == 1


def test_officer_completes_a_self_assessment_without_javascript(page, officer, institute_staff):
    standard = published_standard(institute_staff, criteria=[("F1", True), ("F2", False)])
    sign_in(page, officer)
    page.goto(page.base_url + standard.get_absolute_url())
    page.get_by_role("button", name="Start a self-assessment").click()
    page.get_by_role("link", name="F1: Criterion F1").click()
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Evidence", exact=True).fill("Accessibility audit report, March")
    fill_date(page, "Date of the evidence", 1, 3, 2026)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="F2: Criterion F2").wait_for()
    page.get_by_label("Not applicable").check()
    page.get_by_label("If it does not apply, why not?").fill("We have no forms of this kind.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit assessment").click()
    page.get_by_role("heading", name="Assessment submitted").wait_for()

    assessment = Assessment.objects.get()
    assert assessment.status == "submitted"
    assert assessment.result == "green"
    assert assessment.organisation.slug == "leeds"
    assert assessment.answers.count() == 2


def test_centre_learning_is_drafted_reviewed_and_published_without_javascript(page, centre_staff):
    gmca = Organisation.objects.get(slug="greater-manchester-combined-authority")
    centre = CentreFactory(name="Greater Manchester Centre", slug="greater-manchester", host=gmca)
    lead = centre_person(gmca.slug, "lead@gmca.example.test", centre=centre, lead=True)

    sign_in(page, centre_staff)
    page.goto(page.base_url + centre.get_absolute_url())
    page.get_by_role("link", name="Add learning").click()
    page.get_by_label("Case study").check()
    page.get_by_label("Title").fill("Plain privacy notices made residents more willing to share")
    page.get_by_label("Summary").fill("We tested a plain notice against the usual one.")
    page.get_by_label("Full text").fill("We asked 600 residents which notice they understood.")
    page.get_by_label("3: One robust evaluation").check()
    page.get_by_label("Very low (under £10,000)").check()
    page.get_by_label("Impact").fill("Willingness to share rose from 58% to 71%.")
    page.get_by_label("Data exchange and maturity").check()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("This is a draft.").wait_for()
    learning = Learning.objects.get()
    assert learning.status == LearningStatus.DRAFT
    assert learning.created_by == centre_staff

    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("Sent for review").first.wait_for()
    assert Learning.objects.get().status == LearningStatus.IN_REVIEW
    sign_out(page)

    sign_in(page, lead)
    page.goto(page.base_url + "/centres/review/")
    page.get_by_role("link", name=learning.title).click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("heading", name="Learning published").wait_for()
    learning.refresh_from_db()
    assert learning.status == LearningStatus.PUBLISHED
    assert learning.published_by == lead
