"""Private answers are never cached: `Cache-Control: private, no-store` on every page and API
answer a signed-in person or an API token gets, on sign-in, and on addresses that carry a
secret; public pages fetched without credentials stay cacheable. One rule decides it
(institute.middleware.is_private); these tests walk the URL resolver and the page inventory
rather than a hand-picked list."""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from institute.tokens import api_token_create
from tests.accessibility import seed
from tests.accessibility.inventory import ANONYMOUS, ENTRIES

pytestmark = pytest.mark.django_db
API_NAMESPACES = ("backlog-api", "components-api", "standards-api", "centres-api")
PLACEHOLDERS = {
    "IntConverter": 999999,
    "SlugConverter": "no-such-thing",
    "UUIDConverter": uuid.UUID(int=1),
    "StringConverter": "nothing",
    "PathConverter": "nothing",
}


def _routes(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: staff only, and never_cache already
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            converters = getattr(pattern.pattern, "converters", {})
            kwargs = {key: PLACEHOLDERS[type(c).__name__] for key, c in converters.items()}
            # Regular-expression routes (allauth's): a word every group of theirs accepts.
            kwargs |= {
                key: "nothing" for key in pattern.pattern.regex.groupindex if key not in kwargs
            }
            yield name, reverse(name, kwargs=kwargs or None)


def _is_private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def test_every_route_answers_a_signed_in_person_with_private_no_store(officer):
    """Whatever the answer (a page, a 404, a refusal, a redirect), it is not for a cache."""
    client = Client()
    client.force_login(officer)
    shared = [
        f"{name} {url} -> {response.status_code} {response.get('Cache-Control')!r}"
        for name, url in _routes()
        if not _is_private(response := _get(client, url))
    ]
    assert shared == []


def test_every_api_route_answers_a_token_with_private_no_store(officer):
    _, secret = api_token_create(actor=officer, name="cache test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    api = [(name, url) for name, url in _routes() if name.split(":")[0] in API_NAMESPACES]
    assert len(api) > 20
    shared = [name for name, url in api if not _is_private(_get(client, url))]
    assert shared == []


def test_every_inventoried_page_for_every_signed_in_role_is_private(
    officer, centre_staff, institute_staff, sector_viewer, no_membership_user
):
    """The real pages, with real rows, as each role that sees them (the accessibility
    inventory's list), not just placeholder addresses."""
    users = {
        "officer": officer,
        "centre_staff": centre_staff,
        "institute_staff": institute_staff,
        "sector_viewer": sector_viewer,
        "no_membership_user": no_membership_user,
    }
    rows = seed.build(**users)
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    checked, shared = 0, []
    for entry in ENTRIES:
        if entry.role == ANONYMOUS or entry.empty or entry.action:
            continue
        url = entry.url(rows)
        response = _get(clients[entry.role], url)
        checked += 1
        if not _is_private(response):
            shared.append(f"{entry.label} {url} -> {response.status_code}")
    assert checked > 50
    assert shared == []


def test_public_pages_without_credentials_stay_cacheable(client):
    for url in ("/", reverse("backlog:problem_list"), "/api/v1/problems/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), url


def test_signing_in_is_never_cached(client, officer):
    officer.set_password("a long enough password")
    officer.save()
    response = client.post(
        reverse("account_login"),
        {"login": officer.email, "password": "a long enough password"},
    )
    assert response.status_code == 302
    assert "sessionid" in response.cookies
    assert _is_private(response)


def test_an_address_that_carries_a_secret_is_never_cached(client):
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "set-x"})
    )
    assert _is_private(response)
