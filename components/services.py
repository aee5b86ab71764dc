"""Every write to the components library. Rules live here; views, the API and tasks call these."""

import logging
from datetime import date

from django.core.mail import get_connection, send_mass_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from backlog.models import Problem
from backlog.services import problem_change_status
from components import access
from components.licences import licence_is_open, licence_is_valid, licence_normalise
from components.models import (
    ACTIVE_STAGES,
    REMIND_BEFORE,
    Adoption,
    AdoptionChange,
    AdoptionReminder,
    Component,
    ComponentEvent,
    ComponentProblem,
    CostModel,
    Hosting,
    Kind,
    Maturity,
    ReviewStatus,
    Stage,
    counted_q,
    stale_cutoff,
    stale_q,
)
from components.publiccode import PubliccodeError, publiccode_parse
from institute import access as core_access
from institute import fragments
from institute.errors import DomainError
from institute.markdown import render_markdown
from institute.models import Membership, Organisation, Role, ServiceArea, Theme
from institute.services import audit_record, notify
from institute.urlcache import absolute_url
from standards.models import Standard

logger = logging.getLogger(__name__)

# Fields a submitter or staff may write; everything else belongs to review and adoption.
EDITABLE = [
    "name",
    "summary",
    "description",
    "kind",
    "maturity",
    "theme",
    "service_areas",
    "standards",
    "licence",
    "source_url",
    "documentation_url",
    "maintainer",
    "maintainer_name",
    "cost_model",
    "hosting",
]
_url = URLValidator(schemes=["http", "https"])


def _text(value, *, field: str, label: str, max_length: int, required=True, lines=False) -> str:
    value = (value or "").strip() if lines else " ".join((value or "").split())
    if required and not value:
        raise DomainError(f"Enter {label}", field=field)
    if len(value) > max_length:
        raise DomainError(
            f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer", field=field
        )
    return value


def _choice(value, choices, *, field: str, message: str, required=True) -> str:
    if not value and not required:
        return ""
    if value not in choices.values:
        raise DomainError(message, field=field)
    return value


def _link(value, *, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 500:
        raise DomainError(f"{label} must be 500 characters or fewer", field=field)
    try:
        _url(value)
    except Exception:
        raise DomainError(
            f"Enter {label.lower()} starting with https:// or http://", field=field
        ) from None
    return value


def component_clean(data: dict) -> dict:
    """Check and tidy a component's fields; the first mistake is raised as a DomainError."""
    clean = {
        "name": _text(data.get("name"), field="name", label="a name", max_length=150),
        "summary": _text(data.get("summary"), field="summary", label="a summary", max_length=300),
        "description": _text(
            data.get("description"),
            field="description",
            label="a description",
            max_length=20000,
            lines=True,
        ),
        "kind": _choice(data.get("kind"), Kind, field="kind", message="Choose a kind"),
        "maturity": _choice(
            data.get("maturity"), Maturity, field="maturity", message="Choose a maturity"
        ),
        "theme": _choice(
            data.get("theme") or "",
            Theme,
            field="theme",
            message="Choose a theme from the list",
            required=False,
        ),
        "cost_model": _choice(
            data.get("cost_model"), CostModel, field="cost_model", message="Choose a cost model"
        ),
        "hosting": _choice(
            data.get("hosting"), Hosting, field="hosting", message="Choose how it is hosted"
        ),
        "source_url": _link(data.get("source_url"), field="source_url", label="Source code link"),
        "documentation_url": _link(
            data.get("documentation_url"), field="documentation_url", label="Documentation link"
        ),
        "maintainer_name": _text(
            data.get("maintainer_name"),
            field="maintainer_name",
            label="the maintainer's name",
            max_length=200,
            required=False,
        ),
    }
    if clean["maturity"] == Maturity.RETIRED:
        raise DomainError(
            "A component is retired with the “Retire” action, which asks for a reason",
            field="maturity",
        )
    licence = licence_normalise(data.get("licence") or "")
    if licence and not licence_is_valid(licence):
        raise DomainError(
            "Enter the licence as an SPDX identifier, like MIT or Apache-2.0", field="licence"
        )
    clean["licence"] = licence
    clean["licence_open"] = licence_is_open(licence)
    maintainer = data.get("maintainer")
    if maintainer is not None and not isinstance(maintainer, Organisation):
        raise DomainError("Choose the maintainer from the list", field="maintainer")
    clean["maintainer"] = maintainer
    if maintainer is not None:
        clean["maintainer_name"] = ""
    areas = list(data.get("service_areas") or [])
    if not all(isinstance(area, ServiceArea) for area in areas):
        raise DomainError("Choose service areas from the list", field="service_areas")
    clean["service_areas"] = areas
    standards = list(data.get("standards") or [])
    if not all(isinstance(standard, Standard) for standard in standards):
        raise DomainError("Choose standards from the list", field="standards")
    clean["standards"] = list({s.pk: s for s in standards}.values())
    return clean


def _unique_slug(name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:150] or "component"
    taken = set(
        Component.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _event(component, actor, verb: str, note: str = "", data: dict | None = None):
    ComponentEvent.objects.create(
        component=component,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        note=note,
        data=data or {},
    )
    audit_record(actor=actor, verb=f"component.{verb}", target=component, note=note, data=data)


def _staff_ids() -> list[int]:
    return list(
        Membership.objects.filter(role=Role.INSTITUTE_STAFF).values_list("user_id", flat=True)
    )


@transaction.atomic
def component_submit(*, actor, source: str = "form", **fields) -> Component:
    """Suggest a component for the library: it waits for institute review before anyone else
    sees it."""
    core_access.require(access.can_submit_component(actor), access.submit_refusal(actor))
    clean = component_clean(fields)
    areas = clean.pop("service_areas")
    standards = clean.pop("standards")
    membership = core_access.membership_of(actor)
    now = timezone.now()
    component = Component.objects.create(
        **clean,
        slug=_unique_slug(clean["name"]),
        description_html=render_markdown(clean["description"]),
        submitted_by=actor,
        submitted_for=membership.organisation if membership else None,
        status=ReviewStatus.IN_REVIEW,
        created_at=now,
        updated_at=now,
    )
    component.service_areas.set(areas)
    component.standards.set(standards)
    _event(component, actor, "submitted", data={"source": source})
    notify(
        recipient_ids=_staff_ids(),
        kind="component_review",
        key=f"component:{component.pk}:submitted",
        title=f"New component to review: {component.name}",
        url=component.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return component


def _lock(component: Component) -> Component:
    return Component.objects.select_for_update().get(pk=component.pk)


@transaction.atomic
def component_update(*, actor, component: Component, **fields) -> Component:
    """Change a component's details: staff at any time, the submitter until it is published.
    A submitter's edit after "changes requested" sends it back for review."""
    core_access.require(
        access.can_edit_component(actor, component), "You cannot change this component."
    )
    component = _lock(component)
    relations = ("service_areas", "standards")
    current = {name: getattr(component, name) for name in EDITABLE if name not in relations}
    current["service_areas"] = list(component.service_areas.all())
    current["standards"] = list(component.standards.all())
    if component.maturity == Maturity.RETIRED:
        # Retired components keep their maturity; everything else may still be corrected.
        fields.setdefault("maturity", Maturity.LIVE)
    clean = component_clean({**current, **fields})
    if component.maturity == Maturity.RETIRED:
        clean["maturity"] = Maturity.RETIRED
    areas = clean.pop("service_areas")
    standards = clean.pop("standards")
    changed = sorted(name for name, value in clean.items() if getattr(component, name) != value)
    if {a.pk for a in areas} != {a.pk for a in current["service_areas"]}:
        changed.append("service_areas")
    if {s.pk for s in standards} != {s.pk for s in current["standards"]}:
        changed.append("standards")
    for name, value in clean.items():
        setattr(component, name, value)
    if "name" in changed:
        component.slug = _unique_slug(component.name, exclude_pk=component.pk)
    component.description_html = render_markdown(component.description)
    component.updated_at = timezone.now()
    update_fields = [*clean, "slug", "description_html", "updated_at"]
    resubmitted = (
        component.status == ReviewStatus.CHANGES_REQUESTED
        and component.submitted_by_id == actor.pk
        and not access.can_review(actor)
    )
    if resubmitted:
        component.status = ReviewStatus.IN_REVIEW
        update_fields.append("status")
    component.save(update_fields=update_fields)
    component.service_areas.set(areas)
    component.standards.set(standards)
    _event(component, actor, "resubmitted" if resubmitted else "edited", data={"fields": changed})
    return component


def _reviewable(actor, component: Component) -> Component:
    core_access.require(access.can_review(actor), "Only institute staff review components.")
    component = _lock(component)
    if component.status not in {ReviewStatus.IN_REVIEW, ReviewStatus.CHANGES_REQUESTED}:
        raise DomainError(
            f"This component is {component.get_status_display().lower()} already.",
            status=409,
            code="conflict",
        )
    return component


def _decide(actor, component: Component, status: str, note: str, verb: str, title: str):
    now = timezone.now()
    component.status = status
    component.review_note = note
    component.updated_at = now
    fields = ["status", "review_note", "updated_at"]
    if status == ReviewStatus.PUBLISHED:
        component.published_at = now
        fields.append("published_at")
    component.save(update_fields=fields)
    _event(component, actor, verb, note=note)
    notify(
        recipient_ids=[component.submitted_by_id],
        kind="component_review",
        key=f"component:{component.pk}:{verb}:{now.isoformat()}",
        title=title,
        body=note,
        url=component.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return component


@transaction.atomic
def component_publish(*, actor, component: Component, note: str = "") -> Component:
    """Publish a reviewed component: everyone can now find it and councils can adopt it."""
    component = _reviewable(actor, component)
    return _decide(
        actor,
        component,
        ReviewStatus.PUBLISHED,
        (note or "").strip(),
        "published",
        f"“{component.name}” is published in the components library",
    )


@transaction.atomic
def component_request_changes(*, actor, component: Component, note: str) -> Component:
    """Send a submission back to its submitter, saying what to change (they see the note)."""
    note = _text(note, field="note", label="what needs to change", max_length=2000, lines=True)
    component = _reviewable(actor, component)
    return _decide(
        actor,
        component,
        ReviewStatus.CHANGES_REQUESTED,
        note,
        "changes_requested",
        f"Changes requested to “{component.name}”",
    )


@transaction.atomic
def component_reject(*, actor, component: Component, note: str) -> Component:
    """Turn a submission down, saying why (the submitter sees the note)."""
    note = _text(note, field="note", label="why it is rejected", max_length=2000, lines=True)
    component = _reviewable(actor, component)
    return _decide(
        actor,
        component,
        ReviewStatus.REJECTED,
        note,
        "rejected",
        f"“{component.name}” was not added to the library",
    )


@transaction.atomic
def component_retire(*, actor, component: Component, reason: str) -> Component:
    """Mark a component retired, saying why; it stays readable so history makes sense."""
    core_access.require(access.can_review(actor), "Only institute staff retire components.")
    reason = _text(reason, field="reason", label="why it is retired", max_length=2000, lines=True)
    component = _lock(component)
    if component.maturity == Maturity.RETIRED:
        raise DomainError("This component is retired already.", status=409, code="conflict")
    previous = component.maturity
    component.maturity = Maturity.RETIRED
    component.retired_reason = reason
    component.updated_at = timezone.now()
    component.save(update_fields=["maturity", "retired_reason", "updated_at"])
    _event(component, actor, "retired", note=reason, data={"from": previous})
    adopters = (
        Membership.objects.council_officers()
        .filter(
            organisation__adoptions__component=component,
            organisation__adoptions__stage__in=ACTIVE_STAGES,
        )
        .values_list("user_id", flat=True)
    )
    notify(
        recipient_ids=adopters,
        kind="component_retired",
        key=f"component:{component.pk}:retired",
        title=f"“{component.name}” is being retired",
        body=reason,
        url=component.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return component


# --- Problems --------------------------------------------------------------------------------


@transaction.atomic
def component_link_problem(*, actor, component: Component, problem: Problem) -> bool:
    """Say a component addresses a backlog problem. True if newly linked."""
    core_access.require(
        access.can_link_problems(actor, component),
        "Only institute staff, or the submitter before publication, link problems.",
    )
    if problem.status == "merged":
        raise DomainError(
            "That problem was merged into another one; link the other one instead.",
            field="problem",
        )
    _, created = ComponentProblem.objects.get_or_create(
        component=component, problem=problem, defaults={"linked_by": actor}
    )
    if created:
        _event(component, actor, "problem_linked", data={"problem": problem.pk})
    return created


@transaction.atomic
def component_unlink_problem(*, actor, component: Component, problem: Problem) -> bool:
    core_access.require(
        access.can_link_problems(actor, component),
        "Only institute staff, or the submitter before publication, link problems.",
    )
    deleted, _ = ComponentProblem.objects.filter(component=component, problem=problem).delete()
    if deleted:
        _event(component, actor, "problem_unlinked", data={"problem": problem.pk})
    return bool(deleted)


@transaction.atomic
def problem_solve_with_components(
    *, actor, problem: Problem, components, note: str = ""
) -> Problem:
    """Mark a problem solved by naming the published components that solved it: they are linked
    to it, then the backlog changes its status (and tells everyone who voted)."""
    core_access.require(access.can_review(actor), "Only institute staff mark problems solved.")
    components = list(components)
    if not components:
        raise DomainError("Choose at least one component that solved it", field="components")
    if any(not c.is_published for c in components):
        raise DomainError("Choose published components only", field="components")
    for component in components:
        component_link_problem(actor=actor, component=component, problem=problem)
    names = ", ".join(c.name for c in components)
    note = " ".join((note or "").split())
    full_note = f"Solved by {names}." + (f" {note}" if note else "")
    return problem_change_status(actor=actor, problem=problem, status="solved", note=full_note)


# --- Adoption --------------------------------------------------------------------------------


def component_counts_refresh(component_ids=None, *, now=None) -> int:
    """Recount councils adopting and using each component from the Adoption rows, leaving stale
    adoptions out. For the given components, or (daily) all with adoptions or counts."""
    now = now or timezone.now()
    fresh = Adoption.objects.filter(~stale_q(now), component=OuterRef("pk")).values("component")

    def count(qs):
        return Coalesce(Subquery(qs.annotate(n=Count("pk")).values("n")), 0)

    qs = Component.objects.all()
    if component_ids is not None:
        qs = qs.filter(pk__in=list(component_ids))
    else:
        has = Adoption.objects.filter(component=OuterRef("pk"))
        qs = qs.filter(Q(using_count__gt=0) | Q(adopting_count__gt=0) | Exists(has))
    with transaction.atomic():
        updated = qs.update(
            using_count=count(fresh.filter(stage=Stage.IN_USE)),
            adopting_count=count(fresh.filter(stage__in=ACTIVE_STAGES)),
        )
        # A bulk update sends no signals: pages showing these counts are re-rendered.
        fragments.bump("components")
        return updated


def adoption_clean(*, stage, since, evidence_url: str, evidence_note: str, show_as_contact) -> dict:
    stage = _choice(stage, Stage, field="stage", message="Choose a stage")
    if not isinstance(since, date):
        raise DomainError("Enter the date your council started, like 27 3 2025", field="since")
    if since > timezone.localdate():
        raise DomainError("The start date must be today or in the past", field="since")
    if since.year < 1990:
        raise DomainError("The start date must be after 1990", field="since")
    evidence_url = _link(evidence_url, field="evidence_url", label="Evidence link")
    evidence_note = _text(
        evidence_note,
        field="evidence_note",
        label="an evidence note",
        max_length=2000,
        required=False,
        lines=True,
    )
    if not evidence_url and not evidence_note:
        raise DomainError(
            "Give a link to evidence or a note saying how your council uses it",
            field="evidence_url",
        )
    return {
        "stage": stage,
        "since": since,
        "evidence_url": evidence_url,
        "evidence_note": evidence_note,
        "show_as_contact": bool(show_as_contact),
    }


@transaction.atomic
def adoption_record(
    *,
    actor,
    component: Component,
    organisation: Organisation,
    stage: str,
    since,
    evidence_url: str = "",
    evidence_note: str = "",
    show_as_contact: bool = False,
) -> tuple[Adoption, bool]:
    """Record (or update) a council's adoption of a component; confirms it as of now. Only the
    council's own officers may. A change of stage is kept in the history."""
    core_access.require(
        core_access.can_act_for_council(actor, organisation),
        "Only officers of this council can record its adoption.",
    )
    if not component.is_published:
        raise DomainError("Only published components can be adopted.", status=409)
    clean = adoption_clean(
        stage=stage,
        since=since,
        evidence_url=evidence_url,
        evidence_note=evidence_note,
        show_as_contact=show_as_contact,
    )
    # The component row lock queues adoptions of one component, so its counters stay exact.
    _lock(component)
    now = timezone.now()
    adoption = (
        Adoption.objects.select_for_update()
        .filter(component=component, organisation=organisation)
        .first()
    )
    created = adoption is None
    previous = "" if created else adoption.stage
    if created:
        adoption = Adoption(component=component, organisation=organisation, created_at=now, **clean)
    else:
        for name, value in clean.items():
            setattr(adoption, name, value)
    adoption.contact = actor
    adoption.confirmed_at = now
    adoption.updated_at = now
    if created:
        adoption.save()
    else:
        adoption.save(update_fields=[*clean, "contact", "confirmed_at", "updated_at"])
    if previous != adoption.stage:
        AdoptionChange.objects.create(
            adoption=adoption,
            from_stage=previous,
            to_stage=adoption.stage,
            actor=actor,
            created_at=now,
        )
    component_counts_refresh([component.pk], now=now)
    audit_record(
        actor=actor,
        verb="adoption.recorded" if created else "adoption.updated",
        target=adoption,
        data={"from": previous, "to": adoption.stage, "component": component.pk},
    )
    return adoption, created


@transaction.atomic
def adoption_confirm(*, actor, adoption: Adoption) -> Adoption:
    """Say the adoption is still as recorded: it is fresh for another 12 months."""
    core_access.require(
        core_access.can_act_for_council(actor, adoption.organisation),
        "Only officers of this council can confirm its adoption.",
    )
    _lock(adoption.component)
    now = timezone.now()
    adoption.confirmed_at = now
    adoption.updated_at = now
    adoption.contact = actor
    adoption.save(update_fields=["confirmed_at", "updated_at", "contact"])
    component_counts_refresh([adoption.component_id], now=now)
    audit_record(actor=actor, verb="adoption.confirmed", target=adoption)
    return adoption


def adoptions_due_reminder(*, now=None):
    """Active adoptions of published components that go stale within REMIND_BEFORE."""
    now = now or timezone.now()
    return Adoption.objects.filter(
        counted_q(now),
        component__status=ReviewStatus.PUBLISHED,
        confirmed_at__lte=stale_cutoff(now) + REMIND_BEFORE,
    )


def adoption_remind(*, adoption_id: int, now=None) -> bool:
    """Remind a council's officers that its adoption goes stale soon: in-app and by e-mail,
    once per adoption and confirmation period. The AdoptionReminder row is written first (and
    the notifications with it); the e-mail goes only if that row was new, so a rerun, a retry or
    a second worker never sends twice. True if this call sent the reminder."""
    now = now or timezone.now()
    with transaction.atomic():
        adoption = (
            Adoption.objects.select_related("component", "organisation")
            .filter(pk=adoption_id)
            .first()
        )
        if adoption is None or not adoption.is_counted(now):
            return False
        if adoption.stale_at - now > REMIND_BEFORE:
            return False
        stale_on = timezone.localdate(adoption.stale_at)
        try:
            with transaction.atomic():
                reminder = AdoptionReminder.objects.create(
                    adoption=adoption, stale_on=stale_on, created_at=now
                )
        except IntegrityError:
            return False  # this period's reminder exists: sent already, or being sent
        officers = list(
            Membership.objects.council_officers()
            .filter(organisation=adoption.organisation, user__is_active=True)
            .values_list("user_id", "user__email")
        )
        reminder.recipients = len(officers)
        reminder.save(update_fields=["recipients"])
        component = adoption.component
        url = component.get_absolute_url()
        title = (
            f"Confirm that {adoption.organisation.name} still uses “{component.name}” "
            f"by {stale_on:%-d %B %Y}"
        )
        body = (
            f"Your council's adoption of {component.name} was last confirmed on "
            f"{timezone.localtime(adoption.confirmed_at):%-d %B %Y}. Unless an officer confirms "
            f"it by {stale_on:%-d %B %Y}, it will be shown as out of date and stop counting."
        )
        notify(
            recipient_ids=[pk for pk, _ in officers],
            kind="adoption_reminder",
            key=f"adoption:{adoption.pk}:stale:{stale_on.isoformat()}",
            title=title,
            body=body,
            url=url,
        )
        # Sent before the row commits: a worker killed while the mail server is slow leaves
        # no row, so the next run sends it (a duplicate needs a kill between the server's
        # "accepted" and the commit).
        link = absolute_url(url)
        messages = [
            (title, f"{body}\n\nConfirm it in one step: {link}", None, [email])
            for _, email in officers
            if email
        ]
        try:
            send_mass_mail(messages, fail_silently=False, connection=get_connection())
        except Exception:
            # The reminder is recorded and shown in-app; a lost e-mail is logged, never resent.
            logger.exception("Adoption reminder e-mail failed for adoption %s", adoption.pk)
            return True
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["emailed_at"])
    return True


def adoption_reminders_send(*, now=None) -> int:
    """The daily job: remind every council whose adoption goes stale in the next 30 days."""
    now = now or timezone.now()
    ids = list(adoptions_due_reminder(now=now).values_list("pk", flat=True))
    return sum(adoption_remind(adoption_id=pk, now=now) for pk in ids)


# --- publiccode.yml --------------------------------------------------------------------------


def component_import_publiccode(*, actor, text) -> Component:
    """Submit a component from a publiccode.yml document (it goes to review like any other).
    Every mistake in the document is reported at once; nothing is created on error."""
    core_access.require(access.can_submit_component(actor), access.submit_refusal(actor))
    fields = publiccode_parse(text)
    try:
        return component_submit(actor=actor, source="publiccode.yml", **fields)
    except DomainError as error:
        raise PubliccodeError([error.message]) from None
