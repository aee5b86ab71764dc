"""While PostgreSQL is unreachable (restarting, failing over, out of connections) every request
gets the GOV.UK "service unavailable" page, or a JSON body under /api/, with status 503 and
Retry-After: never a 500. Django closes the broken connection at the end of the request, and
CONN_HEALTH_CHECKS makes the next request connect afresh, so the service recovers by itself.

This is the project's handler500: a database error reaches it from a view or from a middleware
(loading a signed-in session needs the database before any view runs).
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from kombu.exceptions import OperationalError as BrokerUnavailable

from institute.cache import REDIS_UNREACHABLE
from institute.views import error_500

RETRY_AFTER_SECONDS = 30


# The database, Redis or Celery's broker (Redis) unreachable: the service is, for now.
UNAVAILABLE = (OperationalError, InterfaceError, BrokerUnavailable, *REDIS_UNREACHABLE)


def service_unavailable(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The service is unavailable. Try again later.", "code": "unavailable"},
            status=503,
        )
    else:
        # Rendered without a request context: context processors may need the database.
        body = loader.get_template("503.html").render({"service_name": settings.SERVICE_NAME})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request) -> HttpResponse:
    """handler500: the 503 page when the exception being handled says that the database or
    Redis cannot be reached."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return service_unavailable(request)
    return error_500(request)
