"""Django's and allauth's sign-in backends, loading the signed-in user with their membership
and organisation in one query.

Nearly every signed-in request asks what the user may do (`institute.access.membership_of`),
which needs both; fetching them with the user saves a query on each of those requests.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model


class _UserWithMembership:
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("membership__organisation")
            .filter(pk=user_id)
            .first()
        )
        # A user without a membership has None cached for it: membership_of asks no further.
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_UserWithMembership, backends.ModelBackend):
    pass


class AuthenticationBackend(_UserWithMembership, allauth_backends.AuthenticationBackend):
    pass
