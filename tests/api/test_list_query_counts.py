"""Contract: every list endpoint makes the same number of queries for 1 row as for 50
(read with a token, as a program would)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institute.models import Organisation
from tests.centres.factories import CentreFactory, LearningFactory, ProjectFactory
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, UserFactory, council_officer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db


def _councils(ctx, n):
    start = ctx.get("councils_used", 0)
    ctx["councils_used"] = start + n
    return list(Organisation.objects.councils().order_by("pk")[start : start + n])


def _once(ctx, key, make):
    if key not in ctx:
        ctx[key] = make()
    return ctx[key]


def _problems(ctx, n):
    author = UserFactory()
    ProblemFactory.create_batch(n, submitted_by=author)
    return "/api/v1/problems/"


def _comments(ctx, n):
    from backlog import services

    problem = _once(ctx, "problem", ProblemFactory)
    officer = _once(ctx, "officer", lambda: council_officer("leeds", "c@leeds.example.test"))
    for i in range(n):
        services.comment_add(actor=officer, problem=problem, body=f"Comment {i}")
    return f"/api/v1/problems/{problem.pk}/comments/"


def _components(ctx, n):
    author = UserFactory()
    ComponentFactory.create_batch(n, submitted_by=author)
    return "/api/v1/components/"


def _adoptions(ctx, n, *, scope):
    component = _once(ctx, "component", ComponentFactory)
    if scope == "organisation":
        leeds = Organisation.objects.get(slug="leeds")
        for _ in range(n):
            AdoptionFactory(organisation=leeds, component=ComponentFactory())
        return "/api/v1/organisations/leeds/adoptions/"
    for council in _councils(ctx, n):
        AdoptionFactory(component=component, organisation=council)
    if scope == "component":
        return f"/api/v1/components/{component.public_id}/adoptions/"
    return "/api/v1/adoptions/"


def _standards(ctx, n):
    for i in range(n):
        published_standard(ctx["staff"], title=f"Standard number {i}")
    return "/api/v1/standards/"


def _assessments(ctx, n):
    standards = [published_standard(ctx["staff"], title=f"Assessed {i}") for i in range(n)]
    officer = _once(ctx, "officer", lambda: council_officer("leeds", "a@leeds.example.test"))
    for standard in standards:
        submitted_assessment(officer, standard)
    return "/api/v1/assessments/"


def _centres(ctx, n):
    # A centre per host organisation: strategic authorities first, then councils.
    start = ctx.get("hosts_used", 0)
    ctx["hosts_used"] = start + n
    hosts = Organisation.objects.order_by("-kind", "pk")[start : start + n]
    for host in hosts:
        CentreFactory(host=host, slug=f"centre-{host.pk}")
    return "/api/v1/centres/"


def _projects(ctx, n):
    centre = _once(ctx, "centre", CentreFactory)
    ProjectFactory.create_batch(n, centre=centre, created_by=ctx["staff"])
    return "/api/v1/projects/"


def _learning(ctx, n):
    centre = _once(ctx, "centre", CentreFactory)
    LearningFactory.create_batch(n, centre=centre, created_by=ctx["staff"])
    return "/api/v1/learning/"


def _changes(ctx, n, *, kind):
    """Decided changes, each by other people (one may wait at a time)."""
    from centres.models import LearningChange
    from components.models import ComponentChange

    if kind == "learning":
        target = _once(ctx, "item", lambda: LearningFactory(created_by=ctx["staff"]))
        model, field, url = LearningChange, "learning", f"/api/v1/learning/{target.public_id}/"
    else:
        target = _once(ctx, "changed", ComponentFactory)
        model, field, url = ComponentChange, "component", f"/api/v1/components/{target.public_id}/"
    model.objects.bulk_create(
        model(
            **{field: target},
            proposed={"licence": "MIT"},
            previous={"licence": ""},
            status="rejected",
            reason="Not yet.",
            proposed_by=UserFactory(),
            decided_by=UserFactory(),
        )
        for _ in range(n)
    )
    return f"{url}changes/"


LISTS = {
    "problems": _problems,
    "problem comments": _comments,
    "components": _components,
    "adoptions": lambda ctx, n: _adoptions(ctx, n, scope="all"),
    "component adoptions": lambda ctx, n: _adoptions(ctx, n, scope="component"),
    "organisation adoptions": lambda ctx, n: _adoptions(ctx, n, scope="organisation"),
    "standards": _standards,
    "assessments": _assessments,
    "centres": _centres,
    "projects": _projects,
    "learning": _learning,
    "learning changes": lambda ctx, n: _changes(ctx, n, kind="learning"),
    "component changes": lambda ctx, n: _changes(ctx, n, kind="component"),
}


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_its_length(
    name, institute_staff, token_client, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute", "token": "10000/minute"},
    }
    client = token_client(institute_staff)
    client.get("/api/v1/centres/")  # the token's first use is recorded once; not part of any list
    ctx = {"staff": institute_staff}
    url = LISTS[name](ctx, 1)
    one, rows = _queries(client, url)
    assert rows == 1
    LISTS[name](ctx, 49)
    fifty, rows = _queries(client, url)
    assert rows == 50
    assert fifty == one, f"{name}: {one} queries for 1 row, {fifty} for 50"
