"""Council profiles from the per-council rows, and caches warmed by the refresh (issue #22):
a profile makes the same few queries however much a council has done and stays small; the
first visitor after a refresh is served from the cache, as the second is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institute.models import Organisation
from institute.sector import refresh
from institute.sector.tasks import dashboard_aggregates_refresh
from tests.components.factories import AdoptionFactory, ComponentFactory

pytestmark = pytest.mark.django_db

PROFILE = reverse("sector:council_profile", args=["leeds"])


def _queries(client, url, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _row(response, label):
    return next(row for row in response.context["table"].rows if row[0] == label)


def _adopt_many(organisation, count):
    for n in range(count):
        AdoptionFactory(component=ComponentFactory(name=f"Widget {n}"), organisation=organisation)


def test_a_profile_makes_the_same_few_queries_however_much_the_council_has(
    client, sector_viewer, sector
):
    dashboard_aggregates_refresh()
    small_anonymous, _ = _queries(client, PROFILE)
    client.force_login(sector_viewer)
    small_viewer, _ = _queries(client, PROFILE)
    _adopt_many(Organisation.objects.get(slug="leeds"), 40)
    dashboard_aggregates_refresh()
    large_viewer, html = _queries(client, PROFILE)
    client.logout()
    large_anonymous, _ = _queries(client, PROFILE)
    # A visitor: the council. A sector viewer: their session's user, the council and the sets
    # of comparison groups. The figures come from the cache the refresh filled.
    assert (small_anonymous, large_anonymous) == (1, 1)
    assert (small_viewer, large_viewer) == (3, 3)
    assert "Widget" not in html  # no row per adoption: they are on the council's own list
    assert reverse("components:council_adoptions", args=["leeds"]) in html


def test_a_profile_shows_the_figures_of_the_latest_refresh(client, sector):
    refresh.aggregates_refresh()
    assert _row(client.get(PROFILE), "Components in use")[1] == 1
    _adopt_many(Organisation.objects.get(slug="leeds"), 2)
    refresh.aggregates_refresh()
    assert _row(client.get(PROFILE), "Components in use")[1] == 3


def test_a_profile_stays_small_for_a_council_with_many_components(client, sector_viewer, sector):
    _adopt_many(Organisation.objects.get(slug="leeds"), 200)
    dashboard_aggregates_refresh()
    client.force_login(sector_viewer)
    response = client.get(PROFILE)
    assert len(response.content) < 20_000
    assert _row(response, "Components in use")[1] == 201


def test_only_those_who_may_see_ratings_see_the_standards_rows(
    client, sector_viewer, other_officer, sector
):
    dashboard_aggregates_refresh()
    standards_row = "Standards adopted"
    labels = [row[0] for row in client.get(PROFILE).context["table"].rows]
    assert standards_row not in labels
    client.force_login(other_officer)  # Bristol's officer, on Leeds's profile
    labels = [row[0] for row in client.get(PROFILE).context["table"].rows]
    assert standards_row not in labels
    client.force_login(sector_viewer)
    assert _row(client.get(PROFILE), standards_row)[1] == 1


@pytest.mark.parametrize(
    "url, role",
    [
        (reverse("sector:dashboard_summary"), None),
        (reverse("sector:dashboard"), "sector_viewer"),
        (PROFILE, "sector_viewer"),
    ],
    ids=["public summary", "dashboard", "council profile"],
)
def test_the_first_request_after_a_refresh_is_served_from_the_cache(
    client, request, sector, url, role
):
    if role:
        client.force_login(request.getfixturevalue(role))
    dashboard_aggregates_refresh()
    first, first_html = _queries(client, url)
    second, _ = _queries(client, url)
    assert first == second
    # And it is a refresh's figures that were warmed: a new one is computed and warmed again.
    _adopt_many(Organisation.objects.get(slug="leeds"), 1)
    dashboard_aggregates_refresh()
    again, _ = _queries(client, url)
    assert again == second
