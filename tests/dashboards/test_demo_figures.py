"""Every sector figure on the demo data, against a recorded fixture.

The dashboard (all councils, and filtered), the public summary, two council profiles and every
open-data dataset are computed on the demo data at a fixed moment and compared, figure by
figure, with `demo_figures.json`. A change to how a figure is computed (a refactoring, a moved
rule) shows here as the figures that moved. Identifiers that differ from one database to the
next (numbers, UUIDs, links, times of the run) are left out.

When a figure changes on purpose, record it again and say why in the commit:
    RECORD_DEMO_FIGURES=1 make test PYTEST_ARGS=tests/dashboards/test_demo_figures.py
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from institute.models import Organisation
from institute.sector import opendata, panels, profiles, selectors, targets
from institute.sector.figures import Filters, strategic_authorities
from institute.sector.models import ComparisonGroupSet
from institute.sector.refresh import aggregates_refresh
from standards.models import Assessment

FIXTURE = Path(__file__).with_name("demo_figures.json")
# A Monday in the middle of a quarter, at noon: dates, quarters and "12 months ago" are fixed.
MOMENT = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
# Open-data fields that identify a row in one database only, or say when the run happened.
VOLATILE_FIELDS = {"id", "url", "component_id", "merged_into"}
# Prose, not figures: left out to keep the fixture small.
PROSE_FIELDS = {"summary", "impact_summary"}
FILTERED = [
    {"region": "E12000003"},
    {"council_type": "district"},
    {"strategic_authority": "greater-manchester-combined-authority"},
]
PROFILES = ["leeds", "cornwall", "camden"]


def _cell(cell):
    return cell["text"] if isinstance(cell, dict) else cell


def _tables(data) -> dict:
    return {
        slug: {
            "caption": table.caption,
            "headers": table.headers,
            "rows": [[_cell(c) for c in row] for row in table.rows],
            "summary": table.summary,
            "bars": [[b["label"], b["value"], b["percent"]] for b in table.bars],
        }
        for slug, table in data["tables"].items()
    }


def _dashboard(filters, sas, *, public=False) -> dict:
    data = panels.dashboard(filters, sas, public=public)
    return {
        "councils": data["councils"],
        "headline": data["headline"],
        "tables": _tables(data),
    }


def demo_figures() -> dict:
    sas = strategic_authorities()
    figures = {
        "dashboard": _dashboard(Filters(), sas),
        "summary": _dashboard(Filters(), sas, public=True),
        "filtered": {
            json.dumps(query, sort_keys=True): _dashboard(Filters.from_query(query, sas), sas)
            for query in FILTERED
        },
        "profiles": {},
        "open_data": {},
    }
    for slug in PROFILES:
        organisation = Organisation.objects.get(slug=slug)
        for show_standards in (True, False):
            table = profiles.council_comparison(organisation, show_standards=show_standards)[
                "table"
            ]
            figures["profiles"][f"{slug}:{show_standards}"] = {
                "headers": table.headers,
                "rows": table.rows,
                "summary": table.summary,
            }
    # Leeds beside its group in the demo's illustrative comparison groups.
    group_set = ComparisonGroupSet.objects.get()
    table = profiles.council_comparison(
        Organisation.objects.get(slug="leeds"), show_standards=True, group_set=group_set
    )["table"]
    figures["profiles"]["leeds:group"] = {
        "headers": table.headers,
        "rows": table.rows,
        "summary": table.summary,
    }
    figures["targets"] = {
        view.slug: {
            "figure": view.figure,
            "target": view.target,
            "values": [[value["date"], value["value"]] for value in view.values],
            "verdict": view.trend.verdict,
            "wording": view.trend.wording,
            "projected": [view.trend.projected, view.trend.low, view.trend.high],
        }
        for view in targets.targets_overview()
    }
    figures["targets_table"] = _tables({"tables": {"targets": targets.targets_table(
        targets.targets_overview()
    )}})  # fmt: skip
    figures["data_sharing_examples"] = [
        [e["title"], e["evidence_strength"], e["standards"]]
        for e in targets.data_sharing_examples()
    ]
    matrix = selectors._matrix()
    figures["blueprint"] = {
        "matrix": _tables({"tables": {"matrix": selectors.matrix_table(matrix)}}),
        "by_theme": matrix["by_theme"],
    }
    for name, dataset in opendata.DATASETS.items():
        rows = [
            {k: v for k, v in row.items() if k not in VOLATILE_FIELDS | PROSE_FIELDS}
            for row in dataset.rows()
        ]
        figures["open_data"][name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    # Through JSON and back: tuples become lists, dates strings, as in the fixture.
    return json.loads(json.dumps(figures, default=str))


@pytest.mark.django_db
def test_every_sector_figure_on_the_demo_data_is_as_recorded_and_trends_begin_with_the_data(
    settings,
):
    settings.DASHBOARD_REFRESH_ON_WRITE = False
    with time_machine.travel(MOMENT, tick=False):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        aggregates_refresh()
        figures = demo_figures()
    # The standards' trends begin on the day of the first assessment, rebuilt from the kept
    # history, not on the day snapshots began.
    first = Assessment.objects.exclude(submitted_at=None).order_by("submitted_at").first()
    first_day = timezone.localdate(first.submitted_at).isoformat()
    assert figures["targets"]["standards-adoption"]["values"][0][0] == first_day
    trend_rows = figures["dashboard"]["tables"]["standards-trend"]["rows"]
    assert min(row[1] for row in trend_rows) == first_day
    if os.environ.get("RECORD_DEMO_FIGURES"):
        FIXTURE.write_text(json.dumps(figures, indent=1, sort_keys=True, ensure_ascii=False))
    expected = json.loads(FIXTURE.read_text())
    for section in expected:
        assert figures[section] == expected[section], f"{section} figures changed"
    assert figures.keys() == expected.keys()
