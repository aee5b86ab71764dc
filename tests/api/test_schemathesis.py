"""Schemathesis fuzzes every operation of the generated schema with all its checks, as a
council officer and as institute staff: no 5xx; every response (status, content type, headers,
body) as the schema says; input the schema allows is accepted and input it forbids is refused
(so the schema says what the API does: enums for vocabularies, nullable only where accepted,
one error shape).

Run alone with `-m schemathesis`. Seeded rows let generated requests reach real objects: for
half the cases the path parameters are replaced with the ids of those rows. Half the cases are
valid by the schema, half invalid.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from centres.models import LearningChange
from components.models import ComponentChange
from institute.tokens import api_token_create
from institute.wsgi import application
from tests.centres.factories import CentreFactory, LearningFactory, ProjectFactory, draft
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, council_officer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

load_all_checks()
# Every check schemathesis has; the stateful ones (use_after_free, ensure_resource_availability)
# judge the sequences of the stateful test below.
ALL_CHECKS = CHECKS.get_all()
# The detail of a 400 for input the serializers refused; any other 400 is a service's rule
# (a note is needed to challenge, evidence or a note for an adoption, an SPDX licence) that no
# schema can state, answered with the rule's own sentence.
FIELDS_REFUSED = "There is a problem with the fields in errors."
ROLES = ["officer", "staff"]
MAX_EXAMPLES = 15
ACTING = "X-Acting-Organisation"


def _operations() -> list[tuple[str, str]]:
    """Every operation of the schema, as the schema names it, found without generating the
    schema (that reads the service areas from the database, which collection may not use)."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    return sorted(
        (method.upper(), generator.coerce_path(path, method, view))
        for path, _, method, view in generator.endpoints
        if path.startswith("/api/v1/")
    )


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
    # A change waiting for review of each kind, by someone else than the fuzzing roles.
    author = council_officer("manchester", "fuzz-author@manchester.example.test")
    learning_change = LearningChange.objects.create(
        learning=learning,
        proposed={"evidence_strength": 5},
        previous={"evidence_strength": learning.evidence_strength},
        proposed_by=author,
    )
    component_change = ComponentChange.objects.create(
        component=component,
        proposed={"maturity": "beta"},
        previous={"maturity": component.maturity},
        proposed_by=author,
    )
    _, secret = api_token_create(actor=officer, name="schemathesis")
    _, staff_secret = api_token_create(actor=institute_staff, name="schemathesis")
    ids = {
        "problems": problem.pk,
        "adoptions": adoption.pk,
        "projects": project.pk,
    }
    return {
        "secret": {"officer": secret, "staff": staff_secret},
        # What a valid X-Acting-Organisation names: the role's own organisation.
        "acting": {"officer": "leeds", "staff": "local-digital-institute"},
        "change_ids": {"learning": learning_change.pk, "components": component_change.pk},
        "ids": ids,
        "public_ids": {
            "assessments": str(assessment.public_id),
            "components": str(component.public_id),
            "learning": str(learning.public_id),
        },
        "standard": standard.slug,
        "centre": centre.slug,
        # Rows a valid body or filter may name: the schema says their form, the rows must exist.
        "references": {
            "centre": centre.slug,
            "host": "west-midlands-combined-authority",
            "organisation": "leeds",
            "maintainer": "leeds",
            "component": str(component.public_id),
            "problem": problem.pk,
            "standard": standard.slug,
            "councils": ["leeds"],
            "partner_councils": ["leeds"],
            "problems": [problem.pk],
            "components": [component.slug],
            "components_produced": [component.slug],
            "components_used": [component.slug],
            "standards": [standard.slug],
            "project": None,
        },
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
    if resource in seeded["change_ids"]:
        real["change_id"] = seeded["change_ids"][resource]
    return real


def _name_real_rows(case, references: dict) -> None:
    """A valid case names rows that exist (an unknown slug is a 400 the schema cannot foresee),
    and web addresses Django accepts (the schema's `uri` allows "http://")."""
    if case.query:
        for name in case.query.keys() & references.keys():
            case.query[name] = references[name]
    if isinstance(case.body, dict):
        for name in case.body.keys() & references.keys():
            case.body[name] = references[name]
        for name in [name for name in case.body if name.endswith("_url")]:
            if case.body[name]:
                case.body[name] = "https://example.test/evidence"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), _operations())
def test_operation_conforms_to_the_schema(method, path, role, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    # PostgreSQL cannot store NUL: the API refuses it in any string (docs/api.md), so a valid
    # case never holds one; tests/api/test_hostile_api.py sends them.
    schema.config.generation.update(allow_x00=False)
    operation = schema[path][method]
    headers = {"Authorization": f"Token {seeded['secret'][role]}"}
    real = _real_parameters(path, seeded)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases, use_real=st.booleans())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case, use_real):
        # The coverage examples schemathesis adds include a "default positive test case"
        # that keeps the negative mode: it is a valid case.
        negative = case.meta.generation.mode == GenerationMode.NEGATIVE and "positive" not in (
            getattr(case.meta.phase.data, "description", "") or ""
        )
        if negative and (
            case.meta.pool_draws
            or not any(c.mode.is_negative for c in case.meta.components.values())
        ):
            # Nothing invalid is left to send: schemathesis put a real id from an earlier
            # response in place of the invalid one, or could make nothing invalid.
            return
        if not negative:
            _name_real_rows(case, seeded["references"])
            if case.headers and ACTING in case.headers:
                case.headers[ACTING] = seeded["acting"][role]
            if use_real and case.path_parameters:
                case.path_parameters = {
                    name: real.get(name, value) for name, value in case.path_parameters.items()
                }
        response = case.call(headers=headers)
        checks = [c for c in ALL_CHECKS if negative or c is not negative_data_rejection]
        if response.status_code == 400 and response.json().get("detail") != FIELDS_REFUSED:
            checks = [c for c in checks if c is not positive_data_acceptance]
        case.validate_response(response, checks=checks, headers=headers)

    check()
