"""Forms of the sector app: recording a target's value, updating a recommendation and what
serves it, uploading comparison groups. Rendered with the project's GOV.UK form templates."""

from django import forms
from django.utils import timezone

from institute.forms import DateField
from institute.sector import selectors
from institute.sector.comparison import MAX_BYTES
from institute.sector.models import MetricSeries, RecommendationStatus, SeriesUnit


def _date_field(label: str, help_text: str, required_message: str) -> DateField:
    return DateField(
        label=label,
        help_text=f"{help_text} For example, 31 3 2026",
        error_messages={"required": required_message},
    )


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError("The date must be today or in the past")
    return value


class MetricValueForm(forms.Form):
    on = _date_field("Date of the figure", "The day the figure describes.", "Enter the date")
    value = forms.FloatField(
        label="Value",
        min_value=0,
        error_messages={
            "required": "Enter the value",
            "invalid": "Enter the value as a number, like 4 or 18.5",
            "min_value": "The value must be 0 or more",
        },
    )
    source_url = forms.URLField(
        assume_scheme="https",
        label="Source",
        max_length=500,
        help_text="The address of the publication or record the figure comes from.",
        error_messages={
            "required": "Enter the address of the source of this figure",
            "invalid": "Enter a web address, like https://www.example.gov.uk/report",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        help_text="How the figure was found, or what it leaves out.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_baseline = forms.BooleanField(
        label="This is the baseline the target is measured from", required=False
    )

    def __init__(self, *args, series: MetricSeries, **kwargs):
        super().__init__(*args, **kwargs)
        if series.unit == SeriesUnit.MILESTONE:
            self.fields["value"] = forms.TypedChoiceField(
                label="Is it done?",
                choices=[("1", "Yes, it is done"), ("0", "Not yet")],
                coerce=float,
                widget=forms.RadioSelect,
                error_messages={"required": "Say whether it is done"},
            )
        elif series.unit == SeriesUnit.PERCENT:
            self.fields["value"].label = "Value (%)"
            self.fields["value"].max_value = 100
            self.fields["value"].help_text = "A percentage, from 0 to 100."
        if series.target_rise_percent is None:
            del self.fields["is_baseline"]

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"))

    def clean_value(self):
        value = self.cleaned_data.get("value")
        limit = getattr(self.fields["value"], "max_value", None)
        if value is not None and limit is not None and value > limit:
            raise forms.ValidationError("A percentage must be between 0 and 100")
        return value


class RecommendationUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Where does it stand?",
        choices=RecommendationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where it stands"},
    )
    on = _date_field("Since when", "The day it reached this stage.", "Enter the date")
    note = forms.CharField(
        label="What happened",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what happened"},
    )
    evidence_url = forms.URLField(
        assume_scheme="https",
        label="Evidence (needed when it is done)",
        required=False,
        max_length=500,
        help_text="The address of a page, report or decision that shows it.",
        error_messages={"invalid": "Enter a web address, like https://www.example.gov.uk/plan"},
    )

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"))


class RecommendationLinksForm(forms.Form):
    addresses = forms.CharField(
        label="Pages that serve it",
        required=False,
        max_length=20000,
        help_text=(
            "One address a line: of backlog problems, components, standards, centre projects "
            "or published learning on this site. Leave empty to link nothing."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )

    def clean_addresses(self):
        text = self.cleaned_data.get("addresses", "")
        rows, errors = selectors.links_from_addresses(text)
        if errors:
            raise forms.ValidationError(errors)
        self.links = rows
        return text


class ComparisonUploadForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="For example, CIPFA nearest neighbours 2025.",
        error_messages={"required": "Enter a name for these groups"},
    )
    as_of = _date_field(
        "Date of the groups", "The date the groups describe.", "Enter the date of the groups"
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        help_text="Who made the groups, and how.",
        error_messages={"required": "Enter where the groups come from"},
    )
    source_url = forms.URLField(
        assume_scheme="https",
        label="Source address (optional)",
        required=False,
        max_length=500,
        error_messages={"invalid": "Enter a web address, like https://lginform.local.gov.uk/"},
    )
    licence = forms.CharField(
        label="Licence",
        max_length=300,
        help_text="The terms the institute holds them under.",
        error_messages={"required": "Enter the licence the groups are held under"},
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Each line: a council's GSS code, then the codes of the councils it is compared "
            "with, nearest first. A first line of headings is skipped. 10 MB at most."
        ),
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be 10 MB or smaller")
        return upload
