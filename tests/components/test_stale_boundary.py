"""One boundary for a stale adoption, wherever it shows: an adoption confirmed exactly 12 months
(STALE_AFTER) ago is stale on the component page, the sector dashboard, the council profile,
the API, open data and the CSV export; one second younger, it is counted everywhere."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from components.models import STALE_AFTER
from institute.sector import opendata, panels
from institute.sector.figures import Filters, strategic_authorities
from institute.sector.refresh import aggregates_refresh
from tests.components.factories import AdoptionFactory, ComponentFactory

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("age", "stale"),
    [(STALE_AFTER, True), (STALE_AFTER - timedelta(seconds=1), False)],
    ids=["exactly-12-months", "one-second-younger"],
)
def test_every_page_figure_and_file_agrees_on_the_stale_boundary(
    db, client, settings, leeds, institute_staff, age, stale
):
    settings.DASHBOARD_REFRESH_ON_WRITE = False
    component = ComponentFactory(name="Bin day finder")
    AdoptionFactory(component=component, organisation=leeds, confirmed_at=NOW - age)
    tag = "Not confirmed for 12 months"

    # The component page: counted, or "a further council" with its row tagged.
    html = client.get(component.get_absolute_url()).content.decode()
    assert ("1 council adopting it" in html) is not stale
    assert ("A further 1 council has gone 12 months or more" in html) is stale
    assert (tag in html) is stale

    # The sector dashboard's stages.
    aggregates_refresh()
    stages = dict(
        panels.dashboard(Filters(), strategic_authorities())["tables"]["components-stages"].rows
    )
    assert stages["In use"] == (0 if stale else 1)
    assert stages["Stale (not confirmed for 12 months)"] == (1 if stale else 0)

    # The council profile's comparison, and the council's components on its organisation page
    # and on its own list.
    client.force_login(institute_staff)
    profile = client.get(reverse("sector:council_profile", args=["leeds"]))
    in_use = next(row for row in profile.context["table"].rows if row[0] == "Components in use")
    assert in_use[1] == (0 if stale else 1)
    assert (tag in client.get(leeds.get_absolute_url()).content.decode()) is stale
    listed = client.get(reverse("components:council_adoptions", args=["leeds"]))
    assert (tag in listed.content.decode()) is stale

    # The API.
    api = client.get("/api/v1/adoptions/", {"component": str(component.public_id)}).json()
    assert [row["stale"] for row in api["results"]] == [stale]

    # Open data.
    rows = list(opendata.DATASETS["component-adoptions"].rows())
    assert [row["stale"] for row in rows] == [stale]

    # The CSV export.
    export = client.get(reverse("components:adoption_export"))
    table = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row["stale"] for row in table] == ["yes" if stale else "no"]
