"""Files of evidence on self-assessment answers: upload on the answer page, shown on check
answers and in staff review, downloaded only by who may see the assessment, once clamd has
passed them."""

import pytest
from django.urls import reverse

from institute import evidence
from institute.models import EvidenceFile, ScanStatus
from standards import services
from standards.models import Answer
from tests import evidence_files as samples
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(institute_staff, officer):
    standard = published_standard(institute_staff)
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    return assessment


def _answer_url(assessment, criterion):
    return reverse("standards:answer_edit", args=[assessment.public_id, criterion.pk])


def _post_answer(client, assessment, criterion, upload, **extra):
    data = {
        "rating": "met",
        "evidence": "Our forms policy, attached.",
        "evidence_date_0": "",
        "evidence_date_1": "",
        "evidence_date_2": "",
        "action": "continue",
        **extra,
    }
    if upload is not None:
        data["file"] = upload
    return client.post(_answer_url(assessment, criterion), data)


def _first(assessment):
    return assessment.version.criteria.order_by("position").first()


def _download_url(assessment, file):
    return reverse("standards:answer_file_download", args=[assessment.public_id, file.public_id])


def test_officer_uploads_a_file_it_is_checked_and_shown_on_check_answers(
    client, clamd, officer, assessment
):
    client.force_login(officer)
    criterion = _first(assessment)
    response = _post_answer(
        client, assessment, criterion, samples.upload("Forms policy.pdf", samples.PDF)
    )
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.name == "Forms policy.pdf" and stored.organisation == assessment.organisation
    assert list(Answer.objects.get(criterion=criterion).evidence_files.all()) == [stored]

    check = reverse("standards:assessment_check", args=[assessment.public_id])
    page = client.get(check).content.decode()
    assert "Forms policy.pdf" in page and "Not yet checked for viruses" in page
    assert _download_url(assessment, stored) not in page  # no link before the check
    assert client.get(_download_url(assessment, stored)).status_code == 409

    evidence.evidence_file_scan(file_id=stored.pk)  # what the Celery task does
    page = client.get(check).content.decode()
    assert _download_url(assessment, stored) in page and "Not yet checked" not in page
    download = client.get(_download_url(assessment, stored))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == samples.PDF


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (samples.upload("big.pdf", samples.PDF + b"0" * evidence.MAX_BYTES), "smaller than 10 MB"),
        (samples.upload("report.pdf", samples.EXE), "must be a PDF, ODT, DOCX"),
        (samples.upload("photo.pdf", samples.PNG), "its name must end .png"),
    ],
    ids=["oversized", "not-a-document", "content-not-its-claimed-type"],
)
def test_a_refused_file_changes_nothing(client, officer, assessment, upload, message):
    client.force_login(officer)
    criterion = _first(assessment)
    response = _post_answer(client, assessment, criterion, upload)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Error:" in page and message in page
    assert 'href="#id_file"' in page  # the error summary points at the file input
    assert not EvidenceFile.objects.exists()
    assert not Answer.objects.filter(criterion=criterion).exists()  # the answer is not saved


def test_a_path_traversal_name_is_stored_safely(client, officer, assessment):
    client.force_login(officer)
    _post_answer(
        client, assessment, _first(assessment), samples.upload("../../../etc/cron.d/x.csv", b"a,b")
    )
    stored = EvidenceFile.objects.get()
    assert stored.name == "x.csv"
    assert stored.file.name == f"evidence/{stored.public_id}"


def test_eicar_is_quarantined_owner_told_and_staff_see_it(
    client, clamd, officer, institute_staff, assessment
):
    client.force_login(officer)
    _post_answer(client, assessment, _first(assessment), samples.upload("data.csv", samples.EICAR))
    stored = EvidenceFile.objects.get()
    evidence.evidence_file_scan(file_id=stored.pk)
    stored.refresh_from_db()
    assert stored.scan_status == ScanStatus.INFECTED
    assert client.get(_download_url(assessment, stored)).status_code == 409
    assert officer.notifications.filter(kind="evidence_quarantined").exists()

    for criterion in assessment.version.criteria.all():
        services.answer_save(
            actor=officer, assessment=assessment, criterion=criterion, rating="met", evidence="X"
        )
    services.assessment_submit(actor=officer, assessment=assessment)
    client.force_login(institute_staff)
    review = client.get(reverse("standards:assessment_review", args=[assessment.public_id]))
    page = review.content.decode()
    assert "Quarantined: virus found" in page and "EICAR" in page
    assert client.get(_download_url(assessment, stored)).status_code == 409


@pytest.fixture
def clean_file(clamd, officer, assessment):
    stored = services.answer_file_add(
        actor=officer,
        assessment=assessment,
        criterion=_first(assessment),
        upload=samples.upload("policy.pdf", samples.PDF),
    )
    evidence.evidence_file_scan(file_id=stored.pk)
    return stored


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("no_membership_user", 404),
        ("other_officer", 404),
        ("centre_staff", 404),
        ("officer", 200),
        ("institute_staff", 200),
        ("sector_viewer", 200),
    ],
)
def test_who_may_download(client, request, role, status, assessment, clean_file):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(_download_url(assessment, clean_file))
    assert response.status_code == status


def test_a_file_is_only_found_through_its_own_assessment(
    client, institute_staff, other_officer, assessment, clean_file
):
    standard = assessment.standard
    theirs, _ = services.assessment_start(actor=other_officer, version=standard.current_version)
    client.force_login(other_officer)
    url = reverse("standards:answer_file_download", args=[theirs.public_id, clean_file.public_id])
    assert client.get(url).status_code == 404


def test_another_councils_officer_cannot_remove_a_file(
    client, other_officer, assessment, clean_file
):
    client.force_login(other_officer)
    url = reverse("standards:answer_file_remove", args=[assessment.public_id, clean_file.public_id])
    assert client.post(url).status_code == 404
    assert EvidenceFile.objects.filter(pk=clean_file.pk).exists()


def test_officer_removes_a_file_and_its_content_goes(
    client, officer, assessment, clean_file, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    key = clean_file.file.name
    storage = clean_file.file.storage
    url = reverse("standards:answer_file_remove", args=[assessment.public_id, clean_file.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"criterion": str(_first(assessment).pk)})
    assert response.status_code == 302
    assert not EvidenceFile.objects.filter(pk=clean_file.pk).exists()
    assert not storage.exists(key)


def test_a_submitted_assessment_keeps_its_files(client, officer, assessment, clean_file):
    for criterion in assessment.version.criteria.all():
        services.answer_save(
            actor=officer, assessment=assessment, criterion=criterion, rating="met", evidence="X"
        )
    services.assessment_submit(actor=officer, assessment=assessment)
    client.force_login(officer)
    url = reverse("standards:answer_file_remove", args=[assessment.public_id, clean_file.public_id])
    response = client.post(url)
    assert response.status_code == 409
    assert EvidenceFile.objects.filter(pk=clean_file.pk).exists()


def test_the_upload_needs_a_multipart_form_on_the_answer_page(client, officer, assessment):
    client.force_login(officer)
    page = client.get(_answer_url(assessment, _first(assessment))).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "govuk-file-upload" in page


@pytest.mark.parametrize("files", [1, 8])
def test_check_answers_query_count_is_fixed(
    client, officer, assessment, files, django_assert_num_queries
):
    criterion = _first(assessment)
    for n in range(files):
        services.answer_file_add(
            actor=officer,
            assessment=assessment,
            criterion=criterion,
            upload=samples.upload(f"f{n}.pdf", samples.PDF),
        )
    client.force_login(officer)
    url = reverse("standards:assessment_check", args=[assessment.public_id])
    client.get(url)
    # The user (from the session), the assessment, its answers, their files, the criteria.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count("Not yet checked for viruses") == files


# --- API -----------------------------------------------------------------------------------


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_api_upload_list_and_download_with_the_same_rules(
    clamd, officer, other_officer, assessment
):
    files_url = f"/api/v1/assessments/{assessment.public_id}/files/"
    api = _api(officer)
    created = api.post(
        files_url,
        {"criterion": "F1", "file": samples.upload("figures.xlsx", samples.XLSX)},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["criterion"] == "F1" and body["scan_status"] == "pending"
    assert body["download"] is None
    stored = EvidenceFile.objects.get()
    assert api.get(f"{files_url}{stored.public_id}/").status_code == 409

    evidence.evidence_file_scan(file_id=stored.pk)
    listing = api.get(files_url).json()
    assert listing["count"] == 1
    download = listing["results"][0]["download"]
    assert download == f"{files_url}{stored.public_id}/"
    response = api.get(download)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == samples.XLSX

    outsider = _api(other_officer)
    assert outsider.get(files_url).status_code == 404
    assert outsider.get(download).status_code == 404
    refused = outsider.post(
        files_url, {"criterion": "F1", "file": samples.upload("a.pdf", samples.PDF)}
    )
    assert refused.status_code == 404
    assert EvidenceFile.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"criterion": "F1", "file": samples.upload("a.pdf", samples.PNG)}, "file"),
        ({"criterion": "F1", "file": samples.upload("a.exe", samples.EXE)}, "file"),
        ({"criterion": "F1"}, "file"),
        ({"criterion": "Z9", "file": samples.upload("a.pdf", samples.PDF)}, "criterion"),
    ],
    ids=["claimed-type", "not-a-document", "no-file", "no-such-criterion"],
)
def test_api_bad_uploads_are_400_and_change_nothing(officer, assessment, data, field):
    response = _api(officer).post(
        f"/api/v1/assessments/{assessment.public_id}/files/", data, format="multipart"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not EvidenceFile.objects.exists()
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_clean_file_is_a_link_on_check_answers_and_in_staff_review(
    client, officer, institute_staff, assessment, clean_file
):
    client.force_login(officer)
    check = client.get(reverse("standards:assessment_check", args=[assessment.public_id]))
    assert _download_url(assessment, clean_file) in check.content.decode()
    for criterion in assessment.version.criteria.all():
        services.answer_save(
            actor=officer, assessment=assessment, criterion=criterion, rating="met", evidence="X"
        )
    services.assessment_submit(actor=officer, assessment=assessment)
    client.force_login(institute_staff)
    review = client.get(reverse("standards:assessment_review", args=[assessment.public_id]))
    page = review.content.decode()
    assert "policy.pdf" in page and "checked: no virus found" in page
    assert _download_url(assessment, clean_file) in page
    assert client.get(_download_url(assessment, clean_file)).status_code == 200
