"""Every form in the service, submitted with its text boxes emptied, either does what it is for
or says what is wrong in a GOV.UK error summary whose every link moves focus to a field of the
page: an input, a select, a text area or a button, never a group or a missing id.

The forms are found as tests/forms/test_round_trip.py finds them: every POST form on every page
of the accessibility inventory, as each signed-in role that sees it.
"""

import re
from collections import defaultdict

import pytest

from tests.forms.pages import diff, post_forms, snapshot, url_name

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)
LINK = re.compile(r'<a href="#([^"]*)"')
ERROR_MESSAGE = 'class="govuk-error-message"'
BANNER_NOT_SUCCESS = re.compile(
    r'class="govuk-notification-banner"(?![^>]*--success)[^>]*role="region"'
)


def _focusable(html: str, anchor: str) -> bool:
    """Whether the page has a field with this id that a link to it focuses."""
    tag = re.search(
        rf'<(input|select|textarea|button)\b[^>]*\bid="{re.escape(anchor)}"[^>]*>', html
    )
    if tag is None:
        return False
    element = tag.group(0)
    return 'type="hidden"' not in element and " disabled" not in element


def problems_with(html: str) -> list[str]:
    found = []
    summaries = SUMMARY.findall(html)
    for summary in summaries:
        links = LINK.findall(summary)
        if not links:
            found.append("an error summary without links")
        found += [f"links to #{a}, not a field" for a in links if not _focusable(html, a)]
    if not summaries and ERROR_MESSAGE in html:
        found.append("an error message without an error summary")
    return found


def test_every_form_submitted_empty_links_each_error_to_its_field(
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
    findings = []
    for role, url, form in post_forms(client, users):
        if not form.entered:
            continue  # nothing to leave empty: buttons, radios and boxes only
        action = form.action or url
        name = url_name(action)
        label = f"{name} as {role} from {url}"
        before = snapshot()
        response = client.post(action, form.payload(empty=True), follow=True)
        tried[name].append(label)
        html = response.content.decode()
        found = problems_with(html)
        changed = diff(before, snapshot())
        refused = not changed
        if refused and not SUMMARY.search(html) and BANNER_NOT_SUCCESS.search(html):
            found.append("refused with a banner, not an error summary")
        findings += [f"{label}: {problem}" for problem in found]
    assert findings == [], "\n".join(findings)
    assert len(tried) > 20, sorted(tried)


def test_a_wrong_password_links_its_summary_to_the_email_address_box(client, officer):
    response = client.post("/account/login/", {"login": officer.email, "password": "wrong"})
    html = response.content.decode()
    assert SUMMARY.search(html)
    assert problems_with(html) == []
    assert "<title>Error: Sign in" in html


def test_an_empty_token_name_gets_an_error_summary_and_no_token(client, officer):
    client.force_login(officer)
    response = client.post("/account/tokens/", {"name": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#token-name"' in html and "Enter a name for the token" in html
    assert problems_with(html) == []
    assert "<title>Error: Your account" in html
    assert not officer.api_tokens.exists()
