"""Merging duplicate problems and undoing it: demand moves without being counted twice, and
an unmerge gives every problem back exactly its own votes."""

import pytest
from django.db.models import F

from backlog import services
from backlog.models import CouncilDemand, Follow, Merge, Problem, Status, StatusChange, Vote
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, Notification
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db


def assert_counters_match_rows(*problems):
    for problem in problems:
        problem.refresh_from_db()
        votes = Vote.objects.filter(problem=problem)
        demand = CouncilDemand.objects.filter(problem=problem)
        assert problem.vote_count == votes.count()
        assert problem.council_count == demand.count()
        assert problem.council_count == votes.values("organisation").distinct().count()
        for row in demand:
            assert row.officers == votes.filter(organisation=row.organisation_id).count()


def voters(problem) -> set[int]:
    """Who counts on this problem now."""
    return set(Vote.objects.filter(problem=problem).values_list("user_id", flat=True))


def demand_of(problem) -> dict[str, int]:
    return dict(
        CouncilDemand.objects.filter(problem=problem).values_list("organisation__slug", "officers")
    )


def counts(problem) -> tuple[int, int]:
    problem.refresh_from_db()
    return problem.council_count, problem.vote_count


def snapshot(problem) -> dict:
    problem.refresh_from_db()
    return {
        "voters": voters(problem),
        "demand": demand_of(problem),
        "counts": (problem.council_count, problem.vote_count),
        "status": problem.status,
    }


def vote(people, problem):
    for person in people:
        services.problem_vote(actor=person, problem=problem)


@pytest.fixture
def people(db):
    """Officers at several councils; two at Leeds."""
    return {
        "leeds": council_officer("leeds", "one@leeds.example.test"),
        "leeds2": council_officer("leeds", "two@leeds.example.test"),
        "bristol": council_officer("bristol-city-of", "one@bristol.example.test"),
        "manchester": council_officer("manchester", "one@manchester.example.test"),
        "birmingham": council_officer("birmingham", "one@birmingham.example.test"),
        "york": council_officer("york", "one@york.example.test"),
    }


@pytest.fixture
def pair(people):
    """A (triaged) with Leeds, Bristol and Manchester; B with Manchester, Leeds (another
    officer) and Birmingham. Manchester's officer voted on both."""
    a = ProblemFactory(title="Tracking housing repairs", status=Status.TRIAGED)
    b = ProblemFactory(title="Housing repairs tracking")
    vote([people["leeds"], people["bristol"], people["manchester"]], a)
    vote([people["manchester"], people["leeds2"], people["birmingham"]], b)
    return a, b


# Merging -----------------------------------------------------------------------------------


def test_merge_moves_votes_to_the_target_without_counting_an_officer_twice(
    institute_staff, people, pair
):
    a, b = pair

    merge = services.problem_merge(actor=institute_staff, source=a, target=b)

    ids = {key: person.pk for key, person in people.items()}
    assert voters(b) == {
        ids["leeds"],
        ids["leeds2"],
        ids["bristol"],
        ids["manchester"],
        ids["birmingham"],
    }
    assert counts(b) == (4, 5)
    assert demand_of(b) == {"leeds": 2, "bristol-city-of": 1, "manchester": 1, "birmingham": 1}
    assert merge.votes_moved == 2
    # Manchester's officer is counted once on B; their vote on A stays behind on A.
    assert Vote.objects.filter(user=people["manchester"]).count() == 2
    assert voters(a) == {ids["manchester"]}
    assert_counters_match_rows(a, b)


def test_moved_votes_remember_the_problem_they_were_cast_on(institute_staff, people, pair):
    a, b = pair

    services.problem_merge(actor=institute_staff, source=a, target=b)

    moved = Vote.objects.filter(problem=b, cast_on=a)
    assert set(moved.values_list("user_id", flat=True)) == {
        people["leeds"].pk,
        people["bristol"].pk,
    }


def test_merge_marks_the_source_merged_into_the_target(institute_staff, pair):
    a, b = pair

    services.problem_merge(actor=institute_staff, source=a, target=b, note="Same problem")

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Status.MERGED
    assert a.merged_into == b
    assert b.status == Status.NEW
    assert b.merged_into is None
    assert list(b.merged_from.all()) == [a]


def test_merge_writes_the_timeline_the_merge_record_and_the_audit_trail(institute_staff, pair):
    a, b = pair

    merge = services.problem_merge(actor=institute_staff, source=a, target=b, note="Same thing")

    change = StatusChange.objects.filter(problem=a).last()
    assert (change.from_status, change.to_status) == (Status.TRIAGED, Status.MERGED)
    assert change.actor == institute_staff
    assert f"#{b.pk}" in change.note
    assert "Same thing" in change.note
    assert Merge.objects.get() == merge
    assert (merge.source, merge.target, merge.actor) == (a, b, institute_staff)
    assert merge.source_status == Status.TRIAGED
    assert merge.note == "Same thing"
    assert merge.undone_at is None
    event = AuditEvent.objects.get(verb="problem.merged")
    assert event.actor == institute_staff
    assert (event.target_type, event.target_id) == ("backlog.problem", str(a.pk))
    assert event.data == {"into": b.pk, "votes_moved": 2}


def test_merge_copies_followers_to_the_target(institute_staff, centre_staff, officer, pair):
    a, b = pair
    services.problem_follow(actor=centre_staff, problem=a)
    services.problem_follow(actor=officer, problem=a)
    services.problem_follow(actor=officer, problem=b)

    services.problem_merge(actor=institute_staff, source=a, target=b)

    assert Follow.objects.filter(problem=b, user=centre_staff).count() == 1
    assert Follow.objects.filter(problem=b, user=officer).count() == 1
    # Followers of the source keep following it too.
    assert Follow.objects.filter(problem=a, user=centre_staff).exists()


def test_merge_tells_the_source_followers_where_it_went(
    institute_staff, centre_staff, people, pair
):
    a, b = pair
    services.problem_follow(actor=centre_staff, problem=a)
    services.problem_follow(actor=institute_staff, problem=a)

    services.problem_merge(actor=institute_staff, source=a, target=b)

    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert centre_staff.pk in told
    assert people["bristol"].pk in told  # voted on A, so followed it
    assert institute_staff.pk not in told
    assert people["birmingham"].pk not in told  # only ever on B
    note = Notification.objects.get(recipient=centre_staff)
    assert note.url == b.get_absolute_url()


def test_votes_on_the_merged_problem_are_refused_and_counted_on_the_target(
    institute_staff, people, pair
):
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)

    with pytest.raises(DomainError) as refused:
        services.problem_vote(actor=people["york"], problem=a)
    services.problem_vote(actor=people["york"], problem=b)

    assert refused.value.status == 409
    assert refused.value.code == "merged"
    assert counts(b) == (5, 6)
    assert_counters_match_rows(a, b)


def test_merge_keeps_the_earliest_date_a_council_joined(institute_staff, people):
    a, b = ProblemFactory(), ProblemFactory()
    services.problem_vote(actor=people["leeds"], problem=a)
    services.problem_vote(actor=people["leeds2"], problem=b)
    earliest = CouncilDemand.objects.get(problem=a).since

    services.problem_merge(actor=institute_staff, source=a, target=b)

    assert CouncilDemand.objects.get(problem=b).since == earliest
    assert demand_of(b) == {"leeds": 2}


def test_superuser_can_merge(superuser, pair):
    a, b = pair

    services.problem_merge(actor=superuser, source=a, target=b)

    a.refresh_from_db()
    assert a.merged_into == b


# Unmerging ---------------------------------------------------------------------------------


def test_unmerge_gives_each_problem_back_exactly_its_own_votes(institute_staff, pair):
    a, b = pair
    before_a, before_b = snapshot(a), snapshot(b)
    services.problem_merge(actor=institute_staff, source=a, target=b)

    services.problem_unmerge(actor=institute_staff, source=a)

    assert snapshot(a) == before_a
    assert snapshot(b) == before_b
    assert not Vote.objects.exclude(problem=F("cast_on")).exists()
    assert_counters_match_rows(a, b)


def test_unmerge_restores_the_previous_status_and_records_it(institute_staff, pair):
    a, b = pair
    merge = services.problem_merge(actor=institute_staff, source=a, target=b)

    services.problem_unmerge(actor=institute_staff, source=a, note="Not the same after all")

    a.refresh_from_db()
    assert a.status == Status.TRIAGED
    assert a.merged_into is None
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert merge.undone_by == institute_staff
    change = StatusChange.objects.filter(problem=a).last()
    assert (change.from_status, change.to_status) == (Status.MERGED, Status.TRIAGED)
    assert "Not the same after all" in change.note
    event = AuditEvent.objects.get(verb="problem.unmerged")
    assert event.target_id == str(a.pk)
    assert event.data == {"from": b.pk}


def test_unmerge_restores_a_solved_problem_as_solved(institute_staff, people):
    a = ProblemFactory()
    b = ProblemFactory()
    vote([people["leeds"]], a)
    services.problem_change_status(actor=institute_staff, problem=a, status=Status.SOLVED)
    services.problem_merge(actor=institute_staff, source=a, target=b)

    services.problem_unmerge(actor=institute_staff, source=a)

    a.refresh_from_db()
    assert a.status == Status.SOLVED
    assert voters(a) == {people["leeds"].pk}
    assert counts(b) == (0, 0)


def test_votes_added_to_the_target_while_merged_stay_with_the_target(institute_staff, people, pair):
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)
    services.problem_vote(actor=people["york"], problem=b)

    services.problem_unmerge(actor=institute_staff, source=a)

    assert people["york"].pk in voters(b)
    assert people["york"].pk not in voters(a)
    assert counts(a) == (3, 3)
    assert counts(b) == (4, 4)
    assert_counters_match_rows(a, b)


def test_a_problem_can_be_merged_again_after_an_unmerge(institute_staff, people, pair):
    a, b = pair
    c = ProblemFactory()
    services.problem_merge(actor=institute_staff, source=a, target=b)
    services.problem_unmerge(actor=institute_staff, source=a)

    services.problem_merge(actor=institute_staff, source=a, target=c)

    a.refresh_from_db()
    assert a.merged_into == c
    assert counts(c) == (3, 3)
    assert Merge.objects.filter(source=a).count() == 2
    assert Merge.objects.filter(source=a, undone_at__isnull=True).get().target == c


def test_unmerging_a_problem_that_is_not_merged_is_refused(institute_staff, pair):
    a, b = pair
    before = snapshot(a)

    with pytest.raises(DomainError) as refused:
        services.problem_unmerge(actor=institute_staff, source=a)

    assert refused.value.status == 409
    assert snapshot(a) == before


def test_unmerging_twice_is_refused(institute_staff, pair):
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)
    services.problem_unmerge(actor=institute_staff, source=a)
    after_a, after_b = snapshot(a), snapshot(b)

    with pytest.raises(DomainError) as refused:
        services.problem_unmerge(actor=institute_staff, source=a)

    assert refused.value.status == 409
    assert snapshot(a) == after_a
    assert snapshot(b) == after_b


# Withdrawing a vote that came from a merged problem ----------------------------------------


def test_withdrawing_on_the_target_a_vote_cast_on_the_source_does_not_come_back_on_unmerge(
    institute_staff, people, pair
):
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)

    assert services.problem_vote_withdraw(actor=people["bristol"], problem=b) is True
    assert counts(b) == (3, 4)
    services.problem_unmerge(actor=institute_staff, source=a)

    assert people["bristol"].pk not in voters(a)
    assert people["bristol"].pk not in voters(b)
    assert counts(a) == (2, 2)
    assert demand_of(a) == {"leeds": 1, "manchester": 1}
    assert_counters_match_rows(a, b)


def test_withdrawing_on_the_target_also_withdraws_the_vote_left_on_the_source(
    institute_staff, people, pair
):
    """Manchester's officer voted on both; after the merge they withdraw from B: they have
    withdrawn from the merged problem as a whole, so neither vote returns on unmerge."""
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)

    services.problem_vote_withdraw(actor=people["manchester"], problem=b)

    assert not Vote.objects.filter(user=people["manchester"]).exists()
    assert_counters_match_rows(a, b)
    services.problem_unmerge(actor=institute_staff, source=a)
    assert people["manchester"].pk not in voters(a) | voters(b)
    assert counts(a) == (2, 2)
    assert counts(b) == (2, 2)
    assert_counters_match_rows(a, b)


# Chains ------------------------------------------------------------------------------------


@pytest.fixture
def chain(people):
    """A: Leeds, Bristol. B: Manchester, Leeds (second officer). C: Birmingham, York.
    York's officer also voted on A."""
    a = ProblemFactory(title="A", status=Status.TRIAGED)
    b = ProblemFactory(title="B", status=Status.IN_DISCOVERY)
    c = ProblemFactory(title="C")
    vote([people["leeds"], people["bristol"], people["york"]], a)
    vote([people["manchester"], people["leeds2"]], b)
    vote([people["birmingham"], people["york"]], c)
    return a, b, c


def test_chain_of_merges_counts_everyone_once_on_the_last_problem(institute_staff, people, chain):
    a, b, c = chain

    services.problem_merge(actor=institute_staff, source=a, target=b)
    services.problem_merge(actor=institute_staff, source=b, target=c)

    assert voters(c) == {p.pk for p in people.values()}
    assert counts(c) == (5, 6)
    assert demand_of(c) == {
        "leeds": 2,
        "bristol-city-of": 1,
        "manchester": 1,
        "birmingham": 1,
        "york": 1,
    }
    b.refresh_from_db()
    assert (b.status, b.merged_into) == (Status.MERGED, c)
    assert_counters_match_rows(a, b, c)


def test_unmerging_the_middle_of_a_chain_brings_back_its_votes_and_those_merged_into_it(
    institute_staff, people, chain
):
    a, b, c = chain
    before_a, before_b, before_c = snapshot(a), snapshot(b), snapshot(c)
    services.problem_merge(actor=institute_staff, source=a, target=b)
    after_first = snapshot(b)
    services.problem_merge(actor=institute_staff, source=b, target=c)

    services.problem_unmerge(actor=institute_staff, source=b)

    # B is as it was with A merged into it; C is back to exactly its own.
    assert snapshot(b) == {**after_first, "status": Status.IN_DISCOVERY}
    assert snapshot(c) == before_c
    a.refresh_from_db()
    assert (a.status, a.merged_into) == (Status.MERGED, b)
    assert_counters_match_rows(a, b, c)

    services.problem_unmerge(actor=institute_staff, source=a)

    assert snapshot(a) == before_a
    assert snapshot(b) == before_b
    assert snapshot(c) == before_c


def test_unmerging_the_start_of_a_chain_brings_its_votes_back_from_the_end(
    institute_staff, people, chain
):
    a, b, c = chain
    before_a, before_c = snapshot(a), snapshot(c)
    services.problem_merge(actor=institute_staff, source=a, target=b)
    services.problem_merge(actor=institute_staff, source=b, target=c)

    services.problem_unmerge(actor=institute_staff, source=a)

    assert snapshot(a) == before_a
    # C keeps its own votes and B's, and no longer A's.
    assert voters(c) == {
        people["birmingham"].pk,
        people["york"].pk,
        people["manchester"].pk,
        people["leeds2"].pk,
    }
    assert counts(c) == (4, 4)
    assert_counters_match_rows(a, b, c)

    services.problem_unmerge(actor=institute_staff, source=b)
    assert snapshot(c) == before_c
    assert_counters_match_rows(a, b, c)


def test_withdrawing_at_the_end_of_a_chain_withdraws_every_vote_of_that_officer_in_it(
    institute_staff, people, chain
):
    a, b, c = chain
    services.problem_vote(actor=people["york"], problem=b)  # York now on A, B and C
    services.problem_merge(actor=institute_staff, source=a, target=b)
    services.problem_merge(actor=institute_staff, source=b, target=c)

    services.problem_vote_withdraw(actor=people["york"], problem=c)

    assert not Vote.objects.filter(user=people["york"]).exists()
    assert_counters_match_rows(a, b, c)
    services.problem_unmerge(actor=institute_staff, source=b)
    services.problem_unmerge(actor=institute_staff, source=a)
    assert not Vote.objects.filter(user=people["york"]).exists()
    assert_counters_match_rows(a, b, c)


# Refusals ----------------------------------------------------------------------------------


def test_a_problem_cannot_be_merged_into_itself(institute_staff, pair):
    a, _ = pair
    before = snapshot(a)

    with pytest.raises(DomainError) as refused:
        services.problem_merge(actor=institute_staff, source=a, target=a)

    assert refused.value.field == "target"
    assert snapshot(a) == before
    assert not Merge.objects.exists()


def test_a_problem_cannot_be_merged_into_a_merged_problem(institute_staff, pair):
    a, b = pair
    c = ProblemFactory()
    services.problem_merge(actor=institute_staff, source=b, target=c)
    before_a, before_c = snapshot(a), snapshot(c)

    with pytest.raises(DomainError) as refused:
        services.problem_merge(actor=institute_staff, source=a, target=b)

    assert refused.value.field == "target"
    assert snapshot(a) == before_a
    assert snapshot(c) == before_c
    assert Merge.objects.count() == 1


def test_an_already_merged_problem_cannot_be_merged_again(institute_staff, pair):
    a, b = pair
    c = ProblemFactory()
    services.problem_merge(actor=institute_staff, source=a, target=b)
    before_a, before_b, before_c = snapshot(a), snapshot(b), snapshot(c)

    with pytest.raises(DomainError) as refused:
        services.problem_merge(actor=institute_staff, source=a, target=c)

    assert refused.value.status == 409
    assert (snapshot(a), snapshot(b), snapshot(c)) == (before_a, before_b, before_c)
    assert Merge.objects.count() == 1


def test_a_stale_copy_of_a_merged_problem_cannot_be_merged_again(institute_staff, pair):
    a, b = pair
    stale = Problem.objects.get(pk=a.pk)
    c = ProblemFactory()
    services.problem_merge(actor=institute_staff, source=a, target=b)

    with pytest.raises(DomainError):
        services.problem_merge(actor=institute_staff, source=stale, target=c)

    a.refresh_from_db()
    assert a.merged_into == b


@pytest.mark.parametrize(
    "who",
    [
        "officer",
        "other_officer",
        "centre_staff",
        "sector_viewer",
        "anonymous",
        "no_membership_user",
    ],
)
def test_only_institute_staff_can_merge(request, who, pair):
    a, b = pair
    user = request.getfixturevalue(who)
    before_a, before_b = snapshot(a), snapshot(b)

    with pytest.raises(NotAllowed):
        services.problem_merge(actor=user, source=a, target=b)

    assert (snapshot(a), snapshot(b)) == (before_a, before_b)
    assert not Merge.objects.exists()
    assert not AuditEvent.objects.filter(verb="problem.merged").exists()


@pytest.mark.parametrize(
    "who",
    [
        "officer",
        "other_officer",
        "centre_staff",
        "sector_viewer",
        "anonymous",
        "no_membership_user",
    ],
)
def test_only_institute_staff_can_unmerge(request, who, institute_staff, pair):
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)
    user = request.getfixturevalue(who)
    before_a, before_b = snapshot(a), snapshot(b)

    with pytest.raises(NotAllowed):
        services.problem_unmerge(actor=user, source=a)

    assert (snapshot(a), snapshot(b)) == (before_a, before_b)
    assert Merge.objects.get().undone_at is None


def test_an_unmerge_tells_the_followers_as_a_merge_does(institute_staff, people, pair):
    a, b = pair
    services.problem_merge(actor=institute_staff, source=a, target=b)
    merged_told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert merged_told >= {people["leeds"].pk, people["bristol"].pk}
    services.problem_unmerge(actor=institute_staff, source=a)
    unmerged = Notification.objects.filter(key__contains=":unmerged:")
    assert set(unmerged.values_list("recipient_id", flat=True)) == merged_told
    note = unmerged.get(recipient=people["bristol"])
    assert note.title == "“Tracking housing repairs” was unmerged from “Housing repairs tracking”"
    assert note.url == a.get_absolute_url()
