"""Dates and times in GOV.UK style: "3 Dec 2026, 2:22pm" (not "2:22 p.m.")."""

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter
def govuk_datetime(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{dateformat.format(local, 'j M Y, g:i')}{'am' if local.hour < 12 else 'pm'}"
