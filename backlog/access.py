"""Who may do what in the backlog; the only way views and the API fetch problems for a user."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from backlog.models import Comment, Problem, Status, WithdrawnProblem
from institute import access as core
from institute.errors import NotAllowed


def can_submit_problem(user) -> bool:
    """Council officers, centre staff and institute staff who belong to an organisation."""
    return core.can_participate(user) and core.membership_of(user) is not None


def can_vote(user) -> bool:
    """ "My council has this problem too" can only be said by an officer of a council."""
    return core.is_council_officer(user)


def can_comment(user) -> bool:
    return can_submit_problem(user)


def can_triage(user) -> bool:
    return core.can_curate(user)


# What a problem's people may change about it, and when: the submitter while it is new (before
# triage has worked on it), institute staff at any status, saying why. Nothing else is edited.
EDITABLE_FIELDS = ("title", "summary", "description", "theme", "service_areas")
SUBMITTER_EDITS_WHILE = frozenset({Status.NEW})


def is_submitter(user, problem: Problem) -> bool:
    return user.is_authenticated and problem.submitted_by_id == user.pk


def can_edit_problem(user, problem: Problem) -> bool:
    """Institute staff at any status; the person who raised it while it is new."""
    if can_triage(user):
        return True
    return (
        core.can_participate(user)
        and is_submitter(user, problem)
        and problem.status in SUBMITTER_EDITS_WHILE
    )


def edit_needs_reason(user) -> bool:
    """Staff change other people's words: they say why, and the problem page shows it."""
    return can_triage(user)


def can_withdraw_problem(user, problem: Problem) -> bool:
    """Only the person who raised it (and the service checks it is new, with no other council's
    demand). Staff close a problem as "not taken forward" instead."""
    return core.can_participate(user) and is_submitter(user, problem)


class ProblemWithdrawn(Http404):
    """The problem was withdrawn by its council: its page answers with the tombstone."""

    def __init__(self, tombstone: WithdrawnProblem):
        super().__init__("This problem was withdrawn by the council that raised it.")
        self.tombstone = tombstone


def problem_get_for_user(user, pk, *, write: bool = False) -> Problem:
    """Problems are public to read; only institute staff change their status or merge them.

    A withdrawn problem raises ProblemWithdrawn (a 404 unless the view shows the tombstone)."""
    # No joins, and not the wide search vectors no page shows: the problem page serves what
    # else it shows from the cache (institute.fragments), so this is most of its database work.
    problem = Problem.objects.defer("search_vector", "title_vector").filter(pk=pk).first()
    if problem is None:
        tombstone = (
            WithdrawnProblem.objects.select_related("organisation").filter(number=pk).first()
        )
        if tombstone is not None:
            raise ProblemWithdrawn(tombstone)
        raise Http404("No problem has this id.")
    if write and not can_triage(user):
        raise NotAllowed()
    return problem


def comment_get_for_user(user, pk) -> Comment:
    """Visible comments are public, hidden ones are for staff; the services decide on writes."""
    comment = get_object_or_404(Comment.objects.select_related("problem", "author"), pk=pk)
    if comment.is_hidden and not core.can_curate(user):
        raise Http404
    return comment
