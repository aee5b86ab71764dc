"""Session lifetime rules, the second factor institute staff must have, and the security log
(sign-in success and failure, sign-out, second factors added, removed and failed).

Log lines are key=value pairs on the `institute.security` logger so a log pipeline can parse
them; they never contain a password or a session key.
"""

import logging
import time

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from institute.access import needs_second_factor
from institute.auth_backends import SECOND_FACTORS

security_log = logging.getLogger("institute.security")

LAST_SEEN_KEY = "_last_seen"
STARTED_KEY = "_started"


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    now = int(time.time())
    if request is not None and hasattr(request, "session"):
        request.session[STARTED_KEY] = now
        request.session[LAST_SEEN_KEY] = now
    security_log.info(
        "event=sign_in outcome=success user_id=%s ip=%s", user.pk, _client_ip(request)
    )


@receiver(user_login_failed)
def log_sign_in_failure(sender, credentials, request=None, **kwargs):
    # The address tried is logged (it is what an investigation needs); the password never is.
    tried = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    security_log.warning(
        "event=sign_in outcome=failure login=%r ip=%s", str(tried)[:254], _client_ip(request)
    )


@receiver(user_logged_out)
def log_sign_out(sender, request, user, **kwargs):
    security_log.info("event=sign_out user_id=%s", getattr(user, "pk", None))


KEPT_FORM_KEY = "_kept_form"
# Fields never kept across a sign-in: the form's own token and anything secret.
_NOT_KEPT = {"csrfmiddlewaretoken", "password", "password1", "password2", "oldpassword"}


def session_seconds_left(request) -> int:
    """Seconds until a signed-in session ends, whichever comes first: SESSION_IDLE_SECONDS
    after the last request the session recorded, or SESSION_COOKIE_AGE after sign-in."""
    now = int(time.time())
    session = request.session
    idle_end = session.get(LAST_SEEN_KEY, now) + settings.SESSION_IDLE_SECONDS
    lifetime_end = session.get(STARTED_KEY, now) + settings.SESSION_COOKIE_AGE
    return max(0, min(idle_end, lifetime_end) - now)


def session_touch(request) -> None:
    """Start the idle time again from now (the timeout warning's "Stay signed in")."""
    request.session[LAST_SEEN_KEY] = int(time.time())


def _keep_form(request, user) -> None:
    """What a person submitted after their session ended, kept in the new session for the same
    form once they sign in again as the same person (templates/base.html shows it filled)."""
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return
    if request.headers.get("HX-Request"):
        return  # a button in a page (a vote, a follow), not a form someone filled in
    data = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in _NOT_KEPT
        for value in values
    ]
    if data:
        request.session[KEPT_FORM_KEY] = {"path": request.path, "user": user.pk, "data": data}


def kept_form_for(request) -> list | None:
    """The fields kept for this page and this person (taken: shown once), or None."""
    kept = request.session.get(KEPT_FORM_KEY)
    if not kept or kept.get("path") != request.path or kept.get("user") != request.user.pk:
        return None
    del request.session[KEPT_FORM_KEY]
    return kept["data"]


class SessionLifetimeMiddleware:
    """Ends a signed-in session after SESSION_IDLE_SECONDS without a request, and in any case
    SESSION_COOKIE_AGE after sign-in (the absolute lifetime), whatever the activity. A form
    submitted into an ended session is kept for when the person signs in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            last_seen = session.get(LAST_SEEN_KEY, now)
            started = session.get(STARTED_KEY, now)
            idle = now - last_seen > settings.SESSION_IDLE_SECONDS
            too_old = now - started > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                security_log.info(
                    "event=session_expired reason=%s user_id=%s",
                    "idle" if idle else "lifetime",
                    user.pk,
                )
                logout(request)
                _keep_form(request, user)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}&expired=1")
            # Write at most once a minute, not on every request.
            if now - last_seen >= 60 or LAST_SEEN_KEY not in session:
                session[LAST_SEEN_KEY] = now
            session.setdefault(STARTED_KEY, now)
        return self.get_response(request)


# --- The second factor --------------------------------------------------------------------------


@receiver(mfa_signals.authenticator_added)
def log_second_factor_added(sender, request, user, authenticator, **kwargs):
    security_log.info("event=mfa_added type=%s user_id=%s", authenticator.type, user.pk)


@receiver(mfa_signals.authenticator_removed)
def log_second_factor_removed(sender, request, user, authenticator, **kwargs):
    security_log.warning("event=mfa_removed type=%s user_id=%s", authenticator.type, user.pk)


@receiver(mfa_signals.authenticator_reset)
def log_recovery_codes_reset(sender, request, user, authenticator, **kwargs):
    security_log.info("event=mfa_reset type=%s user_id=%s", authenticator.type, user.pk)


@receiver(mfa_signals.authentication_failed)
def log_second_factor_failure(sender, request, user, authenticator, reauthentication, **kwargs):
    security_log.warning(
        "event=mfa outcome=failure user_id=%s reauthentication=%s ip=%s",
        user.pk,
        bool(reauthentication),
        _client_ip(request),
    )


def has_second_factor(user) -> bool:
    """Whether the user has an authenticator app (or a security key). The backend loads this
    with the user (institute.auth_backends); a user loaded otherwise is asked the database."""
    loaded = getattr(user, "has_second_factor", None)
    if loaded is not None:
        return loaded
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


MFA_SETUP_MESSAGE = (
    "Institute staff must use two-factor authentication. Set up an authenticator app to carry on."
)


class StaffMfaMiddleware:
    """A person who must have a second factor (institute.access.needs_second_factor) and has
    none is sent to set one up before any other page; the API answers 403 to their session
    meanwhile. Setting it up, signing out and re-entering the password stay open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and needs_second_factor(user)
            and not has_second_factor(user)
            and not self._open(request.path)
        ):
            security_log.info("event=mfa_required user_id=%s path=%s", user.pk, request.path)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": MFA_SETUP_MESSAGE, "code": "mfa_required"}, status=403
                )
            messages.info(request, MFA_SETUP_MESSAGE)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(reverse("mfa_index")) or path in (
            reverse("account_logout"),
            reverse("account_reauthenticate"),
        )
