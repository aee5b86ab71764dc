"""The one domain error of the project.

Services raise it when a rule says no. Views turn it into a GOV.UK error summary; the API turns
it into a JSON body with the status in `status` (400 invalid, 403 not allowed, 409 conflict).
"""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None, status: int = 400, code=""):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.code = code or "invalid"


class NotAllowed(DomainError):
    def __init__(self, message="You do not have permission to do that.", **kwargs):
        kwargs.setdefault("status", 403)
        kwargs.setdefault("code", "forbidden")
        super().__init__(message, **kwargs)
