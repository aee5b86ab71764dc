"""Deep pages of the catalogue and the learning library by cursor (issue #22): sorts in mixed
directions (most used first, then by name) and on a nullable date page by their rows' values as
the backlog does, every row once and in order, and old `?page=` links still answer."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from centres.selectors import SORTS as LIBRARY_SORTS
from centres.selectors import LibraryFilters, learning_library
from components.models import Adoption, Component
from components.selectors import SORTS as CATALOGUE_SORTS
from components.selectors import ComponentFilters, component_list
from institute import pagination
from institute.models import Organisation, ServiceArea
from tests.centres.factories import LearningFactory
from tests.components.factories import AdoptionFactory, ComponentFactory

pytestmark = pytest.mark.django_db


def _links(html: str) -> dict:
    found = dict(re.findall(r'href="([^"]*)" rel="(next|prev)"', html))
    return {rel: href.replace("&amp;", "&") for href, rel in found.items()}


def _walk(client, path: str, pages: int) -> tuple[list[int], list[str]]:
    """The rows of each page, following "Next" from `path`, then "Previous" back to page 1."""
    forward, links, response = [], [], client.get(path)
    for number in range(1, pages + 1):
        assert response.context["page_obj"].number == number
        forward.append([row.pk for row in response.context["page_obj"]])
        found = _links(response.content.decode())
        if number == pages:
            assert "next" not in found
            break
        links.append(found["next"])
        response = client.get(path.split("?")[0] + found["next"])
    backward = [[row.pk for row in response.context["page_obj"]]]
    while "prev" in (found := _links(response.content.decode())):
        response = client.get(path.split("?")[0] + found["prev"])
        backward.append([row.pk for row in response.context["page_obj"]])
    assert backward[::-1] == forward
    return [pk for page in forward for pk in page], links


@pytest.fixture
def many_components():
    now = timezone.now()
    # Ties on the counts (in groups of four), names out of id order, dates in a few groups.
    for n in range(60):
        ComponentFactory(
            name=f"Component {(n * 37) % 60:02d}",
            using_count=n % 4,
            adopting_count=(n % 4) + (n % 3),
            published_at=now - timedelta(days=n % 5),
        )


@pytest.mark.parametrize("sort", CATALOGUE_SORTS)
def test_the_catalogue_pages_every_sort_by_cursor(client, monkeypatch, many_components, sort):
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 1)
    expected = [c.pk for c in component_list(ComponentFilters(sort=sort))]

    seen, links = _walk(client, f"/components/?sort={sort}", pages=3)

    assert seen == expected
    assert all("after=" in link and f"sort={sort}" in link for link in links)
    # The old link to the last page still answers, with the same rows.
    last = client.get("/components/", {"sort": sort, "page": 3})
    assert [c.pk for c in last.context["page_obj"]] == expected[50:]


@pytest.mark.parametrize("sort", LIBRARY_SORTS)
def test_the_library_pages_by_cursor(client, monkeypatch, sort):
    # published_at may be null (drafts), so it is compared column by column.
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 1)
    now = timezone.now()
    for n in range(55):
        LearningFactory(evidence_strength=1 + n % 3, published_at=now - timedelta(days=n % 4))
    expected = [item.pk for item in learning_library(LibraryFilters(sort=sort))]

    seen, links = _walk(client, f"/centres/learning/?sort={sort}", pages=3)

    assert seen == expected
    assert all("after=" in link for link in links)


def test_an_edited_catalogue_cursor_shows_the_first_page(client, many_components):
    first = client.get("/components/")
    for cursor in ("nonsense", "eyJvIjoibmFtZSJ9", "eyJvIjoiLXVzaW5nX2NvdW50In0"):
        response = client.get("/components/", {"after": cursor})
        assert response.status_code == 200
        assert list(response.context["page_obj"]) == list(first.context["page_obj"])


@pytest.mark.parametrize("order", [["-published_at", "-id"], ["published_at", "name", "-id"]])
def test_a_nullable_column_pages_where_postgresql_sorts_its_nulls(order):
    now = timezone.now()
    for n in range(14):
        ComponentFactory(
            status="in_review" if n % 3 == 0 else "published",
            published_at=None if n % 3 == 0 else now - timedelta(days=n % 2),
            name=f"Component {n % 5}",
        )
    qs = Component.objects.order_by(*order)
    keyset = pagination.Keyset.of(qs)
    expected = [c.pk for c in qs]

    rows, seen = list(qs[:3]), []
    while rows:
        seen += [c.pk for c in rows]
        values, _, _ = keyset.decode(keyset.cursor(rows[-1], page=2))
        rows = keyset.rows(qs, values, before=False, limit=3)
    assert seen == expected

    values, _, _ = keyset.decode(keyset.cursor(qs[len(expected) - 1], page=2))
    back = keyset.rows(qs, values, before=True, limit=len(expected))
    assert [c.pk for c in reversed(back)] == expected[:-1]


CATALOGUE_COMBINED = {
    "kind": "api",
    "maturity": "live",
    "cost_model": "free",
    "hosting": "self_hosted",
    "open_licence": "yes",
    "service_area": "housing",
    "sort": "using",
}


@pytest.mark.parametrize("count", [1, 30])
def test_catalogue_filters_combined_and_a_cursor_page_make_fixed_queries(
    client, monkeypatch, django_assert_num_queries, count
):
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 1)
    housing = ServiceArea.objects.get(slug="housing")
    for n in range(count):
        ComponentFactory(using_count=n % 3, adopting_count=n % 3, service_areas=[housing])
    ComponentFactory(kind="pattern", service_areas=[housing])  # filtered out
    # Service area and licence choices, count, page (the rows' service areas are beside them).
    with django_assert_num_queries(4):
        response = client.get("/components/", CATALOGUE_COMBINED)
    assert len(response.context["page_obj"]) == min(count, 25)
    if count > 25:
        after = _links(response.content.decode())["next"]
        # The cursor page: its rows. The choices and the count are cached since the first
        # page; "Next" is known from one row more.
        with django_assert_num_queries(1):
            page_two = client.get("/components/" + after)
        assert len(page_two.context["page_obj"]) == count - 25


@pytest.mark.parametrize("count", [1, 30])
def test_library_filters_combined_make_fixed_queries(client, django_assert_num_queries, count):
    kent = Organisation.objects.get(slug="kent")
    for n in range(count):
        LearningFactory(evidence_strength=3 + n % 2, councils=[kent], cost_band="low")
    query = {
        "theme": "data",
        "min_evidence": 3,
        "cost_band": "low",
        "region": "E12000008",
        "council_type": "county",
        "sort": "evidence",
    }
    # Service areas and centres for the filters, count, page.
    with django_assert_num_queries(4):
        response = client.get("/centres/learning/", query)
    assert len(response.context["page_obj"]) == min(count, 25)


def test_an_old_page_link_past_the_numbered_pages_reads_like_its_cursor(
    client, monkeypatch, many_components
):
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 1)
    expected = [c.pk for c in component_list(ComponentFilters())]

    middle = client.get("/components/", {"page": 2})
    assert [c.pk for c in middle.context["page_obj"]] == expected[25:50]
    links = _links(middle.content.decode())
    assert "page=1" in links["prev"] and "after=" in links["next"]
    following = client.get("/components/" + links["next"])
    assert [c.pk for c in following.context["page_obj"]] == expected[50:]
    # A number past the end shows the last page, as it always has.
    past = client.get("/components/", {"page": 99})
    assert [c.pk for c in past.context["page_obj"]] == expected[50:]


def test_an_old_api_page_past_the_numbered_pages_reads_like_its_cursor(
    client, monkeypatch, many_components
):
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 1)
    expected = [str(c.public_id) for c in component_list(ComponentFilters())]

    body = client.get("/api/v1/components/", {"page": 3, "page_size": 20}).json()
    assert [row["id"] for row in body["results"]] == expected[40:]
    assert body["count"] == 60 and body["next"] is None
    back = client.get(body["previous"]).json()  # a cursor, without the old page number
    assert [row["id"] for row in back["results"]] == expected[20:40]
    assert client.get("/api/v1/components/", {"page": 4, "page_size": 20}).status_code == 404


def test_the_adoptions_api_pages_by_cursor_at_any_depth(client, monkeypatch):
    # Programs page through every adoption: the API's order is the table's unique index
    # (component, then council), so a deep page starts in it rather than sorting names.
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", 1)
    councils = list(Organisation.objects.filter(kind="council").order_by("?")[:7])
    for component in ComponentFactory.create_batch(3):
        for council in councils:
            AdoptionFactory(component=component, organisation=council)
    expected = list(
        Adoption.objects.order_by("component_id", "organisation_id").values_list("pk", flat=True)
    )

    seen, url = [], "/api/v1/adoptions/?page_size=5"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        assert url is None or "cursor=" in url
    assert seen == expected

    old = client.get("/api/v1/adoptions/", {"page": 3, "page_size": 5}).json()
    assert [row["id"] for row in old["results"]] == expected[10:15]
    back = client.get(old["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[5:10]
