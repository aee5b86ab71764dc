"""A council's components on its organisation page and on its own list (issue #22): the page
shows how many it has recorded at each stage and the latest few, whatever the number (a large
council has recorded ~1,000), and links to every one of them a page at a time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from components.models import Adoption
from components.selectors import SECTION_ADOPTIONS
from institute.models import Organisation
from institute.pagination import PAGE_SIZE
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = "components:council_adoptions"


def _adopt(organisation, count, **fields):
    for n in range(count):
        AdoptionFactory(
            component=ComponentFactory(name=f"Component {n:03d}"),
            organisation=organisation,
            since=timezone.localdate() - timedelta(days=n),
            **fields,
        )


def _rows(html: str) -> int:
    return html.count('data-label="Component"')


# The organisation, the backlog's section, the components' counts and latest rows, the centres'
# projects and learning, constituents, districts, the successions in and out (each with its
# other organisation) and the member count.
ORGANISATION_PAGE_QUERIES = 11


@pytest.mark.parametrize("adoptions", [3, SECTION_ADOPTIONS + 25])
def test_a_councils_page_makes_the_same_queries_however_many_components_it_uses(
    client, django_assert_num_queries, leeds, adoptions
):
    _adopt(leeds, adoptions)
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        html = client.get(leeds.get_absolute_url()).content.decode()
    assert _rows(html) == min(adoptions, SECTION_ADOPTIONS)
    assert f"has recorded {adoptions} common components" in html
    full_list = reverse(LIST, args=["leeds"])
    assert (full_list in html) is (adoptions > SECTION_ADOPTIONS)


@pytest.mark.parametrize("extra_districts", [0, 9])
def test_a_countys_page_makes_the_same_queries_however_many_districts_it_has(
    client, django_assert_num_queries, extra_districts
):
    kent = Organisation.objects.get(slug="kent")
    for n in range(extra_districts):
        OrganisationFactory(
            name=f"Kentish District {n}", council_type="district", parent_county=kent
        )
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES - 1):  # no components to list
        html = client.get(kent.get_absolute_url()).content.decode()
    assert f"District councils in this county ({12 + extra_districts})" in html
    assert "Maidstone" in html


def test_the_page_shows_the_latest_adoptions_and_counts_each_stage(client, leeds):
    _adopt(leeds, 12)
    _adopt(leeds, 2, stage="piloting", confirmed_at=timezone.now() - timedelta(days=400))
    html = client.get(leeds.get_absolute_url()).content.decode()
    assert "has recorded 14 common components: 2 piloting, 12 in use." in html
    assert "2 adoptions have not been confirmed for 12 months." in html
    # Most recently adopted first: the oldest of the 12 in use (since 11 days ago) is left out.
    assert "Component 000" in html and "Component 011" not in html


def test_the_page_stays_small_for_a_council_with_many_components(client, leeds):
    _adopt(leeds, 300)
    html = client.get(leeds.get_absolute_url()).content.decode()
    assert _rows(html) == SECTION_ADOPTIONS
    assert len(html.encode()) < 40_000


def test_the_full_list_pages_through_every_component_with_fixed_queries(
    client, django_assert_num_queries, leeds
):
    _adopt(leeds, PAGE_SIZE + 5)
    AdoptionFactory(component=ComponentFactory(status="in_review"), organisation=leeds)
    url = reverse(LIST, args=["leeds"])
    # The organisation, the count, the page and the counts by stage.
    with django_assert_num_queries(4):
        first = client.get(url).content.decode()
    with django_assert_num_queries(4):
        second = client.get(url, {"page": 2}).content.decode()
    assert _rows(first) == PAGE_SIZE and _rows(second) == 5
    assert "Component 000" in first and f"Component {PAGE_SIZE + 4:03d}" in second
    assert "has recorded 30 common components" in first  # not the one in review
    assert "Confirm" not in first  # only Leeds's officers confirm


def test_the_councils_officer_confirms_from_the_full_list_and_comes_back_to_it(
    client, officer, leeds
):
    _adopt(leeds, 1, confirmed_at=timezone.now() - timedelta(days=400))
    adoption = Adoption.objects.get(organisation=leeds)
    client.force_login(officer)
    url = reverse(LIST, args=["leeds"])
    assert "Not confirmed for 12 months" in client.get(url).content.decode()
    response = client.post(
        reverse("components:adoption_confirm", args=[adoption.pk]), {"next": "council"}
    )
    assert response.status_code == 302 and response["Location"] == url
    adoption.refresh_from_db()
    assert not adoption.is_stale()
    assert "Not confirmed for 12 months" not in client.get(url).content.decode()


def test_another_councils_officer_cannot_confirm_from_the_list(client, other_officer, leeds):
    _adopt(leeds, 1)
    adoption = Adoption.objects.get(organisation=leeds)
    confirmed = adoption.confirmed_at
    client.force_login(other_officer)
    assert "Confirm" not in client.get(reverse(LIST, args=["leeds"])).content.decode()
    response = client.post(
        reverse("components:adoption_confirm", args=[adoption.pk]), {"next": "council"}
    )
    assert response.status_code in (403, 404)
    adoption.refresh_from_db()
    assert adoption.confirmed_at == confirmed


def test_only_councils_have_a_list_of_components(client):
    assert client.get(reverse(LIST, args=["atlantis"])).status_code == 404
    gmca = reverse(LIST, args=["greater-manchester-combined-authority"])
    assert client.get(gmca).status_code == 404


def test_a_council_without_components_says_so(client, leeds):
    html = client.get(reverse(LIST, args=["leeds"])).content.decode()
    assert "has not recorded using, exploring or piloting a common component" in html
