"""Counts, times and people's own words in running text: `{% load wording %}`."""

from django import template

from institute import wording

register = template.Library()


@register.simple_tag
def count_of(number, singular, plural=""):
    """`{% count_of councils "council" %}`: “1 council”, “2 councils”."""
    return wording.count_of(number or 0, singular, plural)


@register.filter
def govuk_time(value):
    """`{{ when|govuk_time }}`: “3:32pm”."""
    return wording.govuk_time(value) if value else ""


@register.filter
def govuk_datetime(value):
    """`{{ when|govuk_datetime }}`: “3 December 2026, 3:32pm”."""
    return wording.govuk_datetime(value) if value else ""


@register.filter
def user_text(value):
    """`{{ problem.title|user_text }}`: text someone typed, isolated from the words around it
    wherever it sits inline with other text (wording.isolate)."""
    return wording.isolate(value)
