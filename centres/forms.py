"""GOV.UK-rendered forms of this app. Rules stay in the services; forms check shape only."""

import re

from django import forms
from django.db.models import Q

from backlog import selectors as backlog_selectors
from centres.models import (
    EVIDENCE_SCALE,
    CostBand,
    LearningKind,
    ProjectPhase,
    ProjectStatus,
)
from centres.selectors import SORTS, LibraryFilters
from components.selectors import components_to_link
from institute.forms import CachedMarkupMixin, DateField, FilterChoiceField
from institute.models import CouncilType, Organisation, OrganisationKind, Region, ServiceArea, Theme
from standards import selectors as standards_selectors

DATE_HINT = "For example, 27 3 2026"


class ProblemNumbersField(forms.CharField):
    """Backlog problems by number, "12, 40": a short text box instead of a list of hundreds."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault(
            "help_text",
            "The numbers of the common problems this is about, separated by commas. A problem’s "
            "number is in its web address, /problems/123/.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(getattr(p, "pk", p)) for p in value)
        return value

    def clean(self, value):
        value = super().clean(value)
        parts = [part for part in re.split(r"[\s,;]+", value or "") if part]
        if any(not part.isdigit() or len(part) > 9 for part in parts):
            raise forms.ValidationError("Enter problem numbers separated by commas, like 12, 40")
        numbers = list(dict.fromkeys(int(part) for part in parts))
        if len(numbers) > 30:
            raise forms.ValidationError("Link 30 problems or fewer")
        found = backlog_selectors.problems_by_number(numbers)
        missing = [str(n) for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"There is no problem with the number {', '.join(missing)}")
        return [found[n] for n in numbers]


def _councils_field(label: str, help_text: str):
    return forms.ModelMultipleChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose councils from the list"},
    )


def _components_field(label: str):
    return forms.ModelMultipleChoiceField(
        label=label,
        help_text="Published components in the components library.",
        required=False,
        queryset=components_to_link().none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose published components from the list"},
    )


def _council_queryset(centre, selected=()):
    """Councils in the centre's regions, and any already chosen from elsewhere."""
    in_region = Organisation.objects.current().councils().filter(region__in=centre.regions)
    return Organisation.objects.filter(
        Q(pk__in=in_region.values("pk"))
        | Q(pk__in=[o.pk for o in selected], kind=OrganisationKind.COUNCIL)
    ).order_by("name")


class CentreForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="For example, “Greater Manchester Centre for Service Innovation”.",
        error_messages={"required": "Enter the centre’s name"},
    )
    host = forms.ModelChoiceField(
        label="Host strategic authority",
        queryset=Organisation.objects.none(),
        empty_label="Choose a strategic authority",
        error_messages={
            "required": "Choose the strategic authority that hosts the centre",
            "invalid_choice": "Choose a strategic authority from the list",
        },
    )
    regions = forms.MultipleChoiceField(
        label="Regions",
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one region",
            "invalid_choice": "Choose regions from the list",
        },
    )
    focus = forms.CharField(
        label="Focus",
        max_length=200,
        help_text="One line on what the centre is expert in.",
        error_messages={"required": "Enter the centre’s focus"},
    )
    focus_themes = forms.MultipleChoiceField(
        label="Focus themes",
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one focus theme",
            "invalid_choice": "Choose themes from the list",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=10000,
        help_text="Who the centre works with and how. You can use Markdown.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = (
            Organisation.objects.current()
            .filter(kind__in=[OrganisationKind.STRATEGIC_AUTHORITY, OrganisationKind.CENTRE_HOST])
            .order_by("name")
        )


class StaffAssignForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The person must already have an account.",
        max_length=254,
        error_messages={
            "required": "Enter the person’s email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    job_title = forms.CharField(label="Job title", required=False, max_length=150)
    lead = forms.BooleanField(
        label="This person leads the centre",
        required=False,
        help_text="The lead publishes the centre’s learning. A centre has one lead.",
    )


class ProjectForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Enter a title"}
    )
    summary = forms.CharField(
        label="Summary",
        max_length=1000,
        help_text="What the project is trying to find out or change, and with whom.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a summary"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ProjectStatus.choices,
        widget=forms.RadioSelect,
        help_text="When a project is active, the common problems it works on move forward in "
        "the backlog and their followers are told.",
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status"},
    )
    phase = forms.ChoiceField(
        label="Phase",
        choices=ProjectPhase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a phase", "invalid_choice": "Choose a phase"},
    )
    problems = ProblemNumbersField(label="Common problems it works on")
    partner_councils = _councils_field(
        "Partner councils", "Councils in the centre’s regions taking part."
    )
    components_produced = _components_field("Components it produces")
    components_used = _components_field("Components it uses")
    start_date = DateField(
        label="Start date",
        required=False,
        help_text=DATE_HINT,
        error_messages={"invalid": "Enter the start date as a real date, like 27 3 2026"},
    )
    end_date = DateField(
        label="End date",
        required=False,
        help_text=f"Leave empty if it has not ended. {DATE_HINT}",
        error_messages={"invalid": "Enter the end date as a real date, like 27 3 2026"},
    )

    def __init__(
        self, *args, centre, selected_councils=(), selected_produced=(), selected_used=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["partner_councils"].queryset = _council_queryset(centre, selected_councils)
        self.fields["components_produced"].queryset = components_to_link(selected_produced)
        self.fields["components_used"].queryset = components_to_link(selected_used)
        for name in ("start_date", "end_date"):
            self.fields[name].widget.format = "%d/%m/%Y"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be the same as or after the start date")
        return cleaned


class LearningForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of learning",
        choices=LearningKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of learning this is"},
    )
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Enter a title"}
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        help_text="One or two sentences: what was done and what happened.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter a summary"},
    )
    body = forms.CharField(
        label="Full text",
        max_length=50000,
        help_text="What the problem was, what was tried, what happened and what others should "
        "know. You can use Markdown.",
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Enter the full text"},
    )
    evidence_strength = forms.TypedChoiceField(
        label="Evidence strength",
        coerce=int,
        choices=[(n, f"{n}: {label}") for n, (label, _) in EVIDENCE_SCALE.items()],
        widget=forms.RadioSelect,
        help_text="How sure can a reader be that it worked? See the evidence scale.",
        error_messages={
            "required": "Choose an evidence strength from 0 to 5",
            "invalid_choice": "Choose an evidence strength from 0 to 5",
        },
    )
    cost_band = forms.ChoiceField(
        label="Cost band",
        choices=CostBand.choices,
        widget=forms.RadioSelect,
        help_text="What it cost one council to do, including staff time.",
        error_messages={"required": "Choose a cost band", "invalid_choice": "Choose a cost band"},
    )
    impact_summary = forms.CharField(
        label="Impact",
        max_length=1000,
        help_text="What changed for residents, staff or money, with numbers where you have them.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the impact"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes",
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one theme",
            "invalid_choice": "Choose themes from the list",
        },
    )
    service_areas = forms.ModelMultipleChoiceField(
        label="Service areas",
        required=False,
        queryset=ServiceArea.objects.order_by("name"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose service areas from the list"},
    )
    councils = _councils_field("Councils involved", "Councils in the centre’s regions.")
    problems = ProblemNumbersField(label="Related common problems")
    components = _components_field("Components it used")
    standards = forms.ModelMultipleChoiceField(
        label="Standards it relates to",
        required=False,
        queryset=standards_selectors.standards_for_choice(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose standards from the list"},
    )
    project = forms.TypedChoiceField(
        label="Project it came from",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the centre’s projects"},
    )

    def __init__(
        self,
        *args,
        centre,
        project_choices=(),
        selected_councils=(),
        selected_components=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["councils"].queryset = _council_queryset(centre, selected_councils)
        self.fields["components"].queryset = components_to_link(selected_components)
        self.fields["project"].choices = [("", "None"), *project_choices]


class ReturnForm(forms.Form):
    note = forms.CharField(
        label="What needs to change?",
        help_text="The author sees this note.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what needs to change"},
    )


class LibraryFilterForm(CachedMarkupMixin, forms.Form):
    """Query-string filters of the library; a bad value is dropped rather than shown."""

    q = forms.CharField(label="Search learning", required=False, max_length=200)
    kind = FilterChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *LearningKind.choices]
    )
    theme = FilterChoiceField(
        label="Theme", required=False, choices=[("", "Any theme"), *Theme.choices]
    )
    service_area = FilterChoiceField(label="Service area", required=False)
    min_evidence = forms.TypedChoiceField(
        label="Evidence strength",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any")]
        + [(n, f"At least {n}: {label}") for n, (label, _) in EVIDENCE_SCALE.items() if n],
    )
    cost_band = FilterChoiceField(
        label="Cost", required=False, choices=[("", "Any cost"), *CostBand.choices]
    )
    centre = FilterChoiceField(label="Centre", required=False)
    council_type = FilterChoiceField(
        label="Worked in councils of type",
        required=False,
        choices=[("", "Any type"), *CouncilType.choices],
    )
    region = FilterChoiceField(
        label="Worked in councils in",
        required=False,
        choices=[("", "Any region"), *Region.choices],
    )
    sort = FilterChoiceField(
        label="Sort by",
        required=False,
        choices=[("", "Best match or newest")] + [(k, label) for k, (label, _) in SORTS.items()],
    )

    def __init__(self, *args, service_area_choices, centre_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = [("", "Any service area"), *service_area_choices]
        self.fields["centre"].choices = [("", "Any centre"), *centre_choices]

    def filters(self) -> LibraryFilters:
        if not self.is_bound:
            return LibraryFilters()
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value}
        self.errors.clear()  # a bad value in a hand-edited URL is ignored, not shown as an error
        return LibraryFilters(**values)
