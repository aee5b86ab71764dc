"""Personal API tokens: create, list, revoke (services and selectors), and the DRF
authentication, permission and throttle that use them.

The secret is shown once, when created; only its SHA-256 hash is stored, so a leaked database
does not leak working tokens. `Authorization: Token <secret>` (or `Bearer <secret>`).
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from institute.access import can_curate, membership_acting_set, needs_second_factor, require
from institute.auth_backends import second_factor_exists
from institute.errors import DomainError, NotAllowed
from institute.models import ApiToken, AuditEvent

SECRET_PREFIX = "ldi_"  # noqa: S105 (a marker, not a secret)
VISIBLE_PREFIX_LENGTH = 12  # "ldi_" and 8 characters of the secret
MAX_ACTIVE_TOKENS = 20
MAX_NAME_LENGTH = 100
# Recording every use would write on every request; a minute is precise enough to spot a
# token nobody uses any more.
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """Create a token for the actor; returns it and the secret, which is never shown again."""
    require(actor.is_authenticated)
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter a name for the token.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(
            f"Token name must be {MAX_NAME_LENGTH} characters or fewer.", field="name"
        )
    active = ApiToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True)
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            f"You can have at most {MAX_ACTIVE_TOKENS} tokens. Revoke one you no longer use.",
            field="name",
            status=409,
            code="too_many_tokens",
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        read_only=read_only,
        prefix=secret[:VISIBLE_PREFIX_LENGTH],
        key_hash=_hash(secret),
    )
    AuditEvent.objects.create(
        actor=actor,
        verb="api_token.create",
        target_type="api_token",
        target_id=str(token.public_id),
        data={"name": name, "read_only": read_only},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token (its owner or institute staff). Revoking twice changes nothing."""
    require(token.user_id == actor.pk or can_curate(actor))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    AuditEvent.objects.create(
        actor=actor,
        verb="api_token.revoke",
        target_type="api_token",
        target_id=str(token.public_id),
        data={"owner": token.user_id},
    )
    return token


def api_token_touch(token: ApiToken, *, now=None) -> None:
    """Record a use, at most once a minute: the UPDATE is conditional, so concurrent requests
    with a fresh last_used_at write nothing."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    cutoff = now - LAST_USED_PRECISION
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


# --- Selectors and access ----------------------------------------------------------------------


def api_token_list_for_user(user):
    return ApiToken.objects.filter(user=user).select_related("revoked_by")


def api_token_list_for_staff():
    return ApiToken.objects.select_related("user", "revoked_by").order_by(
        "revoked_at", "-created_at", "-id"
    )


def api_token_get_for_user(user, public_id) -> ApiToken:
    """A token its owner or institute staff may see; everyone else gets 404."""
    token = ApiToken.objects.select_related("user").filter(public_id=public_id).first()
    if token is None or not (token.user_id == user.pk or can_curate(user)):
        raise Http404
    return token


# --- DRF ---------------------------------------------------------------------------------------


# `X-Acting-Organisation: <slug>`: a person with several memberships says which organisation a
# request acts as (votes, adoptions, assessments); without it, their primary one.
ACTING_HEADER = "HTTP_X_ACTING_ORGANISATION"
ACTING_SLUG = r"[-a-zA-Z0-9_]+"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <secret>` or `Bearer <secret>`.

    No WWW-Authenticate challenge (authenticate_header is not defined), so a bad token gets 403
    like every other refusal, as documented in docs/api.md.
    """

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = (
            ApiToken.objects.select_related("user")
            .annotate(user_has_second_factor=second_factor_exists("user_id"))
            .filter(key_hash=_hash(secret), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # Staff without a second factor use nothing until they set one up, tokens included.
        token.user.has_second_factor = token.user_has_second_factor
        if needs_second_factor(token.user) and not token.user_has_second_factor:
            raise exceptions.AuthenticationFailed(
                "Set up two-factor authentication on your account before using this token."
            )
        api_token_touch(token)
        return token.user, token


class ActingOrganisationPermission(permissions.BasePermission):
    """`X-Acting-Organisation: <slug>` on any request to the API, with a token or a browser's
    session: the request acts as that organisation, one of the person's own. Any other slug,
    or the header without signing in, is a 403 saying why; nothing is done."""

    def has_permission(self, request, view):
        # Refused with its own reason (DRF would say only "not signed in" to a visitor).
        acting = request.META.get(ACTING_HEADER)
        if acting is None:
            return True
        if not request.user.is_authenticated:
            raise exceptions.PermissionDenied(
                "X-Acting-Organisation is for people who are signed in: send a token with it, "
                "or leave it out."
            )
        if not re.fullmatch(ACTING_SLUG, acting):
            raise exceptions.PermissionDenied(
                "X-Acting-Organisation must be the slug of one of your organisations (letters, "
                "digits and hyphens), or be left out."
            )
        try:
            membership_acting_set(request.user, acting)
        except NotAllowed as refused:
            raise exceptions.PermissionDenied(refused.message) from None
        return True


def add_acting_header(result, generator, request, public):
    """Postprocessing hook: every operation that takes a token or a session declares the
    optional X-Acting-Organisation header (docs/api.md)."""
    parameter = {
        "in": "header",
        "name": "X-Acting-Organisation",
        "required": False,
        "schema": {"type": "string", "pattern": f"^{ACTING_SLUG}$", "maxLength": 200},
        "description": "The slug of one of your organisations to act as in this request "
        "(votes, adoptions and self-assessments are made as it); without it, the one chosen "
        "on your account page, else your primary one. Any other value, or the header "
        "without signing in, is a 403 and nothing is done.",
    }
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"} and operation.get("security"):
                operation.setdefault("parameters", []).append(dict(parameter))
    return result


class ReadOnlyTokenPermission(permissions.BasePermission):
    """A read-only token may only read."""

    message = "This token is read-only."

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in permissions.SAFE_METHODS
        return True


class _RedisRateThrottle(throttling.SimpleRateThrottle):
    """A limit counted atomically in Redis (institute.cache.RedisCache.rate_hit), so every web
    process shares one exact count, however many requests arrive at once. The rate is read per
    request (DRF reads it once, at import) so settings can change."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self._wait = cache.rate_hit(key, limit=self.num_requests, window=self.duration)
        return self._wait == 0

    def wait(self):
        return self._wait


def throttle_ident(request) -> str | None:
    """Whose count a request adds to: the person, however many tokens they use and whether
    they come with a token or a session; None for anonymous requests."""
    user = request.user
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return None


class TokenRateThrottle(_RedisRateThrottle):
    """Requests per person with a token or a session (scope "token", API_THROTTLE_TOKEN)."""

    scope = "token"

    def get_cache_key(self, request, view):
        ident = throttle_ident(request)
        if ident is None:
            return None  # anonymous: AnonThrottle
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(_RedisRateThrottle, throttling.AnonRateThrottle):
    """Requests per client address without a session or token: scope "anon"."""
