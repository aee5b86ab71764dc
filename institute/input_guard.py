"""Input no page or API operation can use, refused once at the edge (docs/security.md).

PostgreSQL refuses a NUL character in text, so a NUL reaching a query is a server error
wherever it comes from. RejectNulMiddleware answers every route before any view runs: a NUL in
the path is a 404 (no page has one), in the query string or a posted form a 400; a cookie
holding one is dropped (as if it had not been sent), so a corrupted cookie never locks anyone
out. API bodies are checked by the API's parsers (institute.api), which also refuse JSON nested
deeper than MAX_JSON_DEPTH.

`bad_request` is the one 400 answer outside a view: the JSON error body under /api/ (the shape
of docs/api.md), the GOV.UK "There is a problem" page elsewhere. It is also the project's
handler400 (a Host header not in ALLOWED_HOSTS, a request too large to read).
"""

import logging
import re
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

NUL = "\x00"
# What PostgreSQL cannot store in text: NUL, and lone surrogates (JSON escapes such as \\ud800),
# which are not UTF-8.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Deeper than any body the API documents (the deepest is three levels); a deeper one is refused
# before a serializer sees it.
MAX_JSON_DEPTH = 32

API_PREFIX = "/api/"
NUL_MESSAGE = (
    "The request contains a character that cannot be stored (a NUL byte or a lone surrogate). "
    "Remove it."
)
BAD_REQUEST_MESSAGE = "The request could not be completed. Go back and try again."
API_BAD_REQUEST_MESSAGE = "The request could not be read (its Host header, size or encoding)."

security_log = logging.getLogger("institute.security")


def nesting_depth(data) -> int:
    """How deeply lists and objects nest in parsed JSON (a bare value is 0), without recursion."""
    deepest = 0
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        else:
            continue
        deepest = max(deepest, depth + 1)
    return deepest


def contains_nul(data) -> bool:
    """Whether any string in parsed input (JSON, a QueryDict's lists, keys included) has a NUL
    (or another character PostgreSQL cannot store)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif hasattr(value, "lists"):  # a QueryDict: every value of every key
            for key, values in value.lists():
                stack.append(key)
                stack.extend(values)
    return False


def fields_with_nul(data) -> dict[str, list[str]]:
    """Field errors naming each top-level field of parsed input (a dict or a QueryDict) whose
    name or value holds a character PostgreSQL cannot store."""
    items = data.lists() if hasattr(data, "lists") else data.items()
    errors = {}
    for name, value in items:
        if contains_nul(value) or contains_nul(name):
            key = "non_field_errors" if contains_nul(name) else name
            errors[key] = [NUL_MESSAGE]
    return errors or {"non_field_errors": [NUL_MESSAGE]}


def bad_request(request, message: str = "", *, status: int = 400, errors=None):
    """The 400 (or 404) answer given before any view ran: JSON under /api/ (with `errors`
    naming the fields, when known), a page elsewhere."""
    if request.path.startswith(API_PREFIX):
        message = message or API_BAD_REQUEST_MESSAGE
        code = "not_found" if status == 404 else "invalid"
        body = {"detail": message, "code": code}
        if errors:
            body["errors"] = errors
        return JsonResponse(body, status=status)
    message = message or BAD_REQUEST_MESSAGE
    template = "404.html" if status == 404 else "400.html"
    title = "Page not found" if status == 404 else "There is a problem"
    return render(request, template, {"page_title": title, "message": message}, status=status)


def handler400(request, exception=None) -> HttpResponse:
    """Django's handler400: a refused Host header, a body too large to read, and the like."""
    return bad_request(request)


class RejectNulMiddleware:
    """A NUL in the path (404), the query string or a posted form (400) is answered here,
    before the session, the user or a view reads anything; a cookie holding one is dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if NUL in value]:
            del request.COOKIES[name]
        if NUL in request.path_info:
            return self._refuse(request, "path", status=404)
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return self._refuse(request, "query", errors=fields_with_nul(request.GET))
        # Posted forms (pages and API alike); the API's parsers check its other bodies.
        if request.method == "POST" and (
            contains_nul(request.POST) or any(NUL in name for name in request.FILES)
        ):
            return self._refuse(request, "form", errors=fields_with_nul(request.POST))
        return self.get_response(request)

    def _refuse(self, request, where: str, *, status: int = 400, errors=None):
        security_log.info("input refused reason=nul where=%s method=%s", where, request.method)
        return bad_request(request, NUL_MESSAGE, status=status, errors=errors)
