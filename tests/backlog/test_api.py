"""The backlog API under /api/v1/: every endpoint for every role, bad input, votes, tokens.

Real PostgreSQL, real services, no mocks. Conventions the tests pin down (see backlog/api.py):

- Anonymous writes get 403, never 401: SessionAuthentication is the first authentication class and
  sends no WWW-Authenticate challenge, so DRF answers 403. An invalid token gets 403 for the same
  reason.
- Every 400 body is {"detail", "code": "invalid", "errors": {field: [messages]}}.
- Refusals are checked before input: a sector viewer sending nonsense gets 403, not 400.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Prefetch
from rest_framework.test import APIClient

from backlog import services
from backlog.api import ProblemSerializer
from backlog.models import Comment, Follow, Problem, Status, Vote
from institute import selectors as core_selectors
from institute.models import ServiceArea
from institute.tokens import api_token_create
from tests.factories import ProblemFactory, UserFactory, council_officer

pytestmark = pytest.mark.django_db

LIST = "/api/v1/problems/"
ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
]
PARTICIPANTS = {"officer", "other_officer", "centre_staff", "institute_staff"}
VOTERS = {"officer", "other_officer"}
UTC_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


# --- Helpers -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every role fixture makes a user with a password; a slow hash costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_role(request):
    """An APIClient signed in (by session) as the user of a role fixture, or anonymous."""

    def make(role: str) -> APIClient:
        client = APIClient()
        user = request.getfixturevalue(role)
        if user.is_authenticated:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def submitter(db):
    """One author for many problems (each UserFactory user costs a password hash)."""
    return UserFactory(email="author@example.test")


@pytest.fixture
def problem(submitter):
    return ProblemFactory(
        title="Housing repairs reports arrive by e-mail",
        summary="Repairs requests come in unstructured.",
        description="We **retype** every report.\n\n<script>alert(1)</script>",
        submitted_by=submitter,
    )


@pytest.fixture
def merged_problem(problem, submitter):
    return ProblemFactory(status=Status.MERGED, merged_into=problem, submitted_by=submitter)


@pytest.fixture
def solved_problem(submitter):
    return ProblemFactory(status=Status.SOLVED, submitted_by=submitter)


def detail_url(problem_or_id) -> str:
    pk = getattr(problem_or_id, "pk", problem_or_id)
    return f"/api/v1/problems/{pk}/"


def vote_url(problem) -> str:
    return f"{detail_url(problem)}vote/"


def comments_url(problem) -> str:
    return f"{detail_url(problem)}comments/"


def valid_submission(**overrides) -> dict:
    return {
        "title": "Blue badge renewals are on paper",
        "summary": "Residents post forms; officers retype them.",
        "description": "We receive *hundreds* of paper forms a month.",
        "theme": "data",
        "service_areas": ["adult-social-care", "customer-services"],
        **overrides,
    }


def assert_field_error(response, *fields):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    for field in fields:
        assert body["errors"][field], body
        assert all(isinstance(message, str) for message in body["errors"][field])


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- GET /problems/ ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_is_public_for_every_role(as_role, role, problem, merged_problem):
    response = as_role(role).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1  # merged problems are left out, as on the page
    (row,) = body["results"]
    assert row["id"] == problem.pk
    assert row["url"] == f"/problems/{problem.pk}/"
    assert row["title"] == problem.title
    assert row["service_areas"] == ["housing"]
    assert row["theme"] == "data"
    assert row["status"] == "new"
    assert row["merged_into"] is None
    assert row["voted"] is False
    assert UTC_ISO.match(row["created_at"]) and UTC_ISO.match(row["last_activity_at"])


def test_list_marks_the_problems_the_user_voted_on(as_role, officer, problem, submitter):
    other = ProblemFactory(submitted_by=submitter)
    services.problem_vote(actor=officer, problem=problem)

    rows = {row["id"]: row for row in as_role("officer").get(LIST).json()["results"]}

    assert rows[problem.pk]["voted"] is True
    assert rows[other.pk]["voted"] is False
    assert rows[problem.pk]["vote_count"] == 1 and rows[problem.pk]["council_count"] == 1


@pytest.fixture
def demand(officer, other_officer, submitter):
    """Three problems: Leeds (two officers) has `leeds_problem`, Bristol has `bristol_problem`."""
    leeds_problem = ProblemFactory(
        title="Council tax reminders bounce",
        summary="Reminder letters go to old addresses.",
        theme="data",
        submitted_by=submitter,
    )
    bristol_problem = ProblemFactory(
        title="Bin collection rounds are planned by hand",
        summary="Rounds live in spreadsheets.",
        theme="procurement",
        service_areas=[ServiceArea.objects.get(slug="waste-and-recycling")],
        submitted_by=submitter,
    )
    untouched = ProblemFactory(
        title="Library loans data is locked in a supplier system",
        summary="We cannot get our own data out.",
        theme="standards",
        status=Status.TRIAGED,
        submitted_by=submitter,
    )
    services.problem_vote(actor=officer, problem=leeds_problem)
    services.problem_vote(
        actor=council_officer("leeds", "second@leeds.example.test"), problem=leeds_problem
    )
    services.problem_vote(actor=other_officer, problem=bristol_problem)
    return leeds_problem, bristol_problem, untouched


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=procurement", ["bristol"]),
        ("status=triaged", ["untouched"]),
        ("service_area=waste-and-recycling", ["bristol"]),
        ("region=E12000003", ["leeds"]),  # Yorkshire and The Humber: Leeds
        ("region=E12000009", ["bristol"]),  # South West: Bristol
        ("region=E12000007", []),
        ("council_type=unitary", ["bristol"]),
        ("council_type=metropolitan_borough&region=E12000003", ["leeds"]),
        ("q=spreadsheets", ["bristol"]),
        ("q=supplier+data", ["untouched"]),
        ("sort=votes", ["leeds", "bristol", "untouched"]),
        ("sort=newest", ["untouched", "bristol", "leeds"]),
        ("sort=councils&theme=data", ["leeds"]),
        ("theme=&status=&sort=", ["bristol", "leeds", "untouched"]),  # blank: any; ties by -id
    ],
)
def test_list_filters_sort_and_search_like_the_page(as_role, demand, query, expected):
    by_name = dict(zip(["leeds", "bristol", "untouched"], demand, strict=True))

    response = as_role("anonymous").get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert ids(response) == [by_name[name].pk for name in expected]


def test_list_shows_merged_problems_only_when_asked(as_role, problem, merged_problem):
    response = as_role("anonymous").get(f"{LIST}?status=merged")

    assert ids(response) == [merged_problem.pk]
    assert response.json()["results"][0]["merged_into"] == problem.pk


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("theme=nonsense", "theme"),
        ("status=deleted", "status"),
        ("service_area=no-such-area", "service_area"),
        ("service_area=not a slug", "service_area"),
        ("region=E12000010", "region"),
        ("region=north-east", "region"),
        ("region=E12000001%00", "region"),
        ("council_type=parish", "council_type"),
        ("sort=popular", "sort"),
        ("sort=-id", "sort"),
        (f"q={'a' * 201}", "q"),
        ("q=%00", "q"),
    ],
)
def test_list_rejects_unknown_filter_values(as_role, problem, query, field):
    assert_field_error(as_role("anonymous").get(f"{LIST}?{query}"), field)


@pytest.mark.parametrize(
    "q",
    ["'; DROP TABLE backlog_problem; --", "a & | ! ( :* <->", '"unbalanced', "<script>", "🙂"],
)
def test_list_search_survives_hostile_text(as_role, problem, q):
    response = as_role("anonymous").get(LIST, {"q": q})

    assert response.status_code == 200
    assert Problem.objects.filter(pk=problem.pk).exists()


def test_list_is_paginated_with_a_page_size_of_at_most_100(as_role, submitter):
    ProblemFactory.create_batch(101, submitted_by=submitter)
    client = as_role("anonymous")

    default = client.get(LIST).json()
    small = client.get(f"{LIST}?page_size=2&page=3").json()
    capped = client.get(f"{LIST}?page_size=1000").json()

    assert default["count"] == 101 and len(default["results"]) == 25
    assert (
        len(small["results"]) == 2 and "page=4" in small["next"] and "page=2" in small["previous"]
    )
    assert len(capped["results"]) == 100
    assert client.get(f"{LIST}?page=99").status_code == 404


def test_list_rows_are_what_the_serializer_gives(client, officer, submitter, institute_staff):
    # The list builds its rows without DRF's per-field work: the JSON must not change.
    areas = list(ServiceArea.objects.order_by("-slug")[:3])
    made = [
        ProblemFactory(submitted_by=submitter, service_areas=areas[: 1 + n % 3]) for n in range(4)
    ]
    services.problem_vote(actor=officer, problem=made[1])
    target = made[3]
    services.problem_merge(actor=institute_staff, source=made[2], target=target)
    client.force_login(officer)

    rows = client.get(f"{LIST}?status=merged").json()["results"]
    rows += client.get(LIST).json()["results"]

    problems = Problem.objects.filter(pk__in=[row["id"] for row in rows]).prefetch_related(
        Prefetch("service_areas", queryset=ServiceArea.objects.order_by("name"))
    )
    by_id = {p.pk: p for p in problems}
    voted = {made[1].pk}
    expected = [
        dict(ProblemSerializer(by_id[row["id"]], context={"voted_ids": voted}).data) for row in rows
    ]
    assert rows == expected
    assert {row["id"]: row["voted"] for row in rows}[made[1].pk] is True
    assert any(row["merged_into"] == target.pk for row in rows)


# Queries: count, page (the service areas are the ids beside each row); signed in, also the
# session, the user and which problems they voted on. The number does not depend on how many
# problems are listed.
# Signed in: the session comes from the cache (cached_db), then the user and their membership.
LIST_QUERIES = {"anonymous": 2, "officer": 4}


@pytest.mark.parametrize("role", ["anonymous", "officer"])
@pytest.mark.parametrize("problems", [1, 50])
def test_list_query_count_does_not_grow_with_the_page(
    as_role, role, problems, submitter, officer, django_assert_num_queries
):
    areas = list(ServiceArea.objects.all()[:3])
    made = ProblemFactory.create_batch(problems, submitted_by=submitter, service_areas=areas)
    services.problem_vote(actor=officer, problem=made[0])
    client = as_role(role)
    # The service areas' names and slugs, cached until one changes (the first request after a
    # change reads them once).
    core_selectors.service_area_choices()

    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(f"{LIST}?page_size=100&sort=votes&region=E12000003")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1  # only the problem Leeds voted on

    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(f"{LIST}?page_size=100&theme=data")
    assert len(response.json()["results"]) == problems
    in_name_order = [area.slug for area in sorted(areas, key=lambda area: area.name)]
    assert all(row["service_areas"] == in_name_order for row in response.json()["results"])


# --- GET /problems/<id>/ -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_public_for_every_role(as_role, role, problem):
    response = as_role(role).get(detail_url(problem))

    assert response.status_code == 200
    assert response.json()["id"] == problem.pk


def test_detail_shows_the_problem_and_the_councils_affected(
    as_role, demand, officer, leeds, bristol
):
    leeds_problem, _, _ = demand
    services.problem_vote(actor=council_officer("bristol-city-of"), problem=leeds_problem)
    leeds_problem.refresh_from_db()

    body = as_role("officer").get(detail_url(leeds_problem)).json()

    assert body["id"] == leeds_problem.pk
    assert body["url"] == f"/problems/{leeds_problem.pk}/"
    assert body["title"] == "Council tax reminders bounce"
    assert body["summary"] == "Reminder letters go to old addresses."
    assert body["description"] == leeds_problem.description
    assert body["description_html"] == leeds_problem.description_html
    assert body["theme"] == "data"
    assert body["status"] == "new"
    assert body["service_areas"] == ["housing"]
    assert body["vote_count"] == 3 and body["council_count"] == 2
    assert body["voted"] is True
    assert body["merged_into"] is None
    assert body["councils"] == [
        {
            "name": bristol.name,
            "gss_code": bristol.gss_code,
            "region": "E12000009",
            "council_type": "unitary",
            "officers": 1,
            "closed_on": None,
            "successors": [],
        },
        {
            "name": leeds.name,
            "gss_code": leeds.gss_code,
            "region": "E12000003",
            "council_type": "metropolitan_borough",
            "officers": 2,
            "closed_on": None,
            "successors": [],
        },
    ]
    assert body["created_at"] == leeds_problem.created_at.astimezone(UTC).isoformat().replace(
        "+00:00", "Z"
    )
    assert UTC_ISO.match(body["last_activity_at"])


def test_detail_of_a_merged_problem_points_to_where_it_went(as_role, problem, merged_problem):
    response = as_role("anonymous").get(detail_url(merged_problem))

    assert response.status_code == 200
    assert response.json()["status"] == "merged"
    assert response.json()["merged_into"] == problem.pk


@pytest.mark.parametrize("pk", ["999999", "0", "abc", "1.5", "-1", "99999999999999999999999", "١"])
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", "vote/"),
        ("delete", "vote/"),
        ("get", "comments/"),
        ("post", "comments/"),
    ],
)
def test_unknown_problem_is_a_json_404(as_role, problem, pk, method, suffix):
    response = getattr(as_role("officer"), method)(f"{LIST}{pk}/{suffix}", {"body": "x"})

    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


# --- POST /problems/ -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_submit_for_each_role(as_role, role, request):
    before = Problem.objects.count()

    response = as_role(role).post(LIST, valid_submission(), format="json")

    if role in PARTICIPANTS:
        assert response.status_code == 201, response.content
        created = Problem.objects.get(pk=response.json()["id"])
        user = request.getfixturevalue(role)
        assert created.submitted_by == user
        assert created.submitted_for == user.membership.organisation
        assert Follow.objects.filter(problem=created, user=user).exists()
    else:
        assert response.status_code == 403
        assert response.json()["detail"]
        assert Problem.objects.count() == before


def test_submit_returns_the_detail_body(as_role):
    response = as_role("officer").post(LIST, valid_submission(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == detail_url(body["id"])
    assert body["url"] == f"/problems/{body['id']}/"
    assert body["title"] == "Blue badge renewals are on paper"
    assert body["description"] == "We receive *hundreds* of paper forms a month."
    assert "<em>hundreds</em>" in body["description_html"]
    assert body["service_areas"] == ["adult-social-care", "customer-services"]
    assert body["status"] == "new"
    assert body["merged_into"] is None
    # Whatever demand the service records with a submission, the body shows it as it is.
    votes = Vote.objects.filter(problem_id=body["id"])
    assert body["vote_count"] == votes.count()
    assert body["council_count"] == len(body["councils"]) == votes.count()
    assert body["voted"] is votes.exists()
    assert all(council["name"] == "Leeds" for council in body["councils"])
    assert UTC_ISO.match(body["created_at"])
    assert as_role("anonymous").get(detail_url(body["id"])).json() == {**body, "voted": False}


def test_submit_accepts_a_form_encoded_body(as_role):
    data = valid_submission(service_areas=["housing", "libraries-and-culture"])

    response = as_role("centre_staff").post(LIST, data)

    assert response.status_code == 201, response.content
    assert response.json()["service_areas"] == ["housing", "libraries-and-culture"]


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"title": None}, ["title"]),
        ({"title": ""}, ["title"]),
        ({"title": "   \n\t "}, ["title"]),
        ({"title": "x" * 151}, ["title"]),
        ({"title": ["a", "list"]}, ["title"]),
        ({"title": {"an": "object"}}, ["title"]),
        ({"title": True}, ["title"]),
        ({"title": "Null\x00byte"}, ["title"]),
        ({"summary": "s" * 301}, ["summary"]),
        ({"summary": ""}, ["summary"]),
        ({"description": ""}, ["description"]),
        ({"description": "d" * 20001}, ["description"]),
        ({"theme": "nonsense"}, ["theme"]),
        ({"theme": "DATA"}, ["theme"]),
        ({"theme": ["data"]}, ["theme"]),
        ({"service_areas": []}, ["service_areas"]),
        ({"service_areas": "housing"}, ["service_areas"]),
        ({"service_areas": ["housing", "no-such-area"]}, ["service_areas"]),
        ({"service_areas": ["housing'; DROP TABLE backlog_problem; --"]}, ["service_areas"]),
        ({"service_areas": [{"slug": "housing"}]}, ["service_areas"]),
        ({"service_areas": [None]}, ["service_areas"]),
        ({"service_areas": [7]}, ["service_areas"]),
        ({"service_areas": ["housing"] * 21}, ["service_areas"]),
        (
            {"title": "", "summary": None, "theme": "x", "service_areas": ["nope"]},
            ["title", "summary", "theme", "service_areas"],
        ),
    ],
)
def test_submit_rejects_bad_input_and_creates_nothing(as_role, overrides, fields):
    before = Problem.objects.count(), Follow.objects.count()

    response = as_role("officer").post(LIST, valid_submission(**overrides), format="json")

    assert_field_error(response, *fields)
    assert (Problem.objects.count(), Follow.objects.count()) == before


@pytest.mark.parametrize("missing", ["title", "summary", "description", "theme", "service_areas"])
def test_submit_requires_every_field(as_role, missing):
    data = valid_submission()
    del data[missing]

    response = as_role("officer").post(LIST, data, format="json")

    assert_field_error(response, missing)
    assert not Problem.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"a string"', "null", "12"])
def test_submit_rejects_a_body_that_is_not_an_object(as_role, body):
    response = as_role("officer").post(LIST, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Problem.objects.exists()


def test_submit_rejects_malformed_json(as_role):
    response = as_role("officer").post(LIST, '{"title": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Problem.objects.exists()


def test_submit_keeps_hostile_text_as_text_and_cleans_the_html(as_role):
    hostile = valid_submission(
        title="<img src=x onerror=alert(1)> Robert'); DROP TABLE backlog_problem;--",
        description=(
            "<script>alert('x')</script>\n\n[click](javascript:alert(1)) "
            '<a href="https://example.test" onclick="steal()">link</a>'
        ),
    )

    response = as_role("officer").post(LIST, hostile, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == hostile["title"]  # stored as typed; JSON is not HTML
    assert body["description"] == hostile["description"]
    html = body["description_html"]
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert Problem.objects.count() == 1


def test_refusal_comes_before_validation(as_role):
    response = as_role("sector_viewer").post(LIST, {"title": ""}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- POST and DELETE /problems/<id>/vote/ --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_vote_for_each_role(as_role, role, problem):
    response = as_role(role).post(vote_url(problem))

    problem.refresh_from_db()
    if role in VOTERS:
        assert response.status_code == 201, response.content
        assert response.json() == {
            "problem": problem.pk,
            "voted": True,
            "vote_count": 1,
            "council_count": 1,
        }
        assert problem.vote_count == 1 and problem.council_count == 1
    else:
        assert response.status_code == 403
        assert response.json()["detail"]
        assert problem.vote_count == 0 and not Vote.objects.exists()


def test_voting_again_changes_nothing(as_role, problem):
    client = as_role("officer")

    first = client.post(vote_url(problem))
    second = client.post(vote_url(problem))
    third = client.post(vote_url(problem))

    assert first.status_code == 201
    assert second.status_code == 200 and third.status_code == 200
    assert third.json() == {**first.json()}
    problem.refresh_from_db()
    assert problem.vote_count == 1 and problem.council_count == 1
    assert Vote.objects.count() == 1


def test_two_officers_of_one_council_count_as_one_council(as_role, problem, officer):
    as_role("officer").post(vote_url(problem))
    colleague = APIClient()
    colleague.force_login(council_officer("leeds", "colleague@leeds.example.test"))

    response = colleague.post(vote_url(problem))

    assert response.status_code == 201
    assert response.json()["vote_count"] == 2 and response.json()["council_count"] == 1


def test_voting_on_a_merged_problem_is_a_conflict(as_role, merged_problem):
    response = as_role("officer").post(vote_url(merged_problem))

    assert response.status_code == 409
    assert response.json()["code"] == "merged"
    assert not Vote.objects.exists()


@pytest.mark.parametrize("closed", [Status.SOLVED, Status.NOT_TAKEN_FORWARD])
def test_voting_on_a_closed_problem_is_a_conflict(as_role, submitter, closed):
    problem = ProblemFactory(status=closed, submitted_by=submitter)

    response = as_role("other_officer").post(vote_url(problem))

    assert response.status_code == 409
    assert response.json()["code"] == "closed"
    assert not Vote.objects.exists()


def test_a_non_officer_gets_403_even_on_a_merged_problem(as_role, merged_problem):
    assert as_role("centre_staff").post(vote_url(merged_problem)).status_code == 403


def test_withdrawing_a_vote(as_role, problem):
    client = as_role("officer")
    client.post(vote_url(problem))

    first = client.delete(vote_url(problem))
    second = client.delete(vote_url(problem))

    assert first.status_code == 204 and first.content == b""
    assert second.status_code == 404 and second.json()["detail"]
    problem.refresh_from_db()
    assert problem.vote_count == 0 and problem.council_count == 0
    assert client.post(vote_url(problem)).status_code == 201  # and may vote again


@pytest.mark.parametrize("role", ROLES)
def test_withdrawing_without_a_vote(as_role, role, problem, officer):
    services.problem_vote(actor=officer, problem=problem)

    response = as_role(role).delete(vote_url(problem))

    if role == "anonymous":
        assert response.status_code == 403
    elif role == "officer":
        assert response.status_code == 204
    else:  # nobody can withdraw someone else's vote
        assert response.status_code == 404
        problem.refresh_from_db()
        assert problem.vote_count == 1


def test_voting_is_get_free(as_role, problem):
    assert as_role("officer").get(vote_url(problem)).status_code == 405
    assert not Vote.objects.exists()


# --- GET and POST /problems/<id>/comments/ ------------------------------------------------------


@pytest.fixture
def discussion(problem, officer, other_officer, institute_staff):
    shown = services.comment_add(actor=officer, problem=problem, body="We have this *too*.")
    hidden = services.comment_add(actor=other_officer, problem=problem, body="Buy our product!")
    services.comment_hide(actor=institute_staff, comment=hidden, reason="Advertising")
    later = services.comment_add(actor=other_officer, problem=problem, body="Same in Bristol.")
    return shown, hidden, later


@pytest.mark.parametrize("role", ROLES)
def test_comments_are_public_but_hidden_ones_only_for_institute_staff(
    as_role, role, problem, discussion
):
    shown, hidden, later = discussion

    response = as_role(role).get(comments_url(problem))

    assert response.status_code == 200
    body = response.json()
    if role == "institute_staff":
        assert ids(response) == [shown.pk, hidden.pk, later.pk]
        assert [row["hidden"] for row in body["results"]] == [False, True, False]
        assert body["results"][1]["hidden_reason"] == "Advertising"
    else:
        assert ids(response) == [shown.pk, later.pk]
        assert "Buy our product" not in response.content.decode()
    first = body["results"][0]
    assert first["body"] == "We have this *too*."
    assert "<em>too</em>" in first["body_html"]
    assert first["organisation"] == "Leeds"
    assert first["author"] == shown.author.full_name
    assert "@" not in response.content.decode()  # no e-mail addresses
    assert UTC_ISO.match(first["created_at"]) and first["edited_at"] is None


def test_comments_are_paginated(as_role, problem, officer):
    for n in range(3):
        services.comment_add(actor=officer, problem=problem, body=f"Comment {n}")

    body = as_role("anonymous").get(f"{comments_url(problem)}?page_size=2").json()

    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


@pytest.mark.parametrize("role", ROLES)
def test_comment_for_each_role(as_role, role, problem):
    response = as_role(role).post(comments_url(problem), {"body": "Us too."}, format="json")

    if role in PARTICIPANTS:
        assert response.status_code == 201, response.content
        comment = Comment.objects.get(pk=response.json()["id"])
        assert comment.body == "Us too." and comment.problem == problem
        assert response.json()["body_html"] == '<p class="govuk-body">Us too.</p>'
    else:
        assert response.status_code == 403
        assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"body": ""}, {"body": "  \n "}, {"body": None}, {"body": ["x"]}, {"body": "x" * 5001}],
)
def test_comment_rejects_bad_input(as_role, problem, data):
    response = as_role("officer").post(comments_url(problem), data, format="json")

    assert_field_error(response, "body")
    assert not Comment.objects.exists()


def test_comment_html_is_cleaned(as_role, problem):
    body = "<script>alert(1)</script> <b onmouseover=x()>hi</b> [a](javascript:void(0))"

    response = as_role("officer").post(comments_url(problem), {"body": body}, format="json")

    assert response.status_code == 201
    assert response.json()["body"] == body
    html = response.json()["body_html"]
    assert "<script" not in html and "onmouseover" not in html and "javascript:" not in html


def test_commenting_on_a_merged_problem_is_a_conflict(as_role, merged_problem):
    response = as_role("officer").post(
        comments_url(merged_problem), {"body": "Us too."}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "merged"
    assert not Comment.objects.exists()


def test_comments_of_a_merged_problem_can_still_be_read(as_role, merged_problem):
    assert as_role("anonymous").get(comments_url(merged_problem)).status_code == 200


# --- Authentication -----------------------------------------------------------------------------


def test_token_authentication(officer, problem):
    _, secret = api_token_create(actor=officer, name="test")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    voted = client.post(vote_url(problem))
    submitted = client.post(LIST, valid_submission(), format="json")
    listed = client.get(LIST)

    assert voted.status_code == 201  # no CSRF token needed with a token
    assert Vote.objects.get(problem=problem).user == officer
    assert submitted.status_code == 201
    assert Problem.objects.get(pk=submitted.json()["id"]).submitted_by == officer
    assert {row["id"]: row["voted"] for row in listed.json()["results"]}[problem.pk] is True


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token ", "Bearer abc", "Token a b"])
def test_a_bad_token_is_refused(officer, problem, header):
    api_token_create(actor=officer, name="test")
    client = APIClient()

    response = client.post(vote_url(problem), HTTP_AUTHORIZATION=header)

    assert response.status_code == 403  # 403 rather than 401: see the module docstring
    assert not Vote.objects.exists()


def test_token_of_a_sector_viewer_gets_no_more_than_their_role(sector_viewer, problem):
    client = APIClient()
    _, secret = api_token_create(actor=sector_viewer, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert client.get(detail_url(problem)).status_code == 200
    assert client.post(vote_url(problem)).status_code == 403
    assert client.post(LIST, valid_submission(), format="json").status_code == 403


def test_session_writes_need_the_csrf_token(officer, problem, settings):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer)

    refused = client.post(vote_url(problem))
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Vote.objects.exists()

    secret = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.post(vote_url(problem), HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201


def test_an_expired_session_is_anonymous(officer, problem, settings):
    client = APIClient()
    client.force_login(officer)
    client.logout()

    assert client.get(LIST).status_code == 200
    assert client.post(vote_url(problem)).status_code == 403


def test_times_are_utc_whatever_the_site_time_zone(as_role, submitter):
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    problem = ProblemFactory(
        created_at=summer, last_activity_at=summer + timedelta(hours=1), submitted_by=submitter
    )

    body = as_role("anonymous").get(detail_url(problem)).json()

    assert body["created_at"] == "2026-07-01T12:00:00Z"
    assert body["last_activity_at"] == "2026-07-01T13:00:00Z"


@pytest.mark.parametrize("councils", [1, 4])
def test_detail_query_count_does_not_grow_with_the_councils(
    as_role, problem, councils, django_assert_num_queries
):
    slugs = ["leeds", "bristol-city-of", "manchester", "birmingham"][:councils]
    for slug in slugs:
        services.problem_vote(actor=council_officer(slug), problem=problem)
    client = as_role("anonymous")

    # The problem, its service areas, the councils affected.
    with django_assert_num_queries(3):
        response = client.get(detail_url(problem))
    assert len(response.json()["councils"]) == councils


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_votes_by_one_officer_count_once(officer, submitter):
    """A double click arrives as two requests at once: one 201, one 200, never a 500."""
    import threading

    from django.db import connection

    problem = ProblemFactory(submitted_by=submitter)
    barrier = threading.Barrier(2)
    statuses = []

    def vote():
        client = APIClient()
        client.force_login(officer)
        barrier.wait()
        try:
            statuses.append(client.post(vote_url(problem)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 201]
    problem.refresh_from_db()
    assert problem.vote_count == 1 and problem.council_count == 1
