"""Evidence files: kinds found from the content, safe names, a real clamd's verdict, and what
is served (institute.evidence)."""

import pytest

from institute import evidence
from institute.errors import DomainError
from institute.models import AuditEvent, EvidenceFile, Notification, ScanStatus
from tests import evidence_files as samples

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("policy.pdf", samples.PDF, "application/pdf"),
        ("diagram.png", samples.PNG, "image/png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50), "image/jpeg"),
        ("report.docx", samples.DOCX, evidence.DOCX.content_type),
        ("figures.xlsx", samples.XLSX, evidence.XLSX.content_type),
        ("figures.ods", samples.ODS, evidence.ODS.content_type),
        ("report.odt", samples.ODT, evidence.ODT.content_type),
        ("figures.csv", samples.CSV, "text/csv"),
        ("latin.csv", "Caf\xe9,\xa3\n".encode("cp1252"), "text/csv"),
    ],
)
def test_each_accepted_kind_is_found_from_its_content(name, data, content_type):
    kind, clean_name = evidence.upload_check(samples.upload(name, data))
    assert kind.content_type == content_type
    assert clean_name == name


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.pdf", samples.EXE, "must be a PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG or CSV file"),
        ("archive.docx", samples.PLAIN_ZIP, "must be a PDF, ODT, DOCX"),
        ("fake.pdf", samples.PNG, "its content is a PNG image, so its name must end .png"),
        ("table.xlsx", samples.CSV, "its content is a CSV file, so its name must end .csv"),
        ("page.html", b"<html><script>alert(1)</script></html>", "must be a PDF, ODT"),
        ("binary.csv", b"a,b\n\x00\x01\x02", "must be a PDF, ODT"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_content_that_is_not_an_accepted_kind_is_refused(name, data, message):
    with pytest.raises(DomainError) as refused:
        evidence.upload_check(samples.upload(name, data))
    assert message in refused.value.message
    assert refused.value.field == "file"


def test_a_file_over_10_mb_is_refused():
    big = samples.upload("big.pdf", samples.PDF + b"0" * evidence.MAX_BYTES)
    with pytest.raises(DomainError, match="smaller than 10 MB"):
        evidence.upload_check(big)


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("..\\..\\windows\\system32\\report.pdf", "report.pdf"),
        ("report\x00.pdf", "report.pdf"),
        ("  ..hidden.pdf", "hidden.pdf"),
        ('a"b;c<d>.pdf', "a_b_c_d_.pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
        ("../", "evidence"),
    ],
)
def test_names_are_sanitised(given, safe):
    assert evidence.name_sanitise(given) == safe


def test_a_file_without_an_extension_gets_the_one_its_content_has():
    _, name = evidence.upload_check(samples.upload("scan", samples.PDF))
    assert name == "scan.pdf"


def _stored(officer, leeds, name="policy.pdf", data=samples.PDF):
    return evidence.evidence_file_create(
        actor=officer, organisation=leeds, upload=samples.upload(name, data), context_url="/x/"
    )


def test_stored_under_its_id_never_its_name(officer, leeds):
    stored = _stored(officer, leeds, name="../../../../tmp/evil.pdf")
    assert stored.file.name == f"evidence/{stored.public_id}"
    assert stored.name == "evil.pdf"
    assert stored.file.storage.exists(stored.file.name)
    assert stored.scan_status == ScanStatus.PENDING
    assert AuditEvent.objects.filter(verb="evidence.uploaded", target_id=str(stored.pk)).exists()


def test_clamd_passes_a_clean_file(clamd, officer, leeds):
    stored = _stored(officer, leeds)
    assert evidence.evidence_file_scan(file_id=stored.pk) == ScanStatus.CLEAN
    stored.refresh_from_db()
    assert stored.scanned_at is not None and stored.servable


def test_clamd_quarantines_the_eicar_test_file_and_the_owner_is_told(clamd, officer, leeds):
    stored = _stored(officer, leeds, name="figures.csv", data=samples.EICAR)
    assert evidence.evidence_file_scan(file_id=stored.pk) == ScanStatus.INFECTED
    stored.refresh_from_db()
    assert "EICAR" in stored.scan_signature
    assert not stored.servable
    told = Notification.objects.get(recipient=officer, kind="evidence_quarantined")
    assert "figures.csv" in told.title and told.url == "/x/"
    assert AuditEvent.objects.filter(verb="evidence.quarantined").exists()
    # Checking again changes nothing and tells no one twice.
    assert evidence.evidence_file_scan(file_id=stored.pk) == ScanStatus.INFECTED
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_eicar_inside_a_document_is_found(clamd, officer, leeds):
    infected_docx = samples._zip(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
            ("word/media/eicar.txt", samples.EICAR),
        ]
    )
    stored = _stored(officer, leeds, name="report.docx", data=infected_docx)
    assert evidence.evidence_file_scan(file_id=stored.pk) == ScanStatus.INFECTED


def test_without_a_scanner_the_file_waits_and_is_not_served(no_clamd, officer, leeds):
    stored = _stored(officer, leeds)
    with pytest.raises(evidence.ScannerUnavailable):
        evidence.evidence_file_scan(file_id=stored.pk)
    stored.refresh_from_db()
    assert stored.scan_status == ScanStatus.PENDING
    with pytest.raises(DomainError, match="not been checked for viruses yet") as refused:
        evidence.evidence_file_response(stored)
    assert refused.value.status == 409
    assert stored.pk in evidence.evidence_files_pending(older_than_seconds=-1)


def test_the_task_leaves_a_file_waiting_when_no_scanner_answers(no_clamd, officer, leeds):
    from institute.tasks import evidence_file_scan

    stored = _stored(officer, leeds)
    # Run in this process: after its retries it gives up quietly, and the file still waits.
    result = evidence_file_scan.apply(args=[stored.pk], retries=3)
    assert result.get() == "pending"
    assert EvidenceFile.objects.get(pk=stored.pk).scan_status == ScanStatus.PENDING


def test_a_clean_file_is_served_as_an_attachment_that_is_not_sniffed(clamd, officer, leeds):
    stored = _stored(officer, leeds, name="réport 2026.pdf")
    evidence.evidence_file_scan(file_id=stored.pk)
    stored.refresh_from_db()
    response = evidence.evidence_file_response(stored)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''r%C3%A9port%202026.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == samples.PDF
