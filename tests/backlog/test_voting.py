"""Saying "my council has this problem too": who may, once per officer, counted by council."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from backlog import services
from backlog.models import CouncilDemand, Follow, Problem, Status, Vote
from institute.errors import DomainError, NotAllowed
from institute.models import Organisation, Role
from tests.factories import MembershipFactory, ProblemFactory, UserFactory, council_officer

pytestmark = pytest.mark.django_db


def assert_counters_match_rows(*problems):
    """The numbers people see equal the rows they are derived from."""
    for problem in problems:
        problem.refresh_from_db()
        votes = Vote.objects.filter(problem=problem)
        demand = CouncilDemand.objects.filter(problem=problem)
        assert problem.vote_count == votes.count()
        assert problem.council_count == demand.count()
        assert problem.council_count == votes.values("organisation").distinct().count()
        for row in demand:
            assert row.officers == votes.filter(organisation=row.organisation_id).count()


def demand_of(problem) -> dict[str, int]:
    """{council slug: officers} for a problem."""
    return dict(
        CouncilDemand.objects.filter(problem=problem).values_list("organisation__slug", "officers")
    )


def headline(problem) -> str:
    problem.refresh_from_db()
    return f"{problem.council_count} councils affected ({problem.vote_count} officers)"


@pytest.fixture
def problem(db):
    return ProblemFactory()


# Who may vote ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["centre_staff", "institute_staff", "sector_viewer", "anonymous", "no_membership_user"],
)
def test_only_council_officers_can_vote(request, who, problem):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed) as refused:
        services.problem_vote(actor=user, problem=problem)

    assert refused.value.status == 403
    assert not Vote.objects.exists()
    assert not CouncilDemand.objects.exists()
    assert not Follow.objects.filter(problem=problem).exists()
    problem.refresh_from_db()
    assert (problem.vote_count, problem.council_count, problem.trending_count) == (0, 0, 0)


def test_superuser_without_a_council_cannot_vote(superuser, problem):
    with pytest.raises(NotAllowed):
        services.problem_vote(actor=superuser, problem=problem)
    assert not Vote.objects.exists()


def test_officer_role_at_an_organisation_that_is_not_a_council_cannot_vote(problem):
    lga = Organisation.objects.get(slug="local-government-association")
    user = MembershipFactory(user=UserFactory(), organisation=lga, role=Role.OFFICER).user

    with pytest.raises(NotAllowed):
        services.problem_vote(actor=user, problem=problem)
    assert not Vote.objects.exists()


def test_officer_vote_counts_their_council(officer, leeds, problem):
    vote, created = services.problem_vote(actor=officer, problem=problem)

    assert created is True
    assert vote.user == officer
    assert vote.organisation == leeds
    assert vote.problem_id == vote.cast_on_id == problem.pk
    assert headline(problem) == "1 councils affected (1 officers)"
    assert demand_of(problem) == {"leeds": 1}
    assert_counters_match_rows(problem)


def test_voting_makes_the_officer_follow_the_problem(officer, problem):
    services.problem_vote(actor=officer, problem=problem)

    assert Follow.objects.filter(problem=problem, user=officer).exists()


def test_voting_marks_the_problem_as_recently_active(officer, problem):
    Problem.objects.filter(pk=problem.pk).update(
        last_activity_at=timezone.now() - timezone.timedelta(days=3)
    )
    before = timezone.now()

    services.problem_vote(actor=officer, problem=problem)

    problem.refresh_from_db()
    assert problem.last_activity_at >= before


@pytest.mark.parametrize(
    "status", [Status.NEW, Status.TRIAGED, Status.IN_DISCOVERY, Status.IN_PROGRESS]
)
def test_officer_can_vote_on_a_problem_that_is_still_open(officer, status):
    problem = ProblemFactory(status=status)

    _, created = services.problem_vote(actor=officer, problem=problem)

    assert created
    assert headline(problem) == "1 councils affected (1 officers)"


# One vote per officer ----------------------------------------------------------------------


def test_officer_cannot_vote_twice(officer, problem):
    first, _ = services.problem_vote(actor=officer, problem=problem)

    second, created = services.problem_vote(actor=officer, problem=problem)

    assert created is False
    assert second.pk == first.pk
    assert Vote.objects.filter(problem=problem, user=officer).count() == 1
    assert headline(problem) == "1 councils affected (1 officers)"
    assert demand_of(problem) == {"leeds": 1}
    assert Follow.objects.filter(problem=problem, user=officer).count() == 1
    assert_counters_match_rows(problem)


def test_voting_again_does_not_add_to_trending(officer, problem):
    services.problem_vote(actor=officer, problem=problem)
    services.problem_vote(actor=officer, problem=problem)

    problem.refresh_from_db()
    assert problem.trending_count == 1


def test_database_refuses_a_second_vote_row_for_the_same_officer(officer, leeds, problem):
    services.problem_vote(actor=officer, problem=problem)

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO backlog_vote (problem_id, cast_on_id, user_id, organisation_id, "
            "created_at) VALUES (%s, %s, %s, %s, now())",
            [problem.pk, problem.pk, officer.pk, leeds.pk],
        )

    assert Vote.objects.filter(problem=problem, user=officer).count() == 1


def test_database_refuses_a_duplicate_vote_created_through_the_orm(officer, leeds, problem):
    Vote.objects.create(problem=problem, cast_on=problem, user=officer, organisation=leeds)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(problem=problem, cast_on=problem, user=officer, organisation=leeds)


def test_same_officer_can_vote_on_different_problems(officer):
    first, second = ProblemFactory(), ProblemFactory()

    services.problem_vote(actor=officer, problem=first)
    services.problem_vote(actor=officer, problem=second)

    assert headline(first) == "1 councils affected (1 officers)"
    assert headline(second) == "1 councils affected (1 officers)"


# Counting by council -----------------------------------------------------------------------


def test_two_officers_of_the_same_council_count_as_one_council_and_two_officers(officer, problem):
    colleague = council_officer("leeds", "colleague@leeds.example.test")

    services.problem_vote(actor=officer, problem=problem)
    services.problem_vote(actor=colleague, problem=problem)

    assert headline(problem) == "1 councils affected (2 officers)"
    assert demand_of(problem) == {"leeds": 2}
    assert_counters_match_rows(problem)


def test_officers_of_different_councils_count_as_different_councils(
    officer, other_officer, problem
):
    services.problem_vote(actor=officer, problem=problem)
    services.problem_vote(actor=other_officer, problem=problem)

    assert headline(problem) == "2 councils affected (2 officers)"
    assert demand_of(problem) == {"leeds": 1, "bristol-city-of": 1}


def test_councils_and_officers_add_up_across_many_councils(problem):
    voters = [
        council_officer("leeds", "a@leeds.example.test"),
        council_officer("leeds", "b@leeds.example.test"),
        council_officer("leeds", "c@leeds.example.test"),
        council_officer("bristol-city-of", "a@bristol.example.test"),
        council_officer("bristol-city-of", "b@bristol.example.test"),
        council_officer("manchester", "a@manchester.example.test"),
    ]
    for voter in voters:
        services.problem_vote(actor=voter, problem=problem)

    assert headline(problem) == "3 councils affected (6 officers)"
    assert demand_of(problem) == {"leeds": 3, "bristol-city-of": 2, "manchester": 1}
    problem.refresh_from_db()
    assert problem.trending_count == 3
    assert_counters_match_rows(problem)


def test_council_demand_remembers_when_the_council_first_said_so(officer, problem):
    services.problem_vote(actor=officer, problem=problem)
    since = CouncilDemand.objects.get(problem=problem).since
    colleague = council_officer("leeds", "later@leeds.example.test")

    services.problem_vote(actor=colleague, problem=problem)

    assert CouncilDemand.objects.get(problem=problem).since == since


# Withdrawing -------------------------------------------------------------------------------


def test_officer_can_withdraw_their_vote(officer, problem):
    services.problem_vote(actor=officer, problem=problem)

    withdrawn = services.problem_vote_withdraw(actor=officer, problem=problem)

    assert withdrawn is True
    assert not Vote.objects.filter(problem=problem).exists()
    assert demand_of(problem) == {}
    assert headline(problem) == "0 councils affected (0 officers)"
    problem.refresh_from_db()
    assert problem.trending_count == 0
    assert_counters_match_rows(problem)


def test_withdrawing_without_having_voted_changes_nothing(officer, other_officer, problem):
    services.problem_vote(actor=other_officer, problem=problem)

    withdrawn = services.problem_vote_withdraw(actor=officer, problem=problem)

    assert withdrawn is False
    assert headline(problem) == "1 councils affected (1 officers)"
    assert demand_of(problem) == {"bristol-city-of": 1}


def test_withdrawing_twice_only_takes_one_vote_away(officer, other_officer, problem):
    services.problem_vote(actor=officer, problem=problem)
    services.problem_vote(actor=other_officer, problem=problem)

    assert services.problem_vote_withdraw(actor=officer, problem=problem) is True
    assert services.problem_vote_withdraw(actor=officer, problem=problem) is False

    assert headline(problem) == "1 councils affected (1 officers)"
    assert_counters_match_rows(problem)


def test_one_of_two_officers_withdrawing_keeps_their_council_counted(officer, problem):
    colleague = council_officer("leeds", "colleague@leeds.example.test")
    services.problem_vote(actor=officer, problem=problem)
    services.problem_vote(actor=colleague, problem=problem)

    services.problem_vote_withdraw(actor=officer, problem=problem)

    assert headline(problem) == "1 councils affected (1 officers)"
    assert demand_of(problem) == {"leeds": 1}
    assert list(Vote.objects.filter(problem=problem).values_list("user", flat=True)) == [
        colleague.pk
    ]
    problem.refresh_from_db()
    assert problem.trending_count == 1
    assert_counters_match_rows(problem)


def test_officer_can_vote_again_after_withdrawing(officer, problem):
    services.problem_vote(actor=officer, problem=problem)
    services.problem_vote_withdraw(actor=officer, problem=problem)

    _, created = services.problem_vote(actor=officer, problem=problem)

    assert created is True
    assert headline(problem) == "1 councils affected (1 officers)"
    assert_counters_match_rows(problem)


def test_withdrawing_from_one_problem_leaves_other_problems_alone(officer):
    first, second = ProblemFactory(), ProblemFactory()
    services.problem_vote(actor=officer, problem=first)
    services.problem_vote(actor=officer, problem=second)

    services.problem_vote_withdraw(actor=officer, problem=first)

    assert headline(first) == "0 councils affected (0 officers)"
    assert headline(second) == "1 councils affected (1 officers)"


def test_anonymous_visitor_cannot_withdraw_anything(anonymous, officer, problem):
    services.problem_vote(actor=officer, problem=problem)

    with pytest.raises(NotAllowed):
        services.problem_vote_withdraw(actor=anonymous, problem=problem)

    assert headline(problem) == "1 councils affected (1 officers)"


def test_withdrawing_an_old_council_does_not_take_it_off_trending_twice(officer, problem):
    """A council that joined over 30 days ago is no longer trending; withdrawing it now must
    not push the trending count below the councils that joined recently."""
    services.problem_vote(actor=officer, problem=problem)
    CouncilDemand.objects.filter(problem=problem).update(
        since=timezone.now() - timezone.timedelta(days=40)
    )
    services.trending_refresh()
    services.problem_vote(actor=council_officer("manchester"), problem=problem)
    problem.refresh_from_db()
    assert problem.trending_count == 1

    services.problem_vote_withdraw(actor=officer, problem=problem)

    problem.refresh_from_db()
    assert problem.trending_count == 1
    assert headline(problem) == "1 councils affected (1 officers)"


# Closed problems ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [(Status.SOLVED, "closed"), (Status.NOT_TAKEN_FORWARD, "closed"), (Status.MERGED, "merged")],
)
def test_officer_cannot_vote_on_a_problem_that_is_no_longer_open(officer, status, code):
    extra = {"merged_into": ProblemFactory()} if status == Status.MERGED else {}
    problem = ProblemFactory(status=status, **extra)

    with pytest.raises(DomainError) as refused:
        services.problem_vote(actor=officer, problem=problem)

    assert refused.value.status == 409
    assert refused.value.code == code
    assert not Vote.objects.exists()
    assert not CouncilDemand.objects.exists()
    assert not Follow.objects.filter(user=officer).exists()
    problem.refresh_from_db()
    assert problem.status == status
    assert (problem.vote_count, problem.council_count, problem.trending_count) == (0, 0, 0)


def test_vote_on_a_problem_closed_after_loading_it_is_refused(officer, institute_staff):
    """The service reads the status under the row lock, not from the caller's stale copy."""
    problem = ProblemFactory()
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_change_status(actor=institute_staff, problem=problem, status=Status.SOLVED)

    with pytest.raises(DomainError) as refused:
        services.problem_vote(actor=officer, problem=stale)

    assert refused.value.status == 409
    assert not Vote.objects.exists()


def test_existing_vote_on_a_problem_later_solved_is_kept_and_voting_again_changes_nothing(
    officer, institute_staff, problem
):
    vote, _ = services.problem_vote(actor=officer, problem=problem)
    services.problem_change_status(actor=institute_staff, problem=problem, status=Status.SOLVED)

    again, created = services.problem_vote(actor=officer, problem=problem)

    assert created is False
    assert again.pk == vote.pk
    assert headline(problem) == "1 councils affected (1 officers)"


# Counters always equal rows ----------------------------------------------------------------


def test_counters_equal_rows_through_a_sequence_of_votes_and_withdrawals():
    first, second = ProblemFactory(), ProblemFactory()
    people = [
        council_officer("leeds", "p1@leeds.example.test"),
        council_officer("leeds", "p2@leeds.example.test"),
        council_officer("bristol-city-of", "p1@bristol.example.test"),
        council_officer("manchester", "p1@manchester.example.test"),
        council_officer("manchester", "p2@manchester.example.test"),
    ]
    steps = [
        ("vote", 0, first),
        ("vote", 1, first),
        ("vote", 2, first),
        ("vote", 0, second),
        ("withdraw", 0, first),
        ("vote", 0, first),
        ("vote", 0, first),
        ("withdraw", 1, first),
        ("withdraw", 1, first),
        ("vote", 3, second),
        ("vote", 4, second),
        ("withdraw", 3, second),
        ("vote", 3, first),
        ("withdraw", 0, second),
        ("vote", 4, first),
        ("withdraw", 2, first),
    ]
    for action, who, problem in steps:
        if action == "vote":
            services.problem_vote(actor=people[who], problem=problem)
        else:
            services.problem_vote_withdraw(actor=people[who], problem=problem)
        assert_counters_match_rows(first, second)

    assert headline(first) == "2 councils affected (3 officers)"
    assert demand_of(first) == {"leeds": 1, "manchester": 2}
    assert headline(second) == "1 councils affected (1 officers)"
    assert demand_of(second) == {"manchester": 1}
