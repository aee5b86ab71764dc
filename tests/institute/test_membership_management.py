"""Institute staff add someone who has an account to an organisation (a shared-service officer
of a second council) and take them off one that is not their primary, from the organisation's
people page: with a confirmation, clear errors, the person told and an audit trail. Nobody
else can."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institute.models import AuditEvent, Membership, Notification, Organisation, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _people(slug: str) -> str:
    return reverse("institute:organisation_people", args=[slug])


def _remove(membership) -> str:
    return reverse(
        "institute:organisation_person_remove",
        args=[membership.organisation.slug, membership.pk],
    )


def _orgs(user) -> dict:
    return {
        m.organisation.slug: m.is_primary for m in user.memberships.select_related("organisation")
    }


@pytest.fixture
def staff_client(client, institute_staff):
    client.force_login(institute_staff)
    return client


@pytest.fixture
def second(officer):
    """The Leeds officer, also an officer of Bradford (not primary)."""
    return MembershipFactory(
        user=officer,
        organisation=Organisation.objects.get(slug="bradford"),
        role=Role.OFFICER,
        is_primary=False,
    )


def test_staff_find_the_page_from_the_organisation_and_add_a_shared_service_officer(
    staff_client, officer, institute_staff
):
    page = staff_client.get(reverse("institute:organisation_detail", args=["bradford"]))
    assert _people("bradford") in page.content.decode()
    response = staff_client.post(
        _people("bradford"), {"email": " Officer@Leeds.example.TEST ", "role": "officer"}
    )
    assert response.status_code == 302
    assert _orgs(officer) == {"leeds": True, "bradford": False}
    page = staff_client.get(response.url).content.decode()
    assert "officer@leeds.example.test now belongs to Bradford" in page
    assert "Added officer@leeds.example.test" in page
    event = AuditEvent.objects.get(verb="membership.added")
    assert (event.actor, event.data["email"], event.data["role"]) == (
        institute_staff,
        "officer@leeds.example.test",
        "officer",
    )
    assert Membership.objects.get(user=officer, organisation__slug="bradford").approved_by == (
        institute_staff
    )
    told = Notification.objects.get(recipient=officer)
    assert told.title == "You have been added to Bradford as a council officer"


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("bradford", {"email": "nobody@example.test", "role": "officer"}, "No one has an account"),
        ("leeds", {"email": "officer@leeds.example.test", "role": "officer"}, "already belongs"),
        ("bradford", {"email": "not an address", "role": "officer"}, "in the correct format"),
        ("bradford", {"email": "", "role": "officer"}, "Enter the e-mail address they sign in"),
        ("bradford", {"email": "officer@leeds.example.test"}, "Choose their role"),
        # Only roles people have at a council are offered; any other is refused.
        (
            "bradford",
            {"email": "officer@leeds.example.test", "role": "institute_staff"},
            "Choose a role",
        ),
    ],
)
def test_bad_input_shows_a_clear_error_and_changes_nothing(
    staff_client, officer, slug, data, message
):
    response = staff_client.post(_people(slug), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and message in html
    assert _orgs(officer) == {"leeds": True}
    assert not AuditEvent.objects.filter(verb="membership.added").exists()


def test_staff_remove_a_second_membership_after_confirming(staff_client, officer, second):
    confirm = staff_client.get(_remove(second))
    assert confirm.status_code == 200
    assert "Remove officer@leeds.example.test?" in confirm.content.decode()
    assert _orgs(officer) == {"leeds": True, "bradford": False}  # nothing until confirmed
    response = staff_client.post(_remove(second))
    assert response.status_code == 302
    assert _orgs(officer) == {"leeds": True}
    assert AuditEvent.objects.get(verb="membership.removed").data["email"] == (
        "officer@leeds.example.test"
    )
    assert Notification.objects.get(recipient=officer).title == ("You no longer belong to Bradford")
    again = staff_client.post(_remove(second))
    assert again.status_code == 404


def test_a_primary_membership_cannot_be_removed(staff_client, officer, second):
    primary = Membership.objects.get(user=officer, organisation__slug="leeds")
    page = staff_client.get(_people("leeds")).content.decode()
    assert _remove(primary) not in page and "Primary" in page
    response = staff_client.post(_remove(primary))
    assert response.status_code == 409
    assert "primary organisation, so it cannot be removed" in response.content.decode()
    assert _orgs(officer) == {"leeds": True, "bradford": False}
    assert not AuditEvent.objects.filter(verb="membership.removed").exists()


@pytest.mark.parametrize("role", ["officer", "centre_staff", "sector_viewer"])
def test_anyone_but_institute_staff_is_refused_and_nothing_changes(
    request, client, officer, second, role
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(_people("bradford")).status_code == 403
    assert client.post(
        _people("bradford"), {"email": "x@y.test", "role": "officer"}
    ).status_code == (403)
    assert client.get(_remove(second)).status_code == 403
    assert client.post(_remove(second)).status_code == 403
    assert _orgs(officer) == {"leeds": True, "bradford": False}
    page = client.get(reverse("institute:organisation_detail", args=["bradford"]))
    assert _people("bradford") not in page.content.decode()


def test_visitors_are_sent_to_sign_in(client, second):
    response = client.get(_people("bradford"))
    assert response.status_code == 302 and "login" in response.url
    assert client.post(_remove(second)).status_code == 302
    assert Membership.objects.filter(pk=second.pk).exists()


def test_the_people_page_makes_a_fixed_number_of_queries(staff_client):
    bradford = Organisation.objects.get(slug="bradford")
    MembershipFactory(organisation=bradford, user=UserFactory(), role=Role.OFFICER)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(_people("bradford")).status_code == 200
        return len(queries)

    one = count()
    for _ in range(10):
        MembershipFactory(organisation=bradford, user=UserFactory(), role=Role.OFFICER)
    assert count() == one
