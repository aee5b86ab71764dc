"""Many officers voting at the same moment, each on their own database connection, against the
real PostgreSQL: no vote is lost or doubled and the counters equal the rows."""

import threading

import pytest
from django.db import connection

from backlog import services
from backlog.models import CouncilDemand, Merge, Problem, Status, Vote
from institute.errors import DomainError
from institute.models import Organisation
from tests.factories import ProblemFactory, council_officer

# Reference data (317 councils, service areas) is loaded by migrations; serialized_rollback
# puts it back after the flush that ends each transactional test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OFFICERS_AT_DIFFERENT_COUNCILS = 32
PAIRED_COUNCILS = 8  # councils with a second officer


def run_together(jobs, *, timeout=120):
    """Run each job in its own thread with its own database connection, all released at once
    by a barrier so that they really collide. Returns each job's result or exception."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            connection.ensure_connection()  # connect before the barrier, not during the race
            barrier.wait(timeout=60)
            results[index] = job()
        except BaseException as error:  # reported to the test below
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, job), daemon=True) for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a voter never finished"
    return results


def unexpected(results):
    return [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]


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
        assert problem.trending_count == problem.council_count  # every council joined today


@pytest.fixture
def officers():
    """32 officers at 32 different councils, then a second officer at 8 of those councils."""
    councils = list(
        Organisation.objects.current().councils().order_by("slug")[:OFFICERS_AT_DIFFERENT_COUNCILS]
    )
    assert len(councils) == OFFICERS_AT_DIFFERENT_COUNCILS
    first = [council_officer(c.slug, f"first@{c.slug}.example.test") for c in councils]
    second = [
        council_officer(c.slug, f"second@{c.slug}.example.test") for c in councils[:PAIRED_COUNCILS]
    ]
    return first + second


def expected_demand(people) -> dict[int, int]:
    """{organisation id: officers} for a set of voters."""
    demand: dict[int, int] = {}
    for person in people:
        org = person.membership.organisation_id
        demand[org] = demand.get(org, 0) + 1
    return demand


def demand_of(problem) -> dict[int, int]:
    return dict(
        CouncilDemand.objects.filter(problem=problem).values_list("organisation_id", "officers")
    )


def voter_ids(problem) -> list[int]:
    return sorted(Vote.objects.filter(problem=problem).values_list("user_id", flat=True))


def test_concurrent_votes_are_neither_lost_nor_doubled(officers):
    problems = [ProblemFactory(title=f"Contended problem {n}") for n in range(3)]
    pks = [p.pk for p in problems]

    def voter(person, order, twice):
        def job():
            for pk in order:
                services.problem_vote(actor=person, problem=Problem.objects.get(pk=pk))
                if twice:
                    services.problem_vote(actor=person, problem=Problem.objects.get(pk=pk))

        return job

    jobs = []
    for n, person in enumerate(officers):
        # Everyone votes on all three problems, in different orders; some vote twice.
        order = pks[n % 3 :] + pks[: n % 3]
        jobs.append(voter(person, order, twice=n % 5 == 0))
    # The officers at paired councils also press the button again from a second tab.
    for person in officers[-PAIRED_COUNCILS:]:
        jobs.append(voter(person, list(reversed(pks)), twice=False))
    assert len(jobs) >= 40

    results = run_together(jobs)

    assert unexpected(results) == []
    everyone = sorted(p.pk for p in officers)
    for problem in problems:
        assert voter_ids(problem) == everyone
        assert demand_of(problem) == expected_demand(officers)
        problem.refresh_from_db()
        assert (problem.council_count, problem.vote_count) == (32, 40)
        assert_counters_match_rows(problem)


def test_concurrent_votes_and_withdrawals_leave_counters_equal_to_rows(officers):
    steady, churned = ProblemFactory(title="Steady"), ProblemFactory(title="Churned")
    # Half the officers had already voted on the churned problem; they now withdraw while the
    # other half vote on it for the first time, and everyone votes on the steady problem.
    already = officers[::2]
    newcomers = officers[1::2]
    for person in already:
        services.problem_vote(actor=person, problem=churned)

    def withdraw_and_vote(person, pk_vote, pk_withdraw):
        def job():
            services.problem_vote_withdraw(
                actor=person, problem=Problem.objects.get(pk=pk_withdraw)
            )
            services.problem_vote(actor=person, problem=Problem.objects.get(pk=pk_vote))
            return "withdrew"

        return job

    def vote_and_maybe_change_mind(person, n):
        def job():
            services.problem_vote(actor=person, problem=Problem.objects.get(pk=churned.pk))
            services.problem_vote(actor=person, problem=Problem.objects.get(pk=steady.pk))
            if n % 4 == 1:
                services.problem_vote_withdraw(
                    actor=person, problem=Problem.objects.get(pk=churned.pk)
                )
                return "changed mind"
            return "voted"

        return job

    jobs = [withdraw_and_vote(p, steady.pk, churned.pk) for p in already]
    jobs += [vote_and_maybe_change_mind(p, n) for n, p in enumerate(newcomers)]

    results = run_together(jobs)

    assert unexpected(results) == []
    people = already + newcomers
    kept_on_churned = [p for p, r in zip(people, results, strict=True) if r == "voted"]
    assert sorted(p.pk for p in kept_on_churned) == voter_ids(churned)
    assert demand_of(churned) == expected_demand(kept_on_churned)
    assert voter_ids(steady) == sorted(p.pk for p in officers)
    assert demand_of(steady) == expected_demand(officers)
    assert_counters_match_rows(steady, churned)


def test_the_last_two_officers_of_a_council_withdrawing_together_remove_the_council(officers):
    problem = ProblemFactory(title="Paired withdrawals")
    paired = officers[:PAIRED_COUNCILS] + officers[-PAIRED_COUNCILS:]
    for person in paired:
        services.problem_vote(actor=person, problem=problem)
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (8, 16)

    results = run_together(
        [
            (
                lambda person=person: services.problem_vote_withdraw(
                    actor=person, problem=Problem.objects.get(pk=problem.pk)
                )
            )
            for person in paired
        ]
    )

    assert results == [True] * len(paired)
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count, problem.trending_count) == (0, 0, 0)
    assert not CouncilDemand.objects.filter(problem=problem).exists()


def test_votes_racing_a_merge_all_end_up_counted_once(officers, institute_staff):
    source, target = ProblemFactory(title="Source"), ProblemFactory(title="Target")
    # A few officers were already on the target; some of them vote on the source too.
    on_target_already = officers[:4]
    for person in on_target_already:
        services.problem_vote(actor=person, problem=target)

    def vote_on(person, pk):
        def job():
            vote, _ = services.problem_vote(actor=person, problem=Problem.objects.get(pk=pk))
            return vote.user_id

        return job

    def merge():
        return services.problem_merge(
            actor=institute_staff,
            source=Problem.objects.get(pk=source.pk),
            target=Problem.objects.get(pk=target.pk),
        )

    source_voters = officers[::2]
    target_voters = officers[1::2]
    jobs = [vote_on(p, source.pk) for p in source_voters]
    jobs += [vote_on(p, target.pk) for p in target_voters]
    jobs.append(merge)

    results = run_together(jobs)

    assert unexpected(results) == []
    assert isinstance(results[-1], Merge)
    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == (Status.MERGED, target.pk)
    refused = [
        p for p, r in zip(source_voters, results, strict=False) if isinstance(r, DomainError)
    ]
    assert all(r.code == "merged" for r in results if isinstance(r, DomainError))
    counted_on_source = [p for p in source_voters if p not in refused]
    # Every officer who voted successfully anywhere is counted on the target exactly once.
    on_target = {p.pk for p in [*on_target_already, *target_voters, *counted_on_source]}
    assert voter_ids(target) == sorted(on_target)
    assert demand_of(target) == expected_demand([p for p in officers if p.pk in on_target])
    assert_counters_match_rows(source, target)

    # Undoing the merge gives the source exactly the votes cast on it before the merge.
    services.problem_unmerge(actor=institute_staff, source=source)
    assert voter_ids(source) == sorted(p.pk for p in counted_on_source)
    assert voter_ids(target) == sorted({p.pk for p in [*on_target_already, *target_voters]})
    assert_counters_match_rows(source, target)
