"""The vote's htmx answer is built from what its one statement read (issue #22): where the
voter's council now stands and the councils affected must be what a fresh read would show."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from backlog import selectors, services
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def breakdown_now(problem) -> str:
    return render_to_string(
        "backlog/problem_detail.html#breakdown",
        {"problem": problem, "councils": selectors.problem_councils(problem), "oob": True},
    )


def post(client, problem, action) -> str:
    response = client.post(
        reverse("backlog:problem_vote", args=[problem.pk]), {"action": action}, headers=HTMX
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_councils_affected_sent_with_a_vote_are_those_a_fresh_read_shows(client):
    problem = ProblemFactory()
    for slug in ("kent", "camden", "leeds"):
        services.problem_vote(actor=council_officer(slug), problem=problem)
    colleague = council_officer("leeds", "second@leeds.example.test")
    newcomer = council_officer("cornwall", "first@cornwall.example.test")
    for voter in (colleague, newcomer):
        client.force_login(voter)
        html = post(client, problem, "vote")
        problem.refresh_from_db()
        assert breakdown_now(problem) in html
        html = post(client, problem, "withdraw")
        problem.refresh_from_db()
        assert breakdown_now(problem) in html
    assert "4 councils affected" not in breakdown_now(problem)


def test_after_a_withdrawal_the_button_says_whether_a_colleague_still_counts_the_council(client):
    problem = ProblemFactory()
    first = council_officer("leeds", "first@leeds.example.test")
    second = council_officer("leeds", "second@leeds.example.test")
    for officer in (first, second):
        services.problem_vote(actor=officer, problem=problem)
    client.force_login(second)
    html = post(client, problem, "withdraw")
    assert "is already counted (1 officer)" in html and "Add your name" in html
    client.force_login(first)
    html = post(client, problem, "withdraw")
    assert "My council has this problem too" in html and "already counted" not in html
    assert "No council has said it has this problem yet." in html


def test_a_vote_and_a_withdrawal_through_the_page_keep_who_made_them_in_the_history(
    client, other_officer
):
    from backlog.models import VoteEvent

    problem = ProblemFactory()
    client.force_login(other_officer)
    post(client, problem, "vote")
    post(client, problem, "withdraw")
    events = list(VoteEvent.objects.filter(problem_id=problem.pk).select_related("pgh_context"))
    assert sorted(e.pgh_label for e in events) == ["cast", "deleted"]
    for event in events:
        assert event.pgh_context is not None
        assert event.pgh_context.metadata.get("user") == other_officer.pk
