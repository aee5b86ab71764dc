"""An officer attaches a document to an answer in a real browser; clamd checks it; the check
answers page offers it for download (screenshots at desktop and phone width when
SCREENSHOT_DIR is set)."""

import os

import pytest

from institute import evidence
from institute.models import EvidenceFile
from tests import evidence_files as samples
from tests.browser.session import sign_in
from tests.standards.factories import published_standard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    for label, width in (("desktop", 1280), ("phone", 375)):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(folder, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_officer_attaches_a_file_and_downloads_it_after_the_virus_check(
    page, clamd, officer, institute_staff, tmp_path
):
    standard = published_standard(institute_staff)
    sign_in(page, officer)
    page.goto(page.base_url + standard.get_absolute_url())
    page.get_by_role("button", name="Start a self-assessment").click()
    page.get_by_role("link", name="F1: Criterion F1").click()

    # A picture named as a PDF is refused, and nothing is saved.
    fake = tmp_path / "policy.pdf"
    fake.write_bytes(samples.PNG)
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Evidence", exact=True).fill("Our forms policy")
    page.get_by_label("Add a document as evidence (optional)").set_input_files(str(fake))
    page.get_by_role("button", name="Save and continue").click()
    page.locator(".govuk-error-summary").get_by_text("its name must end .png").wait_for()
    assert not EvidenceFile.objects.exists()

    real = tmp_path / "Forms accessibility policy 2026.pdf"
    real.write_bytes(samples.PDF)
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Evidence", exact=True).fill("Our forms policy")
    page.get_by_label("Add a document as evidence (optional)").set_input_files(str(real))
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="F2: Criterion F2").wait_for()
    stored = EvidenceFile.objects.get()
    evidence.evidence_file_scan(file_id=stored.pk)  # what the Celery worker does

    for code, rating in (("F2", "Not met"), ("F3", "Not met")):
        page.get_by_label(rating, exact=True).check()
        page.get_by_role("button", name="Save and continue").click()
        if code == "F2":
            page.get_by_role("heading", name="F3: Criterion F3").wait_for()
    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    link = page.get_by_role("link", name="Forms accessibility policy 2026.pdf")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == samples.PDF
    assert download.value.suggested_filename == "Forms accessibility policy 2026.pdf"
    _shoot(page, "check-answers-with-file")
    assert page.console_errors == []
