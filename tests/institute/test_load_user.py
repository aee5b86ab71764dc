"""The signed-in user is loaded on every request by one hand-written statement
(institute.auth_backends.load_user): it must give exactly what the ORM gives, for every kind of
person, and a signed-in page must still make one query for who they are."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from institute.auth_backends import ModelBackend, load_user, second_factor_exists
from institute.models import Membership, Organisation, Role
from tests.factories import (
    MembershipFactory,
    UserFactory,
    give_authenticator_app,
)

pytestmark = pytest.mark.django_db


def orm_user(pk):
    """The same user as the ORM loads it: the specification load_user follows."""
    return (
        get_user_model()
        .objects.annotate(
            primary_membership=FilteredRelation(
                "memberships", condition=Q(memberships__is_primary=True)
            ),
            has_second_factor=second_factor_exists(),
            membership_count=Coalesce(
                Subquery(
                    Membership.objects.filter(user_id=OuterRef("pk"))
                    .order_by()
                    .values("user_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .select_related("primary_membership__organisation")
        .get(pk=pk)
    )


def fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def same_as_orm(user):
    loaded, expected = load_user(user.pk), orm_user(user.pk)
    assert fields(loaded) == fields(expected)
    assert loaded.has_second_factor == expected.has_second_factor
    assert loaded.membership_count == expected.membership_count
    # The ORM sets no attribute when there is no primary membership.
    expected_primary = getattr(expected, "primary_membership", None)
    if expected_primary is None:
        assert loaded.primary_membership is None
    else:
        assert fields(loaded.primary_membership) == fields(expected_primary)
        assert fields(loaded.primary_membership.organisation) == fields(
            expected_primary.organisation
        )
    # What institute.access.membership_of starts from, without a query.
    assert loaded._state.fields_cache["membership"] is loaded.primary_membership
    return loaded


def test_an_officer_is_loaded_as_the_orm_loads_them(officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        loaded = load_user(officer.pk)
    same_as_orm(officer)
    with django_assert_num_queries(0):
        assert loaded.membership.organisation.slug == "leeds"
        assert loaded.membership.user is loaded


def test_staff_with_a_second_factor_and_two_memberships():
    membership = MembershipFactory(
        organisation=Organisation.objects.get(slug="bradford"), role=Role.OFFICER
    )
    person = give_authenticator_app(membership.user)
    MembershipFactory(
        user=person, organisation=Organisation.objects.get(slug="leeds"), is_primary=False
    )
    loaded = same_as_orm(person)
    assert loaded.has_second_factor is True
    assert loaded.membership_count == 2
    assert loaded.primary_membership.organisation.slug == "bradford"


def test_a_person_with_no_membership_and_an_unknown_id():
    person = UserFactory()
    loaded = same_as_orm(person)
    assert loaded.primary_membership is None
    assert loaded.membership_count == 0
    assert load_user(10**12) is None


def test_an_inactive_person_is_not_signed_in(officer):
    get_user_model().objects.filter(pk=officer.pk).update(is_active=False)
    assert ModelBackend().get_user(officer.pk) is None
