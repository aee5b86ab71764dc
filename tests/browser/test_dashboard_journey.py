"""A sector viewer opens the dashboard, filters it by region, sees the panels change and
downloads the numbers of a chart as CSV."""

import csv
import io

import pytest

from backlog import services as backlog_services
from institute.models import ServiceArea
from institute.sector import refresh
from tests.browser.session import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sector_viewer_filters_the_dashboard_by_region_and_downloads_a_csv(
    page, settings, sector_viewer, officer, other_officer
):
    settings.DASHBOARD_REFRESH_ON_WRITE = False
    housing = [ServiceArea.objects.get(slug="housing")]
    backlog_services.problem_submit(
        actor=officer,
        title="Leeds cannot match addresses",
        summary="Addresses differ.",
        description="Three systems.",
        theme="data",
        service_areas=housing,
    )
    backlog_services.problem_submit(
        actor=other_officer,
        title="Bristol cannot recruit analysts",
        summary="Pay is low.",
        description="We lose them.",
        theme="skills",
        service_areas=housing,
    )
    refresh.aggregates_refresh()
    sign_in(page, sector_viewer)

    page.goto(page.base_url + "/dashboard/")
    page.get_by_text("Showing all councils in England").wait_for()
    top = page.locator("#backlog-top")
    assert top.get_by_text("Bristol cannot recruit analysts").count() >= 1  # bar and table

    page.get_by_label("Region", exact=True).select_option(label="Yorkshire and The Humber")
    page.wait_for_url("**region=E12000003**")
    page.locator("#panels").get_by_text("Showing Yorkshire and The Humber").wait_for()
    assert top.get_by_text("Bristol cannot recruit analysts").count() == 0
    assert top.get_by_text("Leeds cannot match addresses").count() >= 1

    with page.expect_download() as download_info:
        top.get_by_role("link", name="Download this table as CSV").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as downloaded:
        rows = list(csv.reader(io.StringIO(downloaded.read())))
    assert rows == [
        ["Problem", "Status", "Councils affected"],
        ["Leeds cannot match addresses", "New", "1"],
    ]
    assert page.console_errors == []
