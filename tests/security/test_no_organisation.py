"""Someone signed in who belongs to no organisation yet changes nothing: every write says why
(403 with a reason), never a 500 and never a row (institute.access.belongs_to_an_organisation).
"""

import pytest
from rest_framework.test import APIClient

from institute.tokens import api_token_create
from tests.security.db_state import changed_tables, snapshot
from tests.security.test_authorisation_matrix import (
    a_adoption_create,
    a_component_create,
    a_learning_create,
    a_project_create,
)
from tests.security.world import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "setup", [a_project_create, a_learning_create, a_adoption_create, a_component_create]
)
@pytest.mark.parametrize("signed_in_by", ["session", "token"])
def test_api_writes_are_refused_with_a_reason(setup, signed_in_by, request):
    world = World(request, "no_membership_user")
    prepared = setup(world)
    client = APIClient(raise_request_exception=False)
    if signed_in_by == "session":
        client.force_login(world.actor)
    else:
        _, secret = api_token_create(actor=world.actor, name="newcomer")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    before = snapshot()

    response = client.post(prepared.url, prepared.data, format="json")

    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "forbidden" and body["detail"]
    assert changed_tables(before, snapshot()) == []


def test_the_submit_page_says_why(client, no_membership_user):
    client.force_login(no_membership_user)

    response = client.get("/components/new/")

    assert response.status_code == 403
    assert "ask to join from your account page" in response.content.decode()
