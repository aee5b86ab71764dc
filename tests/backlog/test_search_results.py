"""A plain search ranks only its best-known title matches (backlog.selectors.SearchResults):
every match still appears exactly once, across pages, in a stable order."""

import pytest

from backlog import selectors
from backlog.models import Problem
from institute.pagination import CappedPaginator
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db


def all_pages(q, *, per_page=25):
    results = selectors.problem_list_page(selectors.BacklogFilters(q=q))
    paginator = CappedPaginator(results, per_page)
    rows = []
    for number in paginator.page_range:
        rows += list(paginator.page(number).object_list)
    return paginator, rows


@pytest.fixture
def parking():
    """40 problems about parking in their titles (demand 0 to 39), 5 only in the description."""
    titled = []
    for n in range(40):
        problem = ProblemFactory(title=f"Parking permits case {n}")
        Problem.objects.filter(pk=problem.pk).update(council_count=n)
        titled.append(problem)
    described = [
        ProblemFactory(title=f"Street signs {n}", description="Mentions parking once.")
        for n in range(5)
    ]
    exact = ProblemFactory(title="Parking parking parking")
    Problem.objects.filter(pk=exact.pk).update(council_count=1)
    return titled, described, exact


def test_every_match_appears_once_ranked_title_matches_first(parking):
    titled, described, exact = parking
    paginator, rows = all_pages("parking")
    assert paginator.count == 46 and len(rows) == 46
    assert len({row.pk for row in rows}) == 46
    ranked = [row.pk for row in rows[:41]]
    assert set(ranked) == {p.pk for p in [*titled, exact]}
    assert rows[0].pk == exact.pk  # the best match, though few councils have it
    assert {row.pk for row in rows[41:]} == {p.pk for p in described}


def test_ranking_covers_only_the_most_demanded_title_matches(parking, monkeypatch):
    titled, described, exact = parking
    monkeypatch.setattr(selectors, "SEARCH_RANKED", 30)
    _, rows = all_pages("parking")
    # The 30 title matches most councils have are ranked (the exact one is not among them:
    # one council); then every other match, most councils first.
    top_30 = sorted(titled, key=lambda p: -titled.index(p))[:30]
    assert {row.pk for row in rows[:30]} == {p.pk for p in top_30}
    rest = rows[30:]
    assert [r.council_count for r in rest] == sorted((r.council_count for r in rest), reverse=True)
    assert exact.pk in {row.pk for row in rest}


def test_a_search_with_few_matches_ranks_them_all():
    ProblemFactory(title="Ferry timetables are out of date")
    best = ProblemFactory(title="Ferry ferry ferry")
    _, rows = all_pages("ferry")
    assert [row.pk for row in rows][0] == best.pk and len(rows) == 2


def test_the_page_counts_a_search_only_so_far(client, parking, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 20)
    html = client.get("/problems/", {"q": "parking"}).content.decode()
    assert "More than 20 problems" in html
    assert client.get("/api/v1/problems/", {"q": "parking"}).json()["count"] == 46  # exact


def test_a_new_or_merged_problem_changes_a_searchs_count(parking, institute_staff):
    from backlog import services

    def count():
        paginator = CappedPaginator(
            selectors.problem_list_page(selectors.BacklogFilters(q="parking")), 25
        )
        return paginator.count

    assert count() == 46
    extra = ProblemFactory(title="Parking bays for carers")
    assert count() == 47
    services.problem_merge(actor=institute_staff, source=extra, target=parking[2])
    assert count() == 46
