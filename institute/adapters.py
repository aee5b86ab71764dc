"""allauth and axes hooks."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from institute.models import User

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        email = super().clean_email(email).strip().lower()
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Enter an email address of {EMAIL_MAX_LENGTH} characters or fewer"
            )
        return email


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
