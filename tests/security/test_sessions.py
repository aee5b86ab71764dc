"""Sessions after a password change (ASVS V7.4): the other sessions end, this one goes on."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-different-and-long-passphrase-77"


def test_changing_the_password_ends_every_other_session(officer):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert (
            client.post(
                "/account/login/", {"login": officer.email, "password": PASSWORD}
            ).status_code
            == 302
        )
    account = reverse("institute:account")
    assert elsewhere.get(account).status_code == 200
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert here.get(account).status_code == 200
    stale = elsewhere.get(account)
    assert stale.status_code == 302 and stale["Location"].startswith("/account/login/")


def test_the_old_password_is_needed_to_set_a_new_one(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-the-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
