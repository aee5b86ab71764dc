"""One log line per request, and a request id on every log line written while it is handled.

The line says the request id (also returned in the X-Request-ID header; a proxy's own id is
kept when it sends one), the user id (never an e-mail address), method, path, status and
duration. With LOG_FORMAT=json each log line is a JSON object (python-json-logger).

The user id costs nothing extra: it is read only if the request already loaded the user or the
session (a public page that never did is logged with user_id "-"). Path segments that are
secrets (an e-mail confirmation key, a password reset key, an unsubscribe token) are not logged.
"""

import contextvars
import logging
import re
import time
import uuid
from urllib.parse import quote

from django.contrib.auth import SESSION_KEY
from django.utils.functional import empty

logger = logging.getLogger("institute.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_request_id = contextvars.ContextVar("request_id", default="-")
# URL arguments that are secrets, by the name their route gives them.
SECRET_ARGUMENTS = {"key", "token", "uidb36"}
REDACTED = "[redacted]"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (configured on the handler in settings.LOGGING)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


def _user_id(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "_wrapped", None) is not empty:
        return str(user.pk) if user.is_authenticated else "-"
    session = getattr(request, "session", None)
    loaded = getattr(session, "_session_cache", None)
    if loaded:
        return str(loaded.get(SESSION_KEY) or "-")
    return "-"


def _path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_ARGUMENTS and value:
                path = path.replace(str(value), REDACTED)
    # As on the wire: a control character in a path cannot start a new log line.
    return quote(path, safe="/:@!$&'()*+,;=-._~[]")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTED_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            fields = {
                "request_id": request_id,
                "user_id": _user_id(request),
                "method": request.method,
                "path": _path(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            logger.info(" ".join(f"{name}={value}" for name, value in fields.items()), extra=fields)
            return response
        finally:
            _request_id.reset(token)
