"""Session lifetime, disabled accounts and the security log."""

import logging
import time

import pytest
from django.urls import reverse

from institute.security import LAST_SEEN_KEY, STARTED_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ACCOUNT = reverse("institute:account")


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"last_seen": LAST_SEEN_KEY, "started": STARTED_KEY}[key]] = now - ago
    session.save()


def test_session_ends_after_30_minutes_without_a_request(client, officer):
    client.force_login(officer)
    assert client.get(ACCOUNT).status_code == 200
    _age_session(client, last_seen=31 * 60)
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/account/&expired=1")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out to keep your account safe" in page


def test_activity_keeps_a_session_alive_but_not_beyond_a_working_day(client, officer):
    client.force_login(officer)
    _age_session(client, last_seen=20 * 60, started=7 * 3600)
    assert client.get(ACCOUNT).status_code == 200
    _age_session(client, last_seen=60, started=8 * 3600 + 1)
    assert client.get(ACCOUNT).status_code == 302
    assert "_auth_user_id" not in client.session


def test_disabling_an_account_ends_its_sessions(client, officer):
    client.force_login(officer)
    assert client.get(ACCOUNT).status_code == 200
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_sign_in_success_and_failure_are_logged_without_passwords(client, officer, caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    client.post("/account/login/", {"login": officer.email, "password": "wrong-password-1"})
    client.post("/account/login/", {"login": officer.email, "password": PASSWORD})
    lines = [r.getMessage() for r in caplog.records if r.name == "institute.security"]
    assert any("event=sign_in outcome=failure" in line and officer.email in line for line in lines)
    assert any(f"event=sign_in outcome=success user_id={officer.pk}" in line for line in lines)
    assert not any("wrong-password-1" in line or PASSWORD in line for line in lines)


def test_refused_authorisation_is_logged(client, officer, caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    client.force_login(officer)
    assert client.get(reverse("institute:membership_request_list")).status_code == 403
    assert any(
        f"authorisation refused user={officer.pk} path=/requests/" in r.getMessage()
        for r in caplog.records
    )
