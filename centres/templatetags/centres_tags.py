"""Tags, evidence ratings and labels shown wherever centres' work appears."""

from functools import lru_cache

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from centres.models import EVIDENCE_SCALE, CostBand, LearningKind, ProjectStatus
from institute.wording import count_of, isolate

register = template.Library()

_LEARNING_STATUS_CLASSES = {
    "draft": "govuk-tag--grey",
    "in_review": "govuk-tag--yellow",
    "published": "govuk-tag--green",
}
_PROJECT_STATUS_CLASSES = {
    "proposed": "govuk-tag--blue",
    "active": "govuk-tag--turquoise",
    "completed": "govuk-tag--green",
    "stopped": "govuk-tag--grey",
}
_KIND_CLASSES = {
    "case_study": "govuk-tag--light-blue",
    "evaluation": "govuk-tag--purple",
    "what_works": "govuk-tag--green",
    "playbook": "govuk-tag--orange",
    "data_sharing": "govuk-tag--pink",
}
_PROJECT_STATUS_LABELS = dict(ProjectStatus.choices)
_KIND_LABELS = dict(LearningKind.choices)


# Built in Python rather than with inclusion templates: the library and the problem and
# learning pages show dozens of these on every request (the markup of GOV.UK Frontend's tag).
def _tag(label, classes):
    return format_html('<strong class="govuk-tag {}">{}</strong>', classes, label)


@register.simple_tag
def learning_status_tag(learning):
    return _tag(learning.get_status_display(), _LEARNING_STATUS_CLASSES.get(learning.status, ""))


@register.simple_tag
def project_status_tag(status):
    return _tag(_PROJECT_STATUS_LABELS.get(status, status), _PROJECT_STATUS_CLASSES.get(status, ""))


@register.simple_tag
def kind_tag(kind):
    classes = f"{_KIND_CLASSES.get(kind, '')} app-centres-kind"
    return _tag(_KIND_LABELS.get(kind, kind), classes)


_PIP = '<span class="app-centres-evidence__pip"></span>'
_PIP_ON = '<span class="app-centres-evidence__pip app-centres-evidence__pip--on"></span>'


@register.simple_tag
def evidence_rating(strength):
    """“Evidence 3 of 5: One robust evaluation” with five pips, the words for screen readers."""
    label = EVIDENCE_SCALE.get(strength, ("", ""))[0]
    on = strength if isinstance(strength, int) else 0
    pips = "".join(_PIP_ON if n < on else _PIP for n in range(5))
    return format_html(
        '<span class="app-centres-evidence"><span class="app-centres-evidence__pips" '
        'aria-hidden="true">{}</span> <span class="app-centres-evidence__text">Evidence {} of '
        "5: {}</span></span>",
        mark_safe(pips),  # noqa: S308  (constant markup)
        strength,
        label.lower(),
    )


_COST_LABELS = dict(CostBand.choices)


@register.simple_tag
def learning_summary(item):
    """One result in the learning library, built in Python: the library renders 25 of them on
    every request (this was half of its time as a template)."""
    return _summary_html(
        item.get_absolute_url(),
        item.title,
        item.kind,
        item.evidence_strength,
        item.summary,
        item.centre.name,
        item.cost_band,
        item.council_count,
        _date_text(item.published_at),
    )


@lru_cache(maxsize=4096)
def _date_text(published) -> str:
    """“3 December 2026” in the service's one time zone (no view activates another): the
    same row's date is asked for on every view of the library's first pages."""
    return dateformat.format(timezone.localtime(published), "j F Y") if published else ""


# A row's HTML from everything it shows: a row shown again unchanged costs a dictionary lookup
# (as backlog_tags._summary_html). Keyed by the values, a changed row is a new key.
@lru_cache(maxsize=4096)
def _summary_html(url, title, kind, evidence, summary, centre, cost_band, councils, published):
    return format_html(
        '<h2 class="govuk-heading-m govuk-!-margin-bottom-2">'
        '<a class="govuk-link" href="{}">{}</a></h2>'
        '<p class="govuk-body govuk-!-margin-bottom-2">{} {}</p>'
        '<p class="govuk-body">{}</p>'
        '<p class="govuk-body-s app-meta">{} · {} · {} involved · {}</p>',
        url,
        isolate(title),
        kind_tag(kind),
        evidence_rating(evidence),
        summary,
        isolate(centre),
        _COST_LABELS.get(cost_band, cost_band),
        count_of(councils, "council"),
        published,
    )
