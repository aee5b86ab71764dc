"""GOV.UK-rendered forms of the components library. Rules stay in the services."""

from django import forms

from components.models import CostModel, Hosting, Kind, Maturity, Stage
from components.publiccode import MAX_BYTES
from components.selectors import ORIGINS, SORTS, ComponentFilters
from institute import evidence as evidence_files
from institute.forms import CachedMarkupMixin, DateField, FilterChoiceField
from institute.models import Organisation, ServiceArea, Theme
from standards import selectors as standards_selectors


class ComponentForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="What councils call it, for example “Bin collection day API”.",
        error_messages={"required": "Enter a name"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        help_text="One sentence: what it does and for whom.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter a summary"},
    )
    description = forms.CharField(
        label="Description",
        max_length=20000,
        help_text="How it works, what it needs, and what councils should know before adopting "
        "it. You can use Markdown.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter a description"},
    )
    kind = forms.ChoiceField(
        label="Kind of component",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a kind", "invalid_choice": "Choose a kind"},
    )
    maturity = forms.ChoiceField(
        label="Maturity",
        choices=[c for c in Maturity.choices if c[0] != Maturity.RETIRED],
        widget=forms.RadioSelect(attrs={"small": True}),
        error_messages={"required": "Choose a maturity", "invalid_choice": "Choose a maturity"},
    )
    theme = forms.ChoiceField(
        label="Theme (optional)",
        required=False,
        choices=[("", "No theme"), *Theme.choices],
        error_messages={"invalid_choice": "Choose a theme from the list"},
    )
    service_areas = forms.ModelMultipleChoiceField(
        label="Service areas (optional)",
        required=False,
        queryset=ServiceArea.objects.order_by("name"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose service areas from the list"},
    )
    standards = forms.ModelMultipleChoiceField(
        label="Standards it meets (optional)",
        required=False,
        queryset=standards_selectors.standards_for_choice(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose standards from the list"},
    )
    licence = forms.CharField(
        label="Licence (optional)",
        required=False,
        max_length=100,
        help_text="An SPDX identifier, like MIT, Apache-2.0 or OGL-UK-3.0. Leave empty if the "
        "component is not openly licensed.",
    )
    source_url = forms.CharField(
        label="Source code link (optional)", required=False, max_length=500
    )
    documentation_url = forms.CharField(
        label="Documentation link (optional)", required=False, max_length=500
    )
    maintainer = forms.ModelChoiceField(
        label="Maintainer organisation (optional)",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="Not an organisation listed here",
        error_messages={"invalid_choice": "Choose the maintainer from the list"},
    )
    maintainer_name = forms.CharField(
        label="Maintainer, if not listed (optional)",
        required=False,
        max_length=200,
        help_text="For example a supplier or a community of councils.",
    )
    cost_model = forms.ChoiceField(
        label="Cost model",
        choices=CostModel.choices,
        widget=forms.RadioSelect(attrs={"small": True}),
        error_messages={"required": "Choose a cost model", "invalid_choice": "Choose a cost model"},
    )
    hosting = forms.ChoiceField(
        label="Hosting",
        choices=Hosting.choices,
        widget=forms.RadioSelect(attrs={"small": True}),
        error_messages={
            "required": "Choose how it is hosted",
            "invalid_choice": "Choose how it is hosted",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maintainer"].queryset = Organisation.objects.current().order_by("name")

    @classmethod
    def initial_for(cls, component) -> dict:
        return {
            **{
                name: getattr(component, name)
                for name in (
                    "name", "summary", "description", "kind", "maturity", "theme", "licence",
                    "source_url", "documentation_url", "maintainer_name", "cost_model", "hosting",
                )
            },
            "maintainer": component.maintainer_id,
            "service_areas": [a.slug for a in component.service_areas.all()],
            "standards": [s.slug for s in component.standards.all()],
        }  # fmt: skip


class FilterForm(CachedMarkupMixin, forms.Form):
    """Query-string filters of the catalogue; a bad value is dropped rather than shown."""

    q = forms.CharField(label="Search components", required=False, max_length=200)
    kind = FilterChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Kind.choices]
    )
    maturity = FilterChoiceField(
        label="Maturity", required=False, choices=[("", "Any maturity"), *Maturity.choices]
    )
    service_area = FilterChoiceField(label="Service area", required=False)
    theme = FilterChoiceField(
        label="Theme", required=False, choices=[("", "Any theme"), *Theme.choices]
    )
    open_licence = FilterChoiceField(
        label="Open-source licence",
        required=False,
        choices=[("", "Open or not"), ("yes", "Open source"), ("no", "Not open source")],
    )
    licence = FilterChoiceField(label="Licence", required=False)
    cost_model = FilterChoiceField(
        label="Cost model", required=False, choices=[("", "Any cost model"), *CostModel.choices]
    )
    hosting = FilterChoiceField(
        label="Hosting", required=False, choices=[("", "Any hosting"), *Hosting.choices]
    )
    origin = FilterChoiceField(
        label="Where its details come from",
        required=False,
        choices=[("", "Anywhere"), *ORIGINS.items()],
    )
    sort = FilterChoiceField(
        label="Sort by",
        required=False,
        choices=[("", "Best match or most councils using it")]
        + [(key, label) for key, (label, _) in SORTS.items()],
    )

    def __init__(self, *args, service_area_choices, licence_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = [("", "Any service area"), *service_area_choices]
        self.fields["licence"].choices = [("", "Any licence"), *licence_choices]

    def filters(self) -> ComponentFilters:
        if not self.is_bound:
            return ComponentFilters()
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value}
        self.errors.clear()  # a bad value in a hand-edited URL is ignored, not shown as an error
        return ComponentFilters(**values)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("publish", "Publish it"),
            ("changes", "Ask the submitter for changes"),
            ("reject", "Reject it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision", "invalid_choice": "Choose a decision"},
    )
    note = forms.CharField(
        label="Note to the submitter",
        help_text="Required when you ask for changes or reject. The submitter sees it.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in {"changes", "reject"} and not cleaned.get("note", "").strip():
            self.add_error(
                "note",
                "Say what needs to change"
                if cleaned["decision"] == "changes"
                else "Say why it is rejected",
            )
        return cleaned


class RetireForm(forms.Form):
    reason = forms.CharField(
        label="Why is it retired?",
        help_text="Councils using it see this. Say what to use instead, if anything.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why it is retired"},
    )


class AdoptionForm(forms.Form):
    stage = forms.ChoiceField(
        label="Where is your council with it?",
        choices=Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a stage", "invalid_choice": "Choose a stage"},
    )
    since = DateField(
        label="Since when?",
        help_text="The date your council reached this stage. For example, 27 3 2025",
        error_messages={"required": "Enter the date your council reached this stage"},
    )
    evidence_url = forms.CharField(
        label="Link to evidence (optional if you write a note)",
        help_text="A public page, contract notice, case study or repository.",
        required=False,
        max_length=500,
    )
    evidence_note = forms.CharField(
        label="Evidence note (optional if you give a link)",
        help_text="How your council uses it: which service, how many users, what changed.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label="Add a document as evidence (optional)",
        help_text="A PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG or CSV file, smaller than 10 MB: a "
        "contract, a report. Only your council's officers, institute staff and the sector's "
        "national bodies can download it, once it has been checked for viruses.",
        required=False,
        widget=forms.FileInput(attrs={"accept": evidence_files.ACCEPT}),
        error_messages={
            "invalid": "The selected file could not be read. Choose it again",
            "empty": "The selected file is empty",
            "missing": "Select a file",
        },
    )
    show_as_contact = forms.BooleanField(
        label="Show me as a contact for other council officers",
        help_text="Officers signed in to this service will see your name and e-mail address.",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            not (cleaned.get("evidence_url") or "").strip()
            and not (cleaned.get("evidence_note") or "").strip()
        ):
            self.add_error(
                "evidence_url", "Give a link to evidence or a note saying how your council uses it"
            )
        return cleaned


class ProblemLinkForm(forms.Form):
    problem = forms.IntegerField(
        label="Problem number",
        help_text="Its number is in its web address, /problems/123/.",
        min_value=1,
        error_messages={
            "required": "Enter the number of the problem",
            "invalid": "Enter a problem number, like 123",
            "min_value": "Enter a problem number, like 123",
        },
    )


class SolveForm(forms.Form):
    problem = forms.IntegerField(
        label="Problem number",
        help_text="The backlog problem this component solved. Everyone who voted is told.",
        min_value=1,
        error_messages={
            "required": "Enter the number of the problem",
            "invalid": "Enter a problem number, like 123",
            "min_value": "Enter a problem number, like 123",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImportForm(forms.Form):
    text = forms.CharField(
        label="Paste publiccode.yml",
        required=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        error_messages={"max_length": "The text must be 100 KB or smaller"},
    )
    file = forms.FileField(
        label="Or upload a publiccode.yml file",
        required=False,
        error_messages={"invalid": "Choose a publiccode.yml file"},
    )

    def document(self):
        """The uploaded file's bytes (at most 100 KB), or the pasted text."""
        upload = self.cleaned_data.get("file")
        if upload:
            if upload.size > MAX_BYTES:
                self.add_error("file", "The file must be 100 KB or smaller")
                return None
            return upload.read(MAX_BYTES + 1)
        text = self.cleaned_data.get("text") or ""
        if not text.strip():
            self.add_error("text", "Paste the contents of a publiccode.yml file or choose one")
            return None
        return text


class SourceForm(forms.Form):
    url = forms.CharField(
        label="Address of the repository or file",
        max_length=500,
        help_text="A git repository with a publiccode.yml at its top level, like "
        "https://github.com/council/bin-day-api, or the address of the raw publiccode.yml file.",
        error_messages={
            "required": "Enter the address of a repository or a publiccode.yml file",
            "max_length": "The address must be 500 characters or fewer",
        },
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
    )
    listing = forms.BooleanField(
        label="This is an organisation's list of repositories (one address a line)",
        required=False,
    )
    organisation = forms.ModelChoiceField(
        label="Organisation (optional)",
        required=False,
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        empty_label="None",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["listing"]
            del self.fields["organisation"]
