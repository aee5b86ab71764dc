"""Every role against every rule in institute/access.py, including a user of another council."""

import pytest

from institute import access
from institute.models import Organisation

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
    "superuser",
]

# rule -> the roles for which it is True (organisation-scoped rules use Leeds / GMCA).
EXPECTED = {
    "can_participate": {"officer", "other_officer", "centre_staff", "institute_staff", "superuser"},
    "can_act_for_leeds": {"officer"},
    "can_work_for_gmca_centre": {"centre_staff", "institute_staff", "superuser"},
    "can_curate": {"institute_staff", "superuser"},
    "can_view_sector_detail": {"institute_staff", "sector_viewer", "superuser"},
    "can_decide_membership_requests": {"institute_staff", "superuser"},
    "is_institute_staff": {"institute_staff", "superuser"},
    "is_sector_viewer": {"sector_viewer"},
}


def _evaluate(rule, user):
    leeds = Organisation.objects.get(slug="leeds")
    gmca = Organisation.objects.get(slug="greater-manchester-combined-authority")
    return {
        "can_participate": lambda: access.can_participate(user),
        "can_act_for_leeds": lambda: access.can_act_for_council(user, leeds),
        "can_work_for_gmca_centre": lambda: access.can_work_for_centre(user, gmca),
        "can_curate": lambda: access.can_curate(user),
        "can_view_sector_detail": lambda: access.can_view_sector_detail(user),
        "can_decide_membership_requests": lambda: access.can_decide_membership_requests(user),
        "is_institute_staff": lambda: access.is_institute_staff(user),
        "is_sector_viewer": lambda: access.is_sector_viewer(user),
    }[rule]()


@pytest.mark.parametrize("rule", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_rule_matrix(request, role, rule):
    user = request.getfixturevalue(role)
    assert _evaluate(rule, user) is (role in EXPECTED[rule])


def test_officer_of_another_council_cannot_act_for_leeds(other_officer, leeds):
    assert other_officer.membership.organisation.slug == "bristol-city-of"
    assert access.can_act_for_council(other_officer, leeds) is False


def test_staff_of_another_centre_cannot_work_for_gmca(other_centre_staff):
    gmca = Organisation.objects.get(slug="greater-manchester-combined-authority")
    assert access.can_work_for_centre(other_centre_staff, gmca) is False


def test_a_council_officer_cannot_act_for_a_non_council_they_belong_to(officer):
    # Even a misconfigured membership to a strategic authority grants no council rights there.
    gmca = Organisation.objects.get(slug="greater-manchester-combined-authority")
    officer.membership.organisation = gmca
    officer.membership.save(update_fields=["organisation"])
    assert access.can_act_for_council(officer, gmca) is False


def test_organisation_writes_are_for_institute_staff_only(officer, institute_staff):
    from institute.errors import NotAllowed

    assert access.organisation_get_for_user(institute_staff, "leeds", write=True).slug == "leeds"
    with pytest.raises(NotAllowed):
        access.organisation_get_for_user(officer, "leeds", write=True)
