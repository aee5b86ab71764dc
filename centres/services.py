"""Every write of this app: <noun>_<verb>(*, actor, ...) in a transaction.

Rules live here: who may act (through centres.access), what input is acceptable, the learning
workflow (draft, in review, published), revisions of published text, moving backlog problems
forward when an active project takes them on, and telling the people who follow them.
"""

from datetime import date
from operator import attrgetter

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from backlog import services as backlog_services
from backlog.models import Problem
from backlog.models import Status as ProblemStatus
from backlog.selectors import problem_followers
from centres import access
from centres.models import (
    EVIDENCE_SCALE,
    RE_REVIEW_FIELDS,
    Centre,
    CentreStaff,
    CostBand,
    Learning,
    LearningChange,
    LearningKind,
    LearningRevision,
    LearningStatus,
    Project,
    ProjectPhase,
    ProjectStatus,
)
from components.models import Component, ReviewStatus
from institute import access as core_access
from institute import selectors as core_selectors
from institute.changes import ChangeReview, change_propose, change_publish, change_reject
from institute.errors import DomainError, NotAllowed
from institute.markdown import render_markdown
from institute.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    ServiceArea,
    Theme,
)
from institute.services import audit_record, notify
from standards.models import Standard

# Paths under /centres/ that a centre's slug must not take.
RESERVED_SLUGS = {"new", "learning", "projects", "evidence", "review"}
HOST_KINDS = {OrganisationKind.STRATEGIC_AUTHORITY, OrganisationKind.CENTRE_HOST}


# --- Input checks ----------------------------------------------------------------------------


def _text(value, *, field: str, label: str, max_length: int, required=True, one_line=True) -> str:
    value = value or ""
    value = " ".join(value.split()) if one_line else value.strip()
    if required and not value:
        raise DomainError(f"Enter {label}", field=field)
    if len(value) > max_length:
        name = label.removeprefix("a ").removeprefix("an ").removeprefix("the ")
        raise DomainError(
            f"{name[0].upper()}{name[1:]} must be {max_length} characters or fewer", field=field
        )
    return value


def _choices(values, *, allowed, field: str, message: str, required=False) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if any(value not in allowed for value in values):
        raise DomainError(message, field=field)
    if required and not values:
        raise DomainError(message, field=field)
    return values


def _councils(organisations, *, field: str) -> list[Organisation]:
    organisations = list({o.pk: o for o in organisations or []}.values())
    wrong = [o.name for o in organisations if o.kind != OrganisationKind.COUNCIL]
    if wrong:
        raise DomainError(f"Only councils can be chosen here, not {', '.join(wrong)}", field=field)
    return organisations


def _problems(problems, *, field: str = "problems") -> list[Problem]:
    problems = list({p.pk: p for p in problems or []}.values())
    for problem in problems:
        if problem.status == ProblemStatus.MERGED:
            raise DomainError(
                f"Problem {problem.pk} “{problem.title}” was merged into problem "
                f"{problem.merged_into_id}; link that one instead",
                field=field,
            )
    return problems


def _components(components, *, kept=frozenset(), field: str = "components") -> list[Component]:
    """Published components only; one linked before and since retired or sent back may stay."""
    components = list({c.pk: c for c in components or []}.values())
    unpublished = [
        c.name for c in components if c.status != ReviewStatus.PUBLISHED and c.pk not in kept
    ]
    if unpublished:
        raise DomainError(
            f"Only published components can be linked, not {', '.join(unpublished)}", field=field
        )
    return components


def _standards(standards) -> list[Standard]:
    return list({s.pk: s for s in standards or []}.values())


def _service_areas(areas) -> list[ServiceArea]:
    return list({a.pk: a for a in areas or []}.values())


def _dates(start: date | None, end: date | None):
    if start and end and end < start:
        raise DomainError(
            "The end date must be the same as or after the start date", field="end_date"
        )


def _evidence(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in EVIDENCE_SCALE:
        raise DomainError("Choose an evidence strength from 0 to 5", field="evidence_strength")
    return value


# --- Centres ---------------------------------------------------------------------------------


def _centre_fields(*, name, host, regions, focus_themes, focus, description) -> dict:
    if host is None or host.kind not in HOST_KINDS:
        raise DomainError("Choose the strategic authority that hosts the centre", field="host")
    return {
        "name": _text(name, field="name", label="the centre’s name", max_length=150),
        "host": host,
        "regions": _choices(
            regions,
            allowed=Region.values,
            field="regions",
            message="Choose at least one region",
            required=True,
        ),
        "focus_themes": _choices(
            focus_themes,
            allowed=Theme.values,
            field="focus_themes",
            message="Choose at least one focus theme",
            required=True,
        ),
        "focus": _text(focus, field="focus", label="the centre’s focus", max_length=200),
        "description": _text(
            description,
            field="description",
            label="a description",
            max_length=10000,
            required=False,
            one_line=False,
        ),
    }


@transaction.atomic
def centre_create(
    *, actor, name: str, host, regions, focus_themes, focus: str, description: str = ""
) -> Centre:
    """Set up a centre at its host strategic authority (institute staff)."""
    core_access.require(
        access.can_manage_centres(actor), "Only institute staff can set up centres."
    )
    fields = _centre_fields(
        name=name,
        host=host,
        regions=regions,
        focus_themes=focus_themes,
        focus=focus,
        description=description,
    )
    slug = slugify(fields["name"])[:150]
    if not slug or slug in RESERVED_SLUGS:
        raise DomainError("Choose a different name for the centre", field="name")
    if (
        Centre.objects.filter(name__iexact=fields["name"]).exists()
        or Centre.objects.filter(slug=slug).exists()
    ):
        raise DomainError("There is already a centre with this name", field="name", status=409)
    if Centre.objects.filter(host=host).exists():
        raise DomainError(f"{host.name} already hosts a centre", field="host", status=409)
    centre = Centre.objects.create(
        slug=slug, description_html=render_markdown(fields["description"]), **fields
    )
    audit_record(actor=actor, verb="centre.created", target=centre)
    return centre


@transaction.atomic
def centre_update(
    *, actor, centre: Centre, name: str, host, regions, focus_themes, focus: str, description=""
) -> Centre:
    """Change a centre's facts (institute staff). The slug, and so its address, stays."""
    core_access.require(
        access.can_manage_centres(actor), "Only institute staff can change centres."
    )
    fields = _centre_fields(
        name=name,
        host=host,
        regions=regions,
        focus_themes=focus_themes,
        focus=focus,
        description=description,
    )
    if Centre.objects.filter(name__iexact=fields["name"]).exclude(pk=centre.pk).exists():
        raise DomainError("There is already a centre with this name", field="name", status=409)
    if host.pk != centre.host_id:
        if Centre.objects.filter(host=host).exclude(pk=centre.pk).exists():
            raise DomainError(f"{host.name} already hosts a centre", field="host", status=409)
        if centre.staff.exists():
            raise DomainError(
                "Remove the centre's staff before moving it to another host", field="host"
            )
    for key, value in fields.items():
        setattr(centre, key, value)
    centre.description_html = render_markdown(centre.description)
    centre.save(update_fields=[*fields, "description_html"])
    audit_record(actor=actor, verb="centre.updated", target=centre)
    return centre


@transaction.atomic
def centre_staff_assign(
    *, actor, centre: Centre, user, job_title: str = "", lead: bool = False
) -> CentreStaff:
    """Make someone one of a centre's staff (and maybe its lead). Someone with no organisation
    yet joins the host as centre staff; someone who belongs elsewhere cannot be assigned."""
    core_access.require(access.can_manage_centres(actor), "Only institute staff assign staff.")
    job_title = _text(
        job_title, field="job_title", label="a job title", max_length=150, required=False
    )
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user, organisation=centre.host, role=Role.CENTRE_STAFF, approved_by=actor
        )
        audit_record(actor=actor, verb="membership.assigned_to_centre", target=membership)
    elif membership.organisation_id != centre.host_id or membership.role != Role.CENTRE_STAFF:
        raise DomainError(
            f"{user} is {membership.get_role_display().lower()} at "
            f"{membership.organisation.name}; only people with no organisation or centre staff "
            f"at {centre.host.name} can join this centre",
            field="email",
            status=409,
            code="conflict",
        )
    user._state.fields_cache.pop("membership", None)
    other = CentreStaff.objects.filter(user=user).exclude(centre=centre).first()
    if other is not None:
        raise DomainError(f"{user} already works for {other.centre}", field="email", status=409)
    if lead:
        CentreStaff.objects.filter(centre=centre, is_lead=True).exclude(user=user).update(
            is_lead=False
        )
    staff, _ = CentreStaff.objects.update_or_create(
        user=user, defaults={"centre": centre, "job_title": job_title, "is_lead": lead}
    )
    audit_record(
        actor=actor,
        verb="centre.staff_assigned",
        target=centre,
        data={"user": user.pk, "lead": lead},
    )
    return staff


@transaction.atomic
def centre_staff_remove(*, actor, staff: CentreStaff) -> None:
    """Take someone off a centre's page. Their membership stays: institute staff change it."""
    core_access.require(access.can_manage_centres(actor), "Only institute staff remove staff.")
    audit_record(
        actor=actor,
        verb="centre.staff_removed",
        target=staff.centre,
        data={"user": staff.user_id, "lead": staff.is_lead},
    )
    staff.delete()


# --- Projects --------------------------------------------------------------------------------


def _project_fields(
    *,
    title,
    summary,
    status,
    phase,
    partner_councils,
    problems,
    start_date,
    end_date,
    components_produced=(),
    components_used=(),
    kept_produced=frozenset(),
    kept_used=frozenset(),
) -> dict:
    if status not in ProjectStatus.values:
        raise DomainError("Choose a status", field="status")
    if phase not in ProjectPhase.values:
        raise DomainError("Choose a phase", field="phase")
    _dates(start_date, end_date)
    return {
        "title": _text(title, field="title", label="a title", max_length=150),
        "summary": _text(
            summary, field="summary", label="a summary", max_length=1000, one_line=False
        ),
        "status": status,
        "phase": phase,
        "start_date": start_date,
        "end_date": end_date,
        "partner_councils": _councils(partner_councils, field="partner_councils"),
        "problems": _problems(problems),
        "components_produced": _components(
            components_produced, kept=kept_produced, field="components_produced"
        ),
        "components_used": _components(components_used, kept=kept_used, field="components_used"),
    }


PROJECT_RELATIONS = ("partner_councils", "problems", "components_produced", "components_used")


def _set_project_relations(project: Project, relations: dict):
    project.partner_councils.set(relations["partner_councils"])
    project.problems.set(relations["problems"])
    project.components_produced.set(relations["components_produced"])
    project.components_used.set(relations["components_used"])


def _progress_problems(*, actor, project: Project, problems) -> int:
    """An active project moves its problems forward and tells their followers, once each."""
    if not project.is_active or not problems:
        return 0
    target = (
        ProblemStatus.IN_PROGRESS
        if project.phase == ProjectPhase.DELIVERY
        else ProblemStatus.IN_DISCOVERY
    )
    moved = 0
    for problem in problems:
        moved += backlog_services.problem_progress_for_project(
            actor=actor,
            problem=problem,
            status=target,
            project_title=project.title,
            project_url=project.get_absolute_url(),
        )
    notify(
        recipient_ids=problem_followers(p.pk for p in problems),
        kind="centre_project",
        key=f"centres:project:{project.pk}:active",
        title=f"{project.centre.name} is working on a problem you follow: {project.title}",
        body=project.summary[:500],
        url=project.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return moved


@transaction.atomic
def project_create(
    *,
    actor,
    centre: Centre,
    title: str,
    summary: str,
    status: str = ProjectStatus.PROPOSED,
    phase: str = ProjectPhase.DISCOVERY,
    partner_councils=(),
    problems=(),
    start_date: date | None = None,
    end_date: date | None = None,
    components_produced=(),
    components_used=(),
) -> Project:
    """Start recording a centre's project; if it is already active, its problems move on."""
    core_access.require(
        access.can_work_on_centre(actor, centre), "Only the centre's own staff can add projects."
    )
    fields = _project_fields(
        title=title,
        summary=summary,
        status=status,
        phase=phase,
        partner_councils=partner_councils,
        problems=problems,
        start_date=start_date,
        end_date=end_date,
        components_produced=components_produced,
        components_used=components_used,
    )
    relations = {k: fields.pop(k) for k in PROJECT_RELATIONS}
    linked = relations["problems"]
    now = timezone.now()
    project = Project.objects.create(
        centre=centre,
        created_by=actor,
        created_at=now,
        updated_at=now,
        activated_at=now if fields["status"] == ProjectStatus.ACTIVE else None,
        **fields,
    )
    _set_project_relations(project, relations)
    audit_record(actor=actor, verb="project.created", target=project)
    _progress_problems(actor=actor, project=project, problems=linked)
    return project


@transaction.atomic
def project_update(
    *,
    actor,
    project: Project,
    title: str,
    summary: str,
    status: str,
    phase: str,
    partner_councils=(),
    problems=(),
    start_date: date | None = None,
    end_date: date | None = None,
    components_produced=(),
    components_used=(),
) -> Project:
    """Change a project. Becoming active, moving into delivery, or linking a problem while
    active moves the linked problems forward (recorded in each problem's timeline)."""
    core_access.require(
        access.can_work_on_centre(actor, project.centre),
        "Only the centre's own staff can change its projects.",
    )
    project = Project.objects.select_for_update().select_related("centre").get(pk=project.pk)
    fields = _project_fields(
        title=title,
        summary=summary,
        status=status,
        phase=phase,
        partner_councils=partner_councils,
        problems=problems,
        start_date=start_date,
        end_date=end_date,
        components_produced=components_produced,
        components_used=components_used,
        kept_produced=set(project.components_produced.values_list("pk", flat=True)),
        kept_used=set(project.components_used.values_list("pk", flat=True)),
    )
    relations = {k: fields.pop(k) for k in PROJECT_RELATIONS}
    linked = relations["problems"]
    was_active, old_phase = project.is_active, project.phase
    before = set(project.problems.values_list("pk", flat=True))
    for key, value in fields.items():
        setattr(project, key, value)
    project.updated_at = timezone.now()
    update_fields = [*fields, "updated_at"]
    if project.is_active and not was_active:
        project.activated_at = project.updated_at
        update_fields.append("activated_at")
    project.save(update_fields=update_fields)
    _set_project_relations(project, relations)
    audit_record(
        actor=actor,
        verb="project.updated",
        target=project,
        data={"status": project.status, "problems": sorted(p.pk for p in linked)},
    )
    if project.is_active and (not was_active or project.phase != old_phase):
        _progress_problems(actor=actor, project=project, problems=linked)
    else:
        _progress_problems(
            actor=actor, project=project, problems=[p for p in linked if p.pk not in before]
        )
    return project


# --- Learning --------------------------------------------------------------------------------


def _learning_fields(
    *,
    centre: Centre,
    kind,
    title,
    summary,
    body,
    evidence_strength,
    cost_band,
    impact_summary,
    themes,
    project=None,
    councils=(),
    service_areas=(),
    problems=(),
    components=(),
    standards=(),
    kept_components=frozenset(),
) -> dict:
    if kind not in LearningKind.values:
        raise DomainError("Choose what kind of learning this is", field="kind")
    if cost_band not in CostBand.values:
        raise DomainError("Choose a cost band", field="cost_band")
    if project is not None and project.centre_id != centre.pk:
        raise DomainError("Choose one of this centre's projects", field="project")
    return {
        "kind": kind,
        "title": _text(title, field="title", label="a title", max_length=150),
        "summary": _text(summary, field="summary", label="a summary", max_length=300),
        "body": _text(body, field="body", label="the full text", max_length=50000, one_line=False),
        "evidence_strength": _evidence(evidence_strength),
        "cost_band": cost_band,
        "impact_summary": _text(
            impact_summary,
            field="impact_summary",
            label="the impact",
            max_length=1000,
            one_line=False,
        ),
        "themes": _choices(
            themes,
            allowed=Theme.values,
            field="themes",
            message="Choose at least one theme",
            required=True,
        ),
        "project": project,
        "councils": _councils(councils, field="councils"),
        "service_areas": _service_areas(service_areas),
        "problems": _problems(problems),
        "components": _components(components, kept=kept_components),
        "standards": _standards(standards),
    }


LEARNING_RELATIONS = ("councils", "service_areas", "problems", "components", "standards")


def _set_relations(learning: Learning, relations: dict):
    learning.councils.set(relations["councils"])
    learning.service_areas.set(relations["service_areas"])
    learning.problems.set(relations["problems"])
    learning.components.set(relations["components"])
    learning.standards.set(relations["standards"])


def _tell_followers(*, actor, learning: Learning, problems) -> int:
    """Followers of the problems a published item is about hear of it, once per item."""
    if not learning.is_published or not problems:
        return 0
    return notify(
        recipient_ids=problem_followers(p.pk for p in problems),
        kind="centre_learning",
        key=f"centres:learning:{learning.pk}:published",
        title=f"New learning on a problem you follow: {learning.title}",
        body=learning.summary,
        url=learning.get_absolute_url(),
        exclude_user_id=actor.pk,
    )


@transaction.atomic
def learning_create(*, actor, centre: Centre, **data) -> Learning:
    """Draft a piece of learning for a centre (its staff)."""
    core_access.require(
        access.can_work_on_centre(actor, centre), "Only the centre's own staff can add learning."
    )
    fields = _learning_fields(centre=centre, **data)
    relations = {k: fields.pop(k) for k in LEARNING_RELATIONS}
    now = timezone.now()
    learning = Learning.objects.create(
        centre=centre,
        created_by=actor,
        created_at=now,
        updated_at=now,
        body_html=render_markdown(fields["body"]),
        status=LearningStatus.DRAFT,
        **fields,
    )
    _set_relations(learning, relations)
    audit_record(actor=actor, verb="learning.created", target=learning)
    return learning


REVISED_FIELDS = ["title", "summary", "body", "impact_summary", "evidence_strength", "cost_band"]


def _keep_revision(learning: Learning, *, actor, now) -> LearningRevision:
    """Keep a published item's text as it is now, before an edit replaces it."""
    last = learning.revisions.order_by("-number").values_list("number", flat=True).first()
    return LearningRevision.objects.create(
        learning=learning,
        number=(last or 0) + 1,
        text_from=learning.updated_at,
        replaced_at=now,
        replaced_by=actor,
        **{name: getattr(learning, name) for name in [*REVISED_FIELDS, "body_html"]},
    )


def _locked(learning: Learning) -> Learning:
    return Learning.objects.select_for_update().select_related("centre").get(pk=learning.pk)


def _record_change(actor, learning: Learning, verb: str, *, change, note: str, data: dict):
    audit_record(actor=actor, verb=f"learning.{verb}", target=learning, note=note, data=data)


# Changes to a published item's claims wait for its centre's lead or institute staff.
LEARNING_CHANGES = ChangeReview(
    model=LearningChange,
    target="learning",
    related="learning__centre",
    lock=_locked,
    may_decide=lambda actor, change: access.can_publish_for_centre(actor, change.learning.centre),
    refusal="Only the centre's lead or institute staff review changes to learning.",
    record=_record_change,
    kind="centre_review",
    key="centres:learning-change",
    name=attrgetter("title"),
)


def _change_propose(*, actor, learning: Learning, claims: dict, now) -> LearningChange:
    """Hold a change to a published item's claims for review; the centre's leads (or
    institute staff) are told."""
    lead_ids = list(
        CentreStaff.objects.leads().filter(centre=learning.centre).values_list("user_id", flat=True)
    )
    return change_propose(
        LEARNING_CHANGES,
        actor=actor,
        target=learning,
        claims=claims,
        now=now,
        # With no lead other than the author, institute staff review it.
        recipient_ids=[pk for pk in lead_ids if pk != actor.pk]
        or core_selectors.institute_staff_ids(),
    )


@transaction.atomic
def learning_update(*, actor, learning: Learning, **data) -> Learning:
    """Change a piece of learning. Editing a published item keeps its previous text as a
    revision anyone can read; a change to its claims (RE_REVIEW_FIELDS) waits for review
    instead, and is left on the returned item as `proposed_change` (None when nothing waits
    from this edit). Newly linked problems' followers hear about it."""
    core_access.require(
        access.can_work_on_centre(actor, learning.centre),
        "Only the centre's own staff can change its learning.",
    )
    learning = Learning.objects.select_for_update().select_related("centre").get(pk=learning.pk)
    fields = _learning_fields(
        centre=learning.centre,
        kept_components=set(learning.components.values_list("pk", flat=True)),
        **data,
    )
    relations = {k: fields.pop(k) for k in LEARNING_RELATIONS}
    before = set(learning.problems.values_list("pk", flat=True))
    now = timezone.now()
    change = None
    if learning.is_published:
        claims = {
            name: fields[name]
            for name in RE_REVIEW_FIELDS
            if getattr(learning, name) != fields[name]
        }
        if claims:
            change = _change_propose(actor=actor, learning=learning, claims=claims, now=now)
            fields.update({name: getattr(learning, name) for name in claims})
    text_changed = any(getattr(learning, name) != fields[name] for name in REVISED_FIELDS)
    if learning.is_published and text_changed:
        _keep_revision(learning, actor=actor, now=now)
    for key, value in fields.items():
        setattr(learning, key, value)
    learning.body_html = render_markdown(learning.body)
    learning.updated_at = now
    learning.save(update_fields=[*fields, "body_html", "updated_at"])
    _set_relations(learning, relations)
    audit_record(
        actor=actor,
        verb="learning.updated",
        target=learning,
        data={"revision": learning.is_published and text_changed},
    )
    _tell_followers(
        actor=actor,
        learning=learning,
        problems=[p for p in relations["problems"] if p.pk not in before],
    )
    learning.proposed_change = change
    return learning


@transaction.atomic
def learning_change_publish(*, actor, change: LearningChange) -> Learning:
    """Publish a change to a published item's claims (its lead or institute staff, not the
    person who made it); the text it replaces is kept as a revision and its author is told."""

    def apply(learning, proposed, now):
        _keep_revision(learning, actor=actor, now=now)
        for name, value in proposed.items():
            setattr(learning, name, value)
        learning.updated_at = now
        learning.save(update_fields=[*proposed, "updated_at"])

    return change_publish(LEARNING_CHANGES, actor=actor, change=change, apply=apply)


@transaction.atomic
def learning_change_reject(*, actor, change: LearningChange, reason: str) -> LearningChange:
    """Turn down a change to a published item's claims, saying why; readers keep seeing what
    was published and the change's author is told the reason."""
    reason = _text(
        reason, field="reason", label="why it is rejected", max_length=2000, one_line=False
    )
    return change_reject(LEARNING_CHANGES, actor=actor, change=change, reason=reason)


@transaction.atomic
def learning_submit(*, actor, learning: Learning) -> Learning:
    """Send a draft to the centre's lead for review."""
    core_access.require(
        access.can_work_on_centre(actor, learning.centre),
        "Only the centre's own staff can send its learning for review.",
    )
    learning = _locked(learning)
    if learning.status != LearningStatus.DRAFT:
        raise DomainError(
            f"Only a draft can be sent for review; this is {learning.get_status_display().lower()}",
            status=409,
            code="conflict",
        )
    learning.status = LearningStatus.IN_REVIEW
    learning.submitted_by = actor
    learning.submitted_at = timezone.now()
    learning.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit_record(actor=actor, verb="learning.submitted", target=learning)
    lead_ids = (
        CentreStaff.objects.leads().filter(centre=learning.centre).values_list("user_id", flat=True)
    )
    notify(
        recipient_ids=lead_ids,
        kind="centre_review",
        key=f"centres:learning:{learning.pk}:review:{learning.submitted_at.isoformat()}",
        title=f"Ready for review: {learning.title}",
        url=learning.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return learning


@transaction.atomic
def learning_return(*, actor, learning: Learning, note: str) -> Learning:
    """Send an item in review back to draft, saying what to change (lead or institute staff)."""
    if not access.can_publish_for_centre(actor, learning.centre):
        raise NotAllowed("Only the centre's lead or institute staff can send learning back.")
    note = _text(note, field="note", label="what needs to change", max_length=2000, one_line=False)
    learning = _locked(learning)
    if learning.status != LearningStatus.IN_REVIEW:
        raise DomainError("Only learning in review can be sent back", status=409, code="conflict")
    learning.status = LearningStatus.DRAFT
    learning.review_note = note
    learning.save(update_fields=["status", "review_note"])
    audit_record(actor=actor, verb="learning.returned", target=learning, note=note)
    notify(
        recipient_ids=[learning.submitted_by_id, learning.created_by_id],
        kind="centre_review",
        key=f"centres:learning:{learning.pk}:returned:{timezone.now().isoformat()}",
        title=f"Changes needed: {learning.title}",
        body=note,
        url=learning.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return learning


@transaction.atomic
def learning_publish(*, actor, learning: Learning) -> Learning:
    """Publish an item in review for the whole sector (lead or institute staff); followers of
    its problems are told."""
    if not access.can_publish_for_centre(actor, learning.centre):
        raise NotAllowed("Only the centre's lead or institute staff can publish learning.")
    learning = _locked(learning)
    if learning.status != LearningStatus.IN_REVIEW:
        raise DomainError(
            "Only learning in review can be published; send it for review first",
            status=409,
            code="conflict",
        )
    now = timezone.now()
    learning.status = LearningStatus.PUBLISHED
    learning.published_by = actor
    learning.published_at = now
    learning.updated_at = now
    learning.review_note = ""
    learning.save(
        update_fields=["status", "published_by", "published_at", "updated_at", "review_note"]
    )
    audit_record(actor=actor, verb="learning.published", target=learning)
    _tell_followers(actor=actor, learning=learning, problems=list(learning.problems.all()))
    return learning
