"""`manage.py create_first_staff`: the first institute staff account of a new installation, with
a one-time link to set its password (no password is ever typed, printed or logged)."""

import io
import logging
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from institute.models import AuditEvent, Membership, Role, User
from tests.factories import give_authenticator_app

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _create(*args) -> str:
    out = io.StringIO()
    call_command("create_first_staff", *args, stdout=out)
    return out.getvalue()


def test_the_first_staff_member_sets_a_password_through_the_link_and_signs_in(client, caplog):
    caplog.set_level(logging.DEBUG)
    output = _create("Head.Of.Digital@Institute.example.gov.uk", "--name", "Grace Hopper")

    user = User.objects.get(email="head.of.digital@institute.example.gov.uk")
    membership = Membership.objects.select_related("organisation").get(user=user)
    assert (membership.role, membership.organisation.kind) == (Role.INSTITUTE_STAFF, "institute")
    assert user.full_name == "Grace Hopper" and user.is_staff and not user.has_usable_password()
    assert AuditEvent.objects.filter(verb="membership.first_staff_created").count() == 1
    link = re.search(r"(https?://\S+/account/password/reset/key/\S+)", output).group(1)
    assert link.startswith(f"{settings.SITE_URL}/")

    form = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert form.status_code == 200
    set_password = form.redirect_chain[-1][0]
    response = client.post(set_password, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    client.logout()
    signed_in = client.post("/account/login/", {"login": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    # Staff must set up two-factor authentication before any staff page.
    held = client.get("/requests/")
    assert held.status_code == 302 and held["Location"] == reverse("mfa_activate_totp")
    give_authenticator_app(user)
    assert client.get("/requests/").status_code == 200  # a page for institute staff only

    # The link worked once.
    client.logout()
    again = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert "The password reset link was invalid" in again.content.decode()
    assert PASSWORD not in output and PASSWORD not in caplog.text


def test_it_refuses_clearly_when_the_account_exists_and_changes_nothing(officer):
    with pytest.raises(CommandError, match="An account for .* already exists. Nothing was changed"):
        _create(officer.email.upper())
    assert Membership.objects.get(user=officer).role == Role.OFFICER


def test_running_it_twice_makes_one_account(client):
    _create("first@institute.example.gov.uk")
    with pytest.raises(CommandError, match="already exists"):
        _create("first@institute.example.gov.uk")
    assert User.objects.filter(email="first@institute.example.gov.uk").count() == 1


@pytest.mark.parametrize("email", ["not-an-address", "someone@", "someone@localhost"])
def test_it_refuses_an_address_that_is_not_one(email):
    with pytest.raises(CommandError):
        _create(email)
    assert not User.objects.filter(email=email).exists()
