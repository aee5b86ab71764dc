"""Django's and allauth's sign-in backends, loading the signed-in user with their membership
(the primary one) and organisation, and whether they have a second factor, in one query.

Nearly every signed-in request asks what the user may do (`institute.access.membership_of`),
which needs the membership, and institute staff are checked for a second factor on every
request (institute.security.StaffMfaMiddleware); fetching both with the user saves a query on
each of those requests.
"""

import functools

from allauth.account import auth_backends as allauth_backends
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef

from institute.models import Membership, Organisation

# The kinds of authenticator that are a second factor by themselves (recovery codes are only
# a way back in when the app is lost).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def second_factor_exists(user_field: str = "pk"):
    """An expression: whether the user (the row's `user_field`) has a second factor."""
    return Exists(
        Authenticator.objects.filter(user_id=OuterRef(user_field), type__in=SECOND_FACTORS)
    )


def _columns(model, alias: str) -> tuple[str, list, list]:
    """`alias`'s columns of `model` for a SELECT list, the fields' attribute names, and each
    field's converters from database values (as the ORM's compiler applies them)."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    return (
        ", ".join(f"{alias}.{quote(f.column)}" for f in fields),
        [f.attname for f in fields],
        [
            connection.ops.get_db_converters(f.get_col(model._meta.db_table))
            + f.get_db_converters(connection)
            for f in fields
        ],
    )


@functools.cache
def _user_statement():
    """The one statement that loads a signed-in user on every request: the user, their primary
    membership and its organisation, whether they have a second factor, and how many
    memberships they have. Written once per process: the ORM took about 2 ms a request to build
    this statement's SQL (a FilteredRelation, two subqueries and a select_related), ten times
    what PostgreSQL takes to answer it."""
    parts = {
        "u": _columns(get_user_model(), "u"),
        "m": _columns(Membership, "m"),
        "o": _columns(Organisation, "o"),
    }
    quote = connection.ops.quote_name
    authenticator = quote(Authenticator._meta.db_table)
    membership = quote(Membership._meta.db_table)
    sql = (
        f"SELECT {parts['u'][0]}, {parts['m'][0]}, {parts['o'][0]}, "  # noqa: S608 (no input)
        f"EXISTS (SELECT FROM {authenticator} a WHERE a.user_id = u.id AND a.type = ANY(%s)), "
        f"(SELECT count(*) FROM {membership} n WHERE n.user_id = u.id) "
        f"FROM {quote(get_user_model()._meta.db_table)} u "
        f"LEFT JOIN {membership} m ON m.user_id = u.id AND m.is_primary "
        f"LEFT JOIN {quote(Organisation._meta.db_table)} o ON o.id = m.organisation_id "
        "WHERE u.id = %s"
    )
    return sql, parts


def _instance(model, db, part, values):
    _, names, converters = part
    values = list(values)
    for i, found in enumerate(converters):
        for convert in found:
            values[i] = convert(values[i], None, connection)
    return model.from_db(db, names, values)


def load_user(user_id):
    """The user `user_id` (None if there is none) with `primary_membership` (None without
    one) and its organisation loaded, `has_second_factor` and `membership_count`: one query.
    Also in `user._state.fields_cache["membership"]`, where institute.access.membership_of
    starts from (it asks no further unless the session chose another membership)."""
    sql, parts = _user_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [[str(kind) for kind in SECOND_FACTORS], user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    db = connection.alias
    widths = [len(parts[key][1]) for key in "umo"]
    u, m, o = widths
    user = _instance(get_user_model(), db, parts["u"], row[:u])
    membership = None
    if row[u] is not None:  # the primary membership's id
        membership = _instance(Membership, db, parts["m"], row[u : u + m])
        membership._state.fields_cache["organisation"] = _instance(
            Organisation, db, parts["o"], row[u + m : u + m + o]
        )
        membership._state.fields_cache["user"] = user
    user.primary_membership = membership
    user.has_second_factor, user.membership_count = row[u + m + o :]
    user._state.fields_cache["membership"] = membership
    return user


class _UserWithMembership:
    def get_user(self, user_id):
        user = load_user(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


class ModelBackend(_UserWithMembership, backends.ModelBackend):
    pass


class AuthenticationBackend(_UserWithMembership, allauth_backends.AuthenticationBackend):
    pass
