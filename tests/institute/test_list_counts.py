"""A list's count is kept in the cache between writes (institute.pagination.counted_under):
counting reads up to 10,000 rows, and the same lists are asked for again and again. The number a
reader sees must still follow every write that changes which rows a list holds."""

from datetime import timedelta

import pytest
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from django.utils import timezone

from backlog import services
from backlog.models import CouncilDemand, Problem, Status
from centres.models import LearningStatus
from components.models import Component
from institute.models import Organisation, ServiceArea
from tests.centres.factories import LearningFactory
from tests.components.factories import ComponentFactory
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db

BACKLOG = reverse("backlog:problem_list")
CATALOGUE = reverse("components:component_list")
LIBRARY = reverse("centres:learning_list")


def _count(client, url, query=None) -> int:
    return client.get(url, query or {}).context["page_obj"].paginator.count


def _api_count(client, path, query=None) -> int:
    return client.get(path, query or {}).json()["count"]


def test_a_second_view_reads_the_count_from_the_cache(client, django_assert_num_queries):
    ProblemFactory.create_batch(3, theme="data")
    query = {"theme": "data", "sort": "votes"}
    assert _count(client, BACKLOG, query) == 3
    # The page's rows (their service areas are beside them); no count.
    with django_assert_num_queries(1):
        response = client.get(BACKLOG, query)
    assert response.context["page_obj"].paginator.count == 3
    # Another sort of the same list holds the same problems: the count is shared (its rows only).
    with django_assert_num_queries(1):
        client.get(BACKLOG, {"theme": "data", "sort": "newest"})


def test_the_backlog_count_follows_new_problems_status_changes_and_withdrawals(
    client, institute_staff
):
    first, second = ProblemFactory.create_batch(2, status=Status.TRIAGED)
    assert _count(client, BACKLOG) == 2
    assert _count(client, BACKLOG, {"status": "triaged"}) == 2
    assert _api_count(client, "/api/v1/problems/", {"status": "triaged"}) == 2

    ProblemFactory()
    assert _count(client, BACKLOG) == 3

    services.problem_change_status(actor=institute_staff, problem=first, status=Status.SOLVED)
    assert _count(client, BACKLOG, {"status": "triaged"}) == 1
    assert _api_count(client, "/api/v1/problems/", {"status": "triaged"}) == 1

    services.problem_merge(actor=institute_staff, source=second, target=first)
    assert _count(client, BACKLOG) == 2  # a merged problem leaves the list


def test_the_places_filters_count_follows_votes(client):
    problem = ProblemFactory()
    ProblemFactory()
    query = {"council_type": "county"}
    assert _count(client, BACKLOG, query) == 0

    kent = council_officer("kent")
    services.problem_vote(actor=kent, problem=problem)
    assert _count(client, BACKLOG, query) == 1

    services.problem_vote_withdraw(actor=kent, problem=Problem(pk=problem.pk))
    assert _count(client, BACKLOG, query) == 0


def test_the_service_area_count_follows_a_change_of_areas(client):
    housing, waste = (ServiceArea.objects.get(slug=s) for s in ("housing", "waste-and-recycling"))
    problem = ProblemFactory(service_areas=[housing])
    query = {"service_area": "waste-and-recycling"}
    assert _count(client, BACKLOG, query) == 0

    problem.service_areas.add(waste)  # without saving the problem itself
    assert _count(client, BACKLOG, query) == 1


def test_the_catalogue_count_follows_new_and_retired_components(client):
    kept, retired = ComponentFactory.create_batch(2, kind="api")
    assert _count(client, CATALOGUE, {"kind": "api"}) == 2
    assert _api_count(client, "/api/v1/components/", {"kind": "api"}) == 2

    ComponentFactory(kind="api")
    assert _count(client, CATALOGUE, {"kind": "api"}) == 3

    retired.status = "rejected"
    retired.save()
    assert _count(client, CATALOGUE, {"kind": "api"}) == 2
    assert _api_count(client, "/api/v1/components/", {"kind": "api"}) == 2


def test_the_library_count_follows_publishing_and_the_councils_involved(client):
    learning = LearningFactory()
    assert _count(client, LIBRARY) == 1
    assert _count(client, LIBRARY, {"council_type": "county"}) == 0

    learning.councils.add(Organisation.objects.get(slug="kent"))
    assert _count(client, LIBRARY, {"council_type": "county"}) == 1

    LearningFactory()
    assert _count(client, LIBRARY) == 2
    learning.status = LearningStatus.IN_REVIEW
    learning.published_at = None
    learning.save()
    assert _count(client, LIBRARY) == 1
    assert _api_count(client, "/api/v1/learning/") == 1


def test_lists_are_counted_when_the_cache_is_down(client, monkeypatch):
    ProblemFactory.create_batch(2)

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(RedisCache, "get_many", down)
    monkeypatch.setattr(RedisCache, "set", down)
    assert _count(client, BACKLOG) == 2
    ProblemFactory()
    assert _count(client, BACKLOG) == 3


def _ids(client, url, query=None) -> list[int]:
    return [row.pk for row in client.get(url, query or {}).context["page_obj"]]


def test_a_second_view_of_a_sorted_search_reads_its_rows_by_id(client, django_assert_num_queries):
    ProblemFactory.create_batch(3, title="Missed bin collections")
    query = {"q": "bin", "sort": "votes"}
    first = _ids(client, BACKLOG, query)
    # The rows (by id, in the cached order, with their service areas' ids); no count, no sort.
    with django_assert_num_queries(1) as captured:
        assert _ids(client, BACKLOG, query) == first
    assert "ORDER BY" in captured.captured_queries[0]["sql"]  # rows read afresh, as they are
    assert "LIMIT" not in captured.captured_queries[0]["sql"]


def test_the_first_page_order_follows_votes_activity_and_trending(client):
    quiet, popular = ProblemFactory(title="Quiet"), ProblemFactory(title="Popular")
    assert _ids(client, BACKLOG, {"sort": "votes"}) == [popular.pk, quiet.pk]  # newest first

    services.problem_vote(actor=council_officer("kent"), problem=quiet)
    assert _ids(client, BACKLOG, {"sort": "votes"}) == [quiet.pk, popular.pk]
    assert _ids(client, BACKLOG, {"sort": "trending"}) == [quiet.pk, popular.pk]
    assert client.get(BACKLOG, {"sort": "votes"}).context["page_obj"][0].vote_count == 1

    # A month on, the hourly recount moves the trending order by a bulk update (no signal).
    CouncilDemand.objects.filter(problem=quiet).update(since=timezone.now() - timedelta(days=60))
    assert services.trending_refresh() == 1
    assert _ids(client, BACKLOG, {"sort": "trending"}) == [popular.pk, quiet.pk]
    services.comment_add(actor=council_officer("camden"), problem=popular, body="Same here.")
    assert _ids(client, BACKLOG, {"sort": "active"})[0] == popular.pk


def test_the_catalogue_first_page_follows_adoptions(client):
    first, second = ComponentFactory.create_batch(2, using_count=0, adopting_count=0)
    order = _ids(client, CATALOGUE)
    last = Component.objects.get(pk=order[-1])
    last.using_count = last.adopting_count = 5
    last.save()
    assert _ids(client, CATALOGUE) == [order[-1], order[0]]


def test_an_empty_list_reads_its_page_once_and_never_only_from_the_cache(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_reads():
        with CaptureQueriesContext(connection) as captured:
            assert _count(client, BACKLOG, {"theme": "data"}) == 0
        return [
            q["sql"]
            for q in captured.captured_queries
            if 'FROM "backlog_problem"' in q["sql"] and "ORDER BY" in q["sql"]
        ]

    assert len(page_reads()) == 1  # first view: read once, its (empty) ids kept
    assert len(page_reads()) == 1  # later views still ask the database
