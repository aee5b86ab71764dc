"""allauth form subclasses. Kept apart from forms.py, which allauth itself imports for sign-up."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with GOV.UK wording; the reset link sits below the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].help_text = ""
        self.fields["password"].error_messages["required"] = "Enter your password"
