"""The services an outbox row is handed to, chosen by `EMAIL_PROVIDER`.

`django`: Django's e-mail backend (`EMAIL_BACKEND`: console in development, SMTP otherwise).
`notify`: GOV.UK Notify through its Python client, with one template per kind (or one
template for all) whose personalisation is `subject`, `body` and `unsubscribe_url`.

A backend's `send(row)` returns a `Delivery` or raises `PermanentFailure` (never worth trying
again: the address is refused, the request is wrong) or any other exception (worth trying again
later: the service is down, slow or busy).
"""

import smtplib
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

# Notify's statuses that end a message's story (https://docs.notifications.service.gov.uk/python.html).
NOTIFY_DELIVERED = {"delivered"}
NOTIFY_FAILED = {"permanent-failure", "temporary-failure", "technical-failure"}
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class Delivery:
    provider_id: str  # the backend's id for the message, when it gives one
    status: str  # the backend's word for what happened: "accepted", "created", ...


class PermanentFailure(Exception):
    """The backend refused the message for good: retrying would not help."""


def unsubscribe_headers(unsubscribe_url: str) -> dict:
    """RFC 2369 and RFC 8058 (one-click) headers for a message people can unsubscribe from."""
    if not unsubscribe_url:
        return {}
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}


class DjangoMail:
    """Console, SMTP, file or memory: whatever `EMAIL_BACKEND` says."""

    name = "django"

    def send(self, row) -> Delivery:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body,
            to=[row.to],
            headers=unsubscribe_headers(row.unsubscribe_url),
            connection=get_connection(fail_silently=False),
        )
        if row.html:
            message.attach_alternative(row.html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"The mail server refused {row.to}: {error}") from None
        return Delivery(provider_id="", status="accepted")


class GovukNotify:
    """GOV.UK Notify's API, through notifications-python-client."""

    name = "notify"

    def __init__(self):
        if not settings.NOTIFY_API_KEY:
            raise ImproperlyConfigured("EMAIL_PROVIDER=notify needs NOTIFY_API_KEY")
        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=15
        )

    @staticmethod
    def template_for(kind: str) -> str:
        """The kind's own template, or the one for everything."""
        template = settings.NOTIFY_TEMPLATES.get(kind) or settings.NOTIFY_TEMPLATE_ID
        if not template:
            raise PermanentFailure(f"No Notify template for {kind}: set NOTIFY_TEMPLATE_ID")
        return template

    def send(self, row) -> Delivery:
        try:
            response = self.client.send_email_notification(
                email_address=row.to,
                template_id=self.template_for(row.kind),
                personalisation={
                    "subject": row.subject,
                    "body": row.body,
                    "unsubscribe_url": row.unsubscribe_url,
                },
                reference=row.key[:255],
                email_reply_to_id=settings.NOTIFY_REPLY_TO_ID or None,
                one_click_unsubscribe_url=row.unsubscribe_url or None,
            )
        except HTTPError as error:
            # 400 (bad request) and 403 (bad key) will fail the same way again; 429 and 5xx not.
            if error.status_code in (400, 403):
                raise PermanentFailure(f"Notify said {error}") from None
            raise
        return Delivery(provider_id=response["id"], status="created")

    def status(self, provider_id: str) -> str:
        return self.client.get_notification_by_id(provider_id)["status"]


BACKENDS = {"django": DjangoMail, "notify": GovukNotify}


@cache
def _backend(name: str, _key: str):
    return BACKENDS[name]()


def backend():
    """The configured backend (built once per process and settings)."""
    if settings.EMAIL_PROVIDER not in BACKENDS:
        raise ImproperlyConfigured(f"EMAIL_PROVIDER must be one of {', '.join(BACKENDS)}")
    return _backend(settings.EMAIL_PROVIDER, f"{settings.NOTIFY_BASE_URL}{settings.NOTIFY_API_KEY}")
