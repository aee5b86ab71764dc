"""Re-review of published components (issue 19): a change to a published component's maturity,
licence or links waits for institute staff other than its author; readers see the published
details until then, and "Updated on … (what changed)" after."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from components import services
from components.models import (
    RE_REVIEW_FIELDS,
    ComponentChange,
    ComponentEvent,
    FetchResult,
    HarvestFetch,
    HarvestSource,
)
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, ChangeStatus, Notification, Organisation, Role
from tests.components.factories import ComponentFactory
from tests.factories import MembershipFactory, UserFactory, give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    """A second member of institute staff."""
    return give_authenticator_app(
        MembershipFactory(
            user=UserFactory(email="reviewer@ldi.example.test"),
            organisation=Organisation.objects.get(slug="local-digital-institute"),
            role=Role.INSTITUTE_STAFF,
        ).user
    )


@pytest.fixture
def published(db):
    return ComponentFactory(name="Bin collection day API", maturity="beta", licence="MIT")


def test_the_fields_that_need_review_are_its_promises():
    assert list(RE_REVIEW_FIELDS) == ["maturity", "licence", "source_url", "documentation_url"]


def test_a_maturity_change_waits_for_another_member_of_staff(published, institute_staff, reviewer):
    updated = services.component_update(
        actor=institute_staff, component=published, maturity="live", summary="Now nationwide."
    )
    published.refresh_from_db()
    assert (published.maturity, published.summary) == ("beta", "Now nationwide.")
    change = updated.proposed_change
    assert change.summary == "maturity beta → live"
    assert Notification.objects.filter(recipient=reviewer, key__contains="proposed").exists()
    with pytest.raises(NotAllowed):  # not their own
        services.component_change_publish(actor=institute_staff, change=change)
    services.component_change_publish(actor=reviewer, change=change)
    published.refresh_from_db()
    assert published.maturity == "live"
    assert Notification.objects.filter(
        recipient=institute_staff, key__endswith=":published"
    ).exists()
    assert ComponentEvent.objects.filter(component=published, verb="change_published").exists()
    assert AuditEvent.objects.filter(verb="component.change_published").count() == 1


def test_a_licence_and_link_change_is_rejected_with_a_reason_and_nothing_changes(
    published, institute_staff, reviewer
):
    change = services.component_update(
        actor=institute_staff,
        component=published,
        licence="GPL-3.0-only",
        source_url="https://example.org/elsewhere",
    ).proposed_change
    assert change.summary == "licence MIT → GPL-3.0-only, source code link changed"
    with pytest.raises(DomainError):
        services.component_change_reject(actor=reviewer, change=change, reason="")
    services.component_change_reject(actor=reviewer, change=change, reason="Not their licence.")
    published.refresh_from_db()
    change.refresh_from_db()
    assert (published.licence, published.licence_open, published.source_url) == (
        "MIT",
        True,
        "https://example.org/source",
    )
    assert (change.status, change.reason) == (ChangeStatus.REJECTED, "Not their licence.")
    note = Notification.objects.get(recipient=institute_staff, key__endswith=":rejected")
    assert note.body == "Not their licence."


@pytest.mark.parametrize("role", ["officer", "centre_staff", "sector_viewer"])
def test_only_institute_staff_decide(request, published, institute_staff, role):
    change = services.component_update(
        actor=institute_staff, component=published, maturity="live"
    ).proposed_change
    with pytest.raises(NotAllowed):
        services.component_change_publish(actor=request.getfixturevalue(role), change=change)
    change.refresh_from_db()
    published.refresh_from_db()
    assert (change.status, published.maturity) == (ChangeStatus.PENDING, "beta")


def test_components_in_review_and_harvested_changes_apply_directly(
    published, officer, institute_staff
):
    in_review = ComponentFactory(status="in_review", published_at=None, submitted_by=officer)
    services.component_update(actor=officer, component=in_review, maturity="alpha")
    in_review.refresh_from_db()
    assert in_review.maturity == "alpha"
    # Staff applying a change harvested from publiccode.yml is the review of it.
    source = HarvestSource.objects.create(
        url="https://github.com/example-council/bins",
        kind="repository",
        component=published,
        registered_by=officer,
    )
    fetch = HarvestFetch.objects.create(
        source=source,
        result=FetchResult.PROPOSED,
        changed=["maturity"],
        proposed={"maturity": "live"},
    )
    services.source_proposal_apply(actor=institute_staff, fetch_id=fetch.pk)
    published.refresh_from_db()
    assert published.maturity == "live"
    assert not ComponentChange.objects.exists()


def test_staff_find_the_change_in_the_queue_and_on_the_page_and_publish_it(
    client, published, institute_staff, reviewer
):
    change = services.component_update(
        actor=institute_staff, component=published, maturity="live"
    ).proposed_change
    assert "Updated on" not in client.get(published.get_absolute_url()).content.decode()
    client.force_login(reviewer)
    queue = client.get(reverse("components:review_queue")).content.decode()
    assert change.get_absolute_url() in queue and "Maturity beta → live" in queue
    assert change.get_absolute_url() in client.get(published.get_absolute_url()).content.decode()
    bad = client.post(change.get_absolute_url(), {"decision": "reject", "reason": ""})
    assert "Say why the change is rejected" in bad.content.decode()
    response = client.post(change.get_absolute_url(), {"decision": "publish"}, follow=True)
    assert "The change is published" in response.content.decode()
    client.logout()
    page = client.get(published.get_absolute_url()).content.decode()
    assert "(maturity beta → live)" in page


def test_others_are_refused_the_change_page(client, published, institute_staff, officer):
    change = services.component_update(
        actor=institute_staff, component=published, maturity="live"
    ).proposed_change
    client.force_login(officer)
    assert client.get(change.get_absolute_url()).status_code == 403
    assert client.post(change.get_absolute_url(), {"decision": "publish"}).status_code == 403
    published.refresh_from_db()
    assert published.maturity == "beta"


def test_the_edit_form_names_the_fields_that_need_review(client, published, institute_staff):
    client.force_login(institute_staff)
    page = client.get(reverse("components:component_edit", args=[published.public_id]))
    assert (
        "Changes to its maturity, licence, source code link or documentation link need review"
        in page.content.decode()
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queue_and_the_component_page_have_fixed_query_counts(
    client, institute_staff, reviewer
):
    def propose():
        component = ComponentFactory(maturity="beta")
        services.component_update(actor=institute_staff, component=component, maturity="live")
        return component

    first = propose()
    client.force_login(reviewer)
    url = reverse("components:review_queue")
    one = _queries(client, url)
    page = _queries(client, first.get_absolute_url())
    for _ in range(4):
        propose()
    assert _queries(client, url) == one
    change = first.changes.get()
    services.component_change_publish(actor=reviewer, change=change)
    services.component_update(actor=institute_staff, component=first, maturity="retiring")
    assert _queries(client, first.get_absolute_url()) == page
