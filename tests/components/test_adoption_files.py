"""Files of evidence on adoptions: upload with the adoption, downloaded only by the council,
institute staff and sector viewers once clamd has passed them; refusals change nothing."""

from datetime import date

import pytest
from django.urls import reverse

from components import services
from components.models import Adoption
from institute import evidence
from institute.models import EvidenceFile, ScanStatus
from tests import evidence_files as samples

pytestmark = pytest.mark.django_db


def _form(upload=None, **overrides):
    data = {
        "stage": "in_use",
        "since_0": "1",
        "since_1": "3",
        "since_2": "2025",
        "evidence_url": "",
        "evidence_note": "Our waste service uses it for 40,000 households.",
        **overrides,
    }
    if upload is not None:
        data["file"] = upload
    return data


def _record_url(component):
    return reverse("components:adoption_record", args=[component.public_id])


def _download_url(adoption, file):
    return reverse("components:adoption_file_download", args=[adoption.pk, file.public_id])


@pytest.fixture
def adoption_with_file(clamd, officer, component):
    adoption, _ = services.adoption_record(
        actor=officer,
        component=component,
        organisation=officer.membership.organisation,
        stage="in_use",
        since=date(2025, 3, 1),
        evidence_note="In use.",
        upload=samples.upload("contract.docx", samples.DOCX),
    )
    stored = adoption.evidence_files.get()
    evidence.evidence_file_scan(file_id=stored.pk)
    stored.refresh_from_db()
    return adoption, stored


def test_officer_records_an_adoption_with_a_file(client, clamd, officer, component):
    client.force_login(officer)
    response = client.post(
        _record_url(component), _form(samples.upload("Contract 2025.docx", samples.DOCX))
    )
    assert response.status_code == 302
    adoption = Adoption.objects.get(component=component)
    stored = adoption.evidence_files.get()
    assert stored.name == "Contract 2025.docx" and stored.content_type == evidence.DOCX.content_type
    page = client.get(_record_url(component)).content.decode()
    assert "Contract 2025.docx" in page and "Not yet checked for viruses" in page
    assert client.get(_download_url(adoption, stored)).status_code == 409

    evidence.evidence_file_scan(file_id=stored.pk)
    page = client.get(_record_url(component)).content.decode()
    assert _download_url(adoption, stored) in page
    download = client.get(_download_url(adoption, stored))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="Contract 2025.docx"')
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (samples.upload("big.pdf", samples.PDF + b"0" * evidence.MAX_BYTES), "smaller than 10 MB"),
        (samples.upload("contract.docx", samples.PLAIN_ZIP), "must be a PDF, ODT, DOCX"),
        (samples.upload("contract.pdf", samples.DOCX), "its name must end .docx"),
    ],
    ids=["oversized", "zip-that-is-no-document", "content-not-its-claimed-type"],
)
def test_a_refused_file_records_nothing(client, officer, component, upload, message):
    client.force_login(officer)
    response = client.post(_record_url(component), _form(upload))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Error:" in page and message in page
    assert not Adoption.objects.exists()
    assert not EvidenceFile.objects.exists()
    component.refresh_from_db()
    assert component.using_count == 0


def test_path_traversal_name_is_made_safe(client, officer, component):
    client.force_login(officer)
    client.post(_record_url(component), _form(samples.upload("..\\..\\boot.ini.pdf", samples.PDF)))
    stored = EvidenceFile.objects.get()
    assert stored.name == "boot.ini.pdf"
    assert stored.file.name == f"evidence/{stored.public_id}"


def test_eicar_on_an_adoption_is_quarantined(clamd, officer, component):
    adoption, _ = services.adoption_record(
        actor=officer,
        component=component,
        organisation=officer.membership.organisation,
        stage="piloting",
        since=date(2025, 3, 1),
        evidence_note="Pilot.",
        upload=samples.upload("usage.csv", samples.EICAR),
    )
    stored = adoption.evidence_files.get()
    assert evidence.evidence_file_scan(file_id=stored.pk) == ScanStatus.INFECTED
    assert officer.notifications.filter(kind="evidence_quarantined").exists()


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
def test_who_may_download(client, request, role, status, adoption_with_file):
    adoption, stored = adoption_with_file
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    assert client.get(_download_url(adoption, stored)).status_code == status


def test_another_councils_officer_cannot_remove_and_the_owner_can(
    client, other_officer, officer, adoption_with_file
):
    adoption, stored = adoption_with_file
    url = reverse("components:adoption_file_remove", args=[adoption.pk, stored.public_id])
    client.force_login(other_officer)
    assert client.post(url).status_code in (403, 404)
    assert adoption.evidence_files.filter(pk=stored.pk).exists()
    client.force_login(officer)
    assert client.post(url).status_code == 302
    assert not EvidenceFile.objects.filter(pk=stored.pk).exists()


@pytest.mark.parametrize("files", [1, 6])
def test_adoption_page_query_count_is_fixed(
    client, officer, component, files, django_assert_num_queries
):
    adoption, _ = services.adoption_record(
        actor=officer,
        component=component,
        organisation=officer.membership.organisation,
        stage="in_use",
        since=date(2025, 3, 1),
        evidence_note="In use.",
    )
    for n in range(files):
        services.adoption_file_add(
            actor=officer, adoption=adoption, upload=samples.upload(f"f{n}.png", samples.PNG)
        )
    client.force_login(officer)
    client.get(_record_url(component))
    # The user, the component, the council's adoption, its stage history, its files.
    with django_assert_num_queries(5):
        response = client.get(_record_url(component))
    assert response.content.decode().count("Not yet checked for viruses") == files


def test_api_upload_list_and_download_with_the_same_rules(
    clamd, officer, other_officer, anonymous, adoption_with_file
):
    from rest_framework.test import APIClient

    adoption, stored = adoption_with_file
    api = APIClient()
    api.force_login(officer)
    url = f"/api/v1/adoptions/{adoption.pk}/files/"
    created = api.post(url, {"file": samples.upload("usage.ods", samples.ODS)}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["content_type"] == evidence.ODS.content_type
    listing = api.get(url).json()
    assert listing["count"] == 2
    download = listing["results"][0]["download"]
    assert api.get(download).status_code == 200

    outsider = APIClient()
    outsider.force_login(other_officer)
    assert outsider.get(url).status_code == 404
    assert outsider.get(download).status_code == 404
    refused = outsider.post(url, {"file": samples.upload("a.pdf", samples.PDF)})
    assert refused.status_code == 403
    assert APIClient().get(download).status_code == 404
    assert adoption.evidence_files.count() == 2


# --- Where the files show: the component page, the council's list and its organisation page ---


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("no_membership_user", False),
        ("other_officer", False),
        ("centre_staff", False),
        ("officer", True),
        ("institute_staff", True),
        ("sector_viewer", True),
    ],
)
def test_component_page_shows_the_files_to_who_may_download_them(
    client, request, role, sees, adoption_with_file
):
    adoption, stored = adoption_with_file
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    page = client.get(adoption.component.get_absolute_url()).content.decode()
    assert ("contract.docx" in page) is sees
    assert (_download_url(adoption, stored) in page) is sees
    if sees:
        assert "Documents councils gave as evidence" in page
        assert "checked: no virus found" in page


def test_a_file_not_yet_checked_is_listed_without_a_link(client, officer, component):
    adoption, _ = services.adoption_record(
        actor=officer,
        component=component,
        organisation=officer.membership.organisation,
        stage="in_use",
        since=date(2025, 3, 1),
        evidence_note="In use.",
        upload=samples.upload("Usage figures.csv", samples.CSV),
    )
    stored = adoption.evidence_files.get()
    client.force_login(officer)
    page = client.get(component.get_absolute_url()).content.decode()
    assert "Usage figures.csv" in page and "Not yet checked for viruses" in page
    assert _download_url(adoption, stored) not in page


@pytest.mark.parametrize(("role", "sees"), [("officer", True), ("other_officer", False)])
def test_council_list_and_organisation_page_show_the_files(
    client, request, role, sees, adoption_with_file
):
    adoption, stored = adoption_with_file
    client.force_login(request.getfixturevalue(role))
    council = adoption.organisation
    for url in (
        reverse("components:council_adoptions", args=[council.slug]),
        council.get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        assert adoption.component.name in page
        assert (_download_url(adoption, stored) in page) is sees, url
        assert ("Documents" in page) is sees, url


def _adoptions_with_files(component, councils):
    """An adoption of the component with a file at each council (by slug), by its officer."""
    from tests.factories import council_officer

    for slug in councils:
        officer = council_officer(slug)
        services.adoption_record(
            actor=officer,
            component=component,
            organisation=officer.membership.organisation,
            stage="in_use",
            since=date(2025, 3, 1),
            evidence_note="In use.",
            upload=samples.upload(f"{slug}.pdf", samples.PDF),
        )


@pytest.mark.parametrize(
    "councils", [["leeds"], ["leeds", "bristol-city-of", "kent", "manchester", "camden"]]
)
def test_component_page_query_count_is_fixed_whatever_the_files(
    client, institute_staff, component, councils, django_assert_num_queries
):
    _adoptions_with_files(component, councils)
    client.force_login(institute_staff)
    url = component.get_absolute_url()
    client.get(url)  # fills the cached parts
    # The user, the component, its harvest source, the adoptions' documents with their
    # councils, the adoptions for the contacts, the history and the pending change (the rest
    # is cached).
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Not yet checked for viruses") == len(councils)


@pytest.mark.parametrize("adoptions", [1, 6])
def test_council_list_reads_the_documents_in_one_query(
    client, officer, adoptions, django_assert_num_queries
):
    from tests.components.factories import ComponentFactory

    for n in range(adoptions):
        adoption, _ = services.adoption_record(
            actor=officer,
            component=ComponentFactory(name=f"Component {n}"),
            organisation=officer.membership.organisation,
            stage="in_use",
            since=date(2025, 3, 1),
            evidence_note="In use.",
            upload=samples.upload(f"report {n}.pdf", samples.PDF),
        )
    client.force_login(officer)
    url = reverse("components:council_adoptions", args=["leeds"])
    client.get(url)
    # The user, the organisation, the count, the page, the counts by stage, the documents.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("Not yet checked for viruses") == adoptions
