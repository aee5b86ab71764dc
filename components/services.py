"""Every write to the components library. Rules live here; views, the API and tasks call these."""

import hashlib
import logging
from datetime import date
from operator import attrgetter
from urllib.parse import urlsplit

from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from backlog.models import Problem
from backlog.services import problem_change_status
from components import access, harvest
from components.licences import licence_is_open, licence_is_valid, licence_normalise
from components.models import (
    ACTIVE_STAGES,
    RE_REVIEW_FIELDS,
    REMIND_BEFORE,
    Adoption,
    AdoptionChange,
    AdoptionReminder,
    Component,
    ComponentChange,
    ComponentEvent,
    ComponentProblem,
    CostModel,
    Decision,
    FetchResult,
    HarvestFetch,
    HarvestSource,
    Hosting,
    Kind,
    Maturity,
    ReviewStatus,
    SourceKind,
    SourceStatus,
    Stage,
    counted_q,
    stale_cutoff,
    stale_q,
)
from components.publiccode import PubliccodeError, publiccode_parse
from institute import access as core_access
from institute import evidence, fragments
from institute import selectors as core_selectors
from institute.changes import ChangeReview, change_propose, change_publish, change_reject
from institute.errors import DomainError
from institute.jobs import run_after_commit
from institute.markdown import render_markdown
from institute.models import EvidenceFile, Membership, Organisation, ServiceArea, Theme
from institute.services import audit_record, notify
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


@transaction.atomic
def component_submit(*, actor, source: str = "form", **fields) -> Component:
    """Suggest a component for the library: it waits for institute review before anyone else
    sees it."""
    access.require_can_submit_component(actor)
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
        recipient_ids=core_selectors.institute_staff_ids(),
        kind="component_review",
        key=f"component:{component.pk}:submitted",
        title=f"New component to review: {component.name}",
        url=component.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return component


def _lock(component: Component) -> Component:
    return Component.objects.select_for_update().get(pk=component.pk)


def _record_change(actor, component: Component, verb: str, *, change, note: str, data: dict):
    # The component's history says what the change did, or why it was rejected.
    _event(component, actor, verb, note=note or change.summary, data=data)


# Changes to a published component's promises wait for institute staff other than the author.
COMPONENT_CHANGES = ChangeReview(
    model=ComponentChange,
    target="component",
    related="component",
    lock=_lock,
    may_decide=lambda actor, change: access.can_review(actor),
    refusal="Only institute staff review components.",
    record=_record_change,
    kind="component_review",
    key="component-change",
    name=attrgetter("name"),
)


def _change_propose(*, actor, component: Component, claims: dict, now) -> ComponentChange:
    """Hold a change to a published component's promises for review by other institute
    staff."""
    return change_propose(
        COMPONENT_CHANGES,
        actor=actor,
        target=component,
        claims=claims,
        now=now,
        recipient_ids=core_selectors.institute_staff_ids(),
    )


@transaction.atomic
def component_update(*, actor, component: Component, **fields) -> Component:
    """Change a component's details: staff at any time, the submitter until it is published.
    A submitter's edit after "changes requested" sends it back for review. On a published
    component a change to its promises (RE_REVIEW_FIELDS) waits for review by other staff
    instead, and is left on the returned component as `proposed_change` (None when nothing
    waits from this edit)."""
    core_access.require(
        access.can_edit_component(actor, component), "You cannot change this component."
    )
    return _component_update(actor=actor, component=component, fields=fields, re_review=True)


def _component_update(*, actor, component: Component, fields: dict, re_review: bool) -> Component:
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
    now = timezone.now()
    component.proposed_change = None
    if re_review and component.is_published:
        claims = {
            name: clean[name]
            for name in RE_REVIEW_FIELDS
            if getattr(component, name) != clean[name]
        }
        if claims:
            component.proposed_change = _change_propose(
                actor=actor, component=component, claims=claims, now=now
            )
            clean.update({name: getattr(component, name) for name in claims})
            clean["licence_open"] = component.licence_open
    changed = sorted(name for name, value in clean.items() if getattr(component, name) != value)
    if {a.pk for a in areas} != {a.pk for a in current["service_areas"]}:
        changed.append("service_areas")
    if {s.pk for s in standards} != {s.pk for s in current["standards"]}:
        changed.append("standards")
    resubmitted = (
        component.status == ReviewStatus.CHANGES_REQUESTED
        and component.submitted_by_id == actor.pk
        and not access.can_review(actor)
    )
    if not changed and not resubmitted:  # saved as it was: nothing to record
        return component
    for name, value in clean.items():
        setattr(component, name, value)
    if "name" in changed:
        component.slug = _unique_slug(component.name, exclude_pk=component.pk)
    component.description_html = render_markdown(component.description)
    component.updated_at = now
    update_fields = [*clean, "slug", "description_html", "updated_at"]
    if resubmitted:
        component.status = ReviewStatus.IN_REVIEW
        update_fields.append("status")
    component.save(update_fields=update_fields)
    component.service_areas.set(areas)
    component.standards.set(standards)
    _event(component, actor, "resubmitted" if resubmitted else "edited", data={"fields": changed})
    return component


@transaction.atomic
def component_change_publish(*, actor, change: ComponentChange) -> Component:
    """Publish a change to a published component's promises (institute staff other than the
    person who made it); its author is told."""

    def apply(component, proposed, now):
        for name, value in proposed.items():
            setattr(component, name, value)
        component.licence_open = licence_is_open(component.licence)
        component.updated_at = now
        component.save(update_fields=[*proposed, "licence_open", "updated_at"])

    return change_publish(COMPONENT_CHANGES, actor=actor, change=change, apply=apply)


@transaction.atomic
def component_change_reject(*, actor, change: ComponentChange, reason: str) -> ComponentChange:
    """Turn down a change to a published component's promises, saying why; readers keep
    seeing what was published and the change's author is told the reason."""
    reason = _text(reason, field="reason", label="why it is rejected", max_length=2000, lines=True)
    return change_reject(COMPONENT_CHANGES, actor=actor, change=change, reason=reason)


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
    upload=None,
) -> tuple[Adoption, bool]:
    """Record (or update) a council's adoption of a component, with a file of evidence if one
    is given; confirms it as of now. Only the council's own officers may. A change of stage is
    kept in the history. A refused file refuses the whole record: nothing changes."""
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
    if upload is not None:
        _adoption_file_attach(actor=actor, adoption=adoption, upload=upload)
    return adoption, created


def _adoption_file_attach(*, actor, adoption: Adoption, upload) -> EvidenceFile:
    most = evidence.MAX_FILES_PER_RECORD
    if adoption.evidence_files.count() >= most:
        raise DomainError(
            f"An adoption can have at most {most} files. Remove one first.", field="file"
        )
    added = evidence.evidence_file_create(
        actor=actor,
        organisation=adoption.organisation,
        upload=upload,
        context_url=reverse("components:adoption_record", args=[adoption.component.public_id]),
    )
    adoption.evidence_files.add(added)
    return added


@transaction.atomic
def adoption_file_add(*, actor, adoption: Adoption, upload) -> EvidenceFile:
    """Add a file of evidence to a council's adoption; it is served once checked for viruses."""
    core_access.require(
        core_access.can_act_for_council(actor, adoption.organisation),
        "Only officers of this council can change its adoption.",
    )
    adoption = Adoption.objects.select_for_update().select_related("component").get(pk=adoption.pk)
    return _adoption_file_attach(actor=actor, adoption=adoption, upload=upload)


@transaction.atomic
def adoption_file_remove(*, actor, adoption: Adoption, file: EvidenceFile) -> None:
    """Remove a file of evidence from a council's adoption."""
    core_access.require(
        core_access.can_act_for_council(actor, adoption.organisation),
        "Only officers of this council can change its adoption.",
    )
    if not adoption.evidence_files.filter(pk=file.pk).exists():
        raise DomainError("That file is not part of this adoption", status=404)
    adoption.evidence_files.remove(file)
    evidence.evidence_file_remove(actor=actor, evidence=file)


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
    """Remind a council's officers that its adoption goes stale soon, once per adoption and
    confirmation period (the AdoptionReminder row). The notifications are written with it; each
    officer's preferences decide whether that is an e-mail now, in a digest or only on the site,
    and the outbox sends it. True if this call recorded the reminder."""
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
            return False  # this period's reminder exists already
        officers = list(
            Membership.objects.council_officers()
            .filter(organisation=adoption.organisation, user__is_active=True)
            .values_list("user_id", flat=True)
        )
        reminder.recipients = len(officers)
        reminder.save(update_fields=["recipients"])
        component = adoption.component
        notify(
            recipient_ids=officers,
            kind="adoption_reminder",
            key=f"adoption:{adoption.pk}:stale:{stale_on.isoformat()}",
            title=(
                f"Confirm that {adoption.organisation.name} still uses “{component.name}” "
                f"by {stale_on:%-d %B %Y}"
            ),
            body=(
                f"Your council's adoption of {component.name} was last confirmed on "
                f"{timezone.localtime(adoption.confirmed_at):%-d %B %Y}. Unless an officer "
                f"confirms it by {stale_on:%-d %B %Y}, it will be shown as out of date and stop "
                "counting."
            ),
            url=component.get_absolute_url(),
        )
    return True


def adoption_reminders_send(*, now=None) -> int:
    """The daily job: remind every council whose adoption goes stale in the next 30 days."""
    now = now or timezone.now()
    ids = list(adoptions_due_reminder(now=now).values_list("pk", flat=True))
    return sum(adoption_remind(adoption_id=pk, now=now) for pk in ids)


# --- publiccode.yml --------------------------------------------------------------------------


@transaction.atomic
def component_import_publiccode(*, actor, text, source: str = "publiccode.yml") -> Component:
    """Submit a component from a publiccode.yml document (it goes to review like any other).
    Every mistake in the document is reported at once; nothing is created on error. The whole
    file is kept beside the fields, with what the catalogue holds of the rest."""
    access.require_can_submit_component(actor)
    fields = publiccode_parse(text)
    publiccode = fields.pop("publiccode")
    original = fields.pop("publiccode_original")
    try:
        with transaction.atomic():
            component = component_submit(actor=actor, source=source, **fields)
    except DomainError as error:
        raise PubliccodeError([error.message]) from None
    component.publiccode = publiccode
    component.publiccode_original = original
    component.save(update_fields=["publiccode", "publiccode_original"])
    return component


# --- Harvesting publiccode.yml from repositories ---------------------------------------------

# A source is "failing" after this many errors in a row; the next success clears it.
FAILING_AFTER = 3
LISTING_MAX = 500


def _source_url(url, *, field="url") -> str:
    url = (url or "").strip()
    if not url:
        raise DomainError("Enter the address of a repository or a publiccode.yml file", field=field)
    if len(url) > 500:
        raise DomainError("The address must be 500 characters or fewer", field=field)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "git") or not parts.hostname or " " in url:
        raise DomainError(
            "Enter an address starting with https://, http:// or git://, like "
            "https://github.com/council/bin-day-api",
            field=field,
        )
    if parts.username or parts.password:
        raise DomainError("Enter the address without a user name or password", field=field)
    return url


@transaction.atomic
def source_register(
    *, actor, url, listing: bool = False, component=None, organisation=None, parent=None
) -> HarvestSource:
    """Register where a component's publiccode.yml lives (anyone signed in), or an
    organisation's list of repository addresses (institute staff). It is checked at once and
    then daily."""
    core_access.require(
        access.can_register_source(actor),
        core_access.contribute_refusal(actor, "register a repository"),
    )
    url = _source_url(url)
    if listing:
        core_access.require(
            access.can_register_listing(actor),
            "Only institute staff register an organisation's list of repositories.",
        )
        if urlsplit(url).scheme not in ("http", "https"):
            raise DomainError(
                "A list of repositories is fetched over https:// or http://", field="url"
            )
        kind = SourceKind.LISTING
    else:
        kind = SourceKind.FILE if harvest.is_file_url(url) else SourceKind.REPOSITORY
    if component is not None:
        core_access.require(
            access.can_edit_component(actor, component),
            "Only people who can edit this component register its repository.",
        )
    if HarvestSource.objects.filter(url=url).exists():
        raise DomainError(
            "This address is registered already", field="url", status=409, code="conflict"
        )
    source = HarvestSource.objects.create(
        url=url,
        kind=kind,
        component=component,
        organisation=organisation,
        listing=parent,
        registered_by=actor,
    )
    audit_record(actor=actor, verb="harvest_source.registered", target=source, data={"url": url})
    run_after_commit("components.tasks.harvest_source_check", source.pk)
    return source


def _fetch_record(source, result, *, message="", errors=None, changed=None, proposed=None, sha=""):
    now = timezone.now()
    fetch = HarvestFetch.objects.create(
        source=source,
        created_at=now,
        result=result,
        message=message,
        errors=errors or [],
        changed=changed or [],
        proposed=proposed or {},
        sha256=sha,
    )
    failed = result in (FetchResult.FAILED, FetchResult.INVALID)
    source.checked_at = now
    if failed:
        source.failures += 1
        source.last_error = message
        if source.failures >= FAILING_AFTER:
            source.status = SourceStatus.FAILING
    else:
        source.failures = 0
        source.last_error = ""
        source.status = SourceStatus.WORKING
        source.succeeded_at = now
        if sha:
            source.sha256 = sha
    source.save()
    return fetch


def _proposal(component: Component, fields: dict) -> dict:
    """The fields of `fields` (from the file) that differ from the component's, as JSON."""
    current = {
        "name": component.name,
        "summary": component.summary,
        "description": component.description,
        "kind": component.kind,
        "maturity": component.maturity,
        "theme": component.theme,
        "licence": component.licence,
        "source_url": component.source_url,
        "documentation_url": component.documentation_url,
        "maintainer_name": component.maintainer_display,
        "cost_model": component.cost_model,
        "hosting": component.hosting,
        "service_areas": sorted(a.slug for a in component.service_areas.all()),
    }
    incoming = {
        **{name: fields[name] for name in current if name in fields},
        "maintainer_name": fields["maintainer"].name
        if fields.get("maintainer")
        else fields["maintainer_name"],
        "service_areas": sorted(a.slug for a in fields["service_areas"]),
    }
    if component.maturity == Maturity.RETIRED:
        incoming.pop("maturity")
    changed = {name: value for name, value in incoming.items() if current[name] != value}
    if (component.publiccode or {}).get("document") != fields["publiccode"]["document"]:
        changed["publiccode"] = fields["publiccode"]
    return changed


def harvest_source_check(*, source_id: int) -> HarvestFetch | None:
    """Fetch one source now and record what happened: a new component in review, a change
    proposed for staff to apply or dismiss, no change, or the error (nothing else changes)."""
    source = (
        HarvestSource.objects.select_related("component", "registered_by")
        .filter(pk=source_id)
        .first()
    )
    if source is None:
        return None
    if source.kind == SourceKind.LISTING:
        return _listing_check(source)
    try:
        body = harvest.fetch_publiccode(source.url)
    except harvest.FetchError as error:
        return _fetch_record(source, FetchResult.FAILED, message=str(error))
    sha = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().get(pk=source.pk)
        if sha == source.sha256 and source.component_id:
            return _fetch_record(source, FetchResult.UNCHANGED, sha=sha)
        try:
            fields = publiccode_parse(body)
        except PubliccodeError as error:
            return _fetch_record(
                source,
                FetchResult.INVALID,
                message=f"The publiccode.yml is not valid: {error.errors[0]}"
                + (f" (and {len(error.errors) - 1} more)" if len(error.errors) > 1 else ""),
                errors=error.errors,
                sha=sha,
            )
        if source.component_id is None:
            try:
                component = component_import_publiccode(
                    actor=source.registered_by, text=body, source="harvest"
                )
            except DomainError as error:
                return _fetch_record(
                    source, FetchResult.INVALID, message=error.message, errors=[error.message]
                )
            source.component = component
            return _fetch_record(
                source, FetchResult.CREATED, message=f"New component: {component.name}", sha=sha
            )
        proposed = _proposal(source.component, fields)
        proposed.pop("publiccode_original", None)
        if not proposed:
            return _fetch_record(source, FetchResult.MATCHES, sha=sha)
        # A newer file replaces a proposal nobody has decided on yet.
        HarvestFetch.objects.filter(
            source__component=source.component, result=FetchResult.PROPOSED, decision=""
        ).update(decision=Decision.SUPERSEDED, decided_at=timezone.now())
        names = [name for name in proposed if name != "publiccode"]
        label = ", ".join(names) if names else "the publiccode.yml details"
        proposed["publiccode_original"] = fields["publiccode_original"]
        fetch = _fetch_record(
            source,
            FetchResult.PROPOSED,
            message=f"Change proposed: fields {label}",
            changed=sorted(proposed.keys() - {"publiccode_original"}),
            proposed=proposed,
            sha=sha,
        )
        notify(
            recipient_ids=core_selectors.institute_staff_ids(),
            kind="component_review",
            key=f"harvest-fetch:{fetch.pk}",
            title=f"Change proposed from publiccode.yml: {source.component.name}",
            url=reverse("components:source_proposals"),
        )
        return fetch


def _listing_check(source: HarvestSource) -> HarvestFetch:
    """An organisation's list: one repository or file address a line (blank lines and lines
    starting with # ignored); each new address becomes a source of its own."""
    try:
        body = harvest.http_get(source.url)
        text = body.decode("utf-8")
    except harvest.FetchError as error:
        return _fetch_record(source, FetchResult.FAILED, message=str(error))
    except UnicodeDecodeError:
        return _fetch_record(source, FetchResult.FAILED, message="The list must be UTF-8 text")
    lines = [
        line.strip().lstrip("-").strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ][:LISTING_MAX]
    urls, bad = [], []
    for line in lines:
        try:
            urls.append(_source_url(line))
        except DomainError:
            bad.append(line[:100])
    with transaction.atomic():
        known = set(HarvestSource.objects.filter(url__in=urls).values_list("url", flat=True))
        new = [url for url in dict.fromkeys(urls) if url not in known]
        for url in new:
            source_register(
                actor=source.registered_by,
                url=url,
                organisation=source.organisation,
                parent=source,
            )
        message = f"{len(urls)} repositories listed, {len(new)} new"
        if bad:
            message += f"; {len(bad)} lines are not addresses (first: {bad[0]})"
        return _fetch_record(
            source,
            FetchResult.LISTED,
            message=message,
            changed=new,
            sha=hashlib.sha256(body).hexdigest(),
        )


def harvest_sources_due() -> list[int]:
    """Every source, listings first (their new repositories are checked the same day)."""
    return list(
        HarvestSource.objects.order_by(
            Case(When(kind=SourceKind.LISTING, then=0), default=1), "checked_at", "pk"
        ).values_list("pk", flat=True)
    )


def _pending(actor, fetch_id) -> HarvestFetch:
    core_access.require(access.can_review(actor), "Only institute staff decide on changes.")
    fetch = (
        HarvestFetch.objects.select_for_update(of=("self",))
        .select_related("source__component")
        .filter(pk=fetch_id)
        .first()
    )
    if fetch is None or fetch.result != FetchResult.PROPOSED or fetch.source.component is None:
        raise DomainError("There is no such proposed change.", status=404, code="not_found")
    if fetch.decision:
        raise DomainError(
            f"This change was {fetch.get_decision_display().lower()} already.",
            status=409,
            code="conflict",
        )
    return fetch


@transaction.atomic
def source_proposal_apply(*, actor, fetch_id: int) -> Component:
    """Apply a change harvested from publiccode.yml to its component (institute staff)."""
    fetch = _pending(actor, fetch_id)
    component = fetch.source.component
    proposed = dict(fetch.proposed)
    publiccode = proposed.pop("publiccode", None)
    original = proposed.pop("publiccode_original", None)
    fields = {name: value for name, value in proposed.items() if name in EDITABLE}
    if "service_areas" in fields:
        fields["service_areas"] = list(ServiceArea.objects.filter(slug__in=fields["service_areas"]))
    if "maintainer_name" in fields:
        maintainer = Organisation.objects.filter(name__iexact=fields["maintainer_name"]).first()
        fields["maintainer"] = maintainer
        fields["maintainer_name"] = "" if maintainer else fields["maintainer_name"]
    if fields:
        # Applying a harvested change is itself institute staff's review of it.
        core_access.require(access.can_review(actor), "Only institute staff decide on changes.")
        component = _component_update(
            actor=actor, component=component, fields=fields, re_review=False
        )
    if publiccode is not None or original is not None:
        component.publiccode = publiccode if publiccode is not None else component.publiccode
        component.publiccode_original = original if original is not None else ""
        component.save(update_fields=["publiccode", "publiccode_original"])
    fetch.decision = Decision.APPLIED
    fetch.decided_by = actor
    fetch.decided_at = timezone.now()
    fetch.save(update_fields=["decision", "decided_by", "decided_at"])
    _event(component, actor, "harvest_applied", data={"fields": fetch.changed})
    return component


@transaction.atomic
def source_proposal_dismiss(*, actor, fetch_id: int) -> HarvestFetch:
    """Leave the component as it is; the file's change is not proposed again until it changes."""
    fetch = _pending(actor, fetch_id)
    fetch.decision = Decision.DISMISSED
    fetch.decided_by = actor
    fetch.decided_at = timezone.now()
    fetch.save(update_fields=["decision", "decided_by", "decided_at"])
    _event(fetch.source.component, actor, "harvest_dismissed", data={"fields": fetch.changed})
    return fetch
