"""allauth and axes hooks."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings

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
