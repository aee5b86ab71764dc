"""The organisation directory and organisation pages."""

import pytest
from django.urls import reverse

from institute.models import Organisation
from institute.pagination import PAGE_SIZE
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
URL = reverse("institute:organisation_list")


def _names(response):
    return [o.name for o in response.context["page_obj"].object_list]


def test_directory_lists_current_organisations_25_a_page(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == Organisation.objects.current().count()
    assert len(_names(response)) == PAGE_SIZE
    assert 'class="govuk-pagination"' in response.content.decode()


def test_directory_filters_by_region_and_type(client):
    response = client.get(URL, {"region": "E12000003", "council_type": "metropolitan_borough"})
    assert response.context["page_obj"].paginator.count == 9
    assert "Leeds" in _names(response)


def test_directory_filters_by_strategic_authority(client):
    response = client.get(URL, {"strategic_authority": "west-yorkshire-combined-authority"})
    assert sorted(_names(response)) == ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]


def test_directory_searches_by_name_and_gss_code(client):
    assert _names(client.get(URL, {"q": "leeds"})) == ["Leeds"]
    assert _names(client.get(URL, {"q": "E08000035"})) == ["Leeds"]


def test_directory_hides_organisations_that_do_not_exist_yet(client):
    names = _names(client.get(URL, {"q": "Surrey"}))
    assert "Surrey" in names
    assert "East Surrey Council" not in names


def test_directory_ignores_bad_filter_values_and_bad_page_numbers(client):
    response = client.get(URL, {"region": "Narnia", "council_type": "<script>", "page": "999"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == response.context["page_obj"].paginator.num_pages
    assert "<script>" not in response.content.decode().split("<main")[1].split("value=")[0]
    response = client.get(URL, {"page": "abc"})
    assert response.context["page_obj"].number == 1


def test_directory_empty_state(client):
    response = client.get(URL, {"q": "No such council anywhere"})
    assert "No organisations match" in response.content.decode()


def test_htmx_request_gets_only_the_results_partial(client):
    response = client.get(URL, {"region": "E12000007"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Camden" in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize("extra", [0, 60])
def test_directory_query_count_does_not_grow_with_the_list(
    client, django_assert_num_queries, extra
):
    # 2 queries for the strategic authority filter choices and the count, 1 for the page;
    # session and user are not loaded for an anonymous visitor.
    sa = Organisation.objects.get(slug="west-yorkshire-combined-authority")
    for n in range(extra):
        OrganisationFactory(name=f"Extra {n}", strategic_authority=sa)
    with django_assert_num_queries(3):
        response = client.get(URL, {"q": "", "page": "2"})
    assert len(_names(response)) == PAGE_SIZE


def test_organisation_page_shows_its_facts_and_relations(client):
    html = client.get("/organisations/leeds/").content.decode()
    assert "E08000035" in html
    assert "Yorkshire and The Humber" in html
    assert "West Yorkshire Combined Authority" in html

    county = client.get("/organisations/kent/").content.decode()
    assert "District councils in this county (12)" in county
    assert "Maidstone" in county


def test_organisation_page_shows_its_successor(client):
    html = client.get(Organisation.objects.get(name="Woking").get_absolute_url()).content.decode()
    assert "West Surrey Council" in html


def test_surrey_county_page_shows_both_successors_with_their_date(client):
    county = Organisation.objects.get(gss_code="E10000030")
    html = client.get(county.get_absolute_url()).content.decode()
    assert "closes after 31 March 2027" in html
    replaced_by = html.split("Replaced by", 1)[1].split("</dd>", 1)[0]
    assert "East Surrey Council" in replaced_by and "West Surrey Council" in replaced_by
    assert replaced_by.count("from 1 April 2027") == 2
    east = client.get("/organisations/east-surrey-council/").content.decode()
    replaces = east.split("Replaces", 1)[1].split("</ul>", 1)[0]
    assert "<bdi>Elmbridge</bdi>" in replaces and "<bdi>Surrey</bdi>" in replaces
    assert replaces.count("from 1 April 2027") == 6


def test_unknown_organisation_is_a_govuk_404(client):
    response = client.get("/organisations/atlantis/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-template" in response.content.decode()
