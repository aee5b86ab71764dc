"""Filter forms share their fixed choices between the forms they make (institute.forms
.FilterChoiceField): what one request's form is given must never show on another's."""

from backlog.forms import BacklogFilterForm
from components.forms import FilterForm


def test_each_form_keeps_the_choices_it_was_given():
    housing = BacklogFilterForm(None, service_area_choices=[("housing", "Housing")])
    waste = BacklogFilterForm(None, service_area_choices=[("waste", "Waste")])

    assert [value for value, _ in housing.fields["service_area"].choices] == ["", "housing"]
    assert [value for value, _ in waste.fields["service_area"].choices] == ["", "waste"]
    assert 'value="housing"' in str(housing["service_area"])
    assert 'value="housing"' not in str(waste["service_area"])
    # The class's own field is untouched: the next form starts from it.
    assert list(BacklogFilterForm.base_fields["service_area"].choices) == []


def test_a_copy_of_a_filter_form_is_its_own_form():
    first = FilterForm(
        {"kind": "software"}, service_area_choices=[], licence_choices=[("MIT", "MIT")]
    )
    second = FilterForm({"kind": "nonsense"}, service_area_choices=[], licence_choices=[])

    assert first.fields["kind"] is not second.fields["kind"]
    assert first.fields["kind"].widget is not second.fields["kind"].widget
    first.fields["kind"].widget.attrs["data-x"] = "1"
    assert "data-x" not in second.fields["kind"].widget.attrs
    assert first.is_valid()
    assert not second.is_valid()  # a value outside the fixed choices is still refused
    assert [value for value, _ in second.fields["licence"].choices] == [""]
