"""GOV.UK-rendered forms of the standards app. They check shape; the services have the rules."""

from django import forms
from django.utils import timezone

from institute import evidence as evidence_files
from institute.forms import DateField
from institute.models import CouncilType, Organisation, OrganisationKind
from standards.models import Category, Rating


class StandardForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Enter a title"}
    )
    summary = forms.CharField(
        label="Summary",
        help_text="One or two sentences on what the standard asks of a council and why.",
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a summary"},
    )
    category = forms.ChoiceField(
        label="Category",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a category", "invalid_choice": "Choose a category"},
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        help_text="The organisation that maintains the standard.",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation that owns the standard",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    council_types = forms.MultipleChoiceField(
        label="Councils in scope",
        help_text="Leave empty if the standard applies to every council.",
        choices=CouncilType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose council types from the list"},
    )
    review_period_months = forms.IntegerField(
        label="Review period in months",
        help_text="How long a self-assessment stays valid.",
        initial=12,
        min_value=1,
        max_value=60,
        error_messages={
            "required": "Enter a review period in months",
            "invalid": "Enter the review period as a whole number of months, like 12",
            "min_value": "The review period must be between 1 and 60 months",
            "max_value": "The review period must be between 1 and 60 months",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            Organisation.objects.current()
            .filter(
                kind__in=[
                    OrganisationKind.INSTITUTE,
                    OrganisationKind.NATIONAL_BODY,
                    OrganisationKind.COUNCIL,
                    OrganisationKind.STRATEGIC_AUTHORITY,
                ]
            )
            .order_by("name")
        )


class VersionForm(forms.Form):
    change_notes = forms.CharField(
        label="Change notes",
        help_text="What is new or different in this version. You can use Markdown.",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    review_period_months = forms.IntegerField(
        label="Review period in months",
        min_value=1,
        max_value=60,
        error_messages={
            "required": "Enter a review period in months",
            "invalid": "Enter the review period as a whole number of months, like 12",
            "min_value": "The review period must be between 1 and 60 months",
            "max_value": "The review period must be between 1 and 60 months",
        },
    )


class CriterionForm(forms.Form):
    code = forms.CharField(
        label="Code",
        help_text="Short and stable, for example AF1.",
        max_length=20,
        error_messages={"required": "Enter a code"},
    )
    title = forms.CharField(
        label="Title",
        help_text="What a council must do, as one sentence.",
        max_length=200,
        error_messages={"required": "Enter a title"},
    )
    guidance = forms.CharField(
        label="Guidance",
        help_text="How to meet it and what counts as evidence. You can use Markdown.",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    mandatory = forms.BooleanField(
        label="Mandatory",
        help_text="A mandatory criterion decides the red, amber or green result.",
        required=False,
    )
    predecessors = forms.ModelMultipleChoiceField(
        label="Replaces criteria of the previous version",
        help_text="Answers to these criteria carry over to this one when a council reassesses.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose criteria from the list"},
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        if version.based_on_id:
            self.fields["predecessors"].queryset = version.based_on.criteria.order_by("position")
            self.fields["predecessors"].label_from_instance = lambda c: f"{c.code}: {c.title}"
        else:
            del self.fields["predecessors"]


class ConsultationForm(forms.Form):
    closes_on = DateField(
        label="Closing date",
        help_text="Comments can be made until the end of this day. For example, 27 3 2026",
        error_messages={"required": "Enter a closing date"},
    )

    def clean_closes_on(self):
        value = self.cleaned_data["closes_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The closing date must be in the future")
        return value


class PublishForm(forms.Form):
    grace_days = forms.IntegerField(
        label="Grace period in days",
        help_text="How long assessments of the version it replaces still count as adoption.",
        initial=90,
        min_value=0,
        max_value=730,
        error_messages={
            "required": "Enter a grace period in days",
            "invalid": "Enter the grace period as a whole number of days, like 90",
            "min_value": "The grace period must be between 0 and 730 days",
            "max_value": "The grace period must be between 0 and 730 days",
        },
    )


class CommentForm(forms.Form):
    criterion = forms.ChoiceField(
        label="What is your comment about?",
        required=False,
        error_messages={"invalid_choice": "Choose a criterion from the list"},
    )
    body = forms.CharField(
        label="Your comment",
        help_text="You can use Markdown. Your name and organisation are shown with it.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a comment"},
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "The version as a whole")] + [
            (str(c.pk), f"{c.code}: {c.title}") for c in criteria
        ]


class AnswerForm(forms.Form):
    rating = forms.ChoiceField(
        label="How well does your council meet this criterion?",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose a rating from the list"},
    )
    reason = forms.CharField(
        label="If it does not apply, why not?",
        help_text="Required for “not applicable”. Institute staff check these reasons.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(
        label="Evidence",
        help_text="What shows this: a policy, a report, a service assessment. Required for "
        "“met” and “partly met” unless you give a link.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_url = forms.URLField(
        label="Link to evidence",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a link that starts with https:// or http://"},
    )
    evidence_date = DateField(
        label="Date of the evidence",
        help_text="When the evidence was produced or last checked. For example, 27 3 2026",
        required=False,
    )
    file = forms.FileField(
        label="Add a document as evidence (optional)",
        help_text="A PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG or CSV file, smaller than 10 MB. "
        "Only your council's officers, institute staff and the sector's national bodies can "
        "download it, once it has been checked for viruses.",
        required=False,
        widget=forms.FileInput(attrs={"accept": evidence_files.ACCEPT}),
        error_messages={
            "invalid": "The selected file could not be read. Choose it again",
            "empty": "The selected file is empty",
            "missing": "Select a file",
        },
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("verify", "Verify: the evidence supports the ratings"),
            ("challenge", "Challenge"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose verify or challenge"},
    )
    note = forms.CharField(
        label="Note to the council",
        help_text="Required when you challenge: say what the council needs to change.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "challenge" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say what the council needs to change")
        return cleaned


class AuditRatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="Audited rating",
        choices=Rating.choices,
        widget=forms.RadioSelect(attrs={"small": True}),
        error_messages={"required": "Choose the audited rating"},
    )
    note = forms.CharField(
        label="Auditor's note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
