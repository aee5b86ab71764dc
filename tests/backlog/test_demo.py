"""The demo backlog loaded by `manage.py seed_demo`: realistic, consistent and idempotent."""

import pytest
from django.db.models import Count

from backlog import demo as backlog_demo
from backlog.models import Comment, CouncilDemand, Merge, Problem, Status, StatusChange, Vote
from institute import demo as institute_demo
from institute.models import Notification, ServiceArea, Theme, User
from tests.backlog.test_seed_scale import assert_counters_equal_rows

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "problems": list(
            Problem.objects.order_by("pk").values_list(
                "pk", "title", "status", "vote_count", "council_count", "trending_count",
                "created_at", "last_activity_at", "merged_into_id",
            )
        ),
        "users": User.objects.count(),
        "votes": Vote.objects.count(),
        "demand": CouncilDemand.objects.count(),
        "comments": Comment.objects.count(),
        "timeline": StatusChange.objects.count(),
        "merges": Merge.objects.count(),
        "notifications": Notification.objects.count(),
    }  # fmt: skip


@pytest.fixture
def seeded():
    institute_demo.seed()
    return backlog_demo.seed()


def test_demo_backlog_is_idempotent(seeded):
    assert seeded["problems_created"] == len(backlog_demo.PROBLEMS) + 1
    before = _snapshot()

    again = backlog_demo.seed()

    assert again["problems_created"] == 0
    assert again["officers_created"] == 0
    assert _snapshot() == before
    assert_one_merged_pair()


def assert_one_merged_pair():
    merged = Problem.objects.filter(status=Status.MERGED)
    assert merged.count() == 1
    source = merged.get()
    assert source.title == backlog_demo.DUPLICATE.title
    assert source.merged_into.title == backlog_demo.DUPLICATE_OF
    assert source.merged_into.status != Status.MERGED
    merge = Merge.objects.get()
    assert (merge.source, merge.target, merge.undone_at) == (source, source.merged_into, None)
    assert merge.votes_moved > 0
    # The target now counts the moved votes; officers who had voted on both keep their vote on
    # the target and leave the other behind on the source, so nobody is counted twice.
    target = source.merged_into
    assert Vote.objects.filter(problem=target, cast_on=source).count() == merge.votes_moved
    left_behind = set(Vote.objects.filter(problem=source).values_list("user_id", flat=True))
    assert left_behind <= set(Vote.objects.filter(problem=target).values_list("user_id", flat=True))


def test_demo_backlog_looks_like_a_real_one(seeded):
    problems = Problem.objects.all()
    assert 55 <= problems.count() <= 70
    assert {p.theme for p in problems} == set(Theme.values)
    used_areas = set(Problem.service_areas.through.objects.values_list("servicearea_id", flat=True))
    assert used_areas == set(ServiceArea.objects.values_list("pk", flat=True))
    for problem in problems:
        assert len(problem.title) <= 150 and len(problem.summary) <= 300
        assert 2 <= problem.description.count("\n\n") + 1 <= 5
        assert 1 <= problem.service_areas.count() <= 3
        assert problem.description_html.startswith("<p")
        assert problem.created_at <= problem.last_activity_at

    # Demand comes from many councils: a few big problems and a long tail.
    counts = sorted(problems.values_list("council_count", flat=True), reverse=True)
    assert 30 <= counts[0] <= 80
    assert sum(1 for c in counts if c >= 30) >= 5
    assert sum(1 for c in counts if c <= 5) >= 10
    assert Vote.objects.values("organisation_id").distinct().count() >= 150
    assert_counters_equal_rows()

    # A mix of statuses, set by institute staff, with notes where they matter.
    by_status = dict(problems.values_list("status").annotate(n=Count("pk")))
    assert by_status[Status.NEW] + by_status[Status.TRIAGED] > problems.count() / 2
    for status in (Status.IN_DISCOVERY, Status.IN_PROGRESS, Status.SOLVED):
        assert by_status[status] >= 2
    assert by_status[Status.NOT_TAKEN_FORWARD] >= 2
    staff = User.objects.get(email=backlog_demo.STAFF_EMAIL)
    changes = StatusChange.objects.exclude(to_status__in=[Status.NEW])
    assert set(changes.values_list("actor", flat=True)) == {staff.pk}
    assert not changes.filter(
        to_status__in=[Status.SOLVED, Status.NOT_TAKEN_FORWARD], note=""
    ).exists()

    # Discussion on many problems, by officers of councils that voted and by staff.
    assert Comment.objects.values("problem").distinct().count() >= 30
    assert Comment.objects.filter(author=staff).exists()

    # Every generated officer works for a real council and can sign in.
    officer = (
        User.objects.filter(email__endswith=".council.test")
        .exclude(email__startswith="officer@")
        .first()
    )
    assert officer.membership.organisation.kind == "council"
    assert officer.email.endswith(f"@{officer.membership.organisation.slug}.council.test")
    assert officer.check_password(institute_demo.DEMO_PASSWORD)
    assert officer.emailaddress_set.get().verified
