"""Two web processes on one database and one Redis behave as one service: a person signs in
through one and acts through the other; the API's rate limit and the sign-in lockout count
across both; a file a worker generates is served by both."""

import uuid

import pytest

from backlog.models import Vote
from institute.sector import tasks as sector_tasks
from tests.celery_workers import start_worker
from tests.celery_workers import stop as stop_worker
from tests.factories import PASSWORD, ProblemFactory
from tests.production.servers import Browser, production_env, start_gunicorn, stop, with_password

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def replicas(tmp_path):
    env = production_env(
        GENERATED_FILES_DIR=str(tmp_path / "generated"),  # the volume both would mount
        API_THROTTLE_ANON="4/minute",
        AXES_FAILURE_LIMIT="3",
    )
    first, first_port = start_gunicorn(env, tmp_path / "first.log", workers=1)
    second, second_port = start_gunicorn(env, tmp_path / "second.log", workers=1)
    try:
        yield env, first_port, second_port
    finally:
        stop(first)
        stop(second)


def test_signed_in_through_one_replica_a_person_acts_through_the_other(replicas, officer):
    _, first, second = replicas
    with_password(officer, PASSWORD)
    problem = ProblemFactory()
    person = Browser(first)
    person.sign_in(officer.email, PASSWORD)

    person.port = second  # the load balancer sends the next requests to the other replica
    account = person.get("/account/")
    assert account.status == 200 and officer.email in account.body
    page = problem.get_absolute_url()
    vote = person.submit(f"{page}vote/", {}, form_page=page)
    assert vote.status in (200, 302)
    assert Vote.objects.filter(problem=problem, user=officer).count() == 1

    person.port = first
    person.submit("/account/logout/", {})
    person.port = second
    assert person.get("/account/").status == 302  # signed out everywhere


def test_the_api_rate_limit_counts_requests_to_both_replicas(replicas):
    _, first, second = replicas
    statuses = [Browser(port).get("/api/v1/problems/").status for port in (first, second) * 3]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_the_sign_in_lockout_counts_failures_on_both_replicas(replicas, officer):
    _, first, second = replicas
    with_password(officer, PASSWORD)
    for port in (first, second, first):
        wrong = Browser(port).submit(
            "/account/login/", {"login": officer.email, "password": "not-the-password"}
        )
        assert wrong.status in (200, 429)
    locked = Browser(second).submit(
        "/account/login/", {"login": officer.email, "password": PASSWORD}
    )
    assert locked.status == 429 and "You have been locked out" in locked.body
    assert "sessionid" not in locked.headers.get("set-cookie", "")


def test_a_file_generated_by_a_worker_is_served_by_both_replicas(replicas):
    env, first, second = replicas
    ProblemFactory(title="Shared across replicas")
    assert Browser(first).get("/data/problems.csv").status == 404  # not generated yet
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = start_worker(queue, {**env, "CONN_MAX_AGE": "0"})
    try:
        sector_tasks.open_data_publish.apply_async(queue=queue).get(timeout=120)
    finally:
        stop_worker(worker)

    served = [Browser(port).get("/data/problems.csv") for port in (first, second)]
    assert [response.status for response in served] == [200, 200]
    assert served[0].body == served[1].body and "Shared across replicas" in served[0].body
