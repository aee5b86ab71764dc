"""Who may do what in the backlog; the only way views and the API fetch problems for a user."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from backlog.models import Comment, Problem
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


def problem_get_for_user(user, pk, *, write: bool = False) -> Problem:
    """Problems are public to read; only institute staff change their status or merge them."""
    # No joins, and not the wide search vectors no page shows: the problem page serves what
    # else it shows from the cache (institute.fragments), so this is most of its database work.
    problem = get_object_or_404(Problem.objects.defer("search_vector", "title_vector"), pk=pk)
    if write and not can_triage(user):
        raise NotAllowed()
    return problem


def comment_get_for_user(user, pk) -> Comment:
    """Visible comments are public, hidden ones are for staff; the services decide on writes."""
    comment = get_object_or_404(Comment.objects.select_related("problem", "author"), pk=pk)
    if comment.is_hidden and not core.can_curate(user):
        raise Http404
    return comment
