"""The conventions of docs/api.md that hold for every endpoint: the schema, the error body,
identifiers, and the cases schemathesis found."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3")


def test_schema_documents_every_api_route_and_the_common_errors(client):
    from django.urls import get_resolver

    schema = client.get("/api/schema/?format=json").json()
    routes = {
        str(p.pattern)
        for included in get_resolver().url_patterns
        if str(getattr(included, "pattern", "")) == "api/v1/"
        for app in included.url_patterns
        for p in app.url_patterns
    }
    assert len(schema["paths"]) == len(routes)
    for item in schema["paths"].values():
        for method, operation in item.items():
            assert {"403", "404", "429"} <= set(operation["responses"]), method
            assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }


def test_docs_page_is_served_by_the_project_without_inline_script(client):
    response = client.get("/api/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>" not in html and "<style>" not in html
    assert "/assets/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/problems/99999999999999999999/",
        "/api/v1/standards/%C3%8BV%20x/",
        "/api/v1/standards/no-such/versions/-1958740/",
        "/api/v1/centres/%C3%8B%20x/",
        "/api/v1/organisations/%C3%8B%20x/adoptions/",
        "/api/v1/assessments/99999999999999999999/",
    ],
)
def test_odd_identifiers_are_a_json_404(url):
    response = APIClient().get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/problems/", 403, "not_authenticated"),
        ("/api/v1/problems/?page=999", 404, "not_found"),
        ("/api/v1/problems/?theme=nonsense", 400, "invalid"),
    ],
)
def test_every_error_has_the_common_shape(url, status, code):
    client = APIClient()
    response = client.post(url, {}) if status == 403 else client.get(url)

    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]


def test_page_size_is_capped_at_100(client):
    response = APIClient().get("/api/v1/problems/?page_size=1000")
    assert response.status_code == 200
    assert "page_size=1000" not in (response.json()["next"] or "")
