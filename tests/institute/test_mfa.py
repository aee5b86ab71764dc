"""Two-factor authentication (allauth.mfa: an authenticator app and recovery codes): institute
staff must set it up before using the service; anyone else may, from their account page; a
wrong code counts towards the account's lockout; the security log records it all."""

import logging
import re

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from institute.models import Organisation, Role
from institute.tokens import api_token_create
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    MembershipFactory,
    UserFactory,
    give_authenticator_app,
    totp_code,
)

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
AUTHENTICATE = reverse("mfa_authenticate")
ACTIVATE = reverse("mfa_activate_totp")
ACCOUNT = reverse("institute:account")
REAUTHENTICATE = reverse("account_reauthenticate")


@pytest.fixture
def new_staff(db):
    """A member of institute staff who has not set up a second factor yet."""
    return MembershipFactory(
        user=UserFactory(email="new.staff@ldi.example.test"),
        organisation=Organisation.objects.get(slug="local-digital-institute"),
        role=Role.INSTITUTE_STAFF,
    ).user


def _sign_in(client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def _activate(client):
    """Set up an authenticator app on allauth's page, re-entering the password first as it
    asks; returns the secret and the answer to the code."""
    page = client.get(ACTIVATE)
    if page.status_code == 302 and page["Location"].startswith(REAUTHENTICATE):
        confirmed = client.post(page["Location"], {"password": PASSWORD})
        assert confirmed.status_code == 302, confirmed.content.decode()[-800:]
        page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    return secret, client.post(ACTIVATE, {"code": totp_code(secret)})


def test_staff_without_a_second_factor_must_set_one_up_before_anything_else(client, new_staff):
    assert _sign_in(client, new_staff)["Location"] == ACCOUNT
    for url in (ACCOUNT, reverse("backlog:problem_list"), reverse("sector:dashboard")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == ACTIVATE, url
    api = client.get("/api/v1/problems/")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"

    # allauth asks for the password again before a second factor is changed.
    reauthenticate = client.get(ACTIVATE, follow=True).content.decode()
    assert "Institute staff must use two-factor authentication" in reauthenticate
    client.post(REAUTHENTICATE, {"password": PASSWORD})
    page = client.get(ACTIVATE).content.decode()
    assert "Set up an authenticator app" in page and 'src="data:image/svg+xml' in page

    secret, done = _activate(client)
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=new_staff, type="totp").exists()
    # Recovery codes come with it, shown once it is on.
    assert Authenticator.objects.filter(user=new_staff, type="recovery_codes").exists()
    assert client.get(ACCOUNT).status_code == 200
    assert client.get(reverse("sector:dashboard")).status_code == 200


def test_a_wrong_code_on_set_up_turns_nothing_on(client, new_staff):
    _sign_in(client, new_staff)
    client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert client.get(ACTIVATE).status_code == 200
    response = client.post(ACTIVATE, {"code": "000000"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Authenticator.objects.filter(user=new_staff).exists()


def test_staff_with_an_authenticator_app_sign_in_with_its_code(client, institute_staff, caplog):
    caplog.set_level(logging.INFO, logger="institute.security")
    assert _sign_in(client, institute_staff)["Location"] == AUTHENTICATE
    # Not signed in yet: the password alone opens nothing.
    assert client.get(ACCOUNT)["Location"].startswith(LOGIN)
    client.get(AUTHENTICATE)

    wrong = client.post(AUTHENTICATE, {"code": "123456"})
    assert wrong.status_code == 200
    assert "There is a problem" in wrong.content.decode()
    assert f"event=mfa outcome=failure user_id={institute_staff.pk}" in caplog.text

    right = client.post(AUTHENTICATE, {"code": totp_code()})
    assert right.status_code == 302 and right["Location"] == ACCOUNT
    assert client.get(ACCOUNT).status_code == 200
    assert f"event=sign_in outcome=success user_id={institute_staff.pk}" in caplog.text


def test_a_recovery_code_signs_in_once(client, new_staff):
    _sign_in(client, new_staff)
    _activate(client)
    codes = Authenticator.objects.get(user=new_staff, type="recovery_codes").wrap()
    code = codes.get_unused_codes()[0]
    client.post(reverse("account_logout"))

    _sign_in(client, new_staff)
    assert client.post(AUTHENTICATE, {"code": code})["Location"] == ACCOUNT
    client.post(reverse("account_logout"))
    _sign_in(client, new_staff)
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 200  # used up


def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords(client, institute_staff):
    _sign_in(client, institute_staff)
    statuses = [client.post(AUTHENTICATE, {"code": "999999"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth locks, as with passwords
    locked = client.post(AUTHENTICATE, {"code": totp_code()})
    assert "too many failed attempts" in locked.content.decode()
    assert client.get(ACCOUNT).status_code == 302  # the right code did not sign in
    # The password is refused too until the lockout ends.
    again = _sign_in(client.__class__(), institute_staff)
    assert again.status_code == 429


def test_for_an_officer_it_is_optional_and_linked_from_the_account_page(
    client, officer, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="institute.security")
    assert _sign_in(client, officer)["Location"] == ACCOUNT
    account = client.get(ACCOUNT).content.decode()
    assert "Two-factor authentication" in account
    assert f'href="{reverse("mfa_index")}"' in account
    assert client.get(reverse("backlog:problem_list")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        _, done = _activate(client)
    assert done.status_code == 302
    assert f"event=mfa_added type=totp user_id={officer.pk}" in caplog.text
    client.post(reverse("account_logout"))
    assert _sign_in(client, officer)["Location"] == AUTHENTICATE


def test_the_fixture_staff_have_the_documented_secret(institute_staff):
    totp = Authenticator.objects.get(user=institute_staff, type="totp")
    assert totp.wrap().validate_code(totp_code(TOTP_SECRET))


def test_a_second_factor_is_loaded_with_the_user_without_a_query(client, institute_staff):
    client.force_login(institute_staff)
    client.get(ACCOUNT)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("institute:home")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    # The only query that reads authenticators is the one that loads the user.
    assert [q for q in sql if "mfa_authenticator" in q and "institute_user" not in q] == []


def test_a_staff_token_works_only_once_its_owner_has_a_second_factor(new_staff):
    _, secret = api_token_create(actor=new_staff, name="reporting")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    refused = client.get("/api/v1/problems/")
    assert refused.status_code == 403
    assert "two-factor" in refused.json()["detail"]
    give_authenticator_app(new_staff)
    assert client.get("/api/v1/problems/").status_code == 200
