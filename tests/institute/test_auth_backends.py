"""The sign-in backends load the signed-in user with their membership and organisation."""

import pytest
from django.conf import settings
from django.contrib.auth import load_backend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institute.access import membership_of

pytestmark = pytest.mark.django_db

BACKENDS = [path for path in settings.AUTHENTICATION_BACKENDS if path.startswith("institute.")]


@pytest.mark.parametrize("path", BACKENDS)
def test_the_user_comes_with_membership_and_organisation_in_one_query(
    path, officer, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = load_backend(path).get_user(officer.pk)
        membership = membership_of(user)
        assert (membership.role, membership.organisation.slug) == ("officer", "leeds")


@pytest.mark.parametrize("path", BACKENDS)
def test_a_user_without_a_membership_is_known_to_have_none_without_asking_again(
    path, no_membership_user, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = load_backend(path).get_user(no_membership_user.pk)
        assert membership_of(user) is None


@pytest.mark.parametrize("path", BACKENDS)
def test_a_disabled_or_deleted_account_is_nobody(path, officer):
    backend = load_backend(path)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert backend.get_user(officer.pk) is None
    assert backend.get_user(officer.pk + 10_000) is None


def test_a_signed_in_page_reads_the_membership_only_with_the_user(client, officer):
    client.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/account/").status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    from_user = [sql for sql in sqls if ' FROM "institute_user"' in sql]
    assert len(from_user) == 1 and 'JOIN "institute_membership"' in from_user[0]
    # The user's query also counts their memberships (a subquery, for the "Acting as" control).
    assert not [
        sql for sql in sqls if ' FROM "institute_membership"' in sql and sql not in from_user
    ]
