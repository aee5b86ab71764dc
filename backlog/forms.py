"""GOV.UK-rendered forms of the backlog. Rules stay in the services; forms check shape only."""

from django import forms

from backlog.models import Status
from backlog.selectors import SORTS, BacklogFilters
from institute.forms import CachedMarkupMixin, FilterChoiceField
from institute.models import CouncilType, Region, ServiceArea, Theme


class ProblemForm(forms.Form):
    title = forms.CharField(
        label="Title",
        help_text="Describe the problem, not a solution. For example, “Residents cannot see when "
        "their bins will be collected”.",
        max_length=150,
        error_messages={"required": "Enter a title"},
        # The page puts the title above the <form> it belongs to, with the similar problems
        # (each with its own vote form, which cannot sit inside another form) right under it.
        widget=forms.TextInput(attrs={"form": "problem-form"}),
    )
    summary = forms.CharField(
        label="Summary",
        help_text="One sentence that says who has the problem and what it costs them.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter a summary"},
    )
    description = forms.CharField(
        label="Description",
        help_text="What happens now, what you have tried, and what a good outcome would be. "
        "You can use Markdown.",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter a description"},
    )
    theme = forms.ChoiceField(
        label="Theme",
        choices=Theme.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a theme", "invalid_choice": "Choose a theme"},
    )
    service_areas = forms.ModelMultipleChoiceField(
        label="Service areas",
        help_text="Select all that apply.",
        queryset=ServiceArea.objects.order_by("name"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one service area",
            "invalid_choice": "Choose service areas from the list",
        },
    )


class ProblemEditForm(ProblemForm):
    """The submitter's or staff's edit of a problem. Staff say why (the service requires it)."""

    reason = forms.CharField(
        label="Why are you changing this problem?",
        help_text="Shown with the change on the problem page.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Enter a reason of 1,000 characters or fewer"},
    )

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # One form on this page: the title is an ordinary field of it.
        self.fields["title"].widget = forms.TextInput()
        if not needs_reason:
            del self.fields["reason"]


class BacklogFilterForm(CachedMarkupMixin, forms.Form):
    """Query-string filters of the backlog; a bad value is dropped rather than shown as an error."""

    q = forms.CharField(label="Search problems", required=False, max_length=200)
    theme = FilterChoiceField(
        label="Theme", required=False, choices=[("", "Any theme"), *Theme.choices]
    )
    status = FilterChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )
    service_area = FilterChoiceField(label="Service area", required=False)
    region = FilterChoiceField(
        label="Region of the councils affected",
        required=False,
        choices=[("", "Any region"), *Region.choices],
    )
    council_type = FilterChoiceField(
        label="Type of the councils affected",
        required=False,
        choices=[("", "Any type"), *CouncilType.choices],
    )
    sort = FilterChoiceField(
        label="Sort by",
        required=False,
        choices=[("", "Best match or most councils")]
        + [(key, label) for key, (label, _) in SORTS.items()],
    )

    def __init__(self, *args, service_area_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = [("", "Any service area"), *service_area_choices]

    def filters(self) -> BacklogFilters:
        if not self.is_bound:
            return BacklogFilters()
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value}
        self.errors.clear()  # a bad value in a hand-edited URL is ignored, not shown as an error
        return BacklogFilters(**values)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        help_text="Say how this problem shows up at your council. You can use Markdown.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a comment"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason"},
    )


class ModerationForm(forms.Form):
    """A moderator's decision on a comment, with the reason the audit trail keeps: hide it, or
    keep it and close its reports; a hidden comment can only be restored (reason optional)."""

    decision = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason",
        help_text="Kept in the comment’s audit trail",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Enter a reason of 1,000 characters or fewer"},
    )

    def __init__(self, *args, hidden: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = hidden

    def clean(self):
        data = super().clean()
        if self.hidden:
            decision = "restore"
        else:
            decision = data.get("decision") or "hide"
            if decision not in ("hide", "dismiss"):
                raise forms.ValidationError("Choose to hide the comment or keep it")
        if decision != "restore" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter a reason")
        data["decision"] = decision
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=[c for c in Status.choices if c[0] != Status.MERGED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status"},
    )
    note = forms.CharField(
        label="Note",
        help_text="Followers and voters see this. Required for “not taken forward”.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label="Merge into problem number",
        help_text="The problem that stays. Its number is in its web address, /problems/123/.",
        min_value=1,
        error_messages={
            "required": "Enter the number of the problem to merge into",
            "invalid": "Enter a problem number, like 123",
            "min_value": "Enter a problem number, like 123",
        },
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
