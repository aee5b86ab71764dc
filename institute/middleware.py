"""Turns a refusal that reached the top of a view into the GOV.UK 403 page, never a 500;
makes the service read-only while Redis is down; and keeps private answers out of caches."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from institute.access import ACTING_SESSION_KEY, membership_acting_set
from institute.dbdown import service_unavailable
from institute.errors import DomainError, NotAllowed
from institute.request_log import SECRET_ARGUMENTS

logger = logging.getLogger(__name__)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

security_log = logging.getLogger("institute.security")


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            security_log.info(
                "authorisation refused user=%s path=%s",
                getattr(request.user, "pk", None),
                request.path,
            )
            return render(
                request,
                "403.html",
                {"page_title": "You cannot do that", "message": exception.message},
                status=403,
            )
        if isinstance(exception, DomainError):
            return render(
                request,
                "400.html",
                {"page_title": "There is a problem", "message": exception.message},
                status=exception.status if exception.status in (400, 409) else 400,
            )
        return None


class ActingMembershipMiddleware:
    """A person with several memberships acts as the organisation they chose for the session
    (institute.views.acting_organisation); a choice no longer valid (the membership was
    removed) is forgotten and they act as their primary one. No query without a choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get(ACTING_SESSION_KEY) if hasattr(request, "session") else None
        if chosen and request.user.is_authenticated:
            try:
                membership_acting_set(request.user, chosen)
            except NotAllowed:
                del request.session[ACTING_SESSION_KEY]
        return self.get_response(request)


class ReadOnlyWithoutRedisMiddleware:
    """While Redis is unreachable, a request that writes gets the 503 page (or JSON under
    /api/) before anything happens. A write queues work on Redis (Celery's broker) and changes
    cached pages and sessions there: refused whole, nothing is half done or lost. Pages that
    only read are served from the database meanwhile (institute/cache.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS and not cache.available():
            logger.warning("write refused while Redis is unavailable: %s", request.path)
            return service_unavailable(request)
        return self.get_response(request)


def is_private(request, response) -> bool:
    """Whether an answer may be about one person, so no cache may keep it: the request carried
    credentials (the session cookie or an API token in `Authorization`), the answer starts a
    session (sign-in), or the address carries a secret (a password reset or confirmation key,
    an unsubscribe token: the names request_log redacts). Public pages fetched without
    credentials stay cacheable."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "authorization" in request.headers:
        return True
    if settings.SESSION_COOKIE_NAME in response.cookies:
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and any(name in SECRET_ARGUMENTS for name in match.kwargs)


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` (Django's never_cache headers) on every private
    answer, pages and API alike: the one rule is is_private above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request, response):
            add_never_cache_headers(response)
        return response
