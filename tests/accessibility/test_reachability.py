"""Every page a role may open is reachable by following links from the home page.

For each role of the accessibility inventory, a crawler signed in as that role starts at `/`
and follows every link (and every form that searches, by GET) on the service's own pages. It
must reach each URL pattern the inventory lists for that role; the test fails naming those it
could not reach. Pages that only follow an action (a form's confirmation page, a link in an
e-mail) are listed below with the reason, and are not looked for.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from tests.accessibility import seed
from tests.accessibility.inventory import ANONYMOUS, ENTRIES, EXCLUDED_NAMESPACES, ROLES

pytestmark = pytest.mark.django_db

# Pages a person reaches by doing something, not by following a link.
AFTER_AN_ACTION = {
    "backlog:problem_submitted": "the confirmation after submitting a problem",
    "components:component_submitted": "the confirmation after suggesting a component",
    "standards:assessment_submitted": "the confirmation after submitting an assessment",
    "centres:learning_published": "the confirmation after publishing learning",
    "institute:membership_request_sent": "the confirmation after asking to join",
    "backlog:problem_similar": "what htmx fetches as a title is typed into the submit form",
    "institute:digest_unsubscribe": "the link at the foot of a digest e-mail",
    "account_email_verification_sent": "shown after signing up",
    "account_confirm_email": "the link in the e-mail that confirms an address",
    "account_inactive": "shown when an inactive account signs in",
    "account_reset_password_done": "shown after asking to reset a password",
    "account_reset_password_from_key": "the link in the password reset e-mail",
    "account_reset_password_from_key_done": "shown after setting a new password",
    "account_reauthenticate": "asked for before a sensitive change",
    "mfa_reauthenticate": "asked for before a change to two-factor authentication",
    # Linked from the two-factor page (mfa_index, which the crawl reaches), but each opens only
    # after the person confirms their password again, which a crawler does not do.
    "mfa_activate_totp": "linked from the two-factor page, behind a password check",
    "mfa_deactivate_totp": "linked from the two-factor page, behind a password check",
    "mfa_view_recovery_codes": "linked from the two-factor page, behind a password check",
    "mfa_generate_recovery_codes": "linked from the recovery codes page, behind a password check",
    "account_logout": "signing out is a button in the header; its confirmation page is shown "
    "only to a browser that asks for the address",
}

# Links the crawler does not follow: error pages the inventory visits on purpose live at
# addresses nobody links to, and files are not pages.
SKIP_PREFIXES = ("/static/", "/admin/", "/api/schema/")
# Pages of one URL pattern worth opening: enough to find the rows the inventory seeds among the
# reference data (300 councils), few enough to be quick. Filtered and paginated variants of a
# page (a query string) find little new: only a few of those.
MAX_PER_PATTERN = 40
MAX_PER_PATTERN_WITH_QUERY = 3


class _Links(HTMLParser):
    """`<a href>` targets, `<form method="get" action>` targets (a search box) and what htmx
    fetches (`hx-get`)."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])  # what htmx fetches as a person types or chooses
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespaces and match.namespaces[0] in EXCLUDED_NAMESPACES:
        return None
    return match.view_name


def _crawl(client) -> set[str]:
    """The URL patterns of every page reached from `/` by links."""
    site = urlsplit(settings.SITE_URL)
    queue = deque(["/"])
    seen_paths = {"/"}
    opened: dict[tuple, int] = {}
    reached = set()
    while queue:
        path = queue.popleft()
        parts = urlsplit(path)
        name = _pattern(parts.path)
        key = (name, bool(parts.query))
        limit = MAX_PER_PATTERN_WITH_QUERY if parts.query else MAX_PER_PATTERN
        if name is None or opened.get(key, 0) >= limit:
            continue
        opened[key] = opened.get(key, 0) + 1
        response = client.get(path)
        if response.status_code != 200:
            continue
        reached.add(name)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for link in parser.links:
            parts = urlsplit(urljoin(path, link))
            if parts.scheme not in ("", "http", "https"):
                continue  # mailto: and the like
            if parts.netloc and parts.netloc != site.netloc:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen_paths or parts.path.startswith(SKIP_PREFIXES):
                continue
            seen_paths.add(target)
            queue.append(target)
    return reached


def test_every_page_each_role_may_open_is_reachable_by_links_from_the_home_page(
    client, officer, centre_staff, institute_staff, sector_viewer, no_membership_user
):
    users = {
        "officer": officer,
        "centre_staff": centre_staff,
        "institute_staff": institute_staff,
        "sector_viewer": sector_viewer,
        "no_membership_user": no_membership_user,
    }
    seed.build(**users)
    unreachable = {}
    for role in ROLES:
        expected = {
            entry.name
            for entry in ENTRIES
            if entry.role == role and entry.status == 200 and entry.name not in AFTER_AN_ACTION
        }
        client.logout()
        if role != ANONYMOUS:
            client.force_login(users[role])
        missing = sorted(expected - _crawl(client))
        if missing:
            unreachable[role] = missing
    assert unreachable == {}, "Pages no link leads to, by role:\n" + "\n".join(
        f"  {role}: {', '.join(names)}" for role, names in unreachable.items()
    )


def test_the_pages_reached_only_after_an_action_are_real_patterns():
    names = {entry.name for entry in ENTRIES}
    assert set(AFTER_AN_ACTION) <= names
