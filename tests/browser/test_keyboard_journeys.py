"""The four core journeys with the keyboard alone (Tab, typing, Enter, Space, arrows): submit
a problem, vote on one, complete a self-assessment, and draft then publish learning.

On every page the skip link is the first Tab stop and moves focus to the main content, and
every control the journey uses shows a visible focus indicator (tests/browser/keyboard.py).
"""

import pytest

from backlog.models import Problem, Vote
from centres.models import Learning, LearningStatus
from institute.models import Organisation
from standards.models import Assessment
from tests.browser.keyboard import (
    activate,
    choose,
    sign_in,
    sign_out,
    skip_to_main,
    tab_to,
    tick,
    type_into,
)
from tests.centres.factories import CentreFactory, centre_person
from tests.factories import ProblemFactory
from tests.standards.factories import published_standard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _start(page, user):
    """Open the home page as a person would, and sign in with the keyboard."""
    page.goto(page.base_url + "/")
    skip_to_main(page)
    page.goto(page.base_url + "/")
    sign_in(page, user)


def _nav(page, section: str):
    """From the top of a page: Tab through the header to a service navigation link."""
    activate(page, section, tag="a")
    skip_to_main(page)


def test_officer_submits_a_problem_with_the_keyboard_only(page, officer):
    _start(page, officer)
    _nav(page, "Problems")
    activate(page, "Submit a problem", tag="a")
    skip_to_main(page)
    type_into(page, "Title", "Garden waste renewals need a phone call")
    type_into(page, "Summary", "Residents cannot renew garden waste collections online.")
    type_into(page, "Description", "Every renewal is a call to the contact centre.")
    choose(page, "theme", "Procurement, contracts and market shaping")
    tick(page, "Waste", field="service_areas")
    activate(page, "Continue", tag="button")
    page.get_by_role("heading", name="Problem submitted").wait_for()

    problem = Problem.objects.get(title="Garden waste renewals need a phone call")
    assert problem.theme == "procurement"
    assert [area.slug for area in problem.service_areas.all()] == ["waste-and-recycling"]
    assert problem.council_count == 1  # Leeds, the officer's council
    assert page.console_errors == []


def test_officer_votes_on_a_problem_with_the_keyboard_only(page, officer, other_officer):
    problem = ProblemFactory(
        title="Missed bin collections are reported by phone",
        submitted_by=other_officer,
        submitted_for=Organisation.objects.get(slug="bristol-city-of"),
    )
    _start(page, officer)
    _nav(page, "Problems")
    activate(page, problem.title, tag="a")
    skip_to_main(page)
    tab_to(page, "My council has this problem too", tag="button")
    page.keyboard.press("Space")  # htmx posts the vote and swaps the result in place
    page.locator(f"#vote-{problem.pk}").get_by_text("Your council has this problem").wait_for()

    assert Vote.objects.filter(user=officer, problem=problem).exists()
    problem.refresh_from_db()
    assert problem.council_count == 1
    assert page.console_errors == []


def test_officer_completes_a_self_assessment_with_the_keyboard_only(page, officer, institute_staff):
    standard = published_standard(institute_staff, criteria=[("F1", True), ("F2", False)])
    _start(page, officer)
    _nav(page, "Standards")
    activate(page, standard.title, tag="a")
    skip_to_main(page)
    activate(page, "Start a self-assessment", tag="button")
    skip_to_main(page)
    activate(page, "F1: Criterion F1", tag="a")

    skip_to_main(page)
    choose(page, "rating", "Met")
    type_into(page, "Evidence", "Accessibility audit report, March")
    activate(page, "Save and continue", tag="button")
    page.get_by_role("heading", name="F2: Criterion F2").wait_for()

    skip_to_main(page)
    choose(page, "rating", "Not applicable")
    type_into(page, "If it does not apply, why not?", "We have no forms of this kind.")
    activate(page, "Save and continue", tag="button")
    page.get_by_role("heading", name="Check your answers before submitting").wait_for()

    skip_to_main(page)
    activate(page, "Submit assessment", tag="button")
    page.get_by_role("heading", name="Assessment submitted").wait_for()
    assessment = Assessment.objects.get()
    assert assessment.status == "submitted"
    assert assessment.result == "green"
    assert page.console_errors == []


def test_centre_staff_draft_and_the_lead_publishes_learning_with_the_keyboard_only(
    page, centre_staff
):
    gmca = Organisation.objects.get(slug="greater-manchester-combined-authority")
    centre = CentreFactory(name="Greater Manchester Centre", slug="greater-manchester", host=gmca)
    lead = centre_person(gmca.slug, "lead@gmca.example.test", centre=centre, lead=True)

    _start(page, centre_staff)
    _nav(page, "Centres")
    activate(page, "Your centre: Greater Manchester Centre", tag="a")
    skip_to_main(page)
    activate(page, "Add learning", tag="a")
    skip_to_main(page)
    choose(page, "kind", "Case study")
    type_into(page, "Title", "Plain privacy notices made residents more willing to share")
    type_into(page, "Summary", "We tested a plain notice against the usual one.")
    type_into(page, "Full text", "We asked 600 residents which notice they understood.")
    choose(page, "evidence_strength", "3: One robust evaluation")
    choose(page, "cost_band", "Very low")
    type_into(page, "Impact", "Willingness to share rose from 58% to 71%.")
    tick(page, "Data exchange and maturity", field="themes")
    activate(page, "Save draft", tag="button")
    page.get_by_text("This is a draft.").wait_for()
    learning = Learning.objects.get()
    assert learning.status == LearningStatus.DRAFT

    skip_to_main(page)
    activate(page, "Send for review", tag="button")
    page.get_by_text("Sent for review").first.wait_for()
    assert Learning.objects.get().status == LearningStatus.IN_REVIEW
    sign_out(page)

    sign_in(page, lead)
    _nav(page, "Centres")
    activate(page, "Your centre: Greater Manchester Centre", tag="a")
    skip_to_main(page)
    activate(page, "Learning to review", tag="a")
    skip_to_main(page)
    activate(page, learning.title, tag="a")
    skip_to_main(page)
    activate(page, "Publish", tag="button")
    page.get_by_role("heading", name="Learning published").wait_for()
    learning.refresh_from_db()
    assert learning.status == LearningStatus.PUBLISHED
    assert learning.published_by == lead
    assert page.console_errors == []
