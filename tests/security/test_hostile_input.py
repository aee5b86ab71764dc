"""No input gives a 500: every route of the URL resolver, with hostile input, as a visitor, a
council officer and institute staff (issue #15).

The routes are enumerated from the resolver (not a hand-picked list), so a new page is covered
the day it is added. Each path parameter gets a NUL byte, a huge number and a slug no row has;
every route gets a NUL in its query string and in a posted form (refused at the edge,
institute/input_guard.py), absurd paging and sorting, and a Host header not in ALLOWED_HOSTS.
The API operations get the same from the OpenAPI schema in tests/api/test_hostile_api.py.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "officer", "institute_staff"]

NUL = "a\x00b"
HUGE_ID = "9" * 40
BAD_SLUG = "no-such-thing-'\"<>%ff-" + "x" * 300
PATH_VALUES = [HUGE_ID, BAD_SLUG]
# Paging, sorting and filters no page offers, and a very long search.
HOSTILE_QUERY = (
    f"?page={HUGE_ID}&page_size=-1&sort=%27%3B--&q={'x' * 2000}"
    f"&organisation={HUGE_ID}&theme=%ff&status=[]&region=&council_type=9"
)
HOSTILE_FORM = {"name": "x" * 5000, "title": "", "id": HUGE_ID, "organisation": BAD_SLUG}

_ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _template(pattern) -> str:
    """A route as a path with {name} for each parameter, whether path() or re_path()."""
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAMETER.sub(r"{\1}", str(pattern._route))
    text = _REGEX_GROUP.sub(r"{\1}", pattern._regex)
    return text.removeprefix("^").removesuffix("$").removesuffix(r"\Z").replace("\\", "")


def _routes(patterns=None, prefix=""):
    """(route name, path template) for every route the resolver knows."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + _template(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name or "", "/" + prefix + _template(pattern.pattern)


ROUTES = sorted(set(_routes()), key=lambda route: route[1])


def _fill(template: str, value: str) -> str:
    return re.sub(r"\{\w+\}", quote(value, safe=""), template)


def _client(role, request) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def test_the_resolver_is_enumerated():
    """The walk finds pages of every app, the API and the third-party routes."""
    templates = {template for _, template in ROUTES}
    assert "/organisations/{slug}/" in templates
    assert "/api/v1/problems/{pk}/" in templates
    assert any(t.startswith("/account/") and "{" in t for t in templates)
    assert any(t.startswith("/admin/") and "{" in t for t in templates)
    assert len(ROUTES) > 100


def _roles(template: str) -> list[str]:
    """Django admin is for is_staff superusers only (everyone else gets its sign-in page)."""
    return ["superuser"] if template.startswith("/admin/") else ROLES


class Problems(list):
    def check(self, response, label: str, url: str, expected=None):
        status = response.status_code
        # 503 is the service saying a dependency is down (healthz without a Celery worker).
        if (status >= 500 and status != 503) or (expected is not None and status not in expected):
            self.append(f"{label} {url[:200]!r}: {status}")


@pytest.mark.parametrize(("name", "template"), ROUTES, ids=[t for _, t in ROUTES])
def test_no_route_gives_a_500_on_hostile_input(name, template, request):
    has_parameters = "{" in template
    plain = _fill(template, "nothing")
    problems = Problems()
    # Refused at the edge for everyone, before the session or the user is read.
    client = Client(raise_request_exception=False)
    if has_parameters:
        url = _fill(template, NUL)
        problems.check(client.get(url), "NUL in the path", url, expected={404})
    url = plain + "?organisation=" + quote(NUL)
    problems.check(client.get(url), "NUL in the query", url, expected={400})
    problems.check(client.post(plain, {"name": NUL}), "NUL in a form", plain, expected={400})
    response = client.get(plain, headers={"host": "evil.example"})
    problems.check(response, "GET with a bad Host", plain, expected={400})
    response = client.post(plain, {"email": "a@b.test"}, headers={"host": "evil.example"})
    problems.check(response, "POST with a bad Host", plain, expected={400})
    # What each role's request reaches: the views themselves.
    for role in _roles(template):
        client = _client(role, request)
        for url in [_fill(template, value) for value in PATH_VALUES] if has_parameters else [plain]:
            problems.check(client.get(url), f"{role} GET", url)
        problems.check(client.get(plain + HOSTILE_QUERY), f"{role} GET", plain + HOSTILE_QUERY)
        problems.check(client.post(plain, HOSTILE_FORM), f"{role} POST", plain)
    assert not problems, "\n".join(problems)
