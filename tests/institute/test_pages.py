"""Home, error pages, security headers and the demo data command."""

import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from institute.models import Membership, User
from institute.views import error_500

pytestmark = pytest.mark.django_db


def test_home_page_links_to_the_areas_and_has_govuk_layout(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-skip-link"' in html
    assert "govuk-phase-banner" in html
    assert "govuk-service-navigation" in html
    assert "govuk-footer" in html
    assert 'href="/organisations/"' in html


def test_csp_header_has_no_unsafe_inline_or_eval_and_the_inline_script_has_its_nonce(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts, "expected the GOV.UK js-enabled inline script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_cookies_are_secure_outside_debug(settings):
    # Tests run with DEBUG off, as production does.
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_403_page_for_an_officer_on_a_staff_page(client, officer):
    client.force_login(officer)
    response = client.get("/requests/")
    assert response.status_code == 403
    assert "You cannot do that" in response.content.decode()


def test_500_page_is_govuk_styled_and_needs_no_database():
    response = error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_post_without_csrf_token_is_refused_with_a_govuk_page(officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post("/account/", {"action": "profile", "full_name": "Changed"})
    assert response.status_code == 403
    assert "Your session has expired" in response.content.decode()
    officer.refresh_from_db()
    assert officer.full_name != "Changed"


def test_seed_demo_is_idempotent_and_gives_every_role_a_person():
    call_command("seed_demo")
    users, memberships = User.objects.count(), Membership.objects.count()
    call_command("seed_demo")
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"officer", "centre_staff", "institute_staff", "sector_viewer"}
    assert User.objects.filter(is_superuser=True).count() == 1
    officer = User.objects.get(email="officer@leeds.council.test")
    assert officer.check_password("demo-password-2026")
    assert officer.membership.organisation.slug == "leeds"


def test_django_admin_lists_organisations_for_a_superuser(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/institute/organisation/?q=Leeds")
    assert response.status_code == 200
    assert "E08000035" in response.content.decode()


def test_api_turns_a_domain_error_into_a_json_body_with_its_status():
    from institute.api import exception_handler
    from institute.errors import DomainError, NotAllowed

    response = exception_handler(DomainError("Too late", field="when", status=409), {})
    assert response.status_code == 409
    assert response.data == {
        "detail": "Too late",
        "code": "invalid",
        "errors": {"when": ["Too late"]},
    }
    assert exception_handler(NotAllowed(), {}).status_code == 403
