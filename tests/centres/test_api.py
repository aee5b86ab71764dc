"""The centres API under /api/v1/: public reads with filters, writes for each role, the
workflow, drafts hidden, bad input, and fixed query counts."""

import pytest
from rest_framework.test import APIClient

from backlog.models import Status
from centres.models import Centre, Learning, LearningStatus, Project
from institute.models import Organisation
from tests.centres.factories import LearningFactory, ProjectFactory, draft
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "other_centre_staff",
    "institute_staff",
    "sector_viewer",
]
WRITERS = {"centre_staff", "institute_staff"}


@pytest.fixture
def as_role(request):
    def make(role: str) -> APIClient:
        client = APIClient()
        user = request.getfixturevalue(role)
        if user.is_authenticated:
            client.force_login(user)
        return client

    return make


def _learning_body(**overrides):
    return {
        "centre": "greater-manchester",
        "kind": "data_sharing",
        "title": "Discharge lists shared daily",
        "summary": "One list for every council.",
        "body": "## What we did\n\nOne agreement.",
        "evidence_strength": 3,
        "cost_band": "low",
        "impact_summary": "Faster reablement.",
        "themes": ["data"],
        "service_areas": ["adult-social-care"],
        "councils": ["manchester", "E08000006"],
        "problems": [],
        **overrides,
    }


def _project_body(**overrides):
    return {
        "centre": "greater-manchester",
        "title": "Discharge agreement",
        "summary": "One agreement for ten councils.",
        "status": "proposed",
        "partner_councils": ["salford"],
        "start_date": "2026-01-05",
        **overrides,
    }


# --- Reads -----------------------------------------------------------------------------------


def test_centres_are_public(client, gm_centre, wm_centre):
    body = client.get("/api/v1/centres/").json()
    assert [c["slug"] for c in body["results"]] == ["greater-manchester", "west-midlands"]
    detail = client.get("/api/v1/centres/greater-manchester/").json()
    assert detail["host"] == "greater-manchester-combined-authority"
    assert client.get("/api/v1/centres/nowhere/").status_code == 404


def test_library_lists_only_published_learning_with_filters(client, gm_centre, wm_centre):
    LearningFactory(centre=gm_centre, title="Strong", evidence_strength=5, kind="evaluation")
    LearningFactory(centre=wm_centre, title="Weak", evidence_strength=0)
    draft(centre=gm_centre, title="Draft")
    titles = [r["title"] for r in client.get("/api/v1/learning/").json()["results"]]
    assert sorted(titles) == ["Strong", "Weak"]
    response = client.get("/api/v1/learning/", {"min_evidence": 4, "centre": "greater-manchester"})
    assert [r["title"] for r in response.json()["results"]] == ["Strong"]
    response = client.get("/api/v1/learning/", {"sort": "evidence"})
    assert [r["title"] for r in response.json()["results"]] == ["Strong", "Weak"]


def test_library_filters_by_cost_band(client, gm_centre):
    LearningFactory(centre=gm_centre, title="Cheap", cost_band="very_low")
    LearningFactory(centre=gm_centre, title="Dear", cost_band="very_high")
    response = client.get("/api/v1/learning/", {"cost_band": "very_low"})
    assert [r["title"] for r in response.json()["results"]] == ["Cheap"]


def test_bad_library_filters_get_a_400_naming_the_field(client):
    response = client.get(
        "/api/v1/learning/", {"min_evidence": 9, "kind": "gossip", "cost_band": "free"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"min_evidence", "kind", "cost_band"}


@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_404_to_everyone_but_the_centre_and_institute(as_role, gm_centre, role):
    learning = draft(centre=gm_centre)
    response = as_role(role).get(f"/api/v1/learning/{learning.public_id}/")
    assert response.status_code == (200 if role in WRITERS else 404)


@pytest.mark.parametrize("count", [1, 50])
def test_learning_list_query_count_is_fixed(client, gm_centre, django_assert_num_queries, count):
    for _n in range(count):
        LearningFactory(centre=gm_centre)
    with django_assert_num_queries(2):  # count, page
        response = client.get("/api/v1/learning/")
    assert len(response.json()["results"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 50])
def test_project_list_query_count_is_fixed(client, gm_centre, django_assert_num_queries, count):
    salford = Organisation.objects.get(slug="salford")
    for _n in range(count):
        project = ProjectFactory(centre=gm_centre)
        project.partner_councils.add(salford)
        project.problems.add(ProblemFactory())
    with django_assert_num_queries(4):  # count, page, partners, problems
        response = client.get("/api/v1/projects/", {"centre": "greater-manchester"})
    assert len(response.json()["results"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 15])
def test_centre_list_query_count_is_fixed(client, django_assert_num_queries, count):
    from institute.models import OrganisationKind
    from tests.centres.factories import CentreFactory
    from tests.factories import OrganisationFactory

    for _n in range(count):
        CentreFactory(host=OrganisationFactory(kind=OrganisationKind.CENTRE_HOST, council_type=""))
    with django_assert_num_queries(2):
        response = client.get("/api/v1/centres/")
    assert response.json()["count"] == count


# --- Writes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_centres_staff_create_learning(as_role, gm_centre, role):
    response = as_role(role).post("/api/v1/learning/", _learning_body(), format="json")
    if role in WRITERS:
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "draft"
        assert [c["slug"] for c in body["councils"]] == ["manchester", "salford"]
        assert response["Location"] == f"/api/v1/learning/{body['id']}/"
    else:
        assert response.status_code == 403
        assert "detail" in response.json()
        assert not Learning.objects.exists()


def test_permission_is_checked_before_input(as_role, gm_centre):
    response = as_role("other_centre_staff").post(
        "/api/v1/learning/", {"centre": "greater-manchester", "evidence_strength": "lots"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence_strength": 6}, "evidence_strength"),
        ({"evidence_strength": "three"}, "evidence_strength"),
        ({"kind": "gossip"}, "kind"),
        ({"councils": ["atlantis"]}, "councils"),
        ({"problems": [999999]}, "problems"),
        ({"service_areas": ["astrology"]}, "service_areas"),
        ({"themes": []}, "themes"),
        ({"title": ""}, "title"),
        ({"project": 999999}, "project"),
        ({"centre": "nowhere"}, "centre"),
        ({"councils": ["greater-manchester-combined-authority"]}, "councils"),
    ],
)
def test_bad_learning_input_is_a_400_and_saves_nothing(as_role, gm_centre, overrides, field):
    response = as_role("centre_staff").post(
        "/api/v1/learning/", _learning_body(**overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Learning.objects.exists()


def test_workflow_through_the_api(as_role, gm_centre, centre_lead, centre_staff):
    staff = as_role("centre_staff")
    created = staff.post("/api/v1/learning/", _learning_body(), format="json").json()
    url = f"/api/v1/learning/{created['id']}/"
    # Not in review yet: cannot be published.
    lead = APIClient()
    lead.force_login(centre_lead)
    assert lead.post(url + "publish/").status_code == 409
    assert staff.post(url + "submit/").json()["status"] == "in_review"
    assert staff.post(url + "submit/").status_code == 409
    # The author is not the lead.
    assert staff.post(url + "publish/").status_code == 403
    returned = lead.post(url + "return/", {"note": "Add figures."}, format="json").json()
    assert (returned["status"], returned["review_note"]) == ("draft", "Add figures.")
    staff.post(url + "submit/")
    published = lead.post(url + "publish/").json()
    assert published["status"] == "published" and published["published_at"]
    assert APIClient().get(url).status_code == 200


def test_patch_of_published_learning_keeps_a_revision(as_role, gm_centre):
    learning = LearningFactory(centre=gm_centre, title="First")
    url = f"/api/v1/learning/{learning.public_id}/"
    response = as_role("centre_staff").patch(url, {"title": "Second"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Second"
    assert response.json()["evidence_strength"] == 2  # unsent fields are kept
    revisions = APIClient().get(url + "revisions/").json()
    assert [(r["number"], r["title"]) for r in revisions] == [(1, "First")]


@pytest.mark.parametrize("role", ["other_centre_staff", "officer", "sector_viewer", "anonymous"])
def test_others_cannot_patch_published_learning(as_role, gm_centre, role):
    learning = LearningFactory(centre=gm_centre, title="Stays")
    response = as_role(role).patch(
        f"/api/v1/learning/{learning.public_id}/", {"title": "Changed"}, format="json"
    )
    assert response.status_code == 403
    assert Learning.objects.get(pk=learning.pk).title == "Stays"


def test_another_centres_staff_get_404_for_drafts_they_try_to_change(as_role, gm_centre):
    learning = draft(centre=gm_centre, title="Stays")
    client = as_role("other_centre_staff")
    assert (
        client.patch(f"/api/v1/learning/{learning.public_id}/", {"title": "x"}).status_code == 404
    )
    assert client.post(f"/api/v1/learning/{learning.public_id}/submit/").status_code == 404
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_only_the_centres_staff_create_projects(as_role, gm_centre, role):
    response = as_role(role).post("/api/v1/projects/", _project_body(), format="json")
    assert response.status_code == (201 if role in WRITERS else 403)
    assert Project.objects.count() == (1 if role in WRITERS else 0)


def test_activating_a_project_through_the_api_moves_its_problem(as_role, gm_centre):
    problem = ProblemFactory(status=Status.NEW)
    client = as_role("centre_staff")
    project = client.post(
        "/api/v1/projects/", _project_body(problems=[problem.pk]), format="json"
    ).json()
    problem.refresh_from_db()
    assert problem.status == Status.NEW
    response = client.patch(
        f"/api/v1/projects/{project['id']}/",
        {"status": "active", "phase": "delivery"},
        format="json",
    )
    assert response.json()["status"] == "active"
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS


def test_project_dates_out_of_order_are_a_400(as_role, gm_centre):
    response = as_role("centre_staff").post(
        "/api/v1/projects/", _project_body(end_date="2025-12-31"), format="json"
    )
    assert response.status_code == 400
    assert "end_date" in response.json()["errors"]
    assert not Project.objects.exists()


def test_another_centres_staff_cannot_patch_a_project(as_role, gm_centre):
    project = ProjectFactory(centre=gm_centre, title="Stays")
    response = as_role("other_centre_staff").patch(
        f"/api/v1/projects/{project.pk}/", {"title": "Changed"}, format="json"
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).title == "Stays"


@pytest.mark.parametrize("role", ["centre_staff", "officer", "anonymous"])
def test_only_institute_staff_create_centres(as_role, role):
    body = {
        "name": "Tees Valley Centre",
        "host": "tees-valley-combined-authority",
        "regions": ["E12000001"],
        "focus_themes": ["data"],
        "focus": "Data",
    }
    assert as_role(role).post("/api/v1/centres/", body, format="json").status_code == 403
    created = as_role("institute_staff").post("/api/v1/centres/", body, format="json")
    assert created.status_code == 201
    assert Centre.objects.filter(slug="tees-valley-centre").exists()


def test_ids_that_are_not_numbers_are_404(client):
    assert client.get("/api/v1/learning/abc/").status_code == 404
    assert client.get("/api/v1/learning/1/").status_code == 404
    assert client.get("/api/v1/projects/99999999999999/").status_code == 404


def test_learning_is_addressed_by_its_uuid_not_its_number(as_role, gm_centre):
    learning = draft(centre=gm_centre)
    client = as_role("centre_staff")
    body = client.get(f"/api/v1/learning/{learning.public_id}/").json()
    assert body["id"] == str(learning.public_id)
    assert body["url"] == f"/centres/learning/{learning.public_id}/"
    assert client.get(f"/api/v1/learning/{learning.pk}/").status_code == 404
    assert client.post(f"/api/v1/learning/{learning.pk}/submit/").status_code == 404
    response = client.get(f"/api/v1/learning/{str(learning.public_id)[:-1]}x/")
    assert response.status_code == 404 and "detail" in response.json()
