"""Anonymous and per-token rates, counted in Redis; 429 has Retry-After and the common body."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "token": "5/minute"},
    }


def test_anonymous_clients_are_throttled_with_retry_after(low_rates):
    client = APIClient()
    statuses = [client.get("/api/v1/problems/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/problems/")
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["code"] == "throttled"
    assert body["retry_after"] == int(response["Retry-After"])


def test_each_token_has_its_own_count(low_rates, officer, other_officer, token_client):
    first, second = token_client(officer), token_client(other_officer)

    assert [first.get("/api/v1/problems/").status_code for _ in range(6)][-1] == 429
    # A token's own rate, not the anonymous one, and not shared with another token.
    assert [second.get("/api/v1/problems/").status_code for _ in range(5)] == [200] * 5


def test_the_schema_and_docs_are_not_throttled(low_rates):
    client = APIClient()
    # Five requests to each, from one client: well past the anonymous rate of 3 a minute.
    for path in ("/api/schema/", "/api/docs/"):
        assert {client.get(path).status_code for _ in range(5)} == {200}, path
