"""Anonymous and per-person rates, counted exactly in Redis however many requests arrive at
once; 429 has Retry-After and the common body."""

import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.test import APIClient

from institute.tokens import api_token_create

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


def test_each_person_has_their_own_count(low_rates, officer, other_officer, token_client):
    first, second = token_client(officer), token_client(other_officer)

    assert [first.get("/api/v1/problems/").status_code for _ in range(6)][-1] == 429
    # A person's own rate, not the anonymous one, and not shared with another person.
    assert [second.get("/api/v1/problems/").status_code for _ in range(5)] == [200] * 5


def test_the_schema_and_docs_are_not_throttled(low_rates):
    client = APIClient()
    # Five requests to each, from one client: well past the anonymous rate of 3 a minute.
    for path in ("/api/schema/", "/api/docs/"):
        assert {client.get(path).status_code for _ in range(5)} == {200}, path


def test_a_person_with_two_tokens_shares_one_count(low_rates, officer, token_client):
    first, second = token_client(officer), token_client(officer)

    assert [first.get("/api/v1/problems/").status_code for _ in range(3)] == [200] * 3
    assert [second.get("/api/v1/problems/").status_code for _ in range(3)] == [200, 200, 429]
    assert first.get("/api/v1/problems/").status_code == 429


@pytest.fixture
def racing_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10/minute", "token": "20/minute"},
    }


def _race(urls_and_headers, workers=12):
    """Send every request at once from `workers` threads to the live server; the statuses."""

    def send(item):
        url, headers = item
        try:
            # The test's own live server over http: no user-chosen scheme.
            request = urllib.request.Request(url, headers=headers)  # noqa: S310
            with urllib.request.urlopen(request) as reply:  # noqa: S310
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return Counter(pool.map(send, urls_and_headers))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_with_two_tokens_stop_at_the_persons_limit(
    racing_rates, live_server, officer
):
    """60 requests at once, half with each of one person's two tokens, against a limit of 20
    a minute counted in the real Redis: exactly 20 get through, the rest get 429."""
    _, one = api_token_create(actor=officer, name="one")
    _, two = api_token_create(actor=officer, name="two")
    url = f"{live_server.url}/api/v1/problems/"
    requests = [(url, {"Authorization": f"Token {(one, two)[n % 2]}"}) for n in range(60)]

    assert _race(requests) == Counter({200: 20, 429: 40})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_anonymous_requests_stop_at_the_limit(racing_rates, live_server):
    url = f"{live_server.url}/api/v1/problems/"

    assert _race([(url, {})] * 30) == Counter({200: 10, 429: 20})
