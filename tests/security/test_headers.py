"""Security headers, cookies and error pages, as a browser receives them (issue #9).

tests/institute/test_pages.py already checks X-Frame-Options, nosniff, Referrer-Policy, the CSP's
lack of unsafe-inline/unsafe-eval and the cookie settings; this file adds what a browser sees
over HTTPS in production mode (tests run with DEBUG off): HSTS, the rest of the CSP, the cookies
actually set at sign-in, and error pages that give nothing away.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path, reverse
from rest_framework.views import APIView

from institute import urls as project_urls
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "internal-detail-7f3a: password=hunter2 at /srv/app/secret.py line 42"


def _boom(request):
    raise RuntimeError(SECRET_DETAIL)


class _ApiBoom(APIView):
    def get(self, request):
        raise RuntimeError(SECRET_DETAIL)


# This module is also the URLconf of the error-page tests: the project's routes plus two views
# that fail the way a bug would.
urlpatterns = [
    path("boom/", _boom),
    path("api/v1/boom/", _ApiBoom.as_view()),
    *project_urls.urlpatterns,
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def _directives(policy: str) -> dict[str, str]:
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def test_hsts_is_sent_over_https_for_a_year_with_subdomains_and_preload(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_csp_forbids_framing_plugins_and_base_rewrites_and_allows_only_own_scripts(client):
    csp = _directives(client.get("/")["Content-Security-Policy"])
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[^']+'", csp["script-src"])
    assert csp["style-src"] == "'self'"
    assert not any("unsafe" in value or "*" in value for value in csp.values())


@pytest.mark.parametrize(
    "url", ["/", "/problems/", "/account/login/", "/api/v1/problems/", "/no-such-page/"]
)
def test_every_kind_of_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_sign_in_sets_a_secure_httponly_samesite_session_cookie_for_this_browser_session_only(
    client, officer
):
    csrf = client.get("/account/login/").cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post("/account/login/", {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    # No Expires or Max-Age: the cookie goes when the browser closes (the server also ends the
    # session after 30 minutes idle or 8 hours, tests/institute/test_security.py).
    assert not session["expires"] and not session["max-age"]


def test_a_new_session_id_is_issued_at_sign_in(client, officer):
    client.get("/account/login/")
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/account/login/", {"login": officer.email, "password": PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before and after and before != after


def test_the_page_that_shows_a_new_api_token_is_never_cached(client, officer):
    client.force_login(officer)
    response = client.post(reverse("institute:token_create"), {"name": "Feed"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.urls(__name__)
def test_a_crash_shows_the_generic_page_and_no_detail():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    for leak in ("internal-detail-7f3a", "hunter2", "Traceback", "RuntimeError", "secret.py"):
        assert leak not in html


@pytest.mark.urls(__name__)
def test_an_api_crash_gives_nothing_away_either():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    for leak in ("internal-detail-7f3a", "hunter2", "Traceback", "RuntimeError", "secret.py"):
        assert leak not in body


def test_not_found_pages_do_not_list_routes_or_echo_markup(client):
    response = client.get("/no-such-page/<script>alert(1)</script>/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "URLconf" not in html and "<script>alert(1)" not in html
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and "URLconf" not in api.content.decode()
