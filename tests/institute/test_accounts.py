"""Registration with e-mail verification, joining by domain, sign-in, lockout, sign-out."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from institute.models import AuditEvent, EmailDomain, Membership, Organisation, Role, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = "/account/signup/"
LOGIN = "/account/login/"
GOOD_PASSWORD = "a-long-and-unusual-passphrase-42"


def _signup(client, email, **overrides):
    data = {
        "full_name": "Ada Lovelace",
        "email": email,
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **overrides,
    }
    return client.post(SIGNUP, data)


def _confirm_from_email(client):
    body = mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/[^\s]+)", body).group(1)
    return client.post(link)


def test_signup_sends_a_verification_email_and_creates_an_unverified_user(client):
    response = _signup(client, "ada@leeds.example.test")
    assert response.status_code == 302
    user = User.objects.get(email="ada@leeds.example.test")
    assert user.full_name == "Ada Lovelace"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "confirm-email" in mail.outbox[0].body


def test_verified_email_at_a_councils_domain_joins_it_as_officer(client, leeds):
    EmailDomain.objects.create(organisation=leeds, domain="leeds.example.test")
    _signup(client, "Ada@Leeds.Example.Test")
    _confirm_from_email(client)
    membership = Membership.objects.get(user__email="ada@leeds.example.test")
    assert membership.organisation == leeds
    assert membership.role == Role.OFFICER
    assert AuditEvent.objects.filter(verb="membership.joined_by_domain").count() == 1


def test_unverified_email_does_not_join_anything(client, leeds):
    EmailDomain.objects.create(organisation=leeds, domain="leeds.example.test")
    _signup(client, "ada@leeds.example.test")
    assert not Membership.objects.exists()


def test_email_at_an_unknown_domain_joins_nothing_and_can_ask_staff(client):
    _signup(client, "ada@unknown.example.test")
    _confirm_from_email(client)
    user = User.objects.get(email="ada@unknown.example.test")
    assert not Membership.objects.filter(user=user).exists()
    client.force_login(user)
    page = client.get(reverse("institute:account"))
    assert "Join your organisation" in page.content.decode()


def test_membership_request_approved_by_institute_staff(
    client, no_membership_user, institute_staff, bristol
):
    client.force_login(no_membership_user)
    response = client.post(
        reverse("institute:account"),
        {
            "action": "request",
            "organisation": bristol.pk,
            "role": Role.OFFICER,
            "reason": "Service designer at Bristol",
        },
    )
    assert response.status_code == 302
    request = no_membership_user.membership_requests.get()
    confirmation = client.get(response["Location"])
    assert "Request sent" in confirmation.content.decode()

    client.force_login(institute_staff)
    queue = client.get(reverse("institute:membership_request_list"))
    assert no_membership_user.email in queue.content.decode()
    decided = client.post(
        reverse("institute:membership_request_decide", args=[request.pk]),
        {"decision": "approve", "note": ""},
    )
    assert decided.status_code == 302
    membership = Membership.objects.get(user=no_membership_user)
    assert (membership.organisation, membership.role, membership.approved_by) == (
        bristol,
        Role.OFFICER,
        institute_staff,
    )
    assert AuditEvent.objects.filter(verb="membership_request.approved").count() == 1


def test_rejecting_a_request_needs_a_note(client, institute_staff, no_membership_user, bristol):
    from institute import services

    request = services.membership_request_create(
        actor=no_membership_user, organisation=bristol, role=Role.OFFICER, reason="I work there"
    )
    client.force_login(institute_staff)
    url = reverse("institute:membership_request_decide", args=[request.pk])
    response = client.post(url, {"decision": "reject", "note": "  "})
    assert response.status_code == 200
    assert "Say why the request is turned down" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"
    client.post(url, {"decision": "reject", "note": "We could not confirm you work there."})
    request.refresh_from_db()
    assert request.status == "rejected"
    assert not Membership.objects.filter(user=no_membership_user).exists()


def test_officer_cannot_decide_membership_requests(client, officer, no_membership_user, bristol):
    from institute import services

    request = services.membership_request_create(
        actor=no_membership_user, organisation=bristol, role=Role.OFFICER, reason="I work there"
    )
    client.force_login(officer)
    assert client.get(reverse("institute:membership_request_list")).status_code == 403
    response = client.post(
        reverse("institute:membership_request_decide", args=[request.pk]),
        {"decision": "approve"},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=no_membership_user).exists()


def test_a_role_must_fit_the_organisation(client, no_membership_user):
    client.force_login(no_membership_user)
    lga = Organisation.objects.get(slug="local-government-association")
    response = client.post(
        reverse("institute:account"),
        {
            "action": "request",
            "organisation": lga.pk,
            "role": Role.INSTITUTE_STAFF,
            "reason": "Please",
        },
    )
    assert response.status_code == 200
    assert "cannot belong to Local Government Association" in response.content.decode()
    assert not no_membership_user.membership_requests.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": ""}, "This field is required"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"email": "x" * 300 + "@example.test"}, "254 characters or fewer"),
        ({"full_name": ""}, "Enter your full name"),
        ({"full_name": "   "}, "Enter your full name"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password2": "something-else-entirely-9"}, "same password"),
        ({"email": "<script>alert(1)</script>@example.test"}, "Enter a valid email address"),
        ({"email": "robert'); DROP TABLE institute_user;--@example.test"}, ""),
    ],
)
def test_bad_or_hostile_signup_gets_an_error_summary_and_creates_nothing(
    client, overrides, message
):
    response = _signup(client, **{"email": "valid@example.test", **overrides})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "govuk-error-summary" in html
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert User.objects.count() == 0
    assert len(mail.outbox) == 0


def test_full_name_with_markup_is_stored_as_text_and_escaped(client, leeds):
    _signup(client, "ada@example.test", full_name='<img src=x onerror="alert(1)">')
    user = User.objects.get(email="ada@example.test")
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.force_login(user)
    html = client.get(reverse("institute:account")).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x" in html


def test_sign_in_with_correct_password(client, officer):
    response = client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("institute:account")).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"login": "officer@leeds.example.test", "password": "wrong-password"},
        {"login": "", "password": ""},
        {"login": "nobody@example.test", "password": "whatever-it-is"},
        {"login": "' OR 1=1 --", "password": "' OR 1=1 --"},
        {"login": "<script>alert(1)</script>", "password": "x"},
    ],
)
def test_failed_sign_in_shows_an_error_summary_and_no_session(client, officer, data):
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<script>alert(1)</script>" not in html
    assert "_auth_user_id" not in client.session


def test_account_is_locked_after_five_failed_sign_ins(client, officer):
    for _ in range(5):
        client.post(LOGIN, {"login": officer.email, "password": "wrong-password"})
    locked = client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "You have been locked out" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client, officer):
    client.force_login(officer)
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("institute:account")).status_code == 302


def test_password_reset_sends_an_email_for_a_known_address_only(client, officer):
    client.post("/account/password/reset/", {"email": officer.email})
    assert len(mail.outbox) == 1
    client.post("/account/password/reset/", {"email": "nobody@example.test"})
    # No enumeration: the page says the same, and the unknown address gets a "no account" mail
    # or nothing, never a different page.
    response = client.post("/account/password/reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302


def test_account_page_needs_sign_in(client):
    response = client.get(reverse("institute:account"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_profile_name_change_is_saved(client, officer):
    client.force_login(officer)
    client.post(reverse("institute:account"), {"action": "profile", "full_name": "  New   Name "})
    officer.refresh_from_db()
    assert officer.full_name == "New Name"
