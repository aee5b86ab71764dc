"""The components services: review, retirement, adoption rules, staleness and counters."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from backlog.models import Status
from components import services
from components.models import (
    STALE_AFTER,
    Adoption,
    AdoptionChange,
    AdoptionReminder,
    Component,
    ComponentEvent,
)
from institute import outbox
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, Notification
from tests.components.conftest import component_fields
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db


def _adopt(officer, component, **overrides):
    kwargs = {
        "stage": "in_use",
        "since": date(2025, 3, 1),
        "evidence_url": "https://leeds.example/forms",
        "evidence_note": "",
        "show_as_contact": True,
        **overrides,
    }
    return services.adoption_record(
        actor=officer, component=component, organisation=officer.membership.organisation, **kwargs
    )


# --- Submit and review ---------------------------------------------------------------------


def test_submission_waits_for_review_with_clean_markdown_and_normalised_licence(
    officer, institute_staff
):
    component = services.component_submit(actor=officer, **component_fields())
    assert component.status == "in_review"
    assert component.submitted_for.slug == "leeds"
    assert component.licence == "MIT" and component.licence_open
    assert "<strong>pass</strong>" in component.description_html
    assert "<script>" not in component.description_html
    assert component.slug == "accessible-form-builder"
    assert ComponentEvent.objects.filter(component=component, verb="submitted").exists()
    assert Notification.objects.filter(recipient=institute_staff, kind="component_review").exists()


def test_same_name_gets_a_different_slug(officer):
    first = services.component_submit(actor=officer, **component_fields())
    second = services.component_submit(actor=officer, **component_fields())
    assert first.slug != second.slug


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": " "}, "name"),
        ({"summary": "x" * 301}, "summary"),
        ({"kind": "gadget"}, "kind"),
        ({"maturity": "retired"}, "maturity"),
        ({"licence": "MIT OR (nonsense!"}, "licence"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"cost_model": ""}, "cost_model"),
        ({"theme": "made-up"}, "theme"),
    ],
)
def test_bad_submission_is_refused_and_creates_nothing(officer, overrides, field):
    with pytest.raises(DomainError) as error:
        services.component_submit(actor=officer, **component_fields(**overrides))
    assert error.value.field == field
    assert not Component.objects.exists()


def test_proprietary_licence_is_not_open(officer):
    component = services.component_submit(
        actor=officer, **component_fields(licence="LicenseRef-proprietary")
    )
    assert component.licence_open is False


def test_anonymous_cannot_submit(anonymous):
    with pytest.raises(NotAllowed):
        services.component_submit(actor=anonymous, **component_fields())


def test_staff_publish_and_submitter_is_told(officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    published = services.component_publish(actor=institute_staff, component=component)
    assert published.status == "published" and published.published_at
    assert Notification.objects.filter(recipient=officer, kind="component_review").exists()
    assert AuditEvent.objects.filter(verb="component.published").exists()


def test_request_changes_needs_a_note_and_the_submitters_edit_resubmits(officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    with pytest.raises(DomainError):
        services.component_request_changes(actor=institute_staff, component=component, note=" ")
    services.component_request_changes(
        actor=institute_staff, component=component, note="Add a documentation link."
    )
    component.refresh_from_db()
    assert component.status == "changes_requested"
    assert component.review_note == "Add a documentation link."
    services.component_update(
        actor=officer, component=component, documentation_url="https://example.org/docs"
    )
    component.refresh_from_db()
    assert component.status == "in_review"
    assert component.documentation_url == "https://example.org/docs"
    verbs = list(component.events.values_list("verb", flat=True))
    assert verbs == ["submitted", "changes_requested", "resubmitted"]


@pytest.mark.parametrize("role", ["officer", "other_officer", "centre_staff", "sector_viewer"])
def test_only_staff_review(request, officer, role):
    component = services.component_submit(actor=officer, **component_fields())
    with pytest.raises(NotAllowed):
        services.component_publish(actor=request.getfixturevalue(role), component=component)
    component.refresh_from_db()
    assert component.status == "in_review"


def test_rejected_component_cannot_be_published_later(officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    services.component_reject(actor=institute_staff, component=component, note="A duplicate.")
    with pytest.raises(DomainError) as error:
        services.component_publish(actor=institute_staff, component=component)
    assert error.value.status == 409


def test_submitter_cannot_edit_once_published_but_staff_can(officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    services.component_publish(actor=institute_staff, component=component)
    component.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.component_update(actor=officer, component=component, maturity="live")
    services.component_update(actor=institute_staff, component=component, summary="Shorter.")
    component.refresh_from_db()
    assert component.summary == "Shorter." and component.status == "published"


def test_retire_needs_a_reason_keeps_the_component_and_tells_adopters(
    component, officer, institute_staff
):
    _adopt(officer, component)
    with pytest.raises(DomainError):
        services.component_retire(actor=institute_staff, component=component, reason="")
    services.component_retire(
        actor=institute_staff, component=component, reason="Replaced by the national service."
    )
    component.refresh_from_db()
    assert component.maturity == "retired" and component.status == "published"
    assert Notification.objects.filter(recipient=officer, kind="component_retired").exists()
    with pytest.raises(NotAllowed):
        services.component_retire(actor=officer, component=component, reason="x")


# --- Problems ------------------------------------------------------------------------------


def test_submitter_links_problems_before_publication_only(officer, institute_staff):
    problem = ProblemFactory()
    component = services.component_submit(actor=officer, **component_fields())
    assert services.component_link_problem(actor=officer, component=component, problem=problem)
    assert not services.component_link_problem(actor=officer, component=component, problem=problem)
    services.component_publish(actor=institute_staff, component=component)
    component.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.component_unlink_problem(actor=officer, component=component, problem=problem)
    assert services.component_unlink_problem(
        actor=institute_staff, component=component, problem=problem
    )


def test_other_officer_cannot_link_someone_elses_submission(officer, other_officer):
    component = services.component_submit(actor=officer, **component_fields())
    with pytest.raises(NotAllowed):
        services.component_link_problem(
            actor=other_officer, component=component, problem=ProblemFactory()
        )


def test_staff_mark_a_problem_solved_by_components(component, institute_staff, officer):
    problem = ProblemFactory()
    from backlog.services import problem_vote

    problem_vote(actor=officer, problem=problem)
    services.problem_solve_with_components(
        actor=institute_staff, problem=problem, components=[component], note="Live at 40 councils."
    )
    problem.refresh_from_db()
    assert problem.status == Status.SOLVED
    assert component.links.filter(problem=problem).exists()
    change = problem.timeline.last()
    assert change.note == f"Solved by {component.name}. Live at 40 councils."
    assert Notification.objects.filter(recipient=officer, kind="problem_solved").exists()


def test_unpublished_components_cannot_solve_problems(officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    problem = ProblemFactory()
    with pytest.raises(DomainError):
        services.problem_solve_with_components(
            actor=institute_staff, problem=problem, components=[component]
        )
    assert problem.component_links.count() == 0


# --- Adoption ------------------------------------------------------------------------------


def test_officer_records_adoption_for_their_council_and_counters_follow(component, officer):
    adoption, created = _adopt(officer, component)
    assert created and adoption.organisation.slug == "leeds"
    component.refresh_from_db()
    assert (component.using_count, component.adopting_count) == (1, 1)
    assert adoption.contact == officer


def test_changing_stage_keeps_history_and_one_row(component, officer):
    _adopt(officer, component, stage="exploring")
    _adopt(officer, component, stage="piloting")
    adoption, created = _adopt(officer, component, stage="in_use")
    assert not created
    assert Adoption.objects.filter(component=component).count() == 1
    history = list(
        AdoptionChange.objects.filter(adoption=adoption).values_list("from_stage", "to_stage")
    )
    assert history == [("", "exploring"), ("exploring", "piloting"), ("piloting", "in_use")]
    component.refresh_from_db()
    assert component.using_count == 1


def test_database_allows_one_adoption_per_council_and_component(component, leeds):
    AdoptionFactory(component=component, organisation=leeds)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptionFactory(component=component, organisation=leeds)


@pytest.mark.parametrize(
    "role", ["other_officer", "centre_staff", "institute_staff", "sector_viewer"]
)
def test_nobody_else_records_adoption_for_leeds(request, component, leeds, role):
    with pytest.raises(NotAllowed):
        services.adoption_record(
            actor=request.getfixturevalue(role),
            component=component,
            organisation=leeds,
            stage="in_use",
            since=date(2025, 1, 1),
            evidence_note="We use it.",
        )
    assert not Adoption.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"stage": "finished"}, "stage"),
        ({"since": timezone.localdate() + timedelta(days=2)}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"evidence_url": "", "evidence_note": ""}, "evidence_url"),
        ({"evidence_url": "ftp://example.org/x"}, "evidence_url"),
    ],
)
def test_bad_adoption_is_refused(component, officer, overrides, field):
    with pytest.raises(DomainError) as error:
        _adopt(officer, component, **overrides)
    assert error.value.field == field
    assert not Adoption.objects.exists()


def test_unpublished_component_cannot_be_adopted(officer):
    component = services.component_submit(actor=officer, **component_fields())
    with pytest.raises(DomainError):
        _adopt(officer, component)


# --- Staleness -----------------------------------------------------------------------------


def test_staleness_is_twelve_months_after_confirmation(component, leeds):
    now = timezone.now()
    adoption = AdoptionFactory(component=component, organisation=leeds, confirmed_at=now)
    assert not adoption.is_stale(now + STALE_AFTER - timedelta(seconds=1))
    assert adoption.is_stale(now + STALE_AFTER)
    assert adoption.is_counted(now) and not adoption.is_counted(now + STALE_AFTER)
    retired = AdoptionFactory(component=ComponentFactory(), organisation=leeds, stage="retired")
    assert not retired.is_counted(now)


def test_stale_adoptions_stop_counting_after_the_daily_refresh(component, officer, leeds):
    adoption, _ = _adopt(officer, component)
    Adoption.objects.filter(pk=adoption.pk).update(
        confirmed_at=timezone.now() - STALE_AFTER - timedelta(days=1)
    )
    services.component_counts_refresh()
    component.refresh_from_db()
    assert (component.using_count, component.adopting_count) == (0, 0)
    adoption.refresh_from_db()
    services.adoption_confirm(actor=officer, adoption=adoption)
    component.refresh_from_db()
    assert component.using_count == 1


def test_counters_count_stages_and_leave_stale_out(component):
    from institute.models import Organisation

    councils = list(Organisation.objects.councils().order_by("pk")[:5])
    old = timezone.now() - STALE_AFTER - timedelta(days=3)
    for council, stage, confirmed in zip(
        councils,
        ["in_use", "in_use", "piloting", "retired", "in_use"],
        [None, None, None, None, old],
        strict=True,
    ):
        AdoptionFactory(
            component=component,
            organisation=council,
            stage=stage,
            confirmed_at=confirmed or timezone.now(),
        )
    services.component_counts_refresh([component.pk])
    component.refresh_from_db()
    assert (component.using_count, component.adopting_count) == (2, 3)


def test_only_the_councils_officers_confirm(component, officer, other_officer):
    adoption, _ = _adopt(officer, component)
    with pytest.raises(NotAllowed):
        services.adoption_confirm(actor=other_officer, adoption=adoption)


# --- Reminders (in process; the real-worker test is in test_tasks.py) ----------------------


def test_reminder_goes_once_30_days_before_staleness(component, officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    colleague = council_officer("leeds", "colleague@leeds.example.test")
    adoption, _ = _adopt(officer, component)
    now = timezone.now()
    Adoption.objects.filter(pk=adoption.pk).update(confirmed_at=now - timedelta(days=340))
    fresh = AdoptionFactory(
        component=ComponentFactory(), organisation=adoption.organisation, confirmed_at=now
    )
    assert services.adoption_reminders_send(now=now) == 1
    assert services.adoption_reminders_send(now=now) == 0
    assert services.adoption_reminders_send(now=now + timedelta(days=1)) == 0
    outbox.send_due()
    reminder = AdoptionReminder.objects.get()
    assert reminder.adoption_id == adoption.pk and reminder.recipients == 2
    assert set(
        Notification.objects.filter(kind="adoption_reminder").values_list("recipient", flat=True)
    ) == {officer.pk, colleague.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, colleague.email])
    assert not AdoptionReminder.objects.filter(adoption=fresh).exists()


def test_reconfirming_starts_a_new_period_with_its_own_reminder(component, officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    adoption, _ = _adopt(officer, component)
    now = timezone.now()
    Adoption.objects.filter(pk=adoption.pk).update(confirmed_at=now - timedelta(days=340))
    assert services.adoption_reminders_send(now=now) == 1
    adoption.refresh_from_db()
    services.adoption_confirm(actor=officer, adoption=adoption)
    later = now + timedelta(days=345)
    assert services.adoption_reminders_send(now=later) == 1
    assert AdoptionReminder.objects.count() == 2


def test_no_reminder_for_stale_retired_or_far_off_adoptions(component, leeds, bristol):
    now = timezone.now()
    AdoptionFactory(component=component, organisation=leeds, confirmed_at=now - timedelta(400))
    AdoptionFactory(
        component=component,
        organisation=bristol,
        stage="retired",
        confirmed_at=now - timedelta(days=340),
    )
    AdoptionFactory(
        component=ComponentFactory(), organisation=leeds, confirmed_at=now - timedelta(300)
    )
    assert services.adoption_reminders_send(now=now) == 0
