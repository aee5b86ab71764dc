"""The notification centre, preferences, immediate e-mails and digests: grouping, newest
first, nothing twice, nothing when there is nothing to say, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from institute import digests, outbox
from institute.models import (
    Cadence,
    Notification,
    NotificationEmail,
    NotificationPreference,
    OutboxEmail,
)
from institute.services import notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_email")]
LIST = reverse("institute:notification_list")


def _note(user, kind, title, *, minutes_ago=0, key=None):
    notify(
        recipient_ids=[user.pk],
        kind=kind,
        key=key or f"{kind}:{title}",
        title=title,
        url="/problems/1/",
        body=f"About {title}",
    )
    n = Notification.objects.get(recipient=user, key=key or f"{kind}:{title}")
    Notification.objects.filter(pk=n.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return n


# --- Notification centre -----------------------------------------------------------------------


def test_list_is_newest_first_paginated_and_only_mine(client, officer, other_officer):
    for i in range(30):
        _note(officer, "problem_comment", f"Comment {i:02d}", minutes_ago=100 - i)
    _note(other_officer, "problem_comment", "Not yours")
    client.force_login(officer)
    response = client.get(LIST)
    titles = [n.title for n in response.context["page_obj"]]
    assert titles[0] == "Comment 29" and len(titles) == 25
    assert "Not yours" not in response.content.decode()
    assert response.context["unread"] == 30
    assert [n.title for n in client.get(LIST, {"page": 2}).context["page_obj"]][-1] == "Comment 00"
    assert client.get(LIST, {"page": "nonsense"}).status_code == 200


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302


def test_mark_one_read_only_for_its_recipient_and_mark_all(client, officer, other_officer):
    mine = _note(officer, "problem_status", "Mine")
    theirs = _note(other_officer, "problem_status", "Theirs")
    _note(officer, "problem_status", "Also mine")
    client.force_login(officer)
    assert client.get(reverse("institute:notification_read", args=[mine.pk])).status_code == 405
    client.post(reverse("institute:notification_read", args=[mine.pk]))
    client.post(reverse("institute:notification_read", args=[theirs.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    response = client.post(
        reverse("institute:notifications_read_all"), {"next": "https://evil.example/"}
    )
    assert response.url == LIST  # an off-site `next` is ignored
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()


def test_header_shows_the_unread_count(client, officer):
    _note(officer, "problem_status", "One")
    _note(officer, "problem_status", "Two")
    client.force_login(officer)
    html = client.get(reverse("institute:notification_count")).content.decode()
    assert ">2<" in html.replace("\n", "")
    # Now the cache knows: pages show it without asking the database.
    page = client.get(reverse("institute:home")).content.decode()
    assert "app-notifications-count" in page and "2" in page


def test_a_new_notification_is_not_hidden_behind_the_cached_count(
    client, officer, other_officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    client.get(reverse("institute:notification_count"))  # the cache now says 0
    assert ">0<" in client.get(reverse("institute:home")).content.decode().replace("\n", "")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient_ids=[officer.pk], kind="problem_status", key="k1", title="News")
    page = client.get(reverse("institute:home")).content.decode().replace("\n", "")
    assert ">0<" not in page  # the header asks afresh instead
    html = client.get(reverse("institute:notification_count")).content.decode()
    assert ">1<" in html.replace("\n", "")


# --- Preferences and unsubscribe ---------------------------------------------------------------


def test_preferences_default_then_save_and_bad_input_is_refused(client, officer):
    client.force_login(officer)
    PREFS = reverse("institute:notification_preferences")
    form = client.get(PREFS).context["form"]
    assert form.fields["problem_comment"].initial == Cadence.DAILY
    data = {p["kind"]: p["cadence"] for p in digests.preferences_for(officer)}
    data["problem_comment"] = "off"
    assert client.post(PREFS, data).status_code == 302
    assert NotificationPreference.objects.get(user=officer, kind="problem_comment").cadence == "off"
    data["problem_status"] = "hourly"
    response = client.post(PREFS, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_unsubscribe_link_works_signed_out_after_confirmation(client, officer):
    token = digests.unsubscribe_token(officer, Cadence.WEEKLY)
    url = reverse("institute:digest_unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Stop weekly digest e-mails" in page.content.decode()
    assert not NotificationPreference.objects.filter(user=officer).exists()  # GET changes nothing
    done = client.post(url)
    assert "You have unsubscribed" in done.content.decode()
    weekly = [p for p in digests.preferences_for(officer) if p["default"] == Cadence.WEEKLY]
    assert weekly and all(p["cadence"] == Cadence.OFF for p in weekly)
    bad = client.get(reverse("institute:digest_unsubscribe", args=[token[:-3] + "abc"]))
    assert bad.status_code == 400


def test_one_click_unsubscribe_from_a_mail_program(officer):
    """RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click`, with no session and no
    CSRF token, and the person hears no more at that cadence."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = reverse(
        "institute:digest_unsubscribe", args=[digests.unsubscribe_token(officer, Cadence.DAILY)]
    )
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    daily = [p for p in digests.preferences_for(officer) if p["default"] == Cadence.DAILY]
    assert daily and all(p["cadence"] == Cadence.OFF for p in daily)


# --- Digests -----------------------------------------------------------------------------------


def test_weekly_digest_groups_by_topic_newest_first_and_never_repeats(officer):
    NotificationPreference.objects.create(user=officer, kind="centre_learning", cadence="weekly")
    _note(officer, "problem_status", "Older status change", minutes_ago=300)
    _note(officer, "problem_status", "Newer status change", minutes_ago=10)
    _note(officer, "centre_learning", "A new playbook", minutes_ago=60)
    _note(officer, "component_retired", "A component is retired", minutes_ago=30)
    _note(officer, "problem_comment", "Daily, not weekly", minutes_ago=5)
    (chunk,) = digests.digest_chunks(cadence=Cadence.WEEKLY)
    assert chunk == [officer.pk]
    assert digests.digests_queue_chunk(user_ids=chunk, cadence=Cadence.WEEKLY) == 1
    assert mail.outbox == []  # the digest job only queues; the outbox sends
    assert outbox.send_due() == 1
    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == "Your weekly digest: 4 updates"
    text = message.body
    # Topics in order; newest first within a topic; the daily item is not here.
    assert (
        text.index("PROBLEMS YOU FOLLOW")
        < text.index("YOUR COUNCIL")
        < text.index("NEW LEARNING IN YOUR THEMES")
    )
    assert text.index("Newer status change") < text.index("Older status change")
    assert "Daily, not weekly" not in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Problems you follow" in html
    assert "/notifications/unsubscribe/" in text
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://institute.test/")
    # Nothing twice: a rerun this week sends nothing; a new week with nothing new sends nothing.
    assert digests.digests_queue_chunk(user_ids=chunk, cadence=Cadence.WEEKLY) == 0
    assert outbox.send_due() == 0
    next_week = timezone.now() + timedelta(days=7)
    assert digests.digest_chunks(cadence=Cadence.WEEKLY, now=next_week) == []
    row = OutboxEmail.objects.get()
    assert row.kind == "digest.weekly" and row.status == "sent" and row.items.count() == 4


def test_nothing_to_say_means_no_email(officer):
    _note(officer, "problem_status", "Already read").__class__.objects.update(
        read_at=timezone.now()
    )
    assert digests.digest_chunks(cadence=Cadence.WEEKLY) == []
    assert digests.digests_queue_chunk(user_ids=[officer.pk], cadence=Cadence.WEEKLY) == 0
    assert outbox.send_due() == 0
    assert mail.outbox == [] and not OutboxEmail.objects.exists()


def test_immediate_email_once_and_never_again_in_a_digest(officer):
    NotificationPreference.objects.create(
        user=officer, kind="problem_status", cadence="immediately"
    )
    _note(officer, "problem_status", "Told at once")
    _note(officer, "problem_solved", "Solved: also at once by default")
    assert OutboxEmail.objects.count() == 2  # queued with the notifications
    assert outbox.send_due() == 2
    assert outbox.send_due() == 0
    assert {m.subject for m in mail.outbox} == {"Told at once", "Solved: also at once by default"}
    assert NotificationEmail.objects.count() == 2
    NotificationPreference.objects.filter(user=officer).update(cadence="weekly")
    assert digests.digest_chunks(cadence=Cadence.WEEKLY) == []


def test_daily_digest_for_daily_kinds(officer, other_officer):
    _note(officer, "problem_comment", "A comment")
    _note(other_officer, "problem_status", "Weekly only")
    (chunk,) = digests.digest_chunks(cadence=Cadence.DAILY)
    assert chunk == [officer.pk]
    digests.digests_queue_chunk(user_ids=chunk, cadence=Cadence.DAILY)
    outbox.send_due()
    assert mail.outbox[0].subject == "Your daily digest: 1 update"


def test_chunks_hold_at_most_100_people(db):
    users = [UserFactory() for _ in range(130)]
    for user in users:
        _note(user, "problem_status", "Something")
    chunks = digests.digest_chunks(cadence=Cadence.WEEKLY)
    assert [len(c) for c in chunks] == [100, 30]


@pytest.mark.parametrize("people", [10, 50])
def test_building_a_chunk_takes_the_same_queries_for_10_or_50_people(
    people, django_assert_num_queries
):
    users = [UserFactory() for _ in range(people)]
    for user in users:
        _note(user, "problem_status", "Status", minutes_ago=5)
        _note(user, "component_retired", "Retired", minutes_ago=1)
    with django_assert_num_queries(3):
        built = digests.digests_build(user_ids=[u.pk for u in users], cadence=Cadence.WEEKLY)
    assert len(built) == people and all(len(d.notifications) == 2 for d in built)
