from functools import lru_cache

from django import template
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backlog.models import Problem
from institute.selectors import service_area_names_of
from institute.wording import count_of, isolate

register = template.Library()

_STATUS_CLASSES = {
    "new": "govuk-tag--blue",
    "triaged": "govuk-tag--light-blue",
    "in_discovery": "govuk-tag--purple",
    "in_progress": "govuk-tag--turquoise",
    "solved": "govuk-tag--green",
    "not_taken_forward": "govuk-tag--grey",
    "merged": "govuk-tag--grey",
}


@register.simple_tag
def status_tag(problem):
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        _STATUS_CLASSES.get(problem.status, ""),
        problem.get_status_display(),
    )


@register.simple_tag
def demand_text(council_count, vote_count):
    """“12 councils affected (15 officers)”."""
    return f"{count_of(council_count, 'council')} affected ({count_of(vote_count, 'officer')})"


@register.simple_tag
def problem_demand(problem):
    """A problem's demand where a page shows it: marked, so that a vote (backlog/_vote.html)
    updates every place on the page that shows it at once (an htmx out-of-band swap)."""
    return format_html(
        '<span data-demand="{}">{}</span>',
        problem.pk,
        demand_text(problem.council_count, problem.vote_count),
    )


@register.filter
def vote_state(states, pk):
    """`{{ vote_states|vote_state:problem.pk }}`: the viewer's VoteState for one problem in a
    list (selectors.problem_vote_states), or nothing."""
    return states.get(pk)


def _names_joined(links) -> SafeString:
    """“A”, “A and B”, “A, B and C” (each already safe html)."""
    links = list(links)
    if len(links) < 2:
        return format_html_join("", "{}", ((link,) for link in links))
    head = format_html_join(", ", "{}", ((link,) for link in links[:-1]))
    return format_html("{} and {}", head, links[-1])


def _closed_note(council) -> SafeString | str:
    """After a council that said so has closed: its last day and the councils carrying its
    figures now (“closed 31 March 2027, now East Surrey Council and West Surrey Council”)."""
    if not council.closed:
        return ""
    closed = f"closed {dateformat.format(council.valid_to, 'j F Y')}"
    if not council.heirs:
        return format_html(" — {}", closed)
    heirs = _names_joined(
        format_html('<a class="govuk-link" href="{}">{}</a>', h.get_absolute_url(), isolate(h.name))
        for h in council.heirs
    )
    return format_html(" — {}, now {}", closed, heirs)


@register.simple_tag
def council_list(councils):
    """The councils of one region on a problem page: built in one pass, since a problem can
    affect most of England's 317 councils. One that has closed says so, with links to the
    councils that replaced it."""
    items = format_html_join(
        "",
        '<li><a class="govuk-link" href="{}">{}</a>{}{}</li>',
        (
            (
                council.get_absolute_url(),
                isolate(council.name),
                f" ({count_of(council.officers, 'officer')})" if council.officers > 1 else "",
                _closed_note(council),
            )
            for council in councils
        ),
    )
    return format_html('<ul class="govuk-list">{}</ul>', items)


@register.simple_tag
def problem_summary(problem, service_areas=None):
    """One result in the backlog list (title, status, demand, summary, theme and areas), built
    in Python: the list renders 25 of them on every request. `service_areas`: names by problem
    id (selectors.problem_rows), or else the problem's own."""
    return _summary_html(
        problem.pk,
        problem.title,
        problem.status,
        problem.council_count,
        problem.vote_count,
        problem.summary,
        problem.theme,
        service_area_names_of(problem, service_areas),
        problem.submitted_for.name,
    )


# A row's HTML from everything it shows, so a row shown again unchanged (the first pages of the
# backlog, on every request) costs a dictionary lookup instead of escaping and formatting it
# again: about a third of the page's own time. Keyed by the values, a changed row is a new key.
@lru_cache(maxsize=4096)
def _summary_html(pk, title, status, council_count, vote_count, summary, theme, names, source):
    problem = Problem(
        pk=pk,
        title=title,
        status=status,
        theme=theme,
        council_count=council_count,
        vote_count=vote_count,
    )
    areas = "".join(f" · {name}" for name in names)
    return format_html(
        '<h2 class="govuk-heading-m govuk-!-margin-bottom-2">'
        '<a class="govuk-link" href="{}">{}</a></h2>'
        '<p class="govuk-body govuk-!-margin-bottom-2">{} <strong>{}</strong></p>'
        '<p class="govuk-body">{}</p>'
        '<p class="govuk-body-s app-meta">{}{} · from {}</p>',
        problem.get_absolute_url(),
        isolate(title),
        status_tag(problem),
        problem_demand(problem),
        summary,
        problem.get_theme_display(),
        areas,
        isolate(source),
    )
