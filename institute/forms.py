"""Forms of the core domain, and the renderer that gives every form GOV.UK markup."""

import copy
import datetime
import hashlib
import logging

from django import forms
from django.core.cache import cache
from django.forms.renderers import TemplatesSetting

from institute.access import ROLE_ORGANISATION_KINDS
from institute.errors import NotAllowed
from institute.models import Organisation, Role

logger = logging.getLogger(__name__)


def add_domain_error(form, error) -> None:
    """Show a service's refusal (a DomainError) on a form, on the field it names if any.

    A NotAllowed is not a mistake in the form: it goes on up to the 403 page (and the security
    log, institute.middleware), whichever view caught it."""
    if isinstance(error, NotAllowed):
        raise error
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class FilterChoiceField(forms.ChoiceField):
    """A filter form's choice field. Django copies a form's fields for each form it makes, and a
    choice field's copy copies its choices again and again (a fifth of a millisecond for the
    backlog's filters, on every list page). A filter's choices are fixed lists that nothing
    changes in place (a form that needs others assigns a new list), so each copy shares them."""

    def __deepcopy__(self, memo):
        # forms.Field.__deepcopy__, with the widget copied as ChoiceWidget copies itself but
        # keeping its choices: ChoiceField and ChoiceWidget would each copy them again (a
        # tenth of a millisecond more for the backlog's filters than Field's copy alone).
        result = copy.copy(self)
        memo[id(self)] = result
        widget = copy.copy(self.widget)
        widget.attrs = self.widget.attrs.copy()
        result.widget = widget
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


class CachedMarkupMixin:
    """For filter forms (GET, no CSRF token): their markup depends only on their fields (labels,
    widgets, choices), data and errors, so it is rendered once for each distinct state and kept
    in the cache under a hash of that state. There is nothing to invalidate: another state is
    another key. Forms whose choices are querysets should not use it (hashing them queries)."""

    MARKUP_SECONDS = 24 * 3600

    def render(self, template_name=None, context=None, renderer=None):
        if template_name is not None or context is not None or renderer is not None:
            return super().render(template_name, context, renderer)
        key = f"form-markup:{self._markup_state()}"
        try:
            html = cache.get(key)
        except Exception:  # the cache is a shortcut: without it the form is rendered
            logger.warning("cached form markup unavailable", exc_info=True)
            return super().render()
        if html is None:
            html = super().render()
            cache.set(key, html, self.MARKUP_SECONDS)
        return html

    # Django binds these to its own render() (templates print a form through __html__).
    __str__ = render
    __html__ = render

    def _markup_state(self) -> str:
        data = self.data if self.is_bound else {}
        state = [
            type(self).__module__,
            type(self).__qualname__,
            self.template_name,
            self.prefix,
            self.auto_id,
            self.is_bound,
        ]
        for name, field in self.fields.items():
            value = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
            state.append(
                (
                    name,
                    str(field.label),
                    str(field.help_text),
                    field.required,
                    field.disabled,
                    type(field).__name__,
                    type(field.widget).__name__,
                    sorted(field.widget.attrs.items()),
                    [(str(k), str(v)) for k, v in getattr(field, "choices", ())],
                    value,
                    self.initial.get(name, field.initial),
                )
            )
        errors = self._errors or {}
        state.append(sorted((name, [str(e) for e in errs]) for name, errs in errors.items()))
        return hashlib.sha256(repr(state).encode()).hexdigest()


class GovUKDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes. The form renderer puts them in a
    fieldset whose legend is the field's label (templates/govuk/forms/field.html)."""

    template_name = "govuk/forms/date_input.html"
    PARTS = ("day", "month", "year")

    def __init__(self, attrs=None):
        # Named like Django's: since_0 (day), since_1 (month), since_2 (year).
        super().__init__([forms.TextInput() for _ in self.PARTS], attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """The one date field of the service: three boxes in, a `datetime.date` (or None) out.
    Saved dates reopen filled (decompress), what was typed comes back as typed on an error."""

    widget = GovUKDateInput
    default_error_messages = {
        "invalid": "Enter a real date, like 27 3 2026",
        "required": "Enter the date",
    }

    def __init__(self, **kwargs):
        parts = [forms.CharField(required=False, max_length=10) for _ in GovUKDateInput.PARTS]
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, values):
        values = [str(v).strip() for v in (values or [])] + [""] * 3
        day, month, year = values[:3]
        if not (day or month or year):
            return None
        missing = [
            part for part, v in zip(GovUKDateInput.PARTS, (day, month, year), strict=True) if not v
        ]
        if missing:
            raise forms.ValidationError(
                f"The date must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            if len(year) != 4 or not all(v.isascii() and v.isdigit() for v in values[:3]):
                raise ValueError
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


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


class ApiTokenForm(forms.Form):
    """A new personal API token (institute.tokens.api_token_create checks the name again)."""

    name = forms.CharField(
        label="Token name",
        help_text="What it is for, so you know which to revoke, for example “Dashboard import”.",
        max_length=100,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Token name must be 100 characters or fewer",
        },
    )
    read_only = forms.BooleanField(
        label="Read only (the token cannot change anything)", required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "token-%s")
        super().__init__(*args, **kwargs)


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter your full name"}
    )


class ActingOrganisationForm(forms.Form):
    """Which of their organisations a person with several acts as (or makes their primary)."""

    organisation = forms.ChoiceField(
        label="Organisation",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of your organisations",
            "invalid_choice": "Choose one of your organisations",
        },
    )

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (m.organisation.slug, f"{m.organisation.name} ({m.get_role_display().lower()})")
            for m in memberships
        ]


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


class ChangeDecisionForm(forms.Form):
    """A reviewer's decision on a change to published content (learning, components)."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("publish", "Publish the change"), ("reject", "Reject the change")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to publish or reject the change",
            "invalid_choice": "Choose whether to publish or reject the change",
        },
    )
    reason = forms.CharField(
        label="Why is it rejected?",
        help_text="Needed when you reject it. The person who made the change is told.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the change is rejected")
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


class EmailDomainForm(forms.Form):
    domain = forms.CharField(
        label="E-mail domain",
        help_text="The part of people's addresses after the @, like leeds.gov.uk",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter an e-mail domain, like leeds.gov.uk",
            "max_length": "Enter a domain of 253 characters or fewer",
        },
    )


class MembershipAddForm(forms.Form):
    """Add someone who has an account to an organisation, in a role people have there."""

    email = forms.EmailField(
        label="Their e-mail address",
        help_text="The address they sign in with",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the e-mail address they sign in with",
            "invalid": "Enter an e-mail address in the correct format, like name@leeds.gov.uk",
            "max_length": "Enter an e-mail address of 254 characters or fewer",
        },
    )
    role = forms.ChoiceField(
        label="Their role there",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their role", "invalid_choice": "Choose a role"},
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label)
            for value, label in Role.choices
            if organisation.kind in ROLE_ORGANISATION_KINDS[value]
        ]
        if len(self.fields["role"].choices) == 1:  # a council's people are all officers
            self.fields["role"].initial = self.fields["role"].choices[0][0]


class EmailDomainImportForm(forms.Form):
    """A CSV file to check; on the confirmation step, the checked text comes back hidden (it is
    checked again before anything is written)."""

    MAX_BYTES = 1_000_000

    file = forms.FileField(
        label="CSV file",
        help_text="1 MB at most",
        required=False,
        error_messages={"invalid": "Choose a CSV file", "empty": "The selected file is empty"},
    )
    text = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_BYTES)

    def document(self) -> str | None:
        """The uploaded file's text, or the text of the confirmation step; None with an error
        on the form."""
        upload = self.cleaned_data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                self.add_error("file", "The file must be 1 MB or smaller")
                return None
            try:
                return upload.read(self.MAX_BYTES + 1).decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file must be a CSV file saved as UTF-8 text")
                return None
        text = self.cleaned_data.get("text") or ""
        if not text.strip():
            self.add_error("file", "Choose a CSV file of GSS codes and domains")
            return None
        return text


class SearchForm(forms.Form):
    """The service search: words, and the kinds of result to show (none ticked: every kind)."""

    q = forms.CharField(
        label="Search the service",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "true"}),
        error_messages={"max_length": "Search for 200 characters or fewer"},
    )
    kind = forms.MultipleChoiceField(
        label="Show only", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, kind_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices
