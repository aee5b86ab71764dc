"""The synthetic backlog of the benchmark (tests/bench/load/problems.py) at a small size: the
rows it writes are consistent with each other."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Min, Q

from backlog.models import CouncilDemand, Merge, Problem, Status, StatusChange, Vote
from institute.models import Membership, User
from tests.bench.load import problems as load_problems
from tests.bench.load.problems import LOADED_TABLES

pytestmark = pytest.mark.django_db


def _seed(**options):
    out = StringIO()
    call_command(load_problems.Command(), stdout=out, **{"problems": 200, "votes": 2000, **options})
    return out.getvalue()


def _schema():
    """Names of the loaded tables' indexes and constraints: the load drops and restores some."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [LOADED_TABLES]
        )
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
            [LOADED_TABLES],
        )
        constraints = {row[0] for row in cursor.fetchall()}
    return indexes, constraints


def _scale_problems():
    return Problem.objects.filter(submitted_by__email__endswith=".scale.test")


def assert_counters_equal_rows():
    problems = Problem.objects.annotate(
        n_votes=Count("votes", distinct=True),
        n_councils=Count("demand", distinct=True),
    )
    for problem in problems:
        assert problem.vote_count == problem.n_votes, problem.pk
        assert problem.council_count == problem.n_councils, problem.pk
        assert problem.trending_count <= problem.council_count
    grouped = {
        (r["problem_id"], r["organisation_id"]): r
        for r in Vote.objects.values("problem_id", "organisation_id").annotate(
            n=Count("pk"), first=Min("created_at")
        )
    }
    demand = list(CouncilDemand.objects.all())
    assert len(demand) == len(grouped)
    for row in demand:
        votes = grouped[(row.problem_id, row.organisation_id)]
        assert row.officers == votes["n"]
        assert row.since == votes["first"]


def test_seed_scale_writes_consistent_rows():
    before = _schema()
    output = _seed(officers=300)

    assert "Scale data: 200 problems, 2000 votes" in output
    assert _scale_problems().count() == 200
    assert Vote.objects.count() == 2000
    assert User.objects.filter(email__endswith=".scale.test").count() == 301  # + triage staff
    assert _schema() == before, "indexes and constraints are restored after the load"
    assert_counters_equal_rows()

    # Each vote is by an officer for their own council, where it was cast, once per problem.
    membership = dict(Membership.objects.values_list("user_id", "organisation_id"))
    for user_id, organisation_id, problem_id, cast_on_id in Vote.objects.values_list(
        "user_id", "organisation_id", "problem_id", "cast_on_id"
    ):
        assert membership[user_id] == organisation_id
        assert problem_id == cast_on_id
    assert Vote.objects.values("problem_id", "user_id").distinct().count() == Vote.objects.count()

    # Demand is spread: many councils overall, a long tail of small problems.
    assert Vote.objects.values("organisation_id").distinct().count() > 100
    assert _scale_problems().filter(council_count__lte=5).exists()
    assert _scale_problems().filter(council_count__gte=30).exists()

    # Each problem's places are its councils' regions and types, so the place filters work on
    # loaded data as on voted data.
    places = {}
    for problem_id, region, council_type in CouncilDemand.objects.values_list(
        "problem_id", "organisation__region", "organisation__council_type"
    ):
        places.setdefault(problem_id, set()).update(
            {f"r:{region}", f"t:{council_type}", f"rt:{region}:{council_type}"}
        )
    for problem in _scale_problems():
        assert set(problem.demand_places) == places.get(problem.pk, set()), problem.pk

    # Every problem has service areas and a timeline; merges point at open problems.
    assert not _scale_problems().filter(service_areas__isnull=True).exists()
    assert StatusChange.objects.filter(to_status=Status.NEW).count() == 200
    merged = _scale_problems().filter(status=Status.MERGED)
    assert merged.count() == Merge.objects.count()
    assert not merged.filter(Q(merged_into__isnull=True) | Q(vote_count__gt=0)).exists()
    assert not merged.filter(merged_into__status=Status.MERGED).exists()
    assert len({p.theme for p in _scale_problems()}) == 6

    # The generated column is filled, so full-text search finds a problem by its own words.
    problem = _scale_problems().order_by("pk").first()
    word = max(problem.title.split(), key=len)
    assert Problem.objects.filter(search_vector=word).filter(pk=problem.pk).exists()


def test_seed_scale_skips_when_loaded_and_resets():
    _seed(officers=300)
    first_ids = set(_scale_problems().values_list("pk", flat=True))

    output = _seed(officers=300, skip_if_loaded=True)
    assert "skipping" in output
    assert set(_scale_problems().values_list("pk", flat=True)) == first_ids

    _seed(officers=300, reset=True, problems=150, votes=1000)
    assert _scale_problems().count() == 150
    assert not _scale_problems().filter(pk__in=first_ids).exists()
    assert Vote.objects.count() == 1000
    assert User.objects.filter(email__endswith=".scale.test").count() == 301
    assert_counters_equal_rows()


def test_seed_scale_refuses_more_votes_than_fit():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="do not fit"):
        _seed(problems=5, votes=10_000, officers=10)
