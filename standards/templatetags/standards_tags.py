from django import template
from django.utils.html import format_html

from standards.models import Rating, assessment_status_tag

register = template.Library()

_RESULT = {"green": "govuk-tag--green", "amber": "govuk-tag--orange", "red": "govuk-tag--red"}
_RATING = {
    "met": "govuk-tag--green",
    "partly": "govuk-tag--orange",
    "not_met": "govuk-tag--red",
    "not_applicable": "govuk-tag--grey",
}
_VERSION = {
    "draft": "govuk-tag--grey",
    "consultation": "govuk-tag--purple",
    "published": "govuk-tag--green",
    "superseded": "govuk-tag--yellow",
    "retired": "govuk-tag--grey",
}


def _tag(label, css):
    return format_html('<strong class="govuk-tag {}">{}</strong>', css, label)


@register.simple_tag
def result_tag(assessment):
    if not assessment or not assessment.result:
        return ""
    return _tag(assessment.get_result_display(), _RESULT[assessment.result])


@register.simple_tag
def rating_tag(rating, label=""):
    if not rating:
        return _tag("Not answered", "govuk-tag--grey")
    return _tag(label or Rating(rating).label, _RATING.get(rating, ""))


@register.simple_tag
def version_tag(version):
    return _tag(version.get_status_display(), _VERSION.get(version.status, ""))


@register.simple_tag
def assessment_tag(assessment):
    return _tag(*assessment_status_tag(assessment.status))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
