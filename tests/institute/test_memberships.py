"""Several memberships: a shared-service officer belongs to two councils, one primary, and acts
as the one they choose (pages: the account page and the session; API: X-Acting-Organisation).
Votes are made as that council and each council's demand is counted once."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from backlog.models import Vote
from backlog.services import problem_vote
from institute import access, services
from institute.errors import DomainError, NotAllowed
from institute.models import Membership, MembershipRequest, Organisation, Role
from institute.tokens import api_token_create
from tests.factories import MembershipFactory, ProblemFactory, council_officer

pytestmark = pytest.mark.django_db
ACCOUNT = reverse("institute:account")


@pytest.fixture
def shared(officer):
    """The Leeds officer, who also works for Bradford (a shared service): Leeds is primary."""
    MembershipFactory(
        user=officer,
        organisation=Organisation.objects.get(slug="bradford"),
        role=Role.OFFICER,
        is_primary=False,
    )
    officer._state.fields_cache.clear()
    return officer


@pytest.fixture
def problem(other_officer):
    return ProblemFactory(
        submitted_by=other_officer,
        submitted_for=Organisation.objects.get(slug="bristol-city-of"),
    )


def _act_as(client, slug):
    return client.post(ACCOUNT, {"action": "act_as", "organisation": slug})


def test_a_person_acts_as_their_primary_membership_by_default(shared):
    assert shared.membership.organisation.slug == "leeds"
    assert [m.organisation.slug for m in access.memberships_of(shared)] == ["leeds", "bradford"]


def test_one_primary_and_one_membership_per_organisation_in_the_database(shared):
    bradford = Organisation.objects.get(slug="bradford")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=shared, organisation=bradford).update(is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=shared, organisation=bradford, is_primary=False)
    assert Membership.objects.filter(user=shared).count() == 2


def test_approving_a_second_request_adds_a_membership_beside_the_first(officer, institute_staff):
    bradford = Organisation.objects.get(slug="bradford")
    request = services.membership_request_create(
        actor=officer, organisation=bradford, role=Role.OFFICER, reason="Shared ICT service."
    )
    services.membership_request_approve(actor=institute_staff, request=request)
    memberships = {m.organisation.slug: m.is_primary for m in officer.memberships.all()}
    assert memberships == {"leeds": True, "bradford": False}
    assert MembershipRequest.objects.get(pk=request.pk).status == "approved"


def test_asking_to_join_an_organisation_twice_is_refused(officer):
    with pytest.raises(DomainError):
        services.membership_request_create(
            actor=officer,
            organisation=Organisation.objects.get(slug="leeds"),
            role=Role.OFFICER,
            reason="Again.",
        )
    assert not MembershipRequest.objects.exists()


def test_account_page_and_header_say_who_the_person_acts_as_and_let_them_change(client, shared):
    client.force_login(shared)
    page = client.get(ACCOUNT).content.decode()
    assert "Your organisations" in page
    assert "Acting as: Leeds" in page

    response = _act_as(client, "bradford")
    assert response.status_code == 302
    page = client.get(ACCOUNT).content.decode()
    assert "You are now acting as Bradford." in page
    assert "Acting as: Bradford" in page
    # Leeds stays primary: a new session acts as Leeds again.
    assert Membership.objects.get(user=shared, is_primary=True).organisation.slug == "leeds"


def test_a_forged_organisation_in_the_form_is_refused_and_changes_nothing(client, shared):
    client.force_login(shared)
    response = _act_as(client, "camden")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Choose one of your organisations" in html
    assert access.ACTING_SESSION_KEY not in client.session
    assert "Acting as: Leeds" in html


def test_a_forged_choice_in_the_session_is_dropped(client, shared):
    client.force_login(shared)
    session = client.session
    session[access.ACTING_SESSION_KEY] = "camden"
    session.save()
    html = client.get(ACCOUNT).content.decode()
    assert "Acting as: Leeds" in html
    assert access.ACTING_SESSION_KEY not in client.session


def test_acting_as_an_organisation_one_does_not_belong_to_is_not_allowed(shared):
    with pytest.raises(NotAllowed):
        access.membership_for_acting(shared, "camden")
    assert shared.membership.organisation.slug == "leeds"


def test_making_another_membership_primary(client, shared):
    client.force_login(shared)
    response = client.post(ACCOUNT, {"action": "primary", "organisation": "bradford"})
    assert response.status_code == 302
    assert Membership.objects.get(user=shared, is_primary=True).organisation.slug == "bradford"
    assert "Bradford is now your primary organisation." in client.get(ACCOUNT).content.decode()


def test_one_membership_shows_no_acting_control(client, officer):
    client.force_login(officer)
    html = client.get(ACCOUNT).content.decode()
    assert "Acting as:" not in html and "Your organisations" not in html
    assert "Join another organisation" in html


def test_shared_service_officer_votes_as_each_council_counted_once_per_council(
    client, shared, problem
):
    leeds_colleague = council_officer("leeds", "colleague@leeds.example.test")
    problem_vote(actor=leeds_colleague, problem=problem)
    client.force_login(shared)
    url = reverse("backlog:problem_vote", args=[problem.pk])

    client.post(url)  # as Leeds, its primary
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (1, 2)

    _act_as(client, "bradford")
    client.post(url)
    client.post(url)  # again: nothing changes
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (2, 3)
    assert set(Vote.objects.filter(user=shared).values_list("organisation__slug", flat=True)) == {
        "leeds",
        "bradford",
    }


def test_api_acts_as_the_organisation_in_the_header_and_refuses_another(shared, problem):
    _, secret = api_token_create(actor=shared, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    url = f"/api/v1/problems/{problem.pk}/vote/"

    refused = client.post(url, HTTP_X_ACTING_ORGANISATION="camden")
    assert refused.status_code == 403
    assert "belong to" in refused.json()["detail"]
    assert not Vote.objects.exists()

    as_bradford = client.post(url, HTTP_X_ACTING_ORGANISATION="bradford")
    assert as_bradford.status_code == 201
    as_leeds = client.post(url)  # no header: the primary
    assert as_leeds.status_code == 201
    assert as_leeds.json()["council_count"] == 2
    assert set(Vote.objects.values_list("organisation__slug", flat=True)) == {"leeds", "bradford"}


def test_a_browser_session_using_the_api_acts_as_the_header_says_or_is_refused(shared, problem):
    client = APIClient()
    client.force_login(shared)  # the session acts as Leeds, the primary
    url = f"/api/v1/problems/{problem.pk}/vote/"
    for value in ("camden", "", "bradford ", "bradford/../leeds", "x" * 300):
        refused = client.post(url, HTTP_X_ACTING_ORGANISATION=value)
        assert refused.status_code == 403, value
        assert refused.json()["code"] == "permission_denied"
        assert "organisation" in refused.json()["detail"]
    assert not Vote.objects.exists()
    assert client.post(url, HTTP_X_ACTING_ORGANISATION="bradford").status_code == 201
    assert list(Vote.objects.values_list("organisation__slug", flat=True)) == ["bradford"]


def test_the_header_without_signing_in_is_refused_not_ignored(problem):
    response = APIClient().get(
        f"/api/v1/problems/{problem.pk}/", HTTP_X_ACTING_ORGANISATION="leeds"
    )
    assert response.status_code == 403
    assert "signed in" in response.json()["detail"]
    assert APIClient().get(f"/api/v1/problems/{problem.pk}/").status_code == 200


def test_the_schema_declares_the_header_on_every_operation(client):
    schema = client.get("/api/schema/?format=json").json()
    operations = [
        operation
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 50
    for operation in operations:
        (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
        assert (header["name"], header["required"]) == ("X-Acting-Organisation", False)


def test_adoptions_and_assessments_are_done_for_the_council_acted_as(client, shared):
    leeds, bradford = (Organisation.objects.get(slug=s) for s in ("leeds", "bradford"))
    assert access.can_act_for_council(shared, leeds)
    assert not access.can_act_for_council(shared, bradford)
    client.force_login(shared)
    _act_as(client, "bradford")
    acting = access.membership_acting_set(shared, client.session[access.ACTING_SESSION_KEY])
    assert acting.organisation == bradford
    assert access.can_act_for_council(shared, bradford)
    assert not access.can_act_for_council(shared, leeds)
