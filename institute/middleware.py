"""Turns a refusal that reached the top of a view into the GOV.UK 403 page, never a 500."""

import logging

from django.shortcuts import render

from institute.errors import DomainError, NotAllowed

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
