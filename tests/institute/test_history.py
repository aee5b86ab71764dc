"""Issue #9: the history of votes, problem statuses, adoptions and assessments is kept by the
database (django-pghistory triggers, institute/history.py), so writes that bypass the services
(bulk updates, bulk inserts, raw SQL) are captured too."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Context

from backlog import services as backlog_services
from backlog.models import Problem, ProblemStatusEvent, Vote, VoteEvent
from components.models import Adoption, AdoptionEvent
from institute.history import TRACKED_TABLES
from institute.models import Organisation, User
from standards.models import Assessment, AssessmentEvent
from tests.bench.load import components as load_components
from tests.bench.load import problems as load_problems
from tests.components.factories import ComponentFactory
from tests.factories import ProblemFactory
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db
N = 100


def _problems(n: int, author) -> list[Problem]:
    leeds = Organisation.objects.get(slug="leeds")
    return Problem.objects.bulk_create(
        Problem(
            title=f"Bulk problem {i}",
            summary="The same difficulty, many times.",
            description="Several councils report it.",
            theme="data",
            submitted_by=author,
            submitted_for=leeds,
        )
        for i in range(n)
    )


def _councils(n: int) -> list[Organisation]:
    councils = list(Organisation.objects.current().councils().order_by("pk")[:n])
    assert len(councils) == n
    return councils


def _history_counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (VoteEvent, ProblemStatusEvent, AdoptionEvent, AssessmentEvent, Context)
    )


def _enabled_history_triggers() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_trigger
            WHERE tgname LIKE 'pgtrigger%%' AND tgenabled = 'O'
              AND tgrelid::regclass::text = ANY(%s)
            """,
            [TRACKED_TABLES],
        )
        return cursor.fetchone()[0]


# --- Bulk writes are captured ------------------------------------------------------------------


def test_bulk_status_update_of_100_problems_finds_100_history_events(officer):
    problems = _problems(N, officer)
    ids = [p.pk for p in problems]
    assert ProblemStatusEvent.objects.filter(pgh_obj_id__in=ids, pgh_label="submitted").count() == N

    updated = Problem.objects.filter(pk__in=ids).update(status="triaged")

    assert updated == N
    events = ProblemStatusEvent.objects.filter(pgh_obj_id__in=ids, pgh_label="status_changed")
    assert events.count() == N
    assert set(events.values_list("status", flat=True)) == {"triaged"}
    assert set(events.values_list("pgh_obj_id", flat=True)) == set(ids)


def test_counter_updates_are_not_status_history(officer):
    ids = [p.pk for p in _problems(N, officer)]
    Problem.objects.filter(pk__in=ids).update(
        vote_count=F("vote_count") + 1, last_activity_at=timezone.now()
    )
    Problem.objects.filter(pk__in=ids).update(status="new")  # unchanged: no event either
    assert not ProblemStatusEvent.objects.filter(pgh_label="status_changed").exists()


def test_bulk_vote_insert_move_and_delete_of_100_rows_finds_100_events_each(officer):
    leeds = Organisation.objects.get(slug="leeds")
    source, target = ProblemFactory(submitted_by=officer), ProblemFactory(submitted_by=officer)
    voters = User.objects.bulk_create(
        User(email=f"voter.{i}@leeds.example.test", password="!") for i in range(N)
    )
    Vote.objects.bulk_create(
        Vote(problem=source, cast_on=source, user=voter, organisation=leeds) for voter in voters
    )
    vote_ids = set(Vote.objects.filter(problem=source).values_list("pk", flat=True))
    assert VoteEvent.objects.filter(pgh_label="cast").count() == N

    # A bulk update (as a merge moves votes) and a bulk delete are both kept, row by row.
    Vote.objects.filter(pk__in=vote_ids).update(problem=target)
    moved = VoteEvent.objects.filter(pgh_label="changed")
    assert moved.count() == N and set(moved.values_list("problem_id", flat=True)) == {target.pk}
    assert Vote.objects.filter(pk__in=vote_ids).delete()[0] == N
    deleted = VoteEvent.objects.filter(pgh_label="deleted")
    assert set(deleted.values_list("pgh_obj_id", flat=True)) == vote_ids


def test_bulk_adoption_update_of_100_rows_finds_100_history_events(author_component):
    Adoption.objects.bulk_create(
        Adoption(
            component=author_component,
            organisation=council,
            stage="piloting",
            since=timezone.localdate(),
            evidence_note="Piloting it.",
        )
        for council in _councils(N)
    )
    assert AdoptionEvent.objects.filter(pgh_label="recorded").count() == N

    assert Adoption.objects.filter(component=author_component).update(stage="in_use") == N

    events = AdoptionEvent.objects.filter(pgh_label="changed")
    assert events.count() == N and set(events.values_list("stage", flat=True)) == {"in_use"}
    Adoption.objects.filter(component=author_component).delete()
    assert AdoptionEvent.objects.filter(pgh_label="deleted").count() == N


def test_bulk_assessment_update_of_100_rows_finds_100_history_events(institute_staff):
    standard = published_standard(institute_staff)
    Assessment.objects.bulk_create(
        Assessment(standard=standard, version=standard.current_version, organisation=council)
        for council in _councils(N)
    )
    assert AssessmentEvent.objects.filter(pgh_label="started").count() == N
    now = timezone.now()

    updated = Assessment.objects.filter(standard=standard).update(
        status="submitted", result="green", submitted_at=now
    )

    assert updated == N
    events = AssessmentEvent.objects.filter(pgh_label="changed")
    assert events.count() == N
    assert set(events.values_list("status", "result")) == {("submitted", "green")}


def test_raw_sql_is_captured_too(officer):
    problem = ProblemFactory(submitted_by=officer)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE backlog_problem SET status = 'in_progress' WHERE id = %s", [problem.pk]
        )
    assert list(
        problem.status_history.filter(pgh_label="status_changed").values_list("status", flat=True)
    ) == ["in_progress"]


# --- Requests ---------------------------------------------------------------------------------


def test_withdrawn_vote_leaves_a_history_event_naming_the_officer(client, officer):
    problem = ProblemFactory(submitted_by=officer)
    client.force_login(officer)
    url = reverse("backlog:problem_vote", args=[problem.pk])
    client.post(url)
    vote = Vote.objects.get(problem=problem, user=officer)

    client.post(url, {"action": "withdraw"})

    assert not Vote.objects.filter(pk=vote.pk).exists()
    events = list(VoteEvent.objects.filter(pgh_obj_id=vote.pk).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["cast", "deleted"]
    assert events[1].user_id == officer.pk and events[1].problem_id == problem.pk
    for event in events:
        assert event.pgh_context.metadata == {"user": officer.pk, "url": url}


def test_writes_outside_requests_have_no_context(officer):
    problem = ProblemFactory(submitted_by=officer)
    backlog_services.problem_vote(actor=officer, problem=problem)
    event = VoteEvent.objects.get()
    assert event.pgh_label == "cast" and event.pgh_context_id is None


def test_reading_pages_and_the_api_touches_no_history(client, officer, author_component):
    problem = ProblemFactory(submitted_by=officer)
    backlog_services.problem_vote(actor=officer, problem=problem)
    before = _history_counts()
    client.force_login(officer)
    urls = [
        reverse("backlog:problem_list"),
        problem.get_absolute_url(),
        reverse("components:component_list"),
        author_component.get_absolute_url(),
        "/api/v1/problems/",
        f"/api/v1/problems/{problem.pk}/",
    ]
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code == 200, url
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    for name in ("pghistory", "set_config", "voteevent", "problemstatusevent", "adoptionevent"):
        assert name not in sql
    assert _history_counts() == before


def test_history_middleware_adds_no_query_to_a_write(officer, settings):
    warm_up, first, second = (ProblemFactory(submitted_by=officer) for _ in range(3))

    def queries_to_vote(problem) -> int:
        client = Client()  # a new client loads the middleware as the settings are now
        client.force_login(officer)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("backlog:problem_vote", args=[problem.pk]))
        assert response.status_code == 302
        return len(queries.captured_queries)

    queries_to_vote(warm_up)
    with_middleware = queries_to_vote(first)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("pghistory.")]
    without_middleware = queries_to_vote(second)
    assert with_middleware == without_middleware
    assert VoteEvent.objects.get(problem=first).pgh_context.metadata["user"] == officer.pk


# --- Bulk loaders of synthetic data -------------------------------------------------------------


def test_scale_loaders_write_no_history_and_leave_the_triggers_on(officer):
    triggers = _enabled_history_triggers()
    assert triggers == 10
    call_command(load_problems.Command(), problems=50, votes=300, no_vacuum=True, stdout=StringIO())
    call_command(load_components.Command(), components=5, adoptions=50, stdout=StringIO())
    assert Vote.objects.count() == 300 and Adoption.objects.count() == 50
    assert not VoteEvent.objects.exists()
    assert not ProblemStatusEvent.objects.exists()
    assert not AdoptionEvent.objects.exists()
    assert _enabled_history_triggers() == triggers
    # ...and what happens after the load is kept again.
    backlog_services.problem_vote(actor=officer, problem=ProblemFactory(submitted_by=officer))
    assert VoteEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_triggers_survive_the_flush_between_transactional_tests(officer, institute_staff):
    problem = ProblemFactory(submitted_by=officer)
    backlog_services.problem_change_status(
        actor=institute_staff, problem=problem, status="triaged", note="Checked."
    )
    assert list(problem.status_history.values_list("pgh_label", "status")) == [
        ("submitted", "new"),
        ("status_changed", "triaged"),
    ]


@pytest.fixture
def author_component(officer):
    return ComponentFactory(name="Shared booking", submitted_by=officer)
