"""The pages every public service publishes: linked from every page's footer, written for this
service, and the cookies page lists every cookie the service really sets."""

import re

import pytest
from django.urls import reverse

from institute.pages import COOKIES, PAGES
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_is_linked_from_the_footer_of_every_page(client, name):
    url = reverse(f"institute:{name}")
    for page in (reverse("institute:home"), reverse("backlog:problem_list")):
        footer = client.get(page).content.decode().split('<footer class="govuk-footer"')[1]
        assert f'href="{url}"' in footer
    response = client.get(url)
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-xl">{response.context["page_title"]}' in (
        response.content.decode().replace(" for the Local Digital Institute", "")
    )


def test_the_contact_address_comes_from_the_setting(client, settings):
    settings.CONTACT_EMAIL = "help@institute.example.gov.uk"
    for name in ("contact", "accessibility", "privacy"):
        text = client.get(reverse(f"institute:{name}")).content.decode()
        assert 'href="mailto:help@institute.example.gov.uk"' in text


def test_the_accessibility_statement_follows_the_model_statement(client):
    text = client.get(reverse("institute:accessibility")).content.decode()
    for heading in (
        "Compliance status",
        "Non-accessible content",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Preparation of this accessibility statement",
    ):
        assert heading in text
    assert re.search(r"This statement was prepared on \d+ \w+ 20\d\d", text)


def test_the_cookies_page_lists_every_cookie_the_service_sets(client, officer, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    officer.set_password("a long enough password 123")
    officer.save(update_fields=["password"])
    problem = ProblemFactory()
    set_cookies = set()
    # Sign in (session, CSRF), then act so the next page shows a message.
    client.get(reverse("account_login"))
    set_cookies |= set(client.cookies)
    client.post(
        reverse("account_login"),
        {"login": officer.email, "password": "a long enough password 123"},
    )
    set_cookies |= set(client.cookies)
    client.post(reverse("backlog:problem_follow", args=[problem.pk]))
    set_cookies |= set(client.cookies)
    client.post(reverse("account_logout"))
    set_cookies |= set(client.cookies)
    listed = {cookie["name"] for cookie in COOKIES}
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= set_cookies
    assert set_cookies <= listed, f"cookies set but not on the cookies page: {set_cookies - listed}"
    text = client.get(reverse("institute:cookies")).content.decode()
    for name in listed:
        assert f"<code>{name}</code>" in text
