"""The security log: refused authorisation on pages and in the API, CSRF failures, and log lines
that a hostile value cannot split or forge (issue #9; ASVS V16)."""

import logging

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from institute.tokens import api_token_create
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db


def _security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "institute.security"]


def test_a_refused_page_write_is_logged_with_who_and_where(client, sector_viewer, caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    problem = ProblemFactory()
    client.force_login(sector_viewer)
    url = reverse("backlog:problem_vote", kwargs={"pk": problem.pk})
    assert client.post(url).status_code == 403
    assert f"authorisation refused user={sector_viewer.pk} path={url}" in _security_lines(caplog)


def test_a_refused_api_write_is_logged_with_who_and_where(sector_viewer, caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    problem = ProblemFactory()
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(actor=sector_viewer, name='t')[1]}"
    )
    url = reverse("backlog-api:problem_vote", kwargs={"pk": problem.pk})
    assert client.post(url).status_code == 403
    assert f"authorisation refused user={sector_viewer.pk} path={url}" in _security_lines(caplog)


def test_an_anonymous_api_write_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    url = reverse("backlog-api:problem_list")
    assert APIClient().post(url, {}, format="json").status_code == 403
    assert f"authorisation refused user=None path={url}" in _security_lines(caplog)


def test_a_post_without_a_csrf_token_is_logged(officer, caplog):
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(reverse("institute:account"), {"action": "profile"}).status_code == 403
    assert any(r.name == "django.security.csrf" for r in caplog.records)


def test_a_bad_api_token_is_logged_as_an_authentication_failure(caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    url = reverse("backlog-api:problem_list")
    assert client.get(url).status_code == 403
    assert f"event=api_authentication outcome=failure path={url}" in _security_lines(caplog)


def test_a_hostile_login_name_cannot_forge_a_log_line(caplog):
    """The address tried is logged with repr(): a newline in it cannot start a new line."""
    from django.contrib.auth.signals import user_login_failed

    caplog.set_level(logging.INFO, logger="institute.security")
    forged = "x@example.test\nevent=sign_in outcome=success user_id=1"
    user_login_failed.send(sender=__name__, credentials={"email": forged}, request=None)
    lines = _security_lines(caplog)
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith("event=sign_in outcome=failure")
