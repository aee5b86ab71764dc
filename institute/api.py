"""API conventions shared by every app: the error body and the domain-error mapping."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from institute.errors import DomainError


def exception_handler(exc, context):
    """A service's DomainError becomes 400/403/409 with a JSON body naming the field if any."""
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        code = exc.status if exc.status in (400, 403, 404, 409) else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
    return drf_exception_handler(exc, context)
