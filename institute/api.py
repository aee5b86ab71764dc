"""API conventions shared by every app (docs/api.md): the error body, input validation,
pagination, and the OpenAPI pieces every endpoint uses.

Every error, whatever raised it, has one body:
    {"detail": "A sentence for people.", "code": "machine_readable", "errors": {field: [...]}}
with "errors" only when fields were wrong, and "retry_after" (seconds) on a 429.
"""

import logging
import re
import uuid
from datetime import UTC

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.http import Http404
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, inline_serializer
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from institute import pagination
from institute.errors import DomainError, NotAllowed
from institute.input_guard import MAX_JSON_DEPTH, contains_nul, fields_with_nul, nesting_depth
from institute.pagination import (
    CappedPaginator,
    InvalidCursor,
    Keyset,
    KeysetPage,
    keyset_page,
)
from institute.selectors import service_area_choices

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

security_log = logging.getLogger("institute.security")


# --- Errors ------------------------------------------------------------------------------------


def _messages(value, where: str = "") -> list[str]:
    """Every message in a field's (possibly nested) errors, each item's position first."""
    if isinstance(value, dict):
        return [
            message
            for key, inner in value.items()
            for message in _messages(inner, f"{where}{_position(key)}: ")
        ]
    if isinstance(value, list):
        return [message for inner in value for message in _messages(inner, where)]
    return [f"{where}{value}"]


def _position(key) -> str:
    """A list item's index as people count it ("Item 3"), or a nested field's name."""
    return f"Item {int(key) + 1}" if str(key).isdigit() else str(key)


def field_errors(errors: dict) -> dict[str, list[str]]:
    """Serializer errors in the one documented shape, {field: [message, ...]}: a list item's or
    nested field's errors become messages naming the item, never an object."""
    return {field: _messages(value) for field, value in errors.items()}


class InvalidInput(exceptions.APIException):
    """Serializer errors in the same body as a DomainError with a field."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors):
        super().__init__(
            {"detail": "There is a problem with the fields in errors.", "code": "invalid"}
        )
        # Set after __init__ so DRF keeps the field errors' structure as it is.
        self.detail["errors"] = field_errors(errors)


class CursorRefused(InvalidInput):
    """A `cursor` this list did not make. Any string fits the schema (a cursor is opaque), so
    this is not the fields error of input the schema forbids: like an unknown id, it names what
    to do instead."""

    def __init__(self, message: str):
        super().__init__({"cursor": [message]})
        self.detail["detail"] = "This cursor cannot be used here: " + message
        self.detail["code"] = "invalid_cursor"


ONE_VALUE_MESSAGE = "Give this parameter once."


def repeated_parameters(data, names) -> dict:
    """Field errors for query parameters given more than once that take one value (a repeated
    parameter is a list, which the schema does not allow for them)."""
    if not hasattr(data, "getlist"):
        return {}
    return {name: [ONE_VALUE_MESSAGE] for name in names if len(data.getlist(name)) > 1}


def validated(serializer_class, data) -> dict:
    """The serializer's validated data, or InvalidInput (400) naming the fields."""
    serializer = serializer_class(data=data)
    scalars = [
        name
        for name, field in serializer.fields.items()
        if not isinstance(field, serializers.ListField | serializers.ManyRelatedField)
    ]
    errors = repeated_parameters(data, scalars)
    if errors:
        raise InvalidInput(errors)
    if not serializer.is_valid():
        raise InvalidInput(serializer.errors)
    return serializer.validated_data


def _code(exc) -> str:
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def _log_refusal(exc, context) -> None:
    """Refused API requests go in the security log, as refused pages do (institute.middleware).
    The user is read from the Django request: DRF's would authenticate again."""
    request = getattr(context.get("request"), "_request", None)
    path = getattr(request, "path", "")
    if isinstance(exc, exceptions.AuthenticationFailed):
        security_log.warning("event=api_authentication outcome=failure path=%s", path)
    elif isinstance(exc, NotAllowed | exceptions.PermissionDenied | exceptions.NotAuthenticated):
        user_id = getattr(getattr(request, "user", None), "pk", None)
        security_log.info("authorisation refused user=%s path=%s", user_id, path)


def exception_handler(exc, context):
    """A service's DomainError becomes 400/403/404/409; every DRF error gets the common shape."""
    _log_refusal(exc, context)
    # Django's own 404 and 403 (get_object_or_404, a selector's Http404) as DRF's, so their
    # `code` is `not_found` / `permission_denied` like any other.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        code = exc.status if exc.status in (400, 403, 404, 409) else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
    # Not at the top: rest_framework.views reads DEFAULT_PARSER_CLASSES (this module's parsers)
    # as it loads, so importing it while this module loads would find them not yet defined.
    from rest_framework.views import exception_handler as drf_exception_handler  # noqa: PLC0415

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and "code" in data:
        return response  # InvalidInput: already in shape
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "detail": "There is a problem with the fields in errors.",
            "code": "invalid",
            "errors": field_errors(data if isinstance(data, dict) else {"non_field_errors": data}),
        }
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {"detail": str(detail), "code": _code(exc) if exc is not None else "error"}
        if isinstance(exc, exceptions.Throttled):
            body["retry_after"] = int(exc.wait or 1)
    response.data = body
    return response


# --- Vocabularies ------------------------------------------------------------------------------


class ServiceAreaField(serializers.CharField):
    """A service area's slug, from the seeded taxonomy: the schema lists them as an enum (read
    when the schema is generated), so input the schema allows is input the API accepts."""

    default_error_messages = {"unknown": "Choose a service area from the list."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and value not in dict(service_area_choices()):
            self.fail("unknown")
        return value


class ServiceAreaFieldSchema(OpenApiSerializerFieldExtension):
    target_class = ServiceAreaField

    def map_serializer_field(self, auto_schema, direction):
        try:
            slugs = [slug for slug, _ in service_area_choices()]
        except DatabaseError:
            # No database yet (`manage.py check` before the first migrate): a slug, as the
            # serializers check it.
            return {"type": "string", "maxLength": 100, "pattern": r"^[-a-zA-Z0-9_]*$"}
        if self.target.allow_blank:
            slugs.append("")
        return {"type": "string", "enum": slugs}


# --- Parsers -----------------------------------------------------------------------------------

TOO_DEEP_MESSAGE = f"The JSON body is nested too deeply (more than {MAX_JSON_DEPTH} levels)."


def _refuse_nul(data):
    """A body holding a character PostgreSQL cannot store: a 400 naming the fields."""
    if contains_nul(data):
        raise InvalidInput(
            fields_with_nul(data if hasattr(data, "items") else {"non_field_errors": data})
        )
    return data


class JSONParser(parsers.JSONParser):
    """JSON bodies, refused (400) when nested deeper than MAX_JSON_DEPTH or holding a NUL
    character anywhere (PostgreSQL refuses NUL in text): once here for every operation."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(TOO_DEEP_MESSAGE) from None
        if nesting_depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(TOO_DEEP_MESSAGE)
        return _refuse_nul(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _refuse_nul(result.data)
        _refuse_nul(dict.fromkeys(result.files, ""))
        return result


# --- Pagination --------------------------------------------------------------------------------


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def public_id_or_404(value: str, noun: str) -> uuid.UUID:
    """A non-public object's UUID from a URL; anything else is the API's JSON 404.

    Routes take any string (not Django's uuid converter) so that a malformed identifier gets
    the JSON 404 rather than the site's HTML one.
    """
    if not _UUID.fullmatch(value):
        raise exceptions.NotFound(f"No {noun} has this id.")
    return uuid.UUID(value)


# 18 digits: every such number fits in a bigint (the largest is 9,223,372,036,854,775,807).
_MAX_PK_DIGITS = 18


def pk_or_404(value: str, noun: str) -> int:
    """An object's numeric id from a URL; anything else (not a number, too long) is the API's
    JSON 404, for the same reason as public_id_or_404."""
    if not (value.isascii() and value.isdigit() and len(value) <= _MAX_PK_DIGITS):
        raise exceptions.NotFound(f"No {noun} has this id.")
    return int(value)


class Pagination(PageNumberPagination):
    """?page= and ?page_size= (at most 100) on every list; a page past the end is a 404.

    `count` is exact up to 10,000 and stops there (the pages count at most that many rows, so a
    list of 100,000 problems never counts them all); filter to narrow a longer list.

    A list in a sort that can be paged by its rows' values (institute.pagination.Keyset) links
    the pages past the first NUMBERED_PAGES with `?cursor=`: the database starts at the row a
    cursor names, so page 400 costs what page 1 does. `?page=` still works on every list.
    """

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = CappedPaginator
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        """`page` and `page_size`, when given, are each one whole number from 1: anything else
        (empty, null, a word, repeated) is a 400 naming the parameter, not the default. So is a
        `cursor` this list did not make."""
        params = request.query_params
        errors = repeated_parameters(params, ["page", "page_size", "cursor"])
        for name in ("page", "page_size"):
            value = params.get(name)
            if name not in errors and value is not None and not _is_whole_number(value):
                errors[name] = ["Give a whole number from 1."]
        if errors:
            raise InvalidInput(errors)
        self.keyset = Keyset.of(queryset)
        cursor = params.get(self.cursor_query_param)
        if cursor is not None and "page" in params:
            raise CursorRefused("give a cursor or a page, not both.")
        if cursor is not None and self.keyset is None:
            raise CursorRefused("this list is paged by number: use `page`.")
        if cursor is None:
            number = int(params["page"]) if "page" in params else 1
            if self.keyset is not None and number > pagination.NUMBERED_PAGES:
                page = self._numbered_keyset_page(queryset, request, number)
                if page is not None:
                    return page
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        self.request = request
        try:
            self.page = keyset_page(
                queryset,
                self.keyset,
                cursor,
                paginator=self.django_paginator_class(queryset, page_size),
                per_page=page_size,
            )
        except InvalidCursor:
            raise CursorRefused(
                "it is not one of this list's: follow the `next` or `previous` link."
            ) from None
        return list(self.page)

    def _numbered_keyset_page(self, queryset, request, number: int) -> list | None:
        """A `page` past the numbered ones (an old link) read the way its cursor would be, not
        with OFFSET (institute.pagination.numbered_keyset_page). None past the end: the
        paginator's 404 says so."""
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        if number > paginator.num_pages:
            return None
        page = pagination.numbered_keyset_page(
            queryset, self.keyset, number, paginator=paginator, per_page=page_size
        )
        if page is None:
            return None
        self.request, self.page = request, page
        return list(page)

    def get_next_link(self):
        """Past the numbered pages (institute.pagination.NUMBERED_PAGES), a cursor."""
        if self.keyset is None or not self.page.has_next():
            return super().get_next_link()
        if not isinstance(self.page, KeysetPage) and self.page.number < pagination.NUMBERED_PAGES:
            return super().get_next_link()
        cursor = self.keyset.cursor(self.page[-1], page=self.page.number + 1)
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_previous_link(self):
        if not isinstance(self.page, KeysetPage):
            return super().get_previous_link()
        if not self.page.has_previous():
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        url = remove_query_param(url, self.page_query_param)
        number = self.page.number - 1
        if number <= pagination.NUMBERED_PAGES:
            return replace_query_param(url, self.page_query_param, number)
        cursor = self.keyset.cursor(self.page[0], before=True, page=number)
        return replace_query_param(url, self.cursor_query_param, cursor)


def _is_whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= _MAX_PK_DIGITS and int(value) >= 1


# --- OpenAPI -----------------------------------------------------------------------------------


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names the fields.",
    "403": "Not allowed: not signed in, a bad or read-only token, or the role may not do this.",
    "404": "Not found, or not visible to you.",
    "409": "Conflict with the current state (e.g. voting on a merged problem).",
    "429": "Too many requests: wait `retry_after` seconds (also in the Retry-After header).",
}


def id_parameter(name: str, description: str, openapi_type=OpenApiTypes.STR) -> OpenApiParameter:
    """A path parameter. Routes take any string (see public_id_or_404); `openapi_type` is what
    the schema says a real identifier is."""
    return OpenApiParameter(name, openapi_type, OpenApiParameter.PATH, description=description)


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the common error responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {}},
                },
                "retry_after": {"type": "integer"},
            },
            "required": ["detail", "code"],
        },
    )
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_DESCRIPTIONS.items():
                if code == "409" and method == "get":
                    continue
                if code == "400" and method == "get" and not operation.get("parameters"):
                    continue
                responses.setdefault(code, {"description": description, "content": ref})
    return result


def require_non_blank_text(result, generator, request, public):
    """Postprocessing hook: a required text field of a request body must hold something other
    than spaces (the serializers trim text, so "  " is blank): its schema says so. Python's
    trim also takes the information separators (U+001C to U+001F) and U+0085, which a JSON
    schema's whitespace class does not name."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for field in component.get("properties", {}).values():
            if (
                field.get("type") == "string"
                and field.get("minLength", 0) >= 1
                and not {"pattern", "format", "enum"} & field.keys()
            ):
                field["pattern"] = r"[^\s\x1c-\x1f\x85]"
    return result


PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": 10**_MAX_PK_DIGITS - 1},
        description="Page number, from 1.",
    ),
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="Where a page starts, from a `next` or `previous` link (lists whose sort "
        "allows it; instead of `page`).",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": 10**_MAX_PK_DIGITS - 1},
        description=f"Rows a page, at most {MAX_PAGE_SIZE} (more is cut to {MAX_PAGE_SIZE}).",
    ),
]

_paginated: dict = {}


def paginated_schema(serializer_class):
    """The schema of a page of a list: {count, next, previous, results}."""
    name = f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List"
    if name not in _paginated:
        _paginated[name] = inline_serializer(
            name=name,
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _paginated[name]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "institute.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token from your account page: `Token <secret>`.",
        }


# --- Evidence files (institute.evidence): the shapes every app's file endpoints share ----------


class EvidenceFileSerializer(serializers.Serializer):
    """A file of evidence. `download` is given once the virus check has passed it."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    scan_status = serializers.ChoiceField(choices=["pending", "clean", "infected"])
    uploaded_at = serializers.DateTimeField(default_timezone=UTC)
    download = serializers.SerializerMethodField()

    def get_download(self, file) -> str | None:
        if not file.servable:
            return None
        return self.context["download_url"](file)


class EvidenceUploadSerializer(serializers.Serializer):
    """A multipart upload: the file (PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG or CSV; at most
    10 MB; its kind is found from its content)."""

    # Not required by the serializer: a missing or empty file is the service's refusal ("Select
    # a file", institute.evidence.upload_check), the same message as on the pages.
    file = serializers.FileField(
        required=False, allow_empty_file=True, use_url=False, help_text="Required."
    )


EVIDENCE_DOWNLOAD_RESPONSES = {
    (200, "*/*"): OpenApiTypes.BINARY,
}
