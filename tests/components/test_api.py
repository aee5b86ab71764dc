"""The components API under /api/v1/: lists, detail, submission, adoption, for every role."""

import uuid

import pytest
from rest_framework.test import APIClient

from components.models import Adoption, AdoptionChange, Component
from institute import selectors as core_selectors
from institute.models import Organisation, ServiceArea
from tests.components.factories import AdoptionFactory, ComponentFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/components/"
ADOPTIONS = "/api/v1/adoptions/"
ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
]


@pytest.fixture
def as_role(request):
    def make(role: str) -> APIClient:
        client = APIClient()
        user = request.getfixturevalue(role)
        if user.is_authenticated:
            client.force_login(user)
        return client

    return make


def _new(**overrides):
    return {
        "name": "Shared booking API",
        "summary": "Book council appointments.",
        "description": "An API for *booking*.",
        "kind": "api",
        "maturity": "beta",
        "service_areas": ["customer-services"],
        "licence": "Apache-2.0",
        "source_url": "https://example.org/booking",
        "maintainer": "camden",
        "cost_model": "free",
        "hosting": "hosted",
        **overrides,
    }


def _adoption(component, **overrides):
    return {
        "component": str(component.public_id),
        "stage": "piloting",
        "since": "2025-06-01",
        "evidence_note": "Piloting in the contact centre.",
        **overrides,
    }


def test_list_filters_and_sorts_like_the_page(as_role, author):
    ComponentFactory(
        name="An API", kind="api", using_count=2, adopting_count=2, submitted_by=author
    )
    ComponentFactory(name="A pattern", kind="pattern", submitted_by=author)
    ComponentFactory(name="A draft", status="in_review", submitted_by=author)
    client = as_role("anonymous")
    body = client.get(LIST).json()
    assert body["count"] == 2 and body["results"][0]["name"] == "An API"
    assert [r["name"] for r in client.get(LIST, {"kind": "pattern"}).json()["results"]] == [
        "A pattern"
    ]
    bad = client.get(LIST, {"kind": "gadget", "sort": "nonsense"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"kind", "sort"}


@pytest.mark.parametrize("count", [1, 50])
def test_list_query_count_is_fixed(as_role, author, django_assert_num_queries, count):
    areas = [ServiceArea.objects.get(slug=s) for s in ("housing", "customer-services")]
    for n in range(count):
        ComponentFactory(name=f"Component {n}", submitted_by=author, service_areas=areas)
    client = as_role("anonymous")
    # The service areas' names and slugs, cached until one changes.
    core_selectors.service_area_choices()
    # count, page (each row's service areas are the ids beside it).
    with django_assert_num_queries(2):
        response = client.get(LIST, {"page_size": 100})
    rows = response.json()["results"]
    assert len(rows) == count
    assert all(row["service_areas"] == ["customer-services", "housing"] for row in rows)


@pytest.mark.parametrize("count", [1, 50])
def test_adoption_list_query_count_is_fixed(as_role, component, django_assert_num_queries, count):
    for council in Organisation.objects.councils().order_by("pk")[:count]:
        AdoptionFactory(component=component, organisation=council)
    client = as_role("anonymous")
    # component, count, page.
    with django_assert_num_queries(3) as queries:
        response = client.get(
            f"/api/v1/components/{component.public_id}/adoptions/", {"page_size": 100}
        )
    assert response.json()["count"] == count
    # The page reads what its rows show, not each component's description and search vector.
    page = queries.captured_queries[-1]["sql"]
    assert "description" not in page and "search_vector" not in page


def test_detail_includes_adoption_summary(as_role, component, leeds):
    AdoptionFactory(component=component, organisation=leeds)
    body = as_role("anonymous").get(f"{LIST}{component.public_id}/").json()
    assert body["adoption"]["councils"] == 1
    assert body["adoption"]["by_stage"] == {"In use": 1}
    assert as_role("anonymous").get(f"{LIST}abc/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_detail_is_404_except_for_submitter_and_staff(as_role, role, officer):
    draft = ComponentFactory(status="in_review", submitted_by=officer)
    expected = 200 if role in {"officer", "institute_staff"} else 404
    assert as_role(role).get(f"{LIST}{draft.public_id}/").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_create_goes_to_review_for_any_member_of_an_organisation_but_a_sector_viewer(as_role, role):
    response = as_role(role).post(LIST, _new(), format="json")
    # Viewers are read-only; someone without an organisation asks to join first
    # (institute.access.can_contribute).
    if role in {"anonymous", "no_membership_user", "sector_viewer"}:
        assert response.status_code == 403
        assert not Component.objects.exists()
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_review" and body["maintainer"] == "Camden"
    assert response["Location"].endswith(f"/api/v1/components/{body['id']}/")


def test_create_with_bad_input_is_400_with_field_errors(as_role):
    response = as_role("officer").post(
        LIST,
        _new(kind="gadget", service_areas=["nowhere"], maintainer="no-such-org", name=""),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "service_areas", "maintainer", "name"}
    licence = as_role("officer").post(LIST, _new(licence="MIT OR ("), format="json")
    assert licence.status_code == 400 and "licence" in licence.json()["errors"]
    assert not Component.objects.exists()


def test_officer_creates_then_updates_their_councils_adoption(as_role, component, leeds):
    client = as_role("officer")
    created = client.post(ADOPTIONS, _adoption(component), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["organisation"] == "leeds"
    again = client.post(ADOPTIONS, _adoption(component, stage="in_use"), format="json")
    assert again.status_code == 200
    adoption = Adoption.objects.get()
    patched = client.patch(f"{ADOPTIONS}{adoption.pk}/", {"stage": "retired"}, format="json")
    assert patched.status_code == 200 and patched.json()["stage"] == "retired"
    assert list(AdoptionChange.objects.values_list("to_stage", flat=True)) == [
        "piloting",
        "in_use",
        "retired",
    ]
    by_org = as_role("anonymous").get("/api/v1/organisations/leeds/adoptions/").json()
    assert [r["component"] for r in by_org["results"]] == [str(component.public_id)]


def test_adopting_for_another_council_is_403_and_changes_nothing(as_role, component, leeds):
    response = as_role("other_officer").post(
        ADOPTIONS, _adoption(component, organisation="leeds"), format="json"
    )
    assert response.status_code == 403
    assert not Adoption.objects.exists()
    adoption = AdoptionFactory(component=component, organisation=leeds, stage="piloting")
    patched = as_role("other_officer").patch(
        f"{ADOPTIONS}{adoption.pk}/", {"stage": "retired"}, format="json"
    )
    assert patched.status_code == 403
    adoption.refresh_from_db()
    assert adoption.stage == "piloting"


@pytest.mark.parametrize(
    "role", ["anonymous", "no_membership_user", "centre_staff", "institute_staff", "sector_viewer"]
)
def test_people_who_are_not_council_officers_cannot_record_adoption(as_role, component, role):
    response = as_role(role).post(ADOPTIONS, {"stage": "nonsense"}, format="json")
    assert response.status_code == 403
    assert not Adoption.objects.exists()


def test_bad_adoption_input_is_400(as_role, component):
    response = as_role("officer").post(
        ADOPTIONS,
        _adoption(component, stage="finished", since="last year", evidence_url="ftp://x"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"stage", "since", "evidence_url"}
    no_evidence = as_role("officer").post(
        ADOPTIONS, _adoption(component, evidence_note=""), format="json"
    )
    assert no_evidence.status_code == 400
    assert "evidence_url" in no_evidence.json()["errors"]
    missing = as_role("officer").post(
        ADOPTIONS, {**_adoption(component), "component": str(uuid.uuid4())}, format="json"
    )
    assert missing.status_code == 404
    by_number = as_role("officer").post(
        ADOPTIONS, {**_adoption(component), "component": component.pk}, format="json"
    )
    assert by_number.status_code == 404  # components are never found by their number
    assert not Adoption.objects.exists()


def test_adoption_list_rejects_unknown_organisation(as_role):
    response = as_role("anonymous").get(ADOPTIONS, {"organisation": "atlantis"})
    assert response.status_code == 400 and "organisation" in response.json()["errors"]


def test_adoption_rows_built_directly_equal_the_serializers(client):
    from datetime import timedelta

    from django.utils import timezone

    from components.api import AdoptionSerializer

    component = ComponentFactory()
    councils = Organisation.objects.filter(kind="council").order_by("slug")[:3]
    for n, council in enumerate(councils):
        adoption = AdoptionFactory(
            component=component, organisation=council, evidence_url="" if n else "https://x.test"
        )
    # One not confirmed for over a year: stale.
    Adoption.objects.filter(pk=adoption.pk).update(
        confirmed_at=timezone.now() - timedelta(days=400)
    )

    for path in ("/api/v1/adoptions/", f"/api/v1/components/{component.public_id}/adoptions/"):
        rows = client.get(path).json()["results"]
        by_id = {a.pk: a for a in Adoption.objects.select_related("component", "organisation")}
        assert rows == [dict(AdoptionSerializer(by_id[row["id"]]).data) for row in rows]
        assert len(rows) == 3 and sum(row["stale"] for row in rows) == 1
