"""Tags, evidence ratings and labels shown wherever centres' work appears."""

from django import template

from centres.models import EVIDENCE_SCALE, LearningKind, ProjectStatus

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


@register.inclusion_tag("centres/_tag.html")
def learning_status_tag(learning):
    return {
        "label": learning.get_status_display(),
        "classes": _LEARNING_STATUS_CLASSES.get(learning.status, ""),
    }


@register.inclusion_tag("centres/_tag.html")
def project_status_tag(status):
    return {
        "label": dict(ProjectStatus.choices).get(status, status),
        "classes": _PROJECT_STATUS_CLASSES.get(status, ""),
    }


@register.inclusion_tag("centres/_tag.html")
def kind_tag(kind):
    classes = f"{_KIND_CLASSES.get(kind, '')} app-centres-kind"
    return {"label": dict(LearningKind.choices).get(kind, kind), "classes": classes}


@register.inclusion_tag("centres/_evidence.html")
def evidence_rating(strength):
    """“Evidence 3 of 5: One robust evaluation” with five pips, the words for screen readers."""
    label = EVIDENCE_SCALE.get(strength, ("", ""))[0]
    return {"strength": strength, "label": label, "pips": [n < strength for n in range(5)]}
