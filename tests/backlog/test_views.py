"""The backlog's pages: browse, submit, vote, discuss, triage, merge, export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backlog import services
from backlog.models import Comment, CouncilDemand, Follow, Problem, Status, Vote
from institute.models import Notification, ServiceArea
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db
LIST = reverse("backlog:problem_list")
SUBMIT = reverse("backlog:problem_submit")


def _submission(**overrides):
    return {
        "title": "Residents cannot see when their bins will be collected",
        "summary": "People phone the contact centre to ask about missed collections.",
        "description": "We publish a PDF calendar.\n\n**Nobody** reads it.",
        "theme": "data",
        "service_areas": ["waste-and-recycling", "customer-services"],
        **overrides,
    }


@pytest.fixture
def problem(officer):
    return services.problem_submit(
        actor=officer,
        title="Housing repairs reports go missing between systems",
        summary="Tenants report a repair twice because the first report never arrives.",
        description="Two systems, no link.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )


# --- Browse ----------------------------------------------------------------------------------


def test_backlog_lists_problems_with_demand_by_council(client, problem, other_officer):
    services.problem_vote(actor=other_officer, problem=problem)
    html = client.get(LIST).content.decode()
    assert problem.title in html
    # Leeds raised it (its officer's vote counts) and Bristol said it has it too.
    assert "2 councils affected (2 officers)" in html


def test_backlog_hides_merged_problems_and_filters_by_theme_and_region(
    client, officer, institute_staff
):
    data = ProblemFactory(title="Data problem", theme="data")
    skills = ProblemFactory(title="Skills problem", theme="skills")
    merged = ProblemFactory(title="Merged away", theme="data")
    services.problem_merge(actor=institute_staff, source=merged, target=data)
    services.problem_vote(actor=council_officer("camden"), problem=skills)

    titles = [p.title for p in client.get(LIST).context["page_obj"]]
    assert "Merged away" not in titles
    assert [p.title for p in client.get(LIST, {"theme": "data"}).context["page_obj"]] == [
        "Data problem"
    ]
    london = client.get(LIST, {"region": "E12000007"}).context["page_obj"]
    assert [p.title for p in london] == ["Skills problem"]


def test_backlog_search_and_every_sort_have_shareable_urls(client):
    ProblemFactory(title="Missed bin collections", summary="Bins are missed.")
    ProblemFactory(title="Parking permits by post")
    response = client.get(LIST, {"q": "bins", "sort": "newest"})
    assert [p.title for p in response.context["page_obj"]] == ["Missed bin collections"]
    for sort in ("councils", "votes", "newest", "active", "trending"):
        assert client.get(LIST, {"sort": sort}).status_code == 200


def test_backlog_ignores_bad_filter_values(client):
    ProblemFactory()
    response = client.get(
        LIST, {"theme": "nonsense", "region": "<b>", "sort": "drop table", "page": "-3"}
    )
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1
    assert "Select a valid choice" not in response.content.decode()


def test_htmx_filter_request_returns_only_the_results(client):
    ProblemFactory(title="Only one")
    response = client.get(LIST, {"theme": "data"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "Only one" in html and "<html" not in html


def test_backlog_empty_state(client):
    assert "No problems match" in client.get(LIST, {"q": "zebra crossings"}).content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_backlog_list_query_count_is_fixed(client, officer, django_assert_num_queries, count):
    for n in range(count):
        ProblemFactory(title=f"Problem {n}")
    client.force_login(officer)
    # user (with membership and organisation), service area choices, count, page, the
    # officer's votes on the page. (The session comes from the cache; the service areas are
    # the ids beside each row.)
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == min(count, 25)


def test_csv_export_is_filter_aware_with_council_counts(client, problem, other_officer):
    services.problem_vote(actor=other_officer, problem=problem)
    ProblemFactory(title="Skills gap", theme="skills")
    response = client.get(reverse("backlog:problem_export"), {"theme": "data"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:6] == ["id", "title", "summary", "theme", "status", "councils_affected"]
    assert [r[1] for r in rows[1:]] == [problem.title]
    assert rows[1][5] == "2" and rows[1][6] == "2"


# --- Submit ----------------------------------------------------------------------------------


def test_officer_submits_a_problem_and_sees_a_confirmation(client, officer):
    client.force_login(officer)
    response = client.post(SUBMIT, _submission())
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backlog:problem_submitted", args=[problem.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Problem submitted" in page and str(problem.pk) in page
    assert problem.submitted_for.slug == "leeds"
    assert set(problem.service_areas.values_list("slug", flat=True)) == {
        "waste-and-recycling",
        "customer-services",
    }
    assert "<strong>Nobody</strong>" in problem.description_html


def test_similar_problems_are_shown_before_a_new_one_is_accepted(client, officer):
    existing = ProblemFactory(title="Residents cannot see when bins will be collected")
    client.force_login(officer)
    first = client.post(SUBMIT, _submission())
    html = first.content.decode()
    assert first.status_code == 200
    assert existing.title in html
    assert 'name="checked" value="1"' in html
    assert Problem.objects.count() == 1
    second = client.post(SUBMIT, {**_submission(), "checked": "1", "action": "submit"})
    assert second.status_code == 302
    assert Problem.objects.count() == 2


def test_similar_suggestions_partial_for_htmx(client):
    ProblemFactory(title="Missed bin collections are not reported")
    response = client.get(
        reverse("backlog:problem_similar"), {"title": "missed bins"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Missed bin collections are not reported" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "Enter a title"),
        ({"title": "x" * 151}, "at most 150 characters"),
        ({"summary": ""}, "Enter a summary"),
        ({"description": ""}, "Enter a description"),
        ({"theme": "made-up"}, "Choose a theme"),
        ({"service_areas": []}, "Choose at least one service area"),
        ({"service_areas": ["no-such-area"]}, "Choose service areas from the list"),
    ],
)
def test_bad_submission_gets_an_error_summary_and_creates_nothing(
    client, officer, overrides, message
):
    client.force_login(officer)
    response = client.post(SUBMIT, _submission(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert not Problem.objects.exists()


@pytest.mark.parametrize("role", ["sector_viewer", "no_membership_user"])
def test_people_who_cannot_submit_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(SUBMIT).status_code == 403
    assert client.post(SUBMIT, _submission()).status_code == 403
    assert not Problem.objects.exists()


def test_anonymous_submit_goes_to_sign_in(client):
    response = client.post(SUBMIT, _submission())
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not Problem.objects.exists()


# --- Problem page ----------------------------------------------------------------------------


def test_problem_page_shows_councils_by_region_and_type_and_the_timeline(client, problem):
    for slug in ["camden", "hackney", "kent"]:
        services.problem_vote(actor=council_officer(slug), problem=problem)
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "4 councils affected (4 officers)" in html  # Leeds raised it
    assert "London (2)" in html and "South East (1)" in html
    assert "London borough" in html and "County council" in html
    assert "Submitted" in html  # the first timeline entry


@pytest.mark.parametrize("votes", [1, 40])
def test_problem_page_query_count_is_fixed(client, problem, django_assert_num_queries, votes):
    councils = ["camden", "hackney", "kent", "leeds", "cornwall"]
    for n in range(votes):
        services.problem_vote(
            actor=council_officer(councils[n % 5], f"o{n}@example.test"), problem=problem
        )
        services.comment_add(
            actor=council_officer("norfolk", f"c{n}@example.test"),
            problem=problem,
            body=f"Comment {n}",
        )
    # problem, who raised it, service areas, timeline, latest changes (revisions), comments,
    # councils, merged-from; then the sections other apps add: components addressing it (1),
    # centre learning and projects (1). Then the page is in the cache (institute.fragments): a
    # visitor's next view makes none.
    with django_assert_num_queries(10):
        client.get(problem.get_absolute_url())
    with django_assert_num_queries(0):
        client.get(problem.get_absolute_url())


def test_merged_problem_redirects_visitors_and_says_so(client, institute_staff, problem):
    other = ProblemFactory(title="Repairs reports lost")
    services.problem_merge(actor=institute_staff, source=other, target=problem)
    response = client.get(other.get_absolute_url())
    assert response.status_code == 302
    followed = client.get(response["Location"]).content.decode()
    assert "was merged into this problem" in followed
    client.force_login(institute_staff)
    staff_view = client.get(other.get_absolute_url())
    assert staff_view.status_code == 200 and "Unmerge" in staff_view.content.decode()


def test_unknown_problem_is_404(client):
    assert client.get("/problems/999999/").status_code == 404


# --- Vote and follow -------------------------------------------------------------------------


def test_vote_without_javascript_redirects_with_a_message(client, other_officer, problem):
    client.force_login(other_officer)
    response = client.post(reverse("backlog:problem_vote", args=[problem.pk]), follow=True)
    assert "Recorded: your council has this problem too." in response.content.decode()
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (2, 2)


def test_vote_with_htmx_returns_the_updated_button(client, other_officer, problem):
    client.force_login(other_officer)
    url = reverse("backlog:problem_vote", args=[problem.pk])
    html = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "Withdraw your vote" in html and "2 councils affected (2 officers)" in html
    html = client.post(url, {"action": "withdraw"}, headers={"HX-Request": "true"}).content.decode()
    assert "My council has this problem too" in html
    assert not Vote.objects.filter(user=other_officer).exists()
    assert list(CouncilDemand.objects.values_list("organisation__slug", flat=True)) == ["leeds"]


@pytest.mark.parametrize("action", ["vote", "withdraw"])
def test_voting_on_a_problem_that_is_not_there_is_404_and_changes_nothing(
    client, other_officer, problem, action
):
    client.force_login(other_officer)
    url = reverse("backlog:problem_vote", args=[problem.pk + 1000])
    for headers in ({}, {"HX-Request": "true"}):
        assert client.post(url, {"action": action}, headers=headers).status_code == 404
    assert Vote.objects.count() == 1  # only the submitter's
    assert CouncilDemand.objects.count() == 1


def test_a_vote_and_a_withdrawal_each_make_a_fixed_number_of_queries(
    client, other_officer, problem, django_assert_num_queries
):
    """The commonest write: the signed-in user (with their membership), then one round trip,
    its own transaction: the row lock and the write, which says where the voter's council now
    stands (and, on the problem page, the councils affected after it)."""
    client.force_login(other_officer)
    url = reverse("backlog:problem_vote", args=[problem.pk])
    htmx = {"HX-Request": "true"}
    with django_assert_num_queries(2):  # user, lock and vote
        assert client.post(url, {"action": "vote", "compact": "1"}, headers=htmx).status_code == 200
    with django_assert_num_queries(2):  # user, lock and withdrawal
        response = client.post(url, {"action": "withdraw", "compact": "1"}, headers=htmx)
        assert response.status_code == 200
    # On the problem page, the councils affected come in the same round trip.
    with django_assert_num_queries(2):
        assert client.post(url, {"action": "vote"}, headers=htmx).status_code == 200
    with django_assert_num_queries(2):
        assert client.post(url, {"action": "withdraw"}, headers=htmx).status_code == 200


def test_the_problem_page_shows_a_vote_cast_through_the_button_at_once(
    client, other_officer, problem
):
    page = problem.get_absolute_url()
    assert "1 council affected (1 officer)" in client.get(page).content.decode()  # cached now
    client.force_login(other_officer)
    url = reverse("backlog:problem_vote", args=[problem.pk])
    client.post(url, {"action": "vote"}, headers={"HX-Request": "true"})
    client.logout()
    assert "2 councils affected (2 officers)" in client.get(page).content.decode()
    client.force_login(other_officer)
    client.post(url, {"action": "withdraw"}, headers={"HX-Request": "true"})
    client.logout()
    assert "1 council affected (1 officer)" in client.get(page).content.decode()


@pytest.mark.parametrize(
    "role", ["centre_staff", "institute_staff", "sector_viewer", "no_membership_user"]
)
def test_only_council_officers_can_vote(client, request, role, problem):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("backlog:problem_vote", args=[problem.pk]), follow=True)
    assert "Only council officers can say their council has a problem." in (
        response.content.decode()
    )
    assert Vote.objects.count() == 1  # only the submitter's


def test_voting_on_a_solved_problem_changes_nothing(
    client, institute_staff, other_officer, problem
):
    services.problem_change_status(actor=institute_staff, problem=problem, status=Status.SOLVED)
    client.force_login(other_officer)
    response = client.post(reverse("backlog:problem_vote", args=[problem.pk]), follow=True)
    assert "not collecting votes any more" in response.content.decode()
    assert not Vote.objects.filter(user=other_officer).exists()


def test_follow_and_unfollow(client, other_officer, problem):
    client.force_login(other_officer)
    url = reverse("backlog:problem_follow", args=[problem.pk])
    client.post(url)
    assert Follow.objects.filter(user=other_officer, problem=problem).exists()
    client.post(url, {"action": "unfollow"})
    assert not Follow.objects.filter(user=other_officer, problem=problem).exists()


# --- Discussion ------------------------------------------------------------------------------


def test_comment_is_posted_escaped_and_followers_are_told(client, officer, other_officer, problem):
    client.force_login(other_officer)
    body = "We have this too <script>alert(1)</script> [x](javascript:alert(1))"
    client.post(reverse("backlog:comment_create", args=[problem.pk]), {"body": body})
    comment = Comment.objects.get()
    assert "<script>" not in comment.body_html and "javascript:" not in comment.body_html
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "We have this too" in html and "<script>alert(1)</script>" not in html
    assert Notification.objects.filter(recipient=officer, kind="problem_comment").count() == 1


def test_empty_comment_shows_an_error_and_saves_nothing(client, other_officer, problem):
    client.force_login(other_officer)
    response = client.post(reverse("backlog:comment_create", args=[problem.pk]), {"body": " "})
    assert "Enter a comment" in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_with_htmx_returns_the_discussion(client, other_officer, problem):
    client.force_login(other_officer)
    response = client.post(
        reverse("backlog:comment_create", args=[problem.pk]),
        {"body": "Same here"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="discussion"')
    assert "Same here" in html


def test_author_edits_within_15_minutes_only(client, other_officer, officer, problem):
    comment = services.comment_add(actor=other_officer, problem=problem, body="Frist")
    url = reverse("backlog:comment_edit", args=[comment.pk])
    client.force_login(officer)
    assert client.post(url, {"body": "Hijacked"}).status_code == 403
    client.force_login(other_officer)
    client.post(url, {"body": "First"})
    comment.refresh_from_db()
    assert comment.body == "First" and comment.edited_at
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    response = client.post(url, {"body": "Too late"})
    assert "only be edited for 15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First"


def test_report_then_staff_hide_and_restore(
    client, officer, other_officer, institute_staff, problem
):
    comment = services.comment_add(actor=other_officer, problem=problem, body="Rude words")
    client.force_login(officer)
    client.post(reverse("backlog:comment_report", args=[comment.pk]), {"reason": "Abusive"})
    again = client.post(reverse("backlog:comment_report", args=[comment.pk]), {"reason": "Again"})
    assert "already reported" in again.content.decode()
    assert (
        client.post(
            reverse("backlog:comment_moderate", args=[comment.pk]), {"reason": "x"}
        ).status_code
        == 403
    )

    client.force_login(institute_staff)
    client.post(reverse("backlog:comment_moderate", args=[comment.pk]), {"reason": "Abusive"})
    comment.refresh_from_db()
    assert comment.is_hidden
    client.force_login(officer)
    assert "Rude words" not in client.get(problem.get_absolute_url()).content.decode()

    client.force_login(institute_staff)
    client.post(reverse("backlog:comment_moderate", args=[comment.pk]))
    comment.refresh_from_db()
    assert not comment.is_hidden


# --- Triage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "centre_staff", "sector_viewer"])
def test_triage_pages_are_for_institute_staff_only(client, request, role, problem):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("backlog:triage")).status_code == 403
    status_url = reverse("backlog:problem_status", args=[problem.pk])
    assert client.post(status_url, {"status": "triaged"}).status_code == 403
    merge_url = reverse("backlog:problem_merge", args=[problem.pk])
    assert client.post(merge_url, {"target": ProblemFactory().pk}).status_code == 403
    problem.refresh_from_db()
    assert problem.status == Status.NEW


def test_staff_change_status_and_not_taken_forward_needs_a_note(client, institute_staff, problem):
    client.force_login(institute_staff)
    url = reverse("backlog:problem_status", args=[problem.pk])
    response = client.post(url, {"status": "not_taken_forward", "note": ""})
    assert "Say why this problem is not being taken forward" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == Status.NEW
    client.post(url, {"status": "triaged", "note": "Clear and common"})
    problem.refresh_from_db()
    assert problem.status == Status.TRIAGED
    assert "Clear and common" in client.get(problem.get_absolute_url()).content.decode()


def test_triage_queue_lists_new_problems_and_duplicate_pairs(client, institute_staff, problem):
    twin = ProblemFactory(title="Housing repair reports go missing between two systems")
    services.duplicate_candidates_find(problem=twin)
    client.force_login(institute_staff)
    html = client.get(reverse("backlog:triage")).content.decode()
    assert problem.title in html
    assert "Likely duplicates" in html and twin.title in html


def test_staff_merge_and_unmerge_through_the_pages(client, institute_staff, problem):
    source = ProblemFactory(title="Lost repair reports")
    voter = council_officer("camden")
    services.problem_vote(actor=voter, problem=source)
    client.force_login(institute_staff)
    bad = client.post(reverse("backlog:problem_merge", args=[source.pk]), {"target": 999999})
    assert "There is no problem with that number" in bad.content.decode()
    client.post(reverse("backlog:problem_merge", args=[source.pk]), {"target": problem.pk})
    problem.refresh_from_db()
    source.refresh_from_db()
    assert source.status == Status.MERGED and problem.council_count == 2  # Leeds and Camden
    client.post(reverse("backlog:problem_unmerge", args=[source.pk]))
    problem.refresh_from_db()
    source.refresh_from_db()
    assert source.status == Status.NEW
    assert (source.council_count, problem.council_count) == (1, 1)


def test_my_council_lists_what_it_submitted_and_voted_for(client, officer, problem):
    voted = ProblemFactory(title="Voted for by Leeds")
    ProblemFactory(
        title="Nothing to do with Leeds",
        submitted_for=council_officer("kent").membership.organisation,
    )
    services.problem_vote(
        actor=council_officer("leeds", "second@leeds.example.test"), problem=voted
    )
    client.force_login(officer)
    html = client.get(reverse("backlog:my_council")).content.decode()
    assert problem.title in html and "Voted for by Leeds" in html
    assert "Nothing to do with Leeds" not in html


def test_organisation_page_lists_the_councils_problems(client, problem):
    html = client.get("/organisations/leeds/").content.decode()
    assert "Common problems" in html and problem.title in html
    assert "Common problems" not in client.get("/organisations/kent/").content.decode()
