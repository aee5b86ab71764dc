"""allauth and axes hooks."""

import functools
import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings

from institute import outbox
from institute.models import User
from institute.urlcache import on_site_url

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        email = super().clean_email(email).strip().lower()
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Enter an email address of {EMAIL_MAX_LENGTH} characters or fewer"
            )
        return email

    def send_mail(self, template_prefix, email, context):
        """allauth builds its links (confirmation, password reset, sign-up) from the request's
        host; every link in an e-mail is on SITE_URL instead, and the footer names it."""
        context = {
            key: on_site_url(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        context["site_url"] = settings.SITE_URL
        return super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth renders the message and calls its send(): that queues it in the outbox."""
        message = super().render_mail(template_prefix, email, context, headers)
        message.send = functools.partial(_queue_account_email, message, template_prefix, email)
        return message


def _queue_account_email(message, template_prefix, email, fail_silently=False) -> int:
    """Account e-mail (confirming an address, resetting a password) goes through the outbox like
    all mail, is never switchable (no unsubscribe link) and is sent straight away."""
    html = next(
        (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), ""
    )
    row = outbox.enqueue(
        recipient=User.objects.filter(email__iexact=email).first(),
        to=email,
        kind=f"account.{template_prefix.rsplit('/', 1)[-1]}",
        key=f"account:{uuid.uuid4()}",
        subject=message.subject,
        body=message.body,
        html=html,
    )
    return int(outbox.deliver_now(row))


def axes_username(request, credentials):
    """The address a sign-in attempt was for, however allauth passed it to authenticate()."""
    credentials = credentials or {}
    username = (
        credentials.get("email")
        or credentials.get("username")
        or credentials.get("login")
        or request.POST.get("login", "")
    )
    return username.strip().lower()
