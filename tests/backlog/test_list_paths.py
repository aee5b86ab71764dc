"""The backlog's list paths (issue #22): filters combined, and pages past the numbered ones
reached by cursor, on the page and in the API."""

import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from backlog import services
from backlog.models import Problem
from institute import pagination
from institute.models import ServiceArea
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db
LIST = reverse("backlog:problem_list")
API = "/api/v1/problems/"

# Reference councils: Bristol is a unitary council in the South West, Camden a London borough,
# Kent a county in the South East.
SOUTH_WEST, SOUTH_EAST, LONDON = "E12000009", "E12000008", "E12000007"


def _titles(response):
    return [p.title for p in response.context["page_obj"]]


def test_region_and_council_type_together_mean_one_council_that_is_both(client):
    bristol = ProblemFactory(title="Bristol has it")
    both = ProblemFactory(title="Camden and Kent have it")
    services.problem_vote(actor=council_officer("bristol-city-of"), problem=bristol)
    services.problem_vote(actor=council_officer("camden"), problem=both)
    services.problem_vote(actor=council_officer("kent"), problem=both)

    assert _titles(client.get(LIST, {"region": SOUTH_WEST})) == ["Bristol has it"]
    assert _titles(client.get(LIST, {"council_type": "county"})) == ["Camden and Kent have it"]
    assert _titles(client.get(LIST, {"region": SOUTH_EAST, "council_type": "county"})) == [
        "Camden and Kent have it"
    ]
    # Camden is in London and Kent is a county, but no London county has it.
    assert _titles(client.get(LIST, {"region": LONDON, "council_type": "county"})) == []


def test_withdrawing_a_places_last_vote_takes_the_problem_out_of_its_filter(client):
    problem = ProblemFactory(title="Only Kent had it")
    kent = council_officer("kent")
    services.problem_vote(actor=kent, problem=problem)
    assert _titles(client.get(LIST, {"council_type": "county"})) == ["Only Kent had it"]

    services.problem_vote_withdraw(actor=kent, problem=Problem(pk=problem.pk))

    assert _titles(client.get(LIST, {"council_type": "county"})) == []
    assert Problem.objects.get(pk=problem.pk).demand_places == []


def _row_versions_written(problem_id: int) -> int:
    """How many times this transaction has written a problem row (updates, HOT or not)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'backlog_problem'"
        )
        return cursor.fetchone()[0]


def test_a_vote_and_a_withdrawal_write_the_problem_row_once_with_its_places(client):
    """The places move in the same row version as the counters: a vote from a council new to
    the problem used to write the row twice (the counters, then the trigger's places)."""
    problem = ProblemFactory(title="Kent and Medway have it")
    kent, medway = council_officer("kent"), council_officer("medway")
    services.problem_vote(actor=kent, problem=Problem(pk=problem.pk))

    with transaction.atomic():
        before = _row_versions_written(problem.pk)
        services.problem_vote(actor=medway, problem=Problem(pk=problem.pk))
        assert _row_versions_written(problem.pk) - before == 1
    assert Problem.objects.get(pk=problem.pk).demand_places == [
        "r:" + SOUTH_EAST,
        "rt:" + SOUTH_EAST + ":county",
        "rt:" + SOUTH_EAST + ":unitary",
        "t:county",
        "t:unitary",
    ]

    with transaction.atomic():
        before = _row_versions_written(problem.pk)
        services.problem_vote_withdraw(actor=kent, problem=Problem(pk=problem.pk))
        assert _row_versions_written(problem.pk) - before == 1
    # Medway keeps the region in; Kent's county places go with it.
    assert Problem.objects.get(pk=problem.pk).demand_places == [
        "r:" + SOUTH_EAST,
        "rt:" + SOUTH_EAST + ":unitary",
        "t:unitary",
    ]
    assert _titles(client.get(LIST, {"region": SOUTH_EAST})) == ["Kent and Medway have it"]
    assert _titles(client.get(LIST, {"council_type": "county"})) == []


def test_a_merge_carries_the_sources_places_to_the_target(client, institute_staff):
    target = ProblemFactory(title="Target")
    source = ProblemFactory(title="Source")
    services.problem_vote(actor=council_officer("kent"), problem=source)

    services.problem_merge(actor=institute_staff, source=source, target=target)

    assert _titles(client.get(LIST, {"region": SOUTH_EAST, "council_type": "county"})) == ["Target"]


def test_the_service_area_filter_follows_an_edit_of_the_areas(client, institute_staff):
    housing, waste = (ServiceArea.objects.get(slug=s) for s in ("housing", "waste-and-recycling"))
    problem = ProblemFactory(title="Moves area", service_areas=[housing])
    ProblemFactory(title="Stays in housing", service_areas=[housing])
    assert _titles(client.get(LIST, {"service_area": "waste-and-recycling"})) == []

    services.problem_edit(
        actor=institute_staff,
        problem=problem,
        title=problem.title,
        summary=problem.summary,
        description=problem.description,
        theme=problem.theme,
        service_areas=[waste],
        reason="It is about bins",
    )

    assert _titles(client.get(LIST, {"service_area": "waste-and-recycling"})) == ["Moves area"]
    assert _titles(client.get(LIST, {"service_area": "housing"})) == ["Stays in housing"]
    assert Problem.objects.get(pk=problem.pk).service_area_ids == [waste.pk]
    assert client.get(API, {"service_area": "housing"}).json()["count"] == 1


@pytest.mark.parametrize("count", [1, 30])
def test_backlog_with_filters_combined_makes_a_fixed_number_of_queries(
    client, officer, django_assert_num_queries, count
):
    kent = council_officer("kent")
    for n in range(count):
        problem = ProblemFactory(title=f"Problem {n}", theme="data", status="triaged")
        services.problem_vote(actor=kent, problem=problem)
    client.force_login(officer)
    query = {
        "region": SOUTH_EAST,
        "council_type": "county",
        "status": "triaged",
        "theme": "data",
        "service_area": "housing",
        "q": "problem",
        "sort": "votes",
    }
    # user, service area choices, count, page, the officer's votes (the rows' service areas are
    # the ids beside each row).
    with django_assert_num_queries(5):
        response = client.get(LIST, query)
    assert len(response.context["page_obj"]) == min(count, 25)


def _many_problems(count: int) -> list[int]:
    """`count` problems, most councils first in the order of their ids (newest first on ties)."""
    problems = ProblemFactory.create_batch(count)
    for n, problem in enumerate(problems):
        problem.council_count = count - n
    Problem.objects.bulk_update(problems, ["council_count"])
    return [p.pk for p in problems]


def _links(html: str) -> dict:
    found = dict(re.findall(r'href="([^"]*)" rel="(next|prev)"', html))
    return {rel: href.replace("&amp;", "&") for href, rel in found.items()}


def test_pages_past_the_numbered_ones_follow_each_other_by_cursor(client, monkeypatch):
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 2)
    ids = _many_problems(110)  # five pages of 25 (the last has 10)

    seen, path = [], f"{LIST}?theme=data"
    for number in range(1, 6):
        response = client.get(path)
        page = response.context["page_obj"]
        assert page.number == number
        seen += [p.pk for p in page]
        links = _links(response.content.decode())
        if number == 5:
            assert "next" not in links
            break
        # The numbered pages link by number; from page 2 on, "Next" carries the last row.
        assert ("after=" in links["next"]) == (number >= 2)
        assert "theme=data" in links["next"]
        path = LIST + links["next"]
    assert seen == ids

    # And back: "Previous" leads by cursor while the page is past the numbered ones.
    previous = _links(client.get(path).content.decode())["prev"]
    assert "before=" in previous
    page_four = client.get(LIST + previous)
    assert [p.pk for p in page_four.context["page_obj"]] == ids[75:100]
    previous = _links(page_four.content.decode())["prev"]
    page_three = client.get(LIST + previous)
    assert [p.pk for p in page_three.context["page_obj"]] == ids[50:75]
    assert _links(page_three.content.decode())["prev"].endswith("page=2")


def test_a_cursor_that_is_not_the_lists_shows_the_first_page(client):
    ids = _many_problems(3)
    for cursor in ("nonsense", "eyJvIjoibmFtZSJ9"):
        response = client.get(LIST, {"after": cursor})
        assert response.status_code == 200
        assert [p.pk for p in response.context["page_obj"]] == ids


def test_api_next_links_become_cursors_past_the_numbered_pages(client, monkeypatch):
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 2)
    ids = _many_problems(12)

    seen, url, nexts = [], f"{API}?page_size=3", []
    while url:
        body = client.get(url).json()
        assert body["count"] == 12
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        nexts.append(url)
    assert seen == ids
    assert "page=2" in nexts[0] and "cursor=" in nexts[1] and "cursor=" in nexts[2]

    last = client.get(nexts[2]).json()
    assert [row["id"] for row in last["results"]] == ids[9:]
    back = client.get(last["previous"]).json()
    assert [row["id"] for row in back["results"]] == ids[6:9]


@pytest.mark.parametrize(
    "query",
    ["cursor=nonsense", "cursor=abc&page=2", "cursor=a&cursor=b", "q=bins&cursor=abc"],
)
def test_api_refuses_a_cursor_it_did_not_make(client, query):
    ProblemFactory()
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]
    if "cursor=a&cursor=b" not in query:  # that one the schema forbids (one value)
        assert response.json()["code"] == "invalid_cursor"


def test_a_search_with_a_sort_reads_the_searchs_cached_count_and_stays_right(
    client, django_assert_num_queries
):
    for n in range(3):
        ProblemFactory(title=f"Flooded road report {n}")
    ProblemFactory(title="Library opening hours")
    query = {"q": "flooded", "sort": "votes"}
    first = client.get(LIST, query)
    assert first.context["page_obj"].paginator.count == 3
    # The plain search of the same words counts the same problems, from the same cache entry.
    assert client.get(LIST, {"q": "flooded"}).context["page_obj"].paginator.count == 3
    # The page: the count is not asked again.
    with django_assert_num_queries(1):
        again = client.get(LIST, query)
    assert again.context["page_obj"].paginator.count == 3
    ProblemFactory(title="Flooded underpass")  # a new problem retires the cached count
    assert client.get(LIST, query).context["page_obj"].paginator.count == 4
    # Another filter with the words is counted on its own (the cached count would be wrong).
    assert client.get(LIST, {**query, "status": "solved"}).context["page_obj"].paginator.count == 0
