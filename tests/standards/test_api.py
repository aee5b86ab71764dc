"""The standards API: public reads, the officer's assessment, staff reviews, bad input."""

import pytest
from rest_framework.test import APIClient

from standards.models import Answer, Assessment
from tests.factories import council_officer
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def standard(institute_staff):
    return published_standard(institute_staff)


@pytest.fixture
def as_role(request):
    def make(role):
        client = APIClient()
        user = request.getfixturevalue(role)
        if user.is_authenticated:
            client.force_login(user)
        return client

    return make


def test_standards_are_public_with_adoption_and_criteria(client, standard, officer):
    submitted_assessment(officer, standard)
    body = client.get("/api/v1/standards/").json()
    assert body["count"] == 1
    assert body["results"][0]["adoption"] == {"adopted": 1, "in_scope": 317, "percent": 0}
    detail = client.get(f"/api/v1/standards/{standard.slug}/").json()
    assert [c["code"] for c in detail["criteria"]] == ["F1", "F2", "F3"]
    assert detail["versions"][0]["status"] == "published"
    version = client.get(f"/api/v1/standards/{standard.slug}/versions/1/").json()
    assert version["criteria"][0]["guidance_html"].startswith("<p")
    assert client.get("/api/v1/standards/", {"category": "bogus"}).status_code == 400


@pytest.mark.parametrize("count", [1, 50])
def test_standard_list_query_count_is_fixed(
    client, institute_staff, django_assert_num_queries, count
):
    for n in range(count):
        published_standard(institute_staff, title=f"Standard {n}", criteria=[("A", True)])
    with django_assert_num_queries(4):
        response = client.get("/api/v1/standards/")
    assert len(response.json()["results"]) == min(count, 25)


def test_officer_assesses_through_the_api(as_role, standard):
    api = as_role("officer")
    created = api.post("/api/v1/assessments/", {"standard": standard.slug}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert pk == str(Assessment.objects.get().public_id)
    incomplete = api.post(f"/api/v1/assessments/{pk}/submit/")
    assert incomplete.status_code == 400
    assert incomplete.json()["errors"]["answers"] == [
        "F1: not completed",
        "F2: not completed",
        "F3: not completed",
    ]
    bad = api.put(
        f"/api/v1/assessments/{pk}/answers/F1/",
        {"rating": "brilliant", "evidence_date": "yesterday"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"rating", "evidence_date"}
    missing_reason = api.put(
        f"/api/v1/assessments/{pk}/answers/F1/", {"rating": "not_applicable"}, format="json"
    )
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()["errors"]
    assert not Answer.objects.exists()
    assert api.put(f"/api/v1/assessments/{pk}/answers/NOPE/", {}, format="json").status_code == 404
    for code in ("F1", "F2", "F3"):
        response = api.put(
            f"/api/v1/assessments/{pk}/answers/{code}/",
            {"rating": "met", "evidence_url": "https://leeds.example/report"},
            format="json",
        )
        assert response.status_code == 200
    submitted = api.post(f"/api/v1/assessments/{pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["result"] == "green" and len(submitted.json()["answers"]) == 3


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 404),
        ("no_membership_user", 404),
        ("other_officer", 404),
        ("centre_staff", 404),
        ("officer", 200),
        ("institute_staff", 200),
        ("sector_viewer", 200),
    ],
)
def test_another_councils_assessment_is_404(as_role, officer, standard, role, status):
    assessment = submitted_assessment(officer, standard)
    assert as_role(role).get(f"/api/v1/assessments/{assessment.public_id}/").status_code == status


def test_assessments_are_identified_by_uuid_not_number(as_role, officer, standard):
    assessment = submitted_assessment(officer, standard)
    api = as_role("officer")
    body = api.get(f"/api/v1/assessments/{assessment.public_id}/").json()
    assert body["id"] == str(assessment.public_id)
    assert body["url"] == f"/standards/assessments/{assessment.public_id}/"
    assert api.get("/api/v1/assessments/").json()["results"][0]["id"] == str(assessment.public_id)
    for odd in (assessment.pk, f"{assessment.public_id}x", "not-a-uuid"):
        response = api.get(f"/api/v1/assessments/{odd}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 403),
        ("no_membership_user", 403),
        ("centre_staff", 403),
        ("institute_staff", 403),
        ("sector_viewer", 403),
    ],
)
def test_only_officers_start_assessments(as_role, standard, role, status):
    response = as_role(role).post("/api/v1/assessments/", {"standard": "x"}, format="json")
    assert response.status_code == status
    assert not Assessment.objects.exists()


def test_officer_lists_only_their_councils_assessments(as_role, officer, standard):
    submitted_assessment(officer, standard)
    submitted_assessment(council_officer("camden"), standard)
    mine = as_role("officer").get("/api/v1/assessments/").json()
    assert [a["organisation"] for a in mine["results"]] == ["leeds"]
    assert as_role("institute_staff").get("/api/v1/assessments/").json()["count"] == 2


def test_staff_review_through_the_api(as_role, officer, standard):
    assessment = submitted_assessment(officer, standard)
    url = f"/api/v1/assessments/{assessment.public_id}/review/"
    assert as_role("officer").post(url, {"decision": "verify"}, format="json").status_code == 403
    staff = as_role("institute_staff")
    bad = staff.post(url, {"decision": "challenge", "note": ""}, format="json")
    assert bad.status_code == 400 and "note" in bad.json()["errors"]
    ok = staff.post(url, {"decision": "verify"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    again = staff.post(url, {"decision": "verify"}, format="json")
    assert again.status_code == 409
