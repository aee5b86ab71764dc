"""Digests cost a fixed number of queries per chunk, whatever the people in it have (issue #7):
building a chunk takes the same queries for 5 people as for 50 with very different follows,
notifications and preferences, and sending adds the same queries for each person, whether their
digest holds one item or twenty. `tests/bench/sector.py` measures the same at 10,000 people."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backlog.models import Follow
from institute import digests, outbox
from institute.models import Cadence, Notification, NotificationPreference, OutboxEmail
from institute.services import notify
from tests.factories import ProblemFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_email")]

WEEKLY = Cadence.WEEKLY
# Kinds heard about in the weekly digest by default, one per topic, and one heard daily.
WEEKLY_KINDS = ["problem_status", "component_retired", "centre_learning", "centre_project"]


def _tell(user, kind, n, *, minutes_ago=5, read=False):
    key = f"{kind}:{user.pk}:{n}"
    notify(
        recipient_ids=[user.pk],
        kind=kind,
        key=key,
        title=f"{kind} {n}",
        url=f"/problems/{n}/",
        body="Something happened.",
    )
    Notification.objects.filter(recipient=user, key=key).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None,
    )


def _people(count: int, problem) -> tuple[list[int], int]:
    """`count` people in five different situations; returns their ids and how many are due
    a weekly digest."""
    period = digests.period_of(WEEKLY, timezone.now())
    ids, due = [], 0
    for i in range(count):
        user = UserFactory()
        ids.append(user.pk)
        situation = i % 5
        if situation == 0:  # one item
            _tell(user, "problem_status", i)
            due += 1
        elif situation == 1:  # follows a problem; twenty items in every topic, and daily ones
            Follow.objects.create(problem=problem, user=user)
            for n in range(20):
                _tell(user, WEEKLY_KINDS[n % 4], n, minutes_ago=n + 1)
            _tell(user, "problem_comment", 99)
            due += 1
        elif situation == 2:  # chose a daily digest for status changes; weekly for the rest
            NotificationPreference.objects.create(user=user, kind="problem_status", cadence="daily")
            NotificationPreference.objects.create(
                user=user, kind="problem_comment", cadence="weekly"
            )
            _tell(user, "problem_status", 1)
            _tell(user, "problem_comment", 2)
            due += 1
        elif situation == 3:  # read everything already
            _tell(user, "problem_status", 1, read=True)
        else:  # sent this week's digest already
            _tell(user, "centre_learning", 1)
            OutboxEmail.objects.create(
                recipient=user,
                to=user.email,
                kind="digest.weekly",
                key=f"digest:{WEEKLY}:{period}:{user.pk}",
                subject="Sent already",
                body="",
                status=OutboxEmail.Status.SENT,
            )
    return ids, due


def _build(ids):
    with CaptureQueriesContext(connection) as queries:
        built = digests.digests_build(user_ids=ids, cadence=WEEKLY)
    return len(queries), built


def test_building_a_chunk_takes_the_same_queries_for_5_or_50_people_whatever_they_have():
    problem = ProblemFactory()
    small_ids, small_due = _people(5, problem)
    large_ids, large_due = _people(50, problem)
    # Someone who left: in the chunk, but never written to.
    gone = UserFactory(is_active=False)
    _tell(gone, "problem_status", 1)

    small_queries, small = _build(small_ids)
    large_queries, large = _build([*large_ids, gone.pk])

    assert small_queries == large_queries == 3
    assert (len(small), len(large)) == (small_due, large_due) == (3, 30)
    sizes = sorted({len(d.notifications) for d in large})
    assert sizes == [1, 20]  # one item; twenty (not the daily comment); status daily, comment in
    assert all(d.user.is_active for d in large)


def _send(ids) -> tuple[int, int]:
    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        sent = digests.digests_queue_chunk(user_ids=ids, cadence=WEEKLY)
    outbox.send_due(limit=1000)
    assert len(mail.outbox) == sent
    return len(queries), sent


def test_sending_adds_the_same_queries_per_person_whether_their_digest_is_short_or_long():
    problem = ProblemFactory()
    light, heavy = UserFactory(), UserFactory()
    _tell(light, "problem_status", 1)
    Follow.objects.create(problem=problem, user=heavy)
    for n in range(20):
        _tell(heavy, WEEKLY_KINDS[n % 4], n, minutes_ago=n + 1)

    light_queries, _ = _send([light.pk])
    heavy_queries, _ = _send([heavy.pk])
    assert light_queries == heavy_queries
    build_queries, _ = _build([UserFactory().pk])
    per_person = light_queries - build_queries
    # savepoint, the outbox row (savepoint, is it there, insert, release, read back), the
    # claim, the rendered e-mail, release
    assert per_person == 9

    # A chunk: the build once, then the same for each person sent to.
    small_ids, _ = _people(5, problem)
    large_ids, _ = _people(50, problem)
    small_queries, small_sent = _send(small_ids)
    large_queries, large_sent = _send(large_ids)
    assert (small_sent, large_sent) == (3, 30)
    assert small_queries == build_queries + per_person * small_sent
    assert large_queries == build_queries + per_person * large_sent
    # And each was recorded once, with what it held.
    queued = OutboxEmail.objects.filter(kind="digest.weekly").exclude(subject="Sent already")
    assert queued.filter(status="sent").count() == 2 + 3 + 30
    assert OutboxEmail.objects.get(recipient=heavy).items.count() == 20
