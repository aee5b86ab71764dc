"""How the service writes counts and times, in GOV.UK style: one function for each, used by
templates (institute/templatetags/wording.py) and by Python alike."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString


def count_of(number: int, singular: str, plural: str = "") -> str:
    """“1 council”, “2 councils”, “0 councils” (`plural` for words that do not just add s)."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def govuk_time(value: datetime) -> str:
    """“3:32pm”, “10am”, “midday”, “midnight”, in Europe/London (GOV.UK style)."""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    if value.minute == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def govuk_datetime(value: datetime) -> str:
    """“3 December 2026, 3:32pm”."""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_format(value, 'j F Y')}, {govuk_time(value)}"


def isolate(value) -> SafeString:
    """Text someone typed, isolated from the words around it (`<bdi>`), so a right-to-left
    character in a title cannot reorder the sentence it sits in. Escaped as usual."""
    if value is None or value == "":
        return SafeString("")
    return format_html("<bdi>{}</bdi>", value)
