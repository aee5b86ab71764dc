"""Tags for components: GOV.UK tags for maturity, review status and adoption stage."""

from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join

from components import publiccode
from components.models import Component, CostModel, Hosting, Kind
from institute.selectors import service_area_names_of
from institute.wording import count_of, isolate

register = template.Library()

_MATURITY = {
    "concept": "govuk-tag--grey",
    "alpha": "govuk-tag--pink",
    "beta": "govuk-tag--orange",
    "live": "govuk-tag--green",
    "retiring": "govuk-tag--yellow",
    "retired": "govuk-tag--grey",
}
_STATUS = {
    "in_review": "govuk-tag--blue",
    "changes_requested": "govuk-tag--yellow",
    "published": "govuk-tag--green",
    "rejected": "govuk-tag--red",
}
_STAGE = {
    "exploring": "govuk-tag--light-blue",
    "piloting": "govuk-tag--purple",
    "in_use": "govuk-tag--green",
    "retired": "govuk-tag--grey",
}


def _tag(label, classes):
    return format_html('<strong class="govuk-tag {}">{}</strong>', classes, label)


@register.simple_tag
def maturity_tag(component):
    return _tag(component.get_maturity_display(), _MATURITY.get(component.maturity, ""))


@register.simple_tag
def review_tag(component):
    return _tag(component.get_status_display(), _STATUS.get(component.status, ""))


@register.simple_tag
def stage_tag(adoption):
    if getattr(adoption, "stale", False) and adoption.stage != "retired":
        return format_html(
            "{} {}",
            _tag(adoption.get_stage_display(), _STAGE.get(adoption.stage, "")),
            _tag("Not confirmed for 12 months", "govuk-tag--red"),
        )
    return _tag(adoption.get_stage_display(), _STAGE.get(adoption.stage, ""))


@register.simple_tag
def councils_text(count):
    return count_of(count, "council")


_EVENTS = {
    "submitted": "Submitted for review",
    "resubmitted": "Changed and sent back for review",
    "edited": "Details edited",
    "published": "Published",
    "changes_requested": "Changes requested",
    "rejected": "Rejected",
    "retired": "Retired",
    "problem_linked": "Linked to a problem",
    "problem_unlinked": "Unlinked from a problem",
    "change_proposed": "Change made, waiting for review",
    "change_published": "Change reviewed and published",
    "change_rejected": "Change rejected",
}


@register.simple_tag
def event_label(verb):
    return _EVENTS.get(verb, verb.replace("_", " ").capitalize())


_KIND_LABELS = dict(Kind.choices)
_COST_LABELS = dict(CostModel.choices)
_HOSTING_LABELS = dict(Hosting.choices)


@register.simple_tag
def component_summary(component, service_areas=None):
    """One result in the catalogue, built in Python: the list renders 25 on every request.
    `service_areas`: names by component id (selectors.component_rows), or else its own."""
    return _summary_html(
        component.public_id,
        component.name,
        component.maturity,
        component.using_count,
        component.adopting_count,
        component.summary,
        component.kind,
        component.cost_model,
        component.hosting,
        component.licence,
        component.maintainer_display,
        service_area_names_of(component, service_areas),
    )


# A row's HTML from everything it shows, so a row shown again unchanged (the catalogue's first
# pages, on every request) costs a dictionary lookup instead of escaping and formatting it
# again. Keyed by the values: a changed row is a new key (as backlog_tags._summary_html).
@lru_cache(maxsize=4096)
def _summary_html(
    public_id, name, maturity, using, adopting, summary, kind, cost_model, hosting, licence,
    maintainer, names,
):  # fmt: skip
    component = Component(public_id=public_id, maturity=maturity)
    meta = [
        _KIND_LABELS.get(kind, kind),
        _COST_LABELS.get(cost_model, cost_model),
        _HOSTING_LABELS.get(hosting, hosting),
    ]
    if licence:
        meta.append(licence)
    if maintainer:
        meta.append(format_html("maintained by {}", isolate(maintainer)))
    meta.extend(names)
    return format_html(
        '<h2 class="govuk-heading-m govuk-!-margin-bottom-2">'
        '<a class="govuk-link" href="{}">{}</a></h2>'
        '<p class="govuk-body govuk-!-margin-bottom-2">{} <strong>{} using it</strong>{}</p>'
        '<p class="govuk-body">{}</p>'
        '<p class="govuk-body-s app-meta">{}</p>',
        component.get_absolute_url(),
        isolate(name),
        maturity_tag(component),
        councils_text(using),
        f", {adopting} adopting in all" if adopting > using else "",
        summary,
        format_html_join(" · ", "{}", ((item,) for item in meta)),
    )


@register.filter
def field_label(name):
    """A component field's name as people read it: "source_url" is "Source url"."""
    try:
        label = str(Component._meta.get_field(name).verbose_name)
    except Exception:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


@register.filter
def language_name(code):
    return publiccode.language_name(code)
