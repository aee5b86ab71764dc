"""One date pattern across the service: the GOV.UK date input (day, month and year boxes) of
institute.forms.DateField, for every date in every form."""

import datetime
import re
from importlib import import_module

import pytest
from django import forms
from django.apps import apps

from components.forms import AdoptionForm
from institute.forms import DateField
from standards.forms import AnswerForm


def _project_form_classes():
    """Every form class defined in a `forms` module of the project's apps."""
    found = set()
    for config in apps.get_app_configs():
        if not config.name.startswith(
            ("institute", "backlog", "components", "standards", "centres")
        ):
            continue
        try:
            module = import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.add(value)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_every_date_in_every_form_is_the_govuk_date_input():
    classes = _project_form_classes()
    assert len(classes) > 20  # the walk found the forms
    other_dates = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
        or isinstance(field.widget, forms.DateInput | forms.DateTimeInput)
        or field.widget.attrs.get("type") in {"date", "datetime-local"}
    ]
    assert other_dates == [], "use institute.forms.DateField for these dates"
    assert any(
        isinstance(field, DateField) for cls in classes for field in cls.base_fields.values()
    )


def test_a_saved_date_reopens_in_the_day_month_and_year_boxes():
    form = AnswerForm(initial={"evidence_date": datetime.date(2025, 6, 1)})
    html = str(form["evidence_date"].as_field_group())
    assert re.search(r'id="id_evidence_date_0" name="evidence_date_0"[^>]*value="1"', html)
    assert re.search(r'id="id_evidence_date_1" name="evidence_date_1"[^>]*value="6"', html)
    assert re.search(r'id="id_evidence_date_2" name="evidence_date_2"[^>]*value="2025"', html)
    again = AnswerForm({"evidence_date_0": "1", "evidence_date_1": "6", "evidence_date_2": "2025"})
    assert again.is_valid(), again.errors
    assert again.cleaned_data["evidence_date"] == datetime.date(2025, 6, 1)


def test_the_date_is_a_fieldset_whose_inputs_are_tied_to_their_error():
    form = AdoptionForm({"stage": "in_use", "since_0": "31", "since_1": "2", "since_2": "2025"})
    assert not form.is_valid()
    html = str(form["since"].as_field_group())
    assert 'for=""' not in html
    fieldset = re.search(r'<fieldset class="govuk-fieldset" role="group"([^>]*)>', html)
    assert fieldset and 'aria-describedby="id_since-hint id_since-error"' in fieldset.group(1)
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Since when?' in html
    assert 'id="id_since-error"' in html and "Enter a real date" in html
    assert html.count("govuk-input--error") == 3
    # What was typed comes back as typed.
    assert 'value="31"' in html and 'value="2025"' in html


@pytest.mark.parametrize(
    "typed,message",
    [
        (("", "", ""), "Enter the date your council reached this stage"),
        (("1", "", "2025"), "The date must include a month"),
        (("", "", "2025"), "The date must include a day and month"),
        (("31", "2", "2025"), "Enter a real date"),
        (("1", "2", "25"), "Enter a real date"),
        (("1", "2", "+202"), "Enter a real date"),
        (("1", "13", "2025"), "Enter a real date"),
        (("١", "2", "2025"), "Enter a real date"),
    ],
)
def test_a_date_that_is_not_whole_or_real_gets_a_clear_message(typed, message):
    data = {"stage": "in_use", **{f"since_{i}": value for i, value in enumerate(typed)}}
    form = AdoptionForm(data)
    assert not form.is_valid()
    assert form.errors["since"] == [message] or message in form.errors["since"][0]
