"""allauth form subclasses. Kept apart from forms.py, which allauth itself imports for sign-up."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.signals import user_login_failed

LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in to this account. Try again in 15 minutes."
)


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with GOV.UK wording; the reset link sits below the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].help_text = ""
        self.fields["password"].error_messages["required"] = "Enter your password"


class _CodeCountsTowardsLockout:
    """A wrong authenticator or recovery code counts as a failed sign-in of the account, so
    lockout (axes: 5 failures, 15 minutes) covers the second factor as it covers the password;
    a locked account's codes are not even checked. The failure goes through Django's
    user_login_failed signal, which axes counts and the security log records."""

    def clean_code(self):
        request = context.request
        credentials = {"username": self.user.email}
        if AxesProxyHandler.is_locked(request, credentials):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            return super().clean_code()
        except forms.ValidationError:
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            raise

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app, or a recovery code"
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
        self.fields["code"].error_messages["required"] = "Enter the code"


class MfaAuthenticateForm(_CodeCountsTowardsLockout, AuthenticateForm):
    pass


class MfaReauthenticateForm(_CodeCountsTowardsLockout, ReauthenticateForm):
    pass
