"""Every edit form in the service gives back what it was given: opened filled from saved data
and submitted unchanged, it changes nothing in the database.

The forms are not listed here: every page of the accessibility inventory
(tests/accessibility/inventory.py, which covers every URL pattern) is opened as its role over
the seeded rows, and every POST form on it that opens with a value in a field a person can
change (typed text, a chosen radio, box or option) is submitted as the browser would send it.
`NOT_EDITS` names the forms whose opening values are defaults for something new, not saved
data, with the reason; they are not submitted.
"""

from collections import defaultdict

import pytest

from tests.forms.pages import diff, post_forms, snapshot, url_name

pytestmark = pytest.mark.django_db

# Forms that open with defaults or the current state for something new, not with saved data:
# submitted unchanged they may refuse (say what is missing), and must still change nothing.
NOT_EDITS = {
    "standards:standard_create": "a new standard; its category and review period open at "
    "their defaults",
    "standards:criterion_create": "a new criterion; 'mandatory' opens ticked",
    "centres:project_create": "a new project; its status and phase open at their defaults",
    "backlog:problem_status": "a change of status; the current one is refused as no change",
    "sector:recommendation_update": "records a new update; 'What happened' opens empty",
    "institute:organisation_people": "adds a new person; the role opens chosen when only one "
    "fits the organisation, the e-mail address empty",
}
# Forms that are not submitted at all: submitting them unchanged does something new.
NOT_SUBMITTED = {
    "standards:version_publish": "publishes a draft; 90 days is the default grace period",
}


def test_every_edit_form_submitted_unchanged_changes_nothing(
    client, officer, centre_staff, institute_staff, sector_viewer, no_membership_user
):
    users = {
        "officer": officer,
        "centre_staff": centre_staff,
        "institute_staff": institute_staff,
        "sector_viewer": sector_viewer,
        "no_membership_user": no_membership_user,
    }
    tried = defaultdict(list)
    problems = []
    for role, url, form in post_forms(client, users):
        if not form.prefilled:
            continue
        action = form.action or url
        name = url_name(action)
        if name in NOT_SUBMITTED:
            continue
        before = snapshot()
        response = client.post(action, form.payload())
        tried[name].append(f"{role} {url}")
        label = f"{name} as {role} from {url}"
        if response.status_code not in (200, 302, 303):
            problems.append(f"{label}: status {response.status_code}")
        elif (
            response.status_code == 200
            and b"govuk-error-summary" in response.content
            and name not in NOT_EDITS
        ):
            problems.append(f"{label}: its own saved data was refused")
        problems += [f"{label}: {change}" for change in diff(before, snapshot())]
    assert problems == [], "\n".join(problems)
    # The edit forms of the service were found (a walk that found none would prove nothing).
    assert {
        "components:component_edit",
        "components:adoption_record",
        "standards:answer_edit",
        "standards:criterion_edit",
        "centres:project_edit",
        "centres:centre_edit",
        "centres:learning_edit",
    } <= set(tried), sorted(tried)
