"""CSV injection: a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
return at the start) is written with an apostrophe in front, in every CSV the service produces:
downloads, dashboard tables and the open data files. One writer does it (institute.csv_export)."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from institute.csv_export import FORMULA_TRIGGERS, csv_cell
from institute.models import Organisation
from institute.sector import figures, opendata, panels
from institute.sector.tasks import dashboard_aggregates_refresh, open_data_publish
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://evil.example","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
# Every route that answers with CSV, by name; the test below fails when a new one is not here.
CSV_ROUTES = {
    "backlog:problem_export",
    "components:component_export",
    "components:adoption_export",
    "sector:dashboard_csv",
    "sector:dashboard_summary_csv",
    "sector:targets_csv",
    "sector:matrix_csv",
    "sector:recommendations_csv",
    "sector:series_csv",
    "sector:council_profile",  # ?format=csv
    "sector:data_download",  # the open data files, /data/<name>.csv
}


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 113 000", "'+44 113 000"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Bin day API", "Bin day API"),
        ("a=b", "a=b"),
        ("-3", "-3"),
        ("-2.5", "-2.5"),
        (-3, -3),
        (None, None),
    ],
)
def test_a_cell_that_would_be_a_formula_is_written_as_text(typed, written):
    assert csv_cell(typed) == written


def test_no_module_writes_csv_except_through_the_one_writer():
    """csv.writer and csv.DictWriter are called in institute/csv_export.py only."""
    offenders = []
    for app in ("institute", "backlog", "components", "standards", "centres"):
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "institute" / "csv_export.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in {"writer", "DictWriter"}
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def _route_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", str(pattern.pattern)


def test_every_csv_route_is_checked_here():
    found = {
        name
        for name, route in _route_names()
        if ".csv" in route or name.endswith(("_csv", "_export")) or "csv/" in route
    }
    assert found - CSV_ROUTES == set()


@pytest.fixture
def hostile(settings, tmp_path, institute_staff, officer):
    settings.DASHBOARD_REFRESH_ON_WRITE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "generated": {**settings.STORAGES["generated"], "OPTIONS": {"location": tmp_path}},
    }
    leeds = Organisation.objects.get(slug="leeds")
    for n, text in enumerate(HOSTILE):
        ProblemFactory(title=text, summary=text)
        component = ComponentFactory(name=text, summary=text, slug=f"hostile-{n}")
        AdoptionFactory(component=component, organisation=leeds)
    dashboard_aggregates_refresh()
    open_data_publish()


def _cells(text):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_inert(text, where):
    unsafe = [
        cell
        for cell in _cells(text)
        if cell.startswith(FORMULA_TRIGGERS) and csv_cell(cell) != cell
    ]
    assert unsafe == [], where


def _download(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_exports_write_hostile_titles_as_text(client, hostile):
    for name in ("backlog:problem_export", "components:component_export",
                 "components:adoption_export"):  # fmt: skip
        text = _download(client.get(reverse(name)))
        _assert_inert(text, name)
        cells = _cells(text)
        assert "'" + HOSTILE[0] in cells, name
        assert "'@SUM(A1)" in cells, name


def test_every_dashboard_and_blueprint_csv_is_inert(client, hostile, sector_viewer):
    client.force_login(sector_viewer)
    tables = panels.dashboard(figures.Filters(), figures.strategic_authorities())["tables"]
    urls = [reverse("sector:dashboard_csv", args=[slug]) for slug in tables]
    urls += [reverse("sector:dashboard_summary_csv", args=[slug]) for slug in tables]
    urls += [reverse(f"sector:{name}") for name in ("targets_csv", "matrix_csv",
                                                    "recommendations_csv")]  # fmt: skip
    urls.append(reverse("sector:council_profile", args=["leeds"]) + "?format=csv")
    seen = ""
    for url in urls:
        text = _download(client.get(url))
        _assert_inert(text, url)
        seen += text
    # The component names reach the dashboard's tables, written as text.
    assert "'@SUM(A1)" in _cells(seen)


def test_every_open_data_csv_is_inert(client, hostile):
    seen = []
    for name in opendata.DATASETS:
        text = _download(client.get(f"/data/{name}.csv"))
        _assert_inert(text, name)
        seen += _cells(text)
    assert "'" + HOSTILE[0] in seen
