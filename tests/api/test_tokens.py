"""Personal API tokens: created and revoked on the account page, shown once, stored hashed,
read-only tokens, last use recorded at most once a minute, staff revoke any token."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from institute.models import ApiToken, AuditEvent
from institute.tokens import api_token_create, api_token_revoke
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db
SIGNED_IN = [
    "no_membership_user",
    "officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_anyone_signed_in_creates_a_token_shown_once_and_stored_hashed(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.post("/account/tokens/", {"name": "Dashboard import"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    secret = response.context["secret"]
    assert secret.startswith("ldi_") and secret in response.content.decode()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert "no-store" in response["Cache-Control"]
    account = client.get("/account/").content.decode()
    assert "Dashboard import" in account and token.prefix in account
    assert secret not in account


def test_anonymous_cannot_create_tokens(client):
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_sensible_name(client, officer, name):
    client.force_login(officer)
    response = client.post("/account/tokens/", {"name": name}, follow=True)
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "name" in response.content.decode().lower()


def test_a_token_acts_with_its_owners_role_without_csrf(officer):
    problem = ProblemFactory()
    _, secret = api_token_create(actor=officer, name="script")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert client.post(f"/api/v1/problems/{problem.pk}/vote/").status_code == 201


def test_a_read_only_token_reads_but_gets_403_on_every_unsafe_method(officer, token_client):
    problem = ProblemFactory()
    client = token_client(officer, read_only=True)

    assert client.get("/api/v1/problems/").status_code == 200
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/problems/{problem.pk}/vote/")
        assert response.status_code == 403, method
        assert response.json()["code"] == "permission_denied"
    assert problem.votes.count() == 0


def test_a_revoked_token_is_refused(officer):
    token, secret = api_token_create(actor=officer, name="old")
    api_token_revoke(actor=officer, token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.post("/api/v1/problems/", {})
    assert response.status_code == 403
    assert response.json()["code"] == "authentication_failed"


def test_last_use_is_written_at_most_once_a_minute(officer, django_assert_num_queries):
    token, secret = api_token_create(actor=officer, name="busy")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    client.get("/api/v1/centres/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/api/v1/centres/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/centres/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()


def test_owner_revokes_their_token_on_the_account_page(client, officer):
    token, _ = api_token_create(actor=officer, name="mine")
    client.force_login(officer)

    response = client.post(f"/account/tokens/{token.public_id}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == officer
    assert AuditEvent.objects.filter(verb="api_token.revoke").count() == 1


def test_others_cannot_revoke_or_see_a_token(client, officer, other_officer):
    token, _ = api_token_create(actor=officer, name="mine")
    client.force_login(other_officer)

    assert client.post(f"/account/tokens/{token.public_id}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", ["anonymous", *SIGNED_IN])
def test_only_institute_staff_see_every_token(client, request, role, officer):
    api_token_create(actor=officer, name="officer's token")
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)

    response = client.get("/tokens/")

    if role == "institute_staff":
        assert response.status_code == 200
        assert "officer&#x27;s token" in response.content.decode()
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


def test_staff_revoke_anyones_token(client, officer, institute_staff):
    token, secret = api_token_create(actor=officer, name="leaked")
    client.force_login(institute_staff)

    response = client.post(f"/account/tokens/{token.public_id}/revoke/")

    assert response.status_code == 302 and response["Location"] == "/tokens/"
    token.refresh_from_db()
    assert token.revoked_by == institute_staff
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.post("/api/v1/problems/", {}).status_code == 403


def test_staff_token_list_query_count_is_fixed(
    client, institute_staff, officer, django_assert_max_num_queries
):
    for n in range(20):
        api_token_create(actor=officer, name=f"t{n}")
    for n in range(10):
        api_token_create(actor=institute_staff, name=f"s{n}")
    client.force_login(institute_staff)
    with django_assert_max_num_queries(12):
        assert client.get("/tokens/").status_code == 200
