"""Redis stops under a running web server (gunicorn, production settings, signed-in visitors):
no request gets a 500. Pages that only read are served from the database, for visitors and for
signed-in people alike (sessions are cached_db); writes get the "service unavailable" page (or
JSON 503 from the API) and change nothing; when Redis is back, writes work again by themselves."""

import json

import pytest

from backlog.models import Vote
from institute.tokens import api_token_create
from tests.factories import PASSWORD, ProblemFactory
from tests.production.servers import (
    Browser,
    production_env,
    start_gunicorn,
    start_redis,
    stop,
    with_password,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLIC_PAGES = [
    "/",
    "/problems/",
    "/components/",
    "/standards/",
    "/centres/",
    "/organisations/",
    "/organisations/leeds/",
    "/dashboard/summary/",
    "/data/",
    "/api/v1/problems/",
]
SIGNED_IN_PAGES = ["/account/", "/notifications/", "/problems/"]


def test_with_redis_stopped_pages_render_writes_get_503_and_nothing_is_half_written(
    tmp_path, officer, other_officer
):
    with_password(officer, PASSWORD)
    with_password(other_officer, PASSWORD)
    problem = ProblemFactory()
    token = api_token_create(actor=officer, name="script")[1]
    redis_server, redis_url = start_redis(tmp_path)
    web, port = start_gunicorn(production_env(REDIS_URL=redis_url), tmp_path / "web.log")
    try:
        person = Browser(port)
        person.sign_in(officer.email, PASSWORD)
        visitor = Browser(port)
        pages = [*PUBLIC_PAGES, problem.get_absolute_url()]
        assert {path: visitor.get(path).status for path in pages} == dict.fromkeys(pages, 200)
        vote_page = problem.get_absolute_url()

        stop(redis_server)

        statuses = {}
        for path in pages:
            statuses[f"visitor GET {path}"] = visitor.get(path).status
        for path in [*SIGNED_IN_PAGES, vote_page]:
            statuses[f"signed in GET {path}"] = person.get(path).status
        health = visitor.get("/healthz")
        statuses["GET /healthz"] = health.status
        vote = person.submit(f"{vote_page}vote/", {}, form_page=vote_page)
        statuses["signed in POST vote"] = vote.status
        sign_in = Browser(port).submit(
            "/account/login/", {"login": other_officer.email, "password": PASSWORD}
        )
        statuses["POST sign in"] = sign_in.status
        api = Browser(port, headers={"Authorization": f"Token {token}"})
        api_vote = api.request("POST", f"/api/v1/problems/{problem.pk}/vote/")
        statuses["API POST vote"] = api_vote.status

        print(json.dumps(statuses, indent=1))
        assert 500 not in statuses.values()
        reads = {k: v for k, v in statuses.items() if "GET" in k and "healthz" not in k}
        assert set(reads.values()) == {200}, reads
        assert health.status == 503
        assert json.loads(health.body)["checks"]["redis"] == "unavailable"
        assert (vote.status, sign_in.status, api_vote.status) == (503, 503, 503)
        assert "Sorry, the service is unavailable" in vote.body
        assert vote.headers["retry-after"] == "30"
        assert json.loads(api_vote.body)["code"] == "unavailable"
        assert not Vote.objects.filter(problem=problem).exists()  # nothing half written

        # Redis back on the same port, empty: writes work again, nobody restarts anything.
        redis_server, _ = start_redis(tmp_path, port=int(redis_url.rsplit(":", 1)[1][:-2]))
        again = person.submit(f"{vote_page}vote/", {}, form_page=vote_page)
        assert again.status in (200, 302), again.status
        assert Vote.objects.filter(problem=problem, user=officer).count() == 1
    finally:
        stop(web)
        stop(redis_server)
        print((tmp_path / "web.log").read_text()[-3000:])
