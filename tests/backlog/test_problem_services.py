"""Submitting problems, moving them along, discussing them, spotting duplicates and trending,
and the backlog's list and look-alike searches."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from backlog import selectors, services
from backlog.models import (
    Comment,
    CommentReport,
    CouncilDemand,
    DuplicateCandidate,
    Follow,
    Problem,
    Status,
    StatusChange,
    Vote,
)
from backlog.selectors import BacklogFilters
from backlog.tasks import problem_find_duplicates
from institute import jobs
from institute.errors import DomainError, NotAllowed
from institute.markdown import ALLOWED_TAGS
from institute.models import AuditEvent, Notification, ServiceArea, Theme
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db


def housing():
    return ServiceArea.objects.get(slug="housing")


def submit(actor, **overrides):
    fields = {
        "title": "Tenants cannot see the progress of repairs",
        "summary": "Repair requests disappear into a back-office system.",
        "description": "Tenants ring the contact centre to ask where a repair has got to.",
        "theme": Theme.DATA,
        "service_areas": [housing()],
    }
    fields.update(overrides)
    return services.problem_submit(actor=actor, **fields)


def problem_titled(title, *, summary=None, **extra):
    """A problem whose summary and description say the same as its title (the factory's
    default summary is shared by every problem, which would make them all look alike)."""
    return ProblemFactory(
        title=title, summary=summary or title, description=summary or title, **extra
    )


def recipients(kind=None) -> set[int]:
    notes = Notification.objects.all()
    if kind:
        notes = notes.filter(kind=kind)
    return set(notes.values_list("recipient_id", flat=True))


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parsed_tags(html: str):
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


# Submitting --------------------------------------------------------------------------------


def test_officer_submits_a_problem_for_their_council(officer, leeds):
    problem = submit(officer)

    problem.refresh_from_db()
    assert problem.title == "Tenants cannot see the progress of repairs"
    assert problem.status == Status.NEW
    assert problem.submitted_by == officer
    assert problem.submitted_for == leeds
    assert problem.theme == Theme.DATA
    assert list(problem.service_areas.all()) == [housing()]


def test_submitter_follows_their_problem(officer):
    problem = submit(officer)

    assert list(Follow.objects.filter(problem=problem).values_list("user", flat=True)) == [
        officer.pk
    ]


def test_submission_starts_the_timeline_at_new(officer):
    problem = submit(officer)

    change = StatusChange.objects.get(problem=problem)
    assert (change.from_status, change.to_status) == ("", Status.NEW)
    assert change.actor == officer


def test_submission_is_audited(officer):
    problem = submit(officer)

    event = AuditEvent.objects.get(verb="problem.submitted")
    assert event.actor == officer
    assert event.target_id == str(problem.pk)


def test_officers_submission_counts_their_council_as_the_first_affected(officer, leeds):
    problem = submit(officer)

    assert (problem.council_count, problem.vote_count) == (1, 1)
    vote = Vote.objects.get(problem=problem)
    assert (vote.user, vote.organisation, vote.cast_on) == (officer, leeds, problem)
    assert list(
        CouncilDemand.objects.filter(problem=problem).values_list("organisation", "officers")
    ) == [(leeds.pk, 1)]
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count, problem.trending_count) == (1, 1, 1)
    assert Follow.objects.filter(problem=problem, user=officer).count() == 1


@pytest.mark.parametrize("who", ["centre_staff", "institute_staff"])
def test_staff_submission_does_not_count_as_a_council_affected(request, who):
    problem = submit(request.getfixturevalue(who))

    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (0, 0)
    assert not Vote.objects.filter(problem=problem).exists()
    assert not CouncilDemand.objects.filter(problem=problem).exists()


def test_submitter_can_withdraw_the_vote_their_submission_cast(officer):
    problem = submit(officer)

    assert services.problem_vote_withdraw(actor=officer, problem=problem) is True

    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (0, 0)


def test_submission_tidies_whitespace_in_title_and_summary(officer):
    problem = submit(officer, title="  Too   many\n spaces  ", summary="\tA   summary ")

    assert problem.title == "Too many spaces"
    assert problem.summary == "A summary"


def test_submission_can_have_several_service_areas(officer):
    areas = list(ServiceArea.objects.filter(slug__in=["housing", "customer-services"]))

    problem = submit(officer, service_areas=areas)

    assert set(problem.service_areas.all()) == set(areas)


@pytest.mark.parametrize("who", ["centre_staff", "institute_staff"])
def test_centre_and_institute_staff_can_submit_for_their_organisation(request, who):
    user = request.getfixturevalue(who)

    problem = submit(user)

    assert problem.submitted_for == user.membership.organisation


@pytest.mark.parametrize("who", ["sector_viewer", "no_membership_user", "anonymous", "superuser"])
def test_people_who_cannot_participate_cannot_submit(request, who):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        submit(user)

    assert not Problem.objects.exists()


def test_submission_queues_the_duplicate_search_once_committed(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(jobs.app, "send_task", lambda name, args: queued.append((name, args)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        problem = submit(officer)
    assert queued == []  # nothing is queued before the submission commits
    for callback in callbacks:  # the commit: other callbacks (a dashboard refresh) run too
        callback()
    assert queued.count(("backlog.tasks.problem_find_duplicates", [problem.pk])) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   \n "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 301}, "summary"),
        ({"description": "  "}, "description"),
        ({"description": "x" * 20001}, "description"),
        ({"theme": ""}, "theme"),
        ({"theme": "not-a-theme"}, "theme"),
        ({"service_areas": []}, "service_areas"),
        ({"service_areas": ["housing"]}, "service_areas"),
    ],
)
def test_invalid_submission_names_the_field_and_creates_nothing(officer, overrides, field):
    with pytest.raises(DomainError) as invalid:
        submit(officer, **overrides)

    assert invalid.value.field == field
    assert invalid.value.status == 400
    assert invalid.value.message
    assert not Problem.objects.exists()
    assert not StatusChange.objects.exists()
    assert not Follow.objects.exists()
    assert not AuditEvent.objects.filter(verb="problem.submitted").exists()


def test_longest_allowed_title_and_summary_are_accepted(officer):
    problem = submit(officer, title="t" * 150, summary="s" * 300)

    assert len(problem.title) == 150
    assert len(problem.summary) == 300


def test_description_is_rendered_from_markdown(officer):
    problem = submit(officer, description="Some **bold** text\n\n- one\n- two")

    assert "<strong>bold</strong>" in problem.description_html
    assert '<ul class="govuk-list govuk-list--bullet">' in problem.description_html
    assert problem.description == "Some **bold** text\n\n- one\n- two"


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "Hello <img src=x onerror=alert(1)> there",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">click me</a>',
    '<a href="jav&#x09;ascript:alert(1)">click me</a>',
    "![picture](javascript:alert(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div onmouseover="alert(1)">hover</div>',
    "<svg onload=alert(1)>",
    '<p style="color:red" onclick="alert(1)">para</p>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '<form action="https://evil.example"><input name=x></form>',
    '<a href="https://example.org" onclick="alert(1)" style="x" class="y">ok</a>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_survives_in_the_rendered_description(officer, payload):
    problem = submit(officer, description=f"Intro paragraph.\n\n{payload}\n\nLast words.")

    html = problem.description_html
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "onerror=" not in lowered
    for tag, attrs in parsed_tags(html):
        assert tag in ALLOWED_TAGS
        for name, value in attrs.items():
            assert not name.startswith("on")
            assert name not in {"style", "src", "action", "formaction"}
            if name == "href":
                assert value.split(":", 1)[0].lower() in {"http", "https", "mailto"}
            if name == "class":
                assert value.startswith("govuk-")
    # The description itself is kept as typed, for the writer to edit.
    assert payload in problem.description
    assert Problem.objects.get(pk=problem.pk).description_html == html


# Changing status ---------------------------------------------------------------------------


@pytest.fixture
def audience(officer, other_officer, centre_staff, institute_staff):
    """A problem submitted (and so voted on) by the Leeds officer, voted on by Bristol and by
    a Manchester officer who then unfollowed, followed by centre staff and by the institute
    staff member who will change its status."""
    problem = submit(officer)
    services.problem_vote(actor=other_officer, problem=problem)
    unfollower = council_officer("manchester")
    services.problem_vote(actor=unfollower, problem=problem)
    services.problem_unfollow(actor=unfollower, problem=problem)
    services.problem_follow(actor=centre_staff, problem=problem)
    services.problem_follow(actor=institute_staff, problem=problem)
    return problem, unfollower


def test_staff_move_a_problem_along_and_the_timeline_records_it(institute_staff, audience):
    problem, _ = audience

    services.problem_change_status(
        actor=institute_staff, problem=problem, status=Status.TRIAGED, note="Looked at it"
    )

    problem.refresh_from_db()
    assert problem.status == Status.TRIAGED
    change = StatusChange.objects.filter(problem=problem).last()
    assert (change.from_status, change.to_status) == (Status.NEW, Status.TRIAGED)
    assert change.actor == institute_staff
    assert change.note == "Looked at it"
    event = AuditEvent.objects.get(verb="problem.status_changed")
    assert event.data == {"from": Status.NEW, "to": Status.TRIAGED}


def test_followers_and_voters_hear_of_a_status_change_but_not_the_person_who_made_it(
    officer, other_officer, centre_staff, institute_staff, audience
):
    problem, unfollower = audience

    services.problem_change_status(actor=institute_staff, problem=problem, status=Status.TRIAGED)

    assert recipients("problem_status") == {
        officer.pk,
        other_officer.pk,
        centre_staff.pk,
        unfollower.pk,
    }
    assert recipients() == recipients("problem_status")
    note = Notification.objects.get(recipient=officer)
    assert problem.title in note.title
    assert "triaged" in note.title
    assert note.url == problem.get_absolute_url()


def test_solved_notifies_every_voter_as_solved(
    officer, other_officer, centre_staff, institute_staff, audience
):
    problem, unfollower = audience

    services.problem_change_status(
        actor=institute_staff, problem=problem, status=Status.SOLVED, note="Pattern published"
    )

    solved = Notification.objects.filter(kind="problem_solved")
    voters = set(Vote.objects.filter(problem=problem).values_list("user_id", flat=True))
    assert voters == {officer.pk, other_officer.pk, unfollower.pk}
    assert voters <= set(solved.values_list("recipient_id", flat=True))
    assert recipients() == {officer.pk, other_officer.pk, centre_staff.pk, unfollower.pk}
    assert not Notification.objects.filter(kind="problem_status").exists()
    assert set(solved.values_list("body", flat=True)) == {"Pattern published"}


def test_voters_of_a_merged_problem_hear_when_the_surviving_problem_is_solved(
    institute_staff, other_officer
):
    merged, survivor = ProblemFactory(), ProblemFactory()
    services.problem_vote(actor=other_officer, problem=merged)
    services.problem_unfollow(actor=other_officer, problem=merged)
    services.problem_merge(actor=institute_staff, source=merged, target=survivor)

    services.problem_change_status(actor=institute_staff, problem=survivor, status=Status.SOLVED)

    assert Notification.objects.filter(recipient=other_officer, kind="problem_solved").exists()


def test_each_status_change_is_a_separate_notification(officer, institute_staff):
    problem = submit(officer)

    services.problem_change_status(actor=institute_staff, problem=problem, status=Status.TRIAGED)
    services.problem_change_status(
        actor=institute_staff, problem=problem, status=Status.IN_DISCOVERY
    )

    assert Notification.objects.filter(recipient=officer).count() == 2


@pytest.mark.parametrize(
    "who",
    [
        "officer",
        "other_officer",
        "centre_staff",
        "sector_viewer",
        "no_membership_user",
        "anonymous",
    ],
)
def test_only_institute_staff_can_change_status(request, who, officer):
    problem = submit(officer)
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        services.problem_change_status(actor=user, problem=problem, status=Status.TRIAGED)

    problem.refresh_from_db()
    assert problem.status == Status.NEW
    assert StatusChange.objects.filter(problem=problem).count() == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize("note", ["", "   \n  "])
def test_not_taken_forward_needs_a_reason(officer, institute_staff, note):
    problem = submit(officer)

    with pytest.raises(DomainError) as invalid:
        services.problem_change_status(
            actor=institute_staff, problem=problem, status=Status.NOT_TAKEN_FORWARD, note=note
        )

    assert invalid.value.field == "note"
    problem.refresh_from_db()
    assert problem.status == Status.NEW
    assert StatusChange.objects.filter(problem=problem).count() == 1
    assert not Notification.objects.exists()


def test_not_taken_forward_with_a_reason_tells_followers_why(officer, institute_staff):
    problem = submit(officer)

    services.problem_change_status(
        actor=institute_staff,
        problem=problem,
        status=Status.NOT_TAKEN_FORWARD,
        note="  A national body already does this.  ",
    )

    problem.refresh_from_db()
    assert problem.status == Status.NOT_TAKEN_FORWARD
    assert StatusChange.objects.filter(problem=problem).last().note == (
        "A national body already does this."
    )
    assert Notification.objects.get(recipient=officer).body == "A national body already does this."


@pytest.mark.parametrize("status", [Status.MERGED, "done", ""])
def test_status_must_be_a_real_status_other_than_merged(officer, institute_staff, status):
    problem = submit(officer)

    with pytest.raises(DomainError) as invalid:
        services.problem_change_status(actor=institute_staff, problem=problem, status=status)

    assert invalid.value.field == "status"
    problem.refresh_from_db()
    assert problem.status == Status.NEW
    assert problem.merged_into is None


def test_setting_the_same_status_again_is_refused(officer, institute_staff):
    problem = submit(officer)

    with pytest.raises(DomainError) as invalid:
        services.problem_change_status(actor=institute_staff, problem=problem, status=Status.NEW)

    assert invalid.value.field == "status"
    assert StatusChange.objects.filter(problem=problem).count() == 1


def test_status_of_a_merged_problem_cannot_be_changed(institute_staff):
    source, target = ProblemFactory(), ProblemFactory()
    services.problem_merge(actor=institute_staff, source=source, target=target)

    with pytest.raises(DomainError) as refused:
        services.problem_change_status(actor=institute_staff, problem=source, status=Status.SOLVED)

    assert refused.value.status == 409
    source.refresh_from_db()
    assert source.status == Status.MERGED


def test_a_solved_problem_can_be_reopened(officer, institute_staff):
    problem = submit(officer)
    services.problem_change_status(actor=institute_staff, problem=problem, status=Status.SOLVED)

    services.problem_change_status(
        actor=institute_staff, problem=problem, status=Status.IN_PROGRESS
    )

    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS
    assert list(
        StatusChange.objects.filter(problem=problem).values_list("to_status", flat=True)
    ) == [Status.NEW, Status.SOLVED, Status.IN_PROGRESS]


# Comments ----------------------------------------------------------------------------------


@pytest.fixture
def problem(officer):
    return submit(officer)


def test_comment_is_added_with_the_authors_organisation(other_officer, bristol, problem):
    comment = services.comment_add(actor=other_officer, problem=problem, body="We have this *too*")

    comment.refresh_from_db()
    assert comment.author == other_officer
    assert comment.author_organisation == bristol
    assert comment.body == "We have this *too*"
    assert "<em>too</em>" in comment.body_html


def test_commenting_makes_the_author_follow_and_marks_the_problem_active(other_officer, problem):
    Problem.objects.filter(pk=problem.pk).update(
        last_activity_at=timezone.now() - timedelta(days=2)
    )
    before = timezone.now()

    services.comment_add(actor=other_officer, problem=problem, body="Same here")

    assert Follow.objects.filter(problem=problem, user=other_officer).exists()
    problem.refresh_from_db()
    assert problem.last_activity_at >= before


def test_followers_hear_of_a_comment_but_the_author_does_not(
    officer, other_officer, centre_staff, problem
):
    services.problem_follow(actor=centre_staff, problem=problem)

    comment = services.comment_add(actor=other_officer, problem=problem, body="Same here")

    assert recipients("problem_comment") == {officer.pk, centre_staff.pk}
    note = Notification.objects.get(recipient=officer)
    assert note.url.endswith(f"#comment-{comment.pk}")


def test_comment_body_is_sanitised(other_officer, problem):
    comment = services.comment_add(
        actor=other_officer,
        problem=problem,
        body="<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )

    lowered = comment.body_html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "onerror" not in lowered


@pytest.mark.parametrize("body", ["", "   "])
def test_empty_comment_is_refused(other_officer, problem, body):
    with pytest.raises(DomainError) as invalid:
        services.comment_add(actor=other_officer, problem=problem, body=body)

    assert invalid.value.field == "body"
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ["sector_viewer", "no_membership_user", "anonymous"])
def test_people_who_cannot_participate_cannot_comment(request, who, problem):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        services.comment_add(actor=user, problem=problem, body="Hello")

    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_merged_problem_cannot_be_commented_on(institute_staff, other_officer, problem):
    services.problem_merge(actor=institute_staff, source=problem, target=ProblemFactory())
    problem.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        services.comment_add(actor=other_officer, problem=problem, body="Hello")

    assert refused.value.status == 409
    assert not Comment.objects.exists()


@pytest.fixture
def comment(other_officer, problem):
    return services.comment_add(actor=other_officer, problem=problem, body="First version")


def age(comment, minutes):
    """Travel in time: make the comment this many minutes old in the database."""
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return Comment.objects.get(pk=comment.pk)


def test_author_can_edit_their_comment_soon_after_posting(other_officer, comment):
    comment = age(comment, 14)

    services.comment_edit(actor=other_officer, comment=comment, body="Second **version**")

    comment.refresh_from_db()
    assert comment.body == "Second **version**"
    assert "<strong>version</strong>" in comment.body_html
    assert comment.edited_at is not None


def test_author_cannot_edit_their_comment_after_15_minutes(other_officer, comment):
    comment = age(comment, 16)

    with pytest.raises(DomainError) as refused:
        services.comment_edit(actor=other_officer, comment=comment, body="Too late")

    assert refused.value.status == 409
    assert refused.value.code == "too_late"
    comment.refresh_from_db()
    assert comment.body == "First version"
    assert comment.edited_at is None


@pytest.mark.parametrize("who", ["officer", "institute_staff", "centre_staff"])
def test_only_the_author_can_edit_a_comment(request, who, comment):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        services.comment_edit(actor=user, comment=comment, body="Not mine")

    comment.refresh_from_db()
    assert comment.body == "First version"


def test_edit_cannot_empty_a_comment(other_officer, comment):
    with pytest.raises(DomainError) as invalid:
        services.comment_edit(actor=other_officer, comment=comment, body="  ")

    assert invalid.value.field == "body"
    comment.refresh_from_db()
    assert comment.body == "First version"


def test_hidden_comment_cannot_be_edited(other_officer, institute_staff, comment):
    services.comment_hide(actor=institute_staff, comment=comment, reason="Personal data")

    with pytest.raises(DomainError) as refused:
        services.comment_edit(actor=other_officer, comment=comment, body="Sneaky edit")

    assert refused.value.status == 409
    comment.refresh_from_db()
    assert comment.body == "First version"


def test_anyone_signed_in_can_report_a_comment_once(officer, sector_viewer, comment):
    report = services.comment_report(actor=officer, comment=comment, reason="Off topic")

    assert report.reporter == officer
    assert report.reason == "Off topic"
    assert AuditEvent.objects.filter(verb="comment.reported", target_id=str(comment.pk)).exists()
    services.comment_report(actor=sector_viewer, comment=comment, reason="Rude")
    assert CommentReport.objects.filter(comment=comment).count() == 2


def test_reporting_the_same_comment_twice_is_refused(officer, comment):
    services.comment_report(actor=officer, comment=comment, reason="Off topic")

    with pytest.raises(DomainError) as refused:
        services.comment_report(actor=officer, comment=comment, reason="Still off topic")

    assert refused.value.status == 409
    assert CommentReport.objects.filter(comment=comment).count() == 1
    assert CommentReport.objects.get().reason == "Off topic"


def test_report_needs_a_reason(officer, comment):
    with pytest.raises(DomainError) as invalid:
        services.comment_report(actor=officer, comment=comment, reason=" ")

    assert invalid.value.field == "reason"
    assert not CommentReport.objects.exists()


def test_anonymous_visitor_cannot_report_a_comment(anonymous, comment):
    with pytest.raises(NotAllowed):
        services.comment_report(actor=anonymous, comment=comment, reason="Spam")

    assert not CommentReport.objects.exists()


def test_staff_hide_a_comment_and_its_reports_are_resolved(officer, institute_staff, comment):
    services.comment_report(actor=officer, comment=comment, reason="Names a resident")

    services.comment_hide(actor=institute_staff, comment=comment, reason="Personal data")

    comment.refresh_from_db()
    assert comment.is_hidden
    assert comment.hidden_by == institute_staff
    assert comment.hidden_reason == "Personal data"
    assert CommentReport.objects.get().resolved_at is not None
    assert AuditEvent.objects.filter(verb="comment.hidden").exists()


def test_hidden_comment_is_shown_to_staff_only(officer, institute_staff, comment, problem):
    services.comment_hide(actor=institute_staff, comment=comment, reason="Personal data")

    assert selectors.problem_page(problem, officer)["comments"] == []
    assert selectors.problem_page(problem, institute_staff)["comments"] == [comment]


def test_hiding_needs_a_reason(institute_staff, comment):
    with pytest.raises(DomainError) as invalid:
        services.comment_hide(actor=institute_staff, comment=comment, reason="")

    assert invalid.value.field == "reason"
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_staff_restore_a_hidden_comment(institute_staff, comment):
    services.comment_hide(actor=institute_staff, comment=comment, reason="Mistake")

    services.comment_restore(actor=institute_staff, comment=comment)

    comment.refresh_from_db()
    assert not comment.is_hidden
    assert comment.hidden_by is None
    assert comment.hidden_reason == ""
    assert AuditEvent.objects.filter(verb="comment.restored").exists()


@pytest.mark.parametrize(
    "who", ["officer", "other_officer", "centre_staff", "sector_viewer", "anonymous"]
)
def test_only_staff_can_hide_or_restore_comments(request, who, institute_staff, comment):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        services.comment_hide(actor=user, comment=comment, reason="Dislike it")
    comment.refresh_from_db()
    assert not comment.is_hidden

    services.comment_hide(actor=institute_staff, comment=comment, reason="Personal data")
    with pytest.raises(NotAllowed):
        services.comment_restore(actor=user, comment=comment)
    comment.refresh_from_db()
    assert comment.is_hidden


# Duplicates --------------------------------------------------------------------------------


@pytest.fixture
def lookalikes(db):
    bins = problem_titled("Residents report missed bin collections by phone")
    bins_again = problem_titled("Missed bin collections reported by phone")
    unrelated = problem_titled("Adult social care assessments take months")
    return bins, bins_again, unrelated


def test_duplicate_candidates_are_recorded_for_look_alike_problems(lookalikes):
    bins, bins_again, unrelated = lookalikes

    found = services.duplicate_candidates_find(problem=bins_again)

    assert found == 1
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.problem_id, candidate.similar_to_id) == (bins.pk, bins_again.pk)
    assert candidate.score >= 0.35
    assert candidate.dismissed_at is None


def test_finding_duplicates_again_records_nothing_new(lookalikes):
    bins, bins_again, _ = lookalikes
    services.duplicate_candidates_find(problem=bins_again)

    services.duplicate_candidates_find(problem=bins_again)
    services.duplicate_candidates_find(problem=bins)

    assert DuplicateCandidate.objects.count() == 1


def test_merged_problems_are_not_offered_as_duplicates(institute_staff, lookalikes):
    bins, bins_again, unrelated = lookalikes
    services.problem_merge(actor=institute_staff, source=bins, target=unrelated)

    assert services.duplicate_candidates_find(problem=bins_again) == 0
    assert not DuplicateCandidate.objects.exists()


def test_duplicate_search_task_runs_after_a_submission(officer, lookalikes):
    bins, _, _ = lookalikes
    new = submit(
        officer,
        title="Missed bin collections reported by phone calls",
        summary="Missed bin collections are reported by phone.",
    )

    result = problem_find_duplicates.apply(args=[new.pk]).get()

    assert result == 2
    assert set(DuplicateCandidate.objects.values_list("problem_id", "similar_to_id")) == {
        (bins.pk, new.pk),
        (lookalikes[1].pk, new.pk),
    }


def test_duplicate_search_task_ignores_a_deleted_problem():
    assert problem_find_duplicates.apply(args=[999999]).get() == 0


def test_staff_dismiss_a_duplicate_pair_and_it_leaves_the_list(institute_staff, lookalikes):
    services.duplicate_candidates_find(problem=lookalikes[1])
    candidate = DuplicateCandidate.objects.get()
    assert list(selectors.duplicate_pairs()) == [candidate]

    services.duplicate_dismiss(actor=institute_staff, candidate=candidate)

    candidate.refresh_from_db()
    assert candidate.dismissed_by == institute_staff
    assert candidate.dismissed_at is not None
    assert list(selectors.duplicate_pairs()) == []
    assert AuditEvent.objects.filter(verb="duplicate.dismissed").exists()
    # Finding duplicates again does not bring a dismissed pair back.
    services.duplicate_candidates_find(problem=lookalikes[1])
    assert list(selectors.duplicate_pairs()) == []


@pytest.mark.parametrize("who", ["officer", "centre_staff", "sector_viewer", "anonymous"])
def test_only_staff_can_dismiss_a_duplicate_pair(request, who, lookalikes):
    services.duplicate_candidates_find(problem=lookalikes[1])
    candidate = DuplicateCandidate.objects.get()

    with pytest.raises(NotAllowed):
        services.duplicate_dismiss(actor=request.getfixturevalue(who), candidate=candidate)

    candidate.refresh_from_db()
    assert candidate.dismissed_at is None


def test_duplicate_pairs_leave_out_pairs_with_a_merged_side(institute_staff, lookalikes):
    bins, bins_again, unrelated = lookalikes
    services.duplicate_candidates_find(problem=bins_again)

    services.problem_merge(actor=institute_staff, source=bins, target=bins_again)

    assert list(selectors.duplicate_pairs()) == []


# Trending ----------------------------------------------------------------------------------


def test_trending_counts_only_councils_that_joined_in_the_last_30_days(officer, other_officer):
    mixed, stale, quiet = ProblemFactory(), ProblemFactory(), ProblemFactory()
    services.problem_vote(actor=officer, problem=mixed)
    services.problem_vote(actor=other_officer, problem=mixed)
    services.problem_vote(actor=officer, problem=stale)
    long_ago = timezone.now() - timedelta(days=40)
    CouncilDemand.objects.filter(problem=stale).update(since=long_ago)
    CouncilDemand.objects.filter(problem=mixed, organisation__slug="leeds").update(since=long_ago)
    Problem.objects.filter(pk=mixed.pk).update(trending_count=7)

    updated = services.trending_refresh()

    assert updated == 2
    for problem, trending, councils in [(mixed, 1, 2), (stale, 0, 1), (quiet, 0, 0)]:
        problem.refresh_from_db()
        assert (problem.trending_count, problem.council_count) == (trending, councils)


def test_trending_refresh_is_idempotent(officer):
    problem = ProblemFactory()
    services.problem_vote(actor=officer, problem=problem)

    services.trending_refresh()
    services.trending_refresh()

    problem.refresh_from_db()
    assert problem.trending_count == 1


# The backlog list --------------------------------------------------------------------------


def listed(**filters):
    return list(selectors.problem_list(BacklogFilters(**filters)))


@pytest.fixture
def backlog(officer, other_officer, institute_staff):
    """Three open problems and one merged one, with demand from Leeds (Yorkshire, metropolitan
    borough) and Bristol (South West, unitary)."""
    waste = ServiceArea.objects.get(slug="waste-and-recycling")
    potholes = problem_titled(
        "Potholes reported twice",
        summary="Residents report the same pothole to the county and the district.",
        theme=Theme.DATA,
        service_areas=[ServiceArea.objects.get(slug="highways-and-transport")],
    )
    bins = problem_titled(
        "Missed bins",
        summary="Crews cannot see which streets were missed; a pothole blocks the lorry.",
        theme=Theme.INFRASTRUCTURE,
        service_areas=[waste],
    )
    skills = problem_titled(
        "No data engineers",
        summary="We cannot recruit data engineers at council salaries.",
        theme=Theme.SKILLS,
        status=Status.TRIAGED,
        service_areas=[housing()],
    )
    gone = problem_titled("Potholes again", theme=Theme.DATA, service_areas=[waste])
    services.problem_vote(actor=officer, problem=potholes)
    services.problem_vote(actor=other_officer, problem=bins)
    services.problem_vote(actor=officer, problem=gone)
    services.problem_merge(actor=institute_staff, source=gone, target=potholes)
    return {"potholes": potholes, "bins": bins, "skills": skills, "gone": gone}


def test_backlog_leaves_out_merged_problems(backlog):
    assert set(listed()) == {backlog["potholes"], backlog["bins"], backlog["skills"]}


def test_backlog_can_include_merged_problems(backlog):
    everything = selectors.problem_list(BacklogFilters(), include_merged=True)

    assert backlog["gone"] in list(everything)


def test_backlog_filters_by_theme(backlog):
    assert listed(theme=Theme.DATA) == [backlog["potholes"]]
    assert listed(theme=Theme.PROCUREMENT) == []


def test_backlog_filters_by_status(backlog):
    assert listed(status=Status.TRIAGED) == [backlog["skills"]]
    assert listed(status=Status.MERGED) == [backlog["gone"]]


def test_backlog_filters_by_service_area(backlog):
    assert listed(service_area="waste-and-recycling") == [backlog["bins"]]
    assert listed(service_area="housing") == [backlog["skills"]]
    assert listed(service_area="no-such-area") == []


def test_backlog_filters_by_the_region_of_councils_affected(backlog):
    # All three were submitted from Leeds; only demand counts.
    assert listed(region="E12000003") == [backlog["potholes"]]
    assert listed(region="E12000009") == [backlog["bins"]]
    assert listed(region="E12000007") == []


def test_backlog_filters_by_the_type_of_councils_affected(backlog):
    assert listed(council_type="metropolitan_borough") == [backlog["potholes"]]
    assert listed(council_type="unitary") == [backlog["bins"]]
    assert listed(council_type="unitary", region="E12000003") == []
    assert listed(council_type="district") == []


def test_backlog_filters_combine(backlog):
    assert listed(theme=Theme.DATA, region="E12000003", status=Status.NEW) == [backlog["potholes"]]
    assert listed(theme=Theme.DATA, region="E12000009") == []


def test_backlog_search_finds_words_in_any_form_best_match_first(backlog):
    # "pothole" is in the title of one (weighted highest) and the summary of another.
    assert listed(q="pothole") == [backlog["potholes"], backlog["bins"]]
    assert listed(q="engineer") == [backlog["skills"]]
    assert listed(q="procurement frameworks") == []


def test_backlog_search_understands_quotes_and_minus(backlog):
    assert listed(q='"data engineers"') == [backlog["skills"]]
    assert listed(q="pothole -lorry") == [backlog["potholes"]]


@pytest.mark.parametrize("q", ['"', "(((", "&|!", "pothole & | !:*", "'; drop table x; --"])
def test_backlog_search_survives_odd_input(backlog, q):
    listed(q=q)  # no error


def test_backlog_search_and_a_chosen_sort(backlog):
    assert listed(q="pothole", sort="newest") == [backlog["bins"], backlog["potholes"]]


@pytest.fixture
def sortable(officer, other_officer):
    """Each problem leads on a different sort key."""
    colleagues = [council_officer("leeds", f"c{i}@leeds.example.test") for i in range(2)]
    many_officers = ProblemFactory(title="Many officers, one council")
    many_councils = ProblemFactory(title="Two councils")
    newest = ProblemFactory(title="Newest")
    for person in [officer, *colleagues]:
        services.problem_vote(actor=person, problem=many_officers)
    services.problem_vote(actor=officer, problem=many_councils)
    services.problem_vote(actor=other_officer, problem=many_councils)
    now = timezone.now()
    Problem.objects.filter(pk=many_officers.pk).update(
        created_at=now - timedelta(days=3),
        last_activity_at=now - timedelta(days=2),
        trending_count=0,
    )
    Problem.objects.filter(pk=many_councils.pk).update(
        created_at=now - timedelta(days=2),
        last_activity_at=now - timedelta(days=3),
        trending_count=1,
    )
    Problem.objects.filter(pk=newest.pk).update(
        created_at=now - timedelta(days=1),
        last_activity_at=now - timedelta(days=1),
        trending_count=5,
    )
    return many_officers, many_councils, newest


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("councils", [1, 0, 2]),
        ("votes", [0, 1, 2]),
        ("newest", [2, 1, 0]),
        ("active", [2, 0, 1]),
        ("trending", [2, 1, 0]),
        ("", [1, 0, 2]),
        ("nonsense", [1, 0, 2]),
    ],
)
def test_backlog_sorts(sortable, sort, expected):
    assert listed(sort=sort) == [sortable[i] for i in expected]


def test_every_sort_offered_is_tested():
    assert set(selectors.SORTS) == {"councils", "votes", "newest", "active", "trending"}


def test_ties_are_broken_newest_id_first(db):
    first, second = ProblemFactory(), ProblemFactory()

    assert listed(sort="councils") == [second, first]
    assert listed(sort="votes") == [second, first]


def test_backlog_list_has_service_areas_prefetched(backlog, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = listed()
        names = [area.name for problem in rows for area in problem.service_areas.all()]
        [problem.submitted_for.name for problem in rows]
    assert "Housing" in names


# Look-alike problems -----------------------------------------------------------------------


def test_similar_problems_are_found_from_a_typed_title(db):
    bins = problem_titled("Missed bin collections are reported by phone")
    problem_titled("Adult social care assessments take months")

    similar = selectors.problem_similar(title="Reporting missed bin collection")

    assert [p.pk for p in similar] == [bins.pk]
    assert similar[0].score > 0


def test_similar_problems_are_found_despite_a_spelling_mistake(db):
    recruit = problem_titled("Recruiting experienced data engineers")

    similar = selectors.problem_similar(title="Recruting experienced data enginers")

    assert recruit.pk in [p.pk for p in similar]


def test_similar_problems_leave_out_merged_ones(institute_staff):
    kept = problem_titled("Missed bin collections reported by phone")
    merged = problem_titled("Missed bin collections reported by email")
    services.problem_merge(actor=institute_staff, source=merged, target=kept)

    similar = selectors.problem_similar(title="Missed bin collections reported")

    assert [p.pk for p in similar] == [kept.pk]


def test_similar_problems_are_at_most_five_best_first(db):
    for n in range(8):
        problem_titled(f"Missed bin collections in ward {n}")

    similar = selectors.problem_similar(title="Missed bin collections")

    assert len(similar) == 5
    scores = [p.score for p in similar]
    assert scores == sorted(scores, reverse=True)


def test_similar_problems_can_exclude_the_problem_itself(db):
    bins = problem_titled("Missed bin collections reported by phone")
    other = problem_titled("Missed bin collections reported online")

    similar = selectors.problem_similar(title=bins.title, exclude_ids=[bins.pk])

    assert [p.pk for p in similar] == [other.pk]


@pytest.mark.parametrize("title", ["", "  ", "ab"])
def test_too_short_a_title_finds_nothing(db, title):
    problem_titled("ab testing of council websites")

    assert selectors.problem_similar(title=title) == []
