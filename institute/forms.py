"""Forms of the core domain, and the renderer that gives every form GOV.UK markup."""

from django import forms
from django.forms.renderers import TemplatesSetting

from institute.access import ROLE_ORGANISATION_KINDS
from institute.models import Organisation, Role


def add_domain_error(form, error) -> None:
    """Show a service's refusal (a DomainError) on a form, on the field it names if any."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class GovUKFormRenderer(TemplatesSetting):
    """Renders `{{ form }}` and `{{ field.as_field_group }}` as GOV.UK Design System fields."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name"},
    )
    field_order = ["full_name", "email", "password1", "password2"]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name")
        return name

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter your full name"}
    )


class MembershipRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation you work for",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation you work for",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    role = forms.ChoiceField(
        label="Your role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your role", "invalid_choice": "Choose a role"},
    )
    reason = forms.CharField(
        label="What is your job, and why do you need access?",
        help_text="Institute staff read this before they approve your request.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what your job is and why you need access"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = set().union(*ROLE_ORGANISATION_KINDS.values())
        self.fields["organisation"].queryset = (
            Organisation.objects.current().filter(kind__in=kinds).order_by("name")
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    note = forms.CharField(
        label="Note to the person",
        help_text="Required when you reject a request.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the request is turned down")
        return cleaned


class DirectoryFilterForm(forms.Form):
    """Query-string filters of the organisation directory. Bad values are ignored, not errors."""

    q = forms.CharField(label="Search by name or GSS code", required=False, max_length=100)
    region = forms.ChoiceField(label="Region", required=False)
    council_type = forms.ChoiceField(label="Council type", required=False)
    strategic_authority = forms.ChoiceField(label="Strategic authority", required=False)
    kind = forms.ChoiceField(label="Kind of organisation", required=False)

    def __init__(
        self, *args, region_choices, council_type_choices, sa_choices, kind_choices, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Any region"), *region_choices]
        self.fields["council_type"].choices = [("", "Any type"), *council_type_choices]
        self.fields["strategic_authority"].choices = [("", "Any or none"), *sa_choices]
        self.fields["kind"].choices = [("", "Any kind"), *kind_choices]

    def filters(self) -> dict:
        """Valid filters only: a hand-edited URL with a bad value shows everything instead."""
        self.is_valid()
        filters = {k: v for k, v in self.cleaned_data.items() if v}
        self.errors.clear()  # a bad value in a hand-edited URL is ignored, not shown as an error
        return filters
