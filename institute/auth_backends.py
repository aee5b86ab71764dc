"""Django's and allauth's sign-in backends, loading the signed-in user with their membership
(the primary one) and organisation, and whether they have a second factor, in one query.

Nearly every signed-in request asks what the user may do (`institute.access.membership_of`),
which needs the membership, and institute staff are checked for a second factor on every
request (institute.security.StaffMfaMiddleware); fetching both with the user saves a query on
each of those requests.
"""

from allauth.account import auth_backends as allauth_backends
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from institute.models import Membership

# The kinds of authenticator that are a second factor by themselves (recovery codes are only
# a way back in when the app is lost).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def second_factor_exists(user_field: str = "pk"):
    """An expression: whether the user (the row's `user_field`) has a second factor."""
    return Exists(
        Authenticator.objects.filter(user_id=OuterRef(user_field), type__in=SECOND_FACTORS)
    )


class _UserWithMembership:
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.annotate(
                primary_membership=FilteredRelation(
                    "memberships", condition=Q(memberships__is_primary=True)
                ),
                has_second_factor=second_factor_exists(),
                # More than one: the header shows who they act as (context_processors).
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
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        # The primary membership (None without one) is what membership_of starts from, so it
        # asks no further unless the session chose another (institute.middleware).
        user._state.fields_cache["membership"] = getattr(user, "primary_membership", None)
        return user


class ModelBackend(_UserWithMembership, backends.ModelBackend):
    pass


class AuthenticationBackend(_UserWithMembership, allauth_backends.AuthenticationBackend):
    pass
