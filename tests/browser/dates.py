"""Typing a date into a GOV.UK date input (institute.forms.DateField), as a person would."""


def fill_date(page, legend: str, day: int, month: int, year: int):
    """Fill the day, month and year boxes of the date whose fieldset legend is `legend`."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))
