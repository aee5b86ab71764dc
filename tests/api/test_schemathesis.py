"""Schemathesis fuzzes every operation of the generated schema with an officer's token:
no 5xx, and every response (status, content type, body) as the schema says.

Run alone with `-m schemathesis`. Seeded rows let generated requests reach real objects: for
half the cases the path parameters are replaced with the ids of those rows.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from institute.tokens import api_token_create
from institute.wsgi import application
from tests.centres.factories import CentreFactory, LearningFactory, ProjectFactory, draft
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, council_officer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture
def _connection_kept_open():
    """The WSGI app closes the database connection after each request, which would end the
    test's transaction; Django's test client disconnects the same signal handler."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(institute_staff, settings, _connection_kept_open):
    """A little of everything, and the ids that make path parameters real."""
    from institute.models import Organisation

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "token": "100000/minute"},
    }
    officer = council_officer("leeds", "fuzz-officer@leeds.example.test")
    problem = ProblemFactory(submitted_by=officer)
    component = ComponentFactory()
    adoption = AdoptionFactory(
        component=component, organisation=Organisation.objects.get(slug="leeds")
    )
    standard = published_standard(institute_staff)
    assessment = submitted_assessment(officer, standard)
    centre = CentreFactory(
        slug="greater-manchester",
        host=Organisation.objects.get(slug="greater-manchester-combined-authority"),
    )
    project = ProjectFactory(centre=centre)
    learning = LearningFactory(centre=centre)
    draft(centre=centre)
    _, secret = api_token_create(actor=officer, name="schemathesis")
    ids = {
        "problems": problem.pk,
        "adoptions": adoption.pk,
        "projects": project.pk,
    }
    return {
        "secret": secret,
        "ids": ids,
        "public_ids": {
            "assessments": str(assessment.public_id),
            "components": str(component.public_id),
            "learning": str(learning.public_id),
        },
        "standard": standard.slug,
        "centre": centre.slug,
    }


def _real_parameters(path: str, seeded: dict) -> dict:
    resource = path.removeprefix("/api/v1/").split("/")[0]
    real = {"number": 1, "code": "F1", "slug": seeded["standard"]}
    if resource == "centres":
        real["slug"] = seeded["centre"]
    elif resource == "organisations":
        real["slug"] = "leeds"
    if resource in seeded["ids"]:
        real["id"] = seeded["ids"][resource]
    if resource in seeded["public_ids"]:
        real["public_id"] = seeded["public_ids"][resource]
    return real


@pytest.mark.parametrize(("method", "path"), _operations())
def test_operation_conforms_to_the_schema(method, path, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operation = schema[path][method]
    headers = {"Authorization": f"Token {seeded['secret']}"}
    real = _real_parameters(path, seeded)

    @given(case=operation.as_strategy(), use_real=st.booleans())
    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case, use_real):
        if use_real and case.path_parameters:
            case.path_parameters = {
                name: real.get(name, value) for name, value in case.path_parameters.items()
            }
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()
