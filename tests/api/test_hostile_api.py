"""No input gives a 500: every operation of the OpenAPI schema (not a hand-picked list), as a
visitor, a council officer and institute staff, with JSON nested thousands deep, NUL characters
in path, query and body strings, huge and malformed identifiers, and a Host header not in
ALLOWED_HOSTS. Every refusal has the documented Error body (docs/api.md). The pages get the
same from the URL resolver in tests/security/test_hostile_input.py.
"""

import json
from urllib.parse import quote

import pytest
from rest_framework.test import APIClient

from tests.api.test_schemathesis import (  # noqa: F401 (fixtures used by name)
    _connection_kept_open,
    _operations,
    _real_parameters,
    seeded,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "officer", "staff"]
WRITES = {"POST", "PUT", "PATCH"}
NUL = "a\x00b"
HUGE_ID = "9" * 40
DEEP_JSON = "[" * 5000 + "]" * 5000
NUL_JSON = json.dumps({"title": NUL, "body": NUL, "note": NUL, "list": [NUL], NUL: "x"})

_schema: dict = {}


def _operation(client, method: str, path: str) -> dict:
    if not _schema:
        _schema.update(client.get("/api/schema/?format=json").json())
    return _schema["paths"][path][method.lower()]


def _fill(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path


def _error_body_problems(response) -> list[str]:
    """What is wrong with a 4xx body, measured against the documented Error shape."""
    try:
        body = response.json()
    except ValueError:
        return [f"not JSON: {response.content[:80]!r}"]
    problems = []
    if not isinstance(body.get("detail"), str) or not isinstance(body.get("code"), str):
        problems.append(f"no detail and code: {body}")
    errors = body.get("errors", {})
    if not isinstance(errors, dict) or not all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in errors.values()
    ):
        problems.append(f"errors not {{field: [message]}}: {errors}")
    return problems


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_operation_gives_a_500_on_hostile_input(method, path, seeded):  # noqa: F811
    client = APIClient(raise_request_exception=False)
    operation = _operation(client, method, path)
    real = _real_parameters(path, seeded)
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    real_path = _fill(path, {name: real.get(name, "nothing") for name in names})
    problems = []

    def send(label, url, *, expected=None, **kwargs):
        response = getattr(client, method.lower())(url, **kwargs)
        status = response.status_code
        if status >= 500 or (expected is not None and status not in expected):
            problems.append(f"{label}: {status} {response.content[:160]!r}")
        elif status >= 400:
            problems.extend(f"{label}: {p}" for p in _error_body_problems(response))
        return response

    for role in ROLES:
        client.credentials()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {seeded['secret'][role]}")
        for value in (HUGE_ID, "no-such-thing-'%ff", NUL):
            for name in names:
                url = _fill(path, {**{n: real.get(n, "x") for n in names}, name: value})
                send(f"{role} {name}={value!r}", url, expected={404, 405} if value == NUL else None)
        for name in queries:
            send(f"{role} ?{name}=NUL", f"{real_path}?{name}={quote(NUL)}", expected={400})
            send(f"{role} ?{name}=huge", f"{real_path}?{name}={HUGE_ID}")
        if method in WRITES:
            for label, body, code in (
                ("deep JSON", DEEP_JSON, "parse_error"),
                ("NUL in JSON", NUL_JSON, "invalid"),
            ):
                response = send(
                    f"{role} {label}", real_path, data=body, content_type="application/json"
                )
                # Whoever may reach the body is told what is wrong with it.
                if response.status_code == 400:
                    assert response.json()["code"] == code, response.content
        send(f"{role} bad Host", real_path, expected={400}, headers={"host": "evil.example"})
    assert not problems, "\n".join(problems)
