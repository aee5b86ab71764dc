"""Turns a refusal that reached the top of a view into the GOV.UK 403 page, never a 500; and
makes the service read-only while Redis is down."""

import logging

from django.core.cache import cache
from django.shortcuts import render

from institute.dbdown import service_unavailable
from institute.errors import DomainError, NotAllowed

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
