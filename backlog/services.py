"""Every write to the backlog. Rules live here; views, the API and tasks only call these."""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from backlog import access, selectors
from backlog.models import (
    OPEN_STATUSES,
    Comment,
    CommentReport,
    CouncilDemand,
    DuplicateCandidate,
    Follow,
    Merge,
    Problem,
    ProblemRevision,
    Status,
    StatusChange,
    Vote,
    WithdrawnProblem,
)
from backlog.selectors import ACTIVITY_VERSION, problem_similar
from institute import access as core_access
from institute import fragments, jobs, registry
from institute import selectors as core_selectors
from institute.errors import DomainError, NotAllowed
from institute.markdown import render_markdown
from institute.models import ServiceArea, Theme
from institute.services import audit_record, notify
from institute.wording import count_of

COMMENT_EDIT_WINDOW = timedelta(minutes=15)
TRENDING_WINDOW = timedelta(days=30)


def _clean_text(value: str, *, field: str, label: str, max_length: int) -> str:
    if field == "description":
        # Browsers send a text area's line breaks as CRLF: stored as LF, so the same text sent
        # back unchanged is the same text.
        value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        value = " ".join((value or "").split())
    if not value:
        raise DomainError(f"Enter {label}", field=field)
    if len(value) > max_length:
        raise DomainError(
            f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer", field=field
        )
    return value


def _audience(problem: Problem) -> set[int]:
    """Everyone who should hear about a problem: its followers and the officers who voted."""
    followers = Follow.objects.filter(problem=problem).values_list("user_id", flat=True)
    voters = Vote.objects.filter(problem=problem).values_list("user_id", flat=True)
    return set(followers) | set(voters)


@transaction.atomic
def problem_submit(
    *, actor, title: str, summary: str, description: str, theme: str, service_areas
) -> Problem:
    """Add a problem to the backlog for the submitter's organisation; they follow it, and an
    officer's council counts as the first council affected."""
    core_access.require(
        access.can_submit_problem(actor),
        "Only council officers, centre staff and institute staff can submit problems.",
    )
    title = _clean_text(title, field="title", label="a title", max_length=150)
    summary = _clean_text(summary, field="summary", label="a summary", max_length=300)
    description = _clean_text(
        description, field="description", label="a description", max_length=20000
    )
    if theme not in Theme.values:
        raise DomainError("Choose a theme", field="theme")
    areas = list(service_areas)
    if not areas:
        raise DomainError("Choose at least one service area", field="service_areas")
    if not all(isinstance(area, ServiceArea) for area in areas):
        raise DomainError("Choose service areas from the list", field="service_areas")
    now = timezone.now()
    problem = Problem.objects.create(
        title=title,
        summary=summary,
        description=description,
        description_html=render_markdown(description),
        theme=theme,
        submitted_by=actor,
        submitted_for=actor.membership.organisation,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    problem.service_areas.set(areas)
    StatusChange.objects.create(
        problem=problem,
        from_status="",
        to_status=Status.NEW,
        actor=actor,
        note="Submitted",
        created_at=now,
    )
    Follow.objects.create(problem=problem, user=actor)
    if access.can_vote(actor):
        # Raising a problem says your own council has it: it is the first council affected.
        problem_vote(actor=actor, problem=problem)
        problem.refresh_from_db(fields=["vote_count", "council_count", "trending_count"])
    audit_record(actor=actor, verb="problem.submitted", target=problem)

    jobs.run_after_commit("backlog.tasks.problem_find_duplicates", problem.pk)
    return problem


def _lock(*problems: Problem) -> list[Problem]:
    """Lock problem rows in id order (so two merges never deadlock) and return them fresh.

    A problem that is not there raises Problem.DoesNotExist (a view's 404)."""
    ids = sorted({p.pk for p in problems})
    # Not the wide columns: merges and status changes need none of them.
    rows = Problem.objects.select_for_update().defer(
        "description", "description_html", "search_vector", "title_vector"
    )
    locked = {p.pk: p for p in rows.filter(pk__in=ids).order_by("pk")}
    if len(locked) < len(ids):
        raise Problem.DoesNotExist("No problem has this id.")
    return [locked[p.pk] for p in problems]


# The vote and the withdrawal send two statements in one round trip: the row lock, then the
# write. The write's statement starts after the lock is granted, so it reads what was committed
# before, and it returns what the fragment around the vote button needs, straight into the
# caller's copy of the problem: no second read in the view. Only the last statement's rows are
# read (pghistory's context injection leaves the cursor on them). Statements sent together are
# one transaction (PostgreSQL runs a multi-statement query as one, unless it is already in the
# caller's), so the services need no BEGIN and COMMIT of their own: two round trips fewer.
_VOTE_LOCK_SQL = """
WITH locked AS (SELECT FROM backlog_problem WHERE id = %(problem)s FOR UPDATE)
SELECT count(*) FROM locked;
"""

# The write's last SELECT: the problem as it now stands (its counters from the write's
# `counters` CTE, if it wrote), the write's own `columns`, then the councils affected as they
# were before the write, if asked for (selectors.PROBLEM_COUNCILS_SQL).
_PROBLEM_NOW_SQL = """
SELECT p.title, p.status, p.merged_into_id, coalesce(c.vote_count, p.vote_count),
       coalesce(c.council_count, p.council_count), {columns}, {councils}
FROM backlog_problem p LEFT JOIN counters c ON true WHERE p.id = %(problem)s;
"""


def _write_after_lock(problem: Problem, sql: str, columns: str, params, councils: bool) -> list:
    """Lock the problem's row, then run `sql` (WITH ... ending in a `counters` CTE that returns
    the new counters if it wrote); fill in the problem and return `columns` and the councils
    affected before the write (None unless `councils`)."""
    last = _PROBLEM_NOW_SQL.format(
        columns=columns, councils=selectors.PROBLEM_COUNCILS_SQL if councils else "NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(_VOTE_LOCK_SQL + sql + last, params)
        while cursor.nextset():  # to the last statement's rows
            pass
        row = cursor.fetchone()
    if row is None:
        raise Problem.DoesNotExist("No problem has this id.")
    (
        problem.title,
        problem.status,
        problem.merged_into_id,
        problem.vote_count,
        problem.council_count,
    ) = row[:5]
    return list(row[5:])


def _votes_written(problem_ids) -> None:
    """What the Vote and CouncilDemand signals would have done for a write made in SQL: retire
    the cached parts that show these problems' demand, and say the sector's figures changed."""
    fragments.bump("demand", *(f"problem:{pk}" for pk in problem_ids))
    registry.figures_changed_on_commit()


# A vote is the commonest write there is, so it is one statement after the row lock (the lock
# queues concurrent votes on one problem, so counters always equal rows): add the vote unless
# the officer has one or the problem is not open, then, only if it was added, count the
# officer's council in (a new CouncilDemand row if the council is new to the problem), update
# the problem's counters (and its places, if the council is new: in the same row version, so
# the places trigger after it finds nothing left to write and the row is written once) and make
# the officer follow the problem. The history trigger on the vote table records the vote.
_VOTE_SQL = """
WITH vote AS (
    INSERT INTO backlog_vote (problem_id, cast_on_id, user_id, organisation_id, created_at)
    SELECT %(problem)s, %(problem)s, %(user)s, %(organisation)s, %(now)s
    WHERE EXISTS (SELECT FROM backlog_problem WHERE id = %(problem)s AND status = ANY(%(open)s))
    ON CONFLICT (problem_id, user_id, organisation_id) DO NOTHING
    RETURNING id
), more_officers AS (
    UPDATE backlog_councildemand SET officers = officers + 1
    WHERE problem_id = %(problem)s AND organisation_id = %(organisation)s
      AND EXISTS (SELECT FROM vote)
    RETURNING id
), new_council AS (
    INSERT INTO backlog_councildemand (problem_id, organisation_id, officers, since)
    SELECT %(problem)s, %(organisation)s, 1, %(now)s
    WHERE EXISTS (SELECT FROM vote) AND NOT EXISTS (SELECT FROM more_officers)
    RETURNING id
), follow AS (
    INSERT INTO backlog_follow (problem_id, user_id, created_at)
    SELECT %(problem)s, %(user)s, %(now)s WHERE EXISTS (SELECT FROM vote)
    ON CONFLICT (problem_id, user_id) DO NOTHING
), counters AS (
    UPDATE backlog_problem SET
        vote_count = vote_count + 1,
        council_count = council_count + (SELECT count(*) FROM new_council),
        trending_count = trending_count + (SELECT count(*) FROM new_council),
        last_activity_at = %(now)s,
        demand_places = CASE WHEN EXISTS (SELECT FROM new_council)
            THEN backlog_problem_places(%(problem)s, %(organisation)s, NULL)
            ELSE demand_places END
    WHERE id = %(problem)s AND EXISTS (SELECT FROM vote)
    RETURNING vote_count, council_count
)"""


def problem_vote(*, actor, problem: Problem, councils: bool = False) -> tuple[Vote, bool]:
    """Record that the actor's council has this problem. Voting again changes nothing.

    The problem row is locked for the length of the transaction, so concurrent votes on one
    problem queue up and the counters always equal the rows. `problem` may be just
    `Problem(pk=...)`: it comes back with its title, status and counters as they now stand;
    after a new vote, with `voter_state` (selectors.VoteState) and, if `councils`,
    `councils_affected` (selectors.CouncilBreakdown), all read in the same round trip.
    """
    core_access.require(
        access.can_vote(actor), "Only council officers can say their council has a problem."
    )
    # The council the actor acts as now: a shared-service officer votes for each separately.
    organisation = actor.membership.organisation
    now = timezone.now()
    params = {
        "problem": problem.pk,
        "user": actor.pk,
        "organisation": organisation.pk,
        "now": now,
        "open": list(OPEN_STATUSES),
    }
    vote_id, before = _write_after_lock(
        problem, _VOTE_SQL, "(SELECT id FROM vote)", params, councils
    )
    if vote_id is None and problem.status not in OPEN_STATUSES:
        existing = Vote.objects.filter(
            problem=problem, user=actor, organisation=organisation
        ).first()
        if existing:
            return existing, False
        if problem.status == Status.MERGED:
            raise DomainError(
                "This problem was merged into another one. Vote on that problem instead.",
                status=409,
                code="merged",
            )
        raise DomainError(
            f"This problem is {problem.get_status_display().lower()}, so it is not collecting "
            "votes any more.",
            status=409,
            code="closed",
        )
    if vote_id is None:  # the officer had voted already
        return Vote.objects.get(problem=problem, user=actor, organisation=organisation), False
    problem.voter_state = selectors.VoteState(voted=True)
    if councils:
        problem.councils_affected = selectors.councils_breakdown(before, organisation.pk, 1)
    _votes_written([problem.pk])
    vote = Vote(
        pk=vote_id,
        problem=problem,
        cast_on=problem,
        user=actor,
        organisation=organisation,
        created_at=now,
    )
    vote._state.adding, vote._state.db = False, connection.alias  # as if read from the database
    return vote, True


# Take back the officer's vote, and any vote of theirs on a problem merged into this one (left
# behind there by the merge: withdrawing here withdraws it too, so an unmerge does not bring it
# back). Nothing is deleted if they have no vote on this problem. If one was, count the council
# out if the officer was its last, and update the counters; a council that is gone also leaves
# the trending count, if it had come within the trending window, and the problem's places.
_WITHDRAW_SQL = """
WITH RECURSIVE family(id) AS (
    SELECT %(problem)s::bigint
    UNION
    SELECT p.id FROM backlog_problem p JOIN family ON p.merged_into_id = family.id
), deleted AS (
    DELETE FROM backlog_vote
    WHERE user_id = %(user)s AND organisation_id = %(organisation)s
      AND problem_id IN (SELECT id FROM family)
      AND EXISTS (SELECT FROM backlog_vote WHERE problem_id = %(problem)s AND user_id = %(user)s
                  AND organisation_id = %(organisation)s)
    RETURNING problem_id
), withdrawn AS (
    SELECT FROM deleted WHERE problem_id = %(problem)s
), council_gone AS (
    DELETE FROM backlog_councildemand
    WHERE problem_id = %(problem)s AND organisation_id = %(organisation)s AND officers = 1
      AND EXISTS (SELECT FROM withdrawn)
    RETURNING since
), fewer_officers AS (
    UPDATE backlog_councildemand SET officers = officers - 1
    WHERE problem_id = %(problem)s AND organisation_id = %(organisation)s AND officers > 1
      AND EXISTS (SELECT FROM withdrawn)
    RETURNING officers
), counters AS (
    UPDATE backlog_problem SET
        vote_count = vote_count - 1,
        council_count = council_count - (SELECT count(*) FROM council_gone),
        trending_count = trending_count - CASE
            WHEN trending_count > 0 AND EXISTS (SELECT FROM council_gone WHERE since >= %(recent)s)
            THEN 1 ELSE 0 END,
        demand_places = CASE WHEN EXISTS (SELECT FROM council_gone)
            THEN backlog_problem_places(%(problem)s, NULL, %(organisation)s)
            ELSE demand_places END
    WHERE id = %(problem)s AND EXISTS (SELECT FROM withdrawn)
    RETURNING vote_count, council_count
)"""

# Whether the vote was withdrawn, the council's officers still counted (none if it is gone),
# and the problems whose votes went.
_WITHDRAW_COLUMNS = """EXISTS (SELECT FROM withdrawn), (SELECT officers FROM fewer_officers),
       ARRAY(SELECT DISTINCT problem_id FROM deleted)"""


def problem_vote_withdraw(*, actor, problem: Problem, councils: bool = False) -> bool:
    """Take back the actor's vote (and any vote of theirs absorbed by a merge). True if any.

    Like problem_vote, `problem` may be just `Problem(pk=...)` and comes back up to date; after
    a withdrawal, with `voter_state` (None once the council is not counted) and, if
    `councils`, `councils_affected`."""
    core_access.require(actor.is_authenticated, "Sign in to withdraw your vote.")
    acting = core_access.membership_of(actor)
    if acting is None:
        return False
    # Only the vote made for the council the actor acts as now.
    params = {
        "problem": problem.pk,
        "user": actor.pk,
        "organisation": acting.organisation_id,
        "recent": timezone.now() - TRENDING_WINDOW,
    }
    withdrawn, officers, deleted, before = _write_after_lock(
        problem, _WITHDRAW_SQL, _WITHDRAW_COLUMNS, params, councils
    )
    if not withdrawn:
        return False
    problem.voter_state = (
        selectors.VoteState(officers=officers, council=acting.organisation.name)
        if officers
        else None
    )
    if councils:
        problem.councils_affected = selectors.councils_breakdown(before, acting.organisation_id, -1)
    sources = set(deleted) - {problem.pk}
    if sources:  # merged into this one, so closed to votes: no lock needed to count them again
        with transaction.atomic():
            _recount(sources)
    _votes_written(deleted)
    return True


def problem_follow(*, actor, problem: Problem) -> Follow:
    """Follow a problem: hear about its status changes and comments."""
    core_access.require(actor.is_authenticated, "Sign in to follow a problem.")
    follow, _ = Follow.objects.get_or_create(problem=problem, user=actor)
    return follow


def problem_unfollow(*, actor, problem: Problem) -> bool:
    deleted, _ = Follow.objects.filter(problem=problem, user=actor).delete()
    return bool(deleted)


@transaction.atomic
def problem_change_status(*, actor, problem: Problem, status: str, note: str = "") -> Problem:
    """Move a problem along its life; followers and voters are told, and on "solved" every voter."""
    core_access.require(core_access.can_curate(actor))
    (problem,) = _lock(problem)
    note = (note or "").strip()
    if status not in Status.values or status == Status.MERGED:
        raise DomainError("Choose a status (merging has its own page)", field="status")
    if problem.status == Status.MERGED:
        raise DomainError("Unmerge this problem before you change its status.", status=409)
    if status == problem.status:
        raise DomainError(
            f"The problem is already {problem.get_status_display().lower()}.", field="status"
        )
    if status == Status.NOT_TAKEN_FORWARD and not note:
        raise DomainError("Say why this problem is not being taken forward", field="note")
    previous = problem.status
    now = timezone.now()
    problem.status = status
    problem.updated_at = now
    problem.last_activity_at = now
    problem.save(update_fields=["status", "updated_at", "last_activity_at"])
    StatusChange.objects.create(
        problem=problem,
        from_status=previous,
        to_status=status,
        actor=actor,
        note=note,
        created_at=now,
    )
    audit_record(
        actor=actor,
        verb="problem.status_changed",
        target=problem,
        note=note,
        data={"from": previous, "to": status},
    )
    label = problem.get_status_display().lower()
    notify(
        recipient_ids=_audience(problem),
        kind="problem_solved" if status == Status.SOLVED else "problem_status",
        key=f"problem:{problem.pk}:status:{now.isoformat()}",
        title=f"“{problem.title}” is now {label}",
        body=note,
        url=problem.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return problem


def _areas_text(areas) -> str:
    return ", ".join(sorted(area.name for area in areas))


@transaction.atomic
def problem_edit(
    *,
    actor,
    problem: Problem,
    title: str,
    summary: str,
    description: str,
    theme: str,
    service_areas,
    reason: str = "",
) -> ProblemRevision | None:
    """Change a problem's words, theme or service areas (access.EDITABLE_FIELDS): its submitter
    while it is new, institute staff at any status with a reason. Every edit is a revision the
    problem page shows; followers and voters are told. An edit that changes nothing records
    nothing (None) and needs no reason."""
    core_access.require(
        access.can_edit_problem(actor, problem),
        "Only the person who raised a problem can change it, while it is new, and institute staff.",
    )
    problem = (
        Problem.objects.select_for_update()
        .defer("search_vector", "title_vector")
        .filter(pk=problem.pk)
        .first()
    )
    if problem is None:
        raise Problem.DoesNotExist("No problem has this id.")
    # Read afresh under the lock: triage may have moved it on since the form was shown.
    if not access.can_edit_problem(actor, problem):
        raise DomainError(
            f"This problem is now {problem.get_status_display().lower()}: only institute staff "
            "can change it. Comment on it instead.",
            status=409,
            code="too_late",
        )
    reason = " ".join((reason or "").split())
    if len(reason) > 1000:
        raise DomainError("The reason must be 1000 characters or fewer", field="reason")
    new = {
        "title": _clean_text(title, field="title", label="a title", max_length=150),
        "summary": _clean_text(summary, field="summary", label="a summary", max_length=300),
        "description": _clean_text(
            description, field="description", label="a description", max_length=20000
        ),
        "theme": theme,
    }
    if theme not in Theme.values:
        raise DomainError("Choose a theme", field="theme")
    areas = list(dict.fromkeys(service_areas))
    if not areas:
        raise DomainError("Choose at least one service area", field="service_areas")
    if not all(isinstance(area, ServiceArea) for area in areas):
        raise DomainError("Choose service areas from the list", field="service_areas")

    labels = dict(Theme.choices)
    changes, fields = [], []
    for field in ("title", "summary", "description", "theme"):
        before = getattr(problem, field)
        if new[field] != before:
            shown = (labels.get(before, before), labels[new[field]]) if field == "theme" else None
            before_text, after_text = shown or (before, new[field])
            changes.append({"field": field, "before": before_text, "after": after_text})
            setattr(problem, field, new[field])
            fields.append(field)
    old_areas = list(problem.service_areas.all())
    if {a.pk for a in old_areas} != {a.pk for a in areas}:
        changes.append(
            {
                "field": "service_areas",
                "before": _areas_text(old_areas),
                "after": _areas_text(areas),
            }
        )
    if not changes:
        return None  # nothing to record, so nothing to explain
    if access.edit_needs_reason(actor) and not reason:
        raise DomainError("Say why you are changing this problem", field="reason")
    if "service_areas" in [c["field"] for c in changes]:
        problem.service_areas.set(areas)

    now = timezone.now()
    if "description" in fields:
        problem.description_html = render_markdown(problem.description)
        fields.append("description_html")
    # The search vectors are generated columns: PostgreSQL recomputes them with the row.
    problem.updated_at = now
    problem.last_activity_at = now
    problem.save(update_fields=[*fields, "updated_at", "last_activity_at"])
    membership = core_access.membership_of(actor)
    revision = ProblemRevision.objects.create(
        problem=problem,
        actor=actor,
        actor_organisation=membership.organisation if membership else None,
        by_staff=access.edit_needs_reason(actor),
        reason=reason,
        changes=changes,
        created_at=now,
    )
    changed = [c["field"] for c in changes]
    audit_record(
        actor=actor,
        verb="problem.edited",
        target=problem,
        note=reason,
        data={"revision": revision.pk, "fields": changed},
    )
    notify(
        recipient_ids=_audience(problem),
        kind="problem_edited",
        key=f"problem:{problem.pk}:revision:{revision.pk}",
        title=f"“{problem.title}” was edited",
        body=reason,
        url=problem.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    if {"title", "summary"} & set(changed):
        # Suggestions and searches read the row as it is now; the look-alikes staff are shown
        # are recorded by Celery, so look again for the new words.
        jobs.run_after_commit("backlog.tasks.problem_find_duplicates", problem.pk)
    return revision


def problem_withdraw_refusal(problem: Problem) -> DomainError | None:
    """Why this problem cannot be withdrawn now, or None: it must be new, no other council may
    have said it has it, and no other problem may have been merged into it. (The withdrawal
    page asks before showing its button; problem_withdraw asks again under the row lock.)"""
    if problem.status != Status.NEW:
        return DomainError(
            f"This problem is {problem.get_status_display().lower()}, so it can no longer be "
            "withdrawn. Ask the institute to close it as not taken forward.",
            status=409,
            code="not_new",
        )
    others = (
        CouncilDemand.objects.filter(problem=problem)
        .exclude(organisation_id=problem.submitted_for_id)
        .count()
    )
    if others:
        return DomainError(
            f"{count_of(others, 'other council')} said they have this problem too, so it cannot "
            "be withdrawn. Ask the institute to close it as not taken forward.",
            status=409,
            code="has_demand",
        )
    if Problem.objects.filter(merged_into=problem).exists():
        return DomainError(
            "Other problems were merged into this one, so it cannot be withdrawn.",
            status=409,
            code="has_merged",
        )
    return None


@transaction.atomic
def problem_withdraw(*, actor, problem: Problem) -> WithdrawnProblem:
    """The person who raised a problem takes it back while it is new and no other council has
    said it has it. Its content, votes and discussion go; its number stays, as a tombstone."""
    core_access.require(
        access.can_withdraw_problem(actor, problem),
        "Only the person who raised a problem can withdraw it. Institute staff close problems "
        "as not taken forward instead.",
    )
    (problem,) = _lock(problem)
    refusal = problem_withdraw_refusal(problem)
    if refusal is not None:
        raise refusal
    now = timezone.now()
    tombstone = WithdrawnProblem.objects.create(
        number=problem.pk,
        organisation_id=problem.submitted_for_id,
        withdrawn_by=actor,
        raised_at=problem.created_at,
        withdrawn_at=now,
    )
    audit_record(
        actor=actor, verb="problem.withdrawn", target=problem, data={"title": problem.title}
    )
    notify(
        recipient_ids=_audience(problem),
        kind="problem_status",
        key=f"problem:{problem.pk}:withdrawn",
        title=f"“{problem.title}” was withdrawn by the council that raised it",
        url=problem.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    # Its votes, demand, followers, discussion and revisions go with it (CASCADE), and with
    # them its place in lists, searches, suggestions and the sector's figures.
    problem.delete()
    return tombstone


# Forward moves a centre's project may make when it takes a problem on.
PROJECT_PROGRESS = {
    Status.IN_DISCOVERY: {Status.NEW, Status.TRIAGED},
    Status.IN_PROGRESS: {Status.NEW, Status.TRIAGED, Status.IN_DISCOVERY},
}


@transaction.atomic
def problem_progress_for_project(
    *, actor, problem: Problem, status: str, project_title: str, project_url: str = ""
) -> bool:
    """Move a problem forward because a centre's active project works on it.

    The centres app checks the actor may run that project; here the backlog's own rule: only
    forward, only from an open status, recorded in the timeline and told to the audience.
    Returns False (and changes nothing) when the problem is already as far along or closed.
    """
    core_access.require(core_access.can_participate(actor))
    (problem,) = _lock(problem)
    if status not in PROJECT_PROGRESS or problem.status not in PROJECT_PROGRESS[status]:
        return False
    previous = problem.status
    now = timezone.now()
    problem.status = status
    problem.updated_at = now
    problem.last_activity_at = now
    problem.save(update_fields=["status", "updated_at", "last_activity_at"])
    note = f"A centre project is working on it: {project_title}"
    StatusChange.objects.create(
        problem=problem,
        from_status=previous,
        to_status=status,
        actor=actor,
        note=note,
        created_at=now,
    )
    audit_record(
        actor=actor,
        verb="problem.progressed_by_project",
        target=problem,
        note=note,
        data={"from": previous, "to": status},
    )
    notify(
        recipient_ids=_audience(problem),
        kind="problem_status",
        key=f"problem:{problem.pk}:status:{now.isoformat()}",
        title=f"“{problem.title}” is now {problem.get_status_display().lower()}",
        body=note,
        url=project_url or problem.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return True


def _merged_descendants(problem: Problem) -> set[int]:
    """The problem and every problem merged into it, directly or through others."""
    found = {problem.pk}
    frontier = {problem.pk}
    while frontier:
        frontier = (
            set(Problem.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def _recount(problem_ids) -> None:
    """Rebuild CouncilDemand and the counters of these problems from their votes."""
    ids = list(problem_ids)
    CouncilDemand.objects.filter(problem_id__in=ids).delete()
    rows = (
        Vote.objects.filter(problem_id__in=ids)
        .values("problem_id", "organisation_id")
        .annotate(officers=Count("pk"), since=Min("created_at"))
    )
    CouncilDemand.objects.bulk_create(
        CouncilDemand(
            problem_id=r["problem_id"],
            organisation_id=r["organisation_id"],
            officers=r["officers"],
            since=r["since"],
        )
        for r in rows
    )
    cutoff = timezone.now() - TRENDING_WINDOW

    def count_of(qs, expression):
        return Coalesce(
            Subquery(
                qs.filter(problem=OuterRef("pk"))
                .values("problem")
                .annotate(n=expression)
                .values("n")
            ),
            0,
        )

    Problem.objects.filter(pk__in=ids).update(
        vote_count=count_of(Vote.objects.all(), Count("pk")),
        council_count=count_of(CouncilDemand.objects.all(), Count("pk")),
        trending_count=count_of(CouncilDemand.objects.filter(since__gte=cutoff), Count("pk")),
    )
    # Bulk writes send no signals: the cached parts of these problems' pages go by hand.
    fragments.bump("demand", *(f"problem:{pk}" for pk in ids))


@transaction.atomic
def problem_merge(*, actor, source: Problem, target: Problem, note: str = "") -> Merge:
    """Merge `source` into `target`: its votes and followers join the target, without counting
    an officer twice, and `source` points to `target`. Undone exactly by problem_unmerge."""
    core_access.require(core_access.can_curate(actor))
    if source.pk == target.pk:
        raise DomainError("A problem cannot be merged into itself.", field="target")
    source, target = _lock(source, target)
    if source.status == Status.MERGED:
        raise DomainError("This problem is already merged.", status=409)
    if target.status == Status.MERGED:
        raise DomainError(
            f"“{target.title}” is itself merged; merge into the problem it was merged into.",
            field="target",
        )
    # Votes whose officer already voted on the target for the same council stay on the source:
    # counted once.
    already = Vote.objects.filter(
        problem=target, user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id")
    )
    moved = Vote.objects.filter(problem=source).exclude(Exists(already)).update(problem=target)
    Follow.objects.bulk_create(
        [
            Follow(problem=target, user_id=uid)
            for uid in Follow.objects.filter(problem=source).values_list("user_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    merge = Merge.objects.create(
        source=source,
        target=target,
        source_status=source.status,
        actor=actor,
        note=note.strip(),
        votes_moved=moved,
    )
    now = timezone.now()
    StatusChange.objects.create(
        problem=source,
        from_status=source.status,
        to_status=Status.MERGED,
        actor=actor,
        created_at=now,
        note=f"Merged into #{target.pk} “{target.title}”. {note}".strip(),
    )
    source.status = Status.MERGED
    source.merged_into = target
    source.updated_at = now
    source.save(update_fields=["status", "merged_into", "updated_at"])
    target.last_activity_at = now
    target.save(update_fields=["last_activity_at"])
    _recount([source.pk, target.pk])
    audit_record(
        actor=actor,
        verb="problem.merged",
        target=source,
        note=note,
        data={"into": target.pk, "votes_moved": moved},
    )
    notify(
        recipient_ids=Follow.objects.filter(problem=source).values_list("user_id", flat=True),
        kind="problem_status",
        key=f"problem:{source.pk}:merged:{merge.pk}",
        title=f"“{source.title}” was merged into “{target.title}”",
        url=target.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return merge


@transaction.atomic
def problem_unmerge(*, actor, source: Problem, note: str = "") -> Problem:
    """Undo the active merge of `source`: it gets back exactly the votes cast on it (and on
    problems merged into it), and its status from before the merge."""
    core_access.require(core_access.can_curate(actor))
    merge = (
        Merge.objects.filter(source=source, undone_at__isnull=True).select_related("target").first()
    )
    if merge is None:
        raise DomainError("This problem is not merged.", status=409)
    # The votes moved by this merge are on the target, or further along if the target has been
    # merged since: lock the whole chain and bring them back from wherever they are now.
    chain = [merge.target]
    while chain[-1].merged_into_id and chain[-1].merged_into_id not in {p.pk for p in chain}:
        chain.append(Problem.objects.get(pk=chain[-1].merged_into_id))
    source, target, *further = _lock(source, *chain)
    holders = [target.pk, *(p.pk for p in further)]
    own = _merged_descendants(source)
    Vote.objects.filter(problem_id__in=holders, cast_on_id__in=own).update(problem=source)
    now = timezone.now()
    source.status = merge.source_status
    source.merged_into = None
    source.updated_at = now
    source.save(update_fields=["status", "merged_into", "updated_at"])
    merge.undone_at = now
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    StatusChange.objects.create(
        problem=source,
        from_status=Status.MERGED,
        to_status=merge.source_status,
        actor=actor,
        created_at=now,
        note=f"Unmerged from #{target.pk}. {note}".strip(),
    )
    _recount([source.pk, *holders])
    audit_record(
        actor=actor, verb="problem.unmerged", target=source, note=note, data={"from": target.pk}
    )
    # Told as a merge is told: everyone who follows it (its followers were copied to the
    # target by the merge, and still follow the problem itself).
    notify(
        recipient_ids=Follow.objects.filter(problem=source).values_list("user_id", flat=True),
        kind="problem_status",
        key=f"problem:{source.pk}:unmerged:{merge.pk}",
        title=f"“{source.title}” was unmerged from “{target.title}”",
        url=source.get_absolute_url(),
        exclude_user_id=actor.pk,
    )
    return source


def _comment_allowed(actor, problem: Problem):
    core_access.require(
        access.can_comment(actor),
        "Only council officers, centre staff and institute staff can comment.",
    )
    # Read the status afresh: the caller's copy may predate a merge.
    if Problem.objects.filter(pk=problem.pk, status=Status.MERGED).exists():
        raise DomainError(
            "This problem was merged; the discussion continues on the other one.",
            status=409,
            code="merged",
        )


@transaction.atomic
def comment_add(*, actor, problem: Problem, body: str) -> Comment:
    """Add to the discussion; followers hear about it and the commenter now follows."""
    _comment_allowed(actor, problem)
    body = _clean_text(body, field="body", label="a comment", max_length=5000)
    now = timezone.now()
    comment = Comment.objects.create(
        problem=problem,
        author=actor,
        author_organisation=actor.membership.organisation,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
    )
    Problem.objects.filter(pk=problem.pk).update(last_activity_at=now)
    fragments.bump(ACTIVITY_VERSION)  # lists ordered by activity (no signal for the update)
    Follow.objects.get_or_create(problem=problem, user=actor)
    notify(
        recipient_ids=Follow.objects.filter(problem=problem).values_list("user_id", flat=True),
        kind="problem_comment",
        key=f"comment:{comment.pk}",
        title=f"{actor} commented on “{problem.title}”",
        url=f"{problem.get_absolute_url()}#comment-{comment.pk}",
        exclude_user_id=actor.pk,
    )
    return comment


@transaction.atomic
def comment_edit(*, actor, comment: Comment, body: str) -> Comment:
    """Authors may correct their own comment for 15 minutes after posting it."""
    if comment.author_id != actor.pk:
        raise NotAllowed("You can only edit your own comments.")
    if comment.is_hidden:
        raise DomainError("This comment has been hidden by a moderator.", status=409)
    if timezone.now() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError(
            "Comments can only be edited for 15 minutes after posting.",
            field="body",
            status=409,
            code="too_late",
        )
    body = _clean_text(body, field="body", label="a comment", max_length=5000)
    if body == comment.body:  # saved as it was: not an edit, so no "edited" mark
        return comment
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def comment_report(*, actor, comment: Comment, reason: str) -> CommentReport:
    """Flag a comment for a moderator. One report per person per comment."""
    core_access.require(actor.is_authenticated, "Sign in to report a comment.")
    reason = _clean_text(reason, field="reason", label="a reason", max_length=1000)
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=actor, reason=reason)
            audit_record(actor=actor, verb="comment.reported", target=comment, note=reason)
            notify(
                recipient_ids=core_selectors.institute_staff_ids(),
                kind="comment_reported",
                key=f"comment:{comment.pk}:report:{report.pk}",
                title=f"A comment on “{comment.problem.title}” was reported",
                body=reason[:500],
                url=comment.problem.get_absolute_url(),
                exclude_user_id=actor.pk,
            )
    except IntegrityError:
        raise DomainError(
            "You have already reported this comment.", status=409, code="conflict"
        ) from None
    return report


@transaction.atomic
def comment_hide(*, actor, comment: Comment, reason: str) -> Comment:
    core_access.require(core_access.can_curate(actor))
    reason = _clean_text(reason, field="reason", label="a reason", max_length=1000)
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=comment.hidden_at)
    audit_record(actor=actor, verb="comment.hidden", target=comment, note=reason)
    return comment


@transaction.atomic
def comment_restore(*, actor, comment: Comment, reason: str = "") -> Comment:
    core_access.require(core_access.can_curate(actor))
    reason = " ".join(reason.split())[:1000]
    comment.hidden_at = None
    comment.hidden_by = None
    comment.hidden_reason = ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    audit_record(actor=actor, verb="comment.restored", target=comment, note=reason)
    return comment


@transaction.atomic
def comment_reports_dismiss(*, actor, comment: Comment, reason: str) -> int:
    """Keep a reported comment visible and close its reports, saying why (audit trail)."""
    core_access.require(core_access.can_curate(actor))
    reason = _clean_text(reason, field="reason", label="a reason", max_length=1000)
    if comment.is_hidden:
        raise DomainError("This comment is hidden: restore it instead.", status=409)
    closed = comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    if not closed:
        raise DomainError("No reports of this comment are open.", status=409, code="conflict")
    audit_record(
        actor=actor,
        verb="comment.reports_dismissed",
        target=comment,
        note=reason,
        data={"reports": closed},
    )
    return closed


def duplicate_candidates_find(*, problem: Problem, limit: int = 5) -> int:
    """Record the problems most like this one, for staff to merge or dismiss. Idempotent."""
    similar = problem_similar(
        title=problem.title,
        summary=problem.summary,
        exclude_ids=[problem.pk],
        limit=limit,
        min_score=0.35,
    )
    rows = [
        DuplicateCandidate(
            problem_id=min(problem.pk, other.pk),
            similar_to_id=max(problem.pk, other.pk),
            score=other.score,
        )
        for other in similar
    ]
    DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def duplicate_dismiss(*, actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Say a pair of look-alike problems are different; they leave the duplicates list."""
    core_access.require(core_access.can_curate(actor))
    candidate.dismissed_at = timezone.now()
    candidate.dismissed_by = actor
    candidate.save(update_fields=["dismissed_at", "dismissed_by"])
    audit_record(actor=actor, verb="duplicate.dismissed", target=candidate)
    return candidate


def trending_refresh() -> int:
    """Recount councils that joined each problem in the last 30 days (hourly, from Celery)."""
    cutoff = timezone.now() - TRENDING_WINDOW
    recent = (
        CouncilDemand.objects.filter(problem=OuterRef("pk"), since__gte=cutoff)
        .values("problem")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # EXISTS, not `pk IN (...)`: inside an OR, PostgreSQL cannot hash an IN list and rescans it
    # for every problem (minutes at 100,000 problems); EXISTS is one index probe per problem.
    joined = CouncilDemand.objects.filter(problem=OuterRef("pk"), since__gte=cutoff)
    new_count = Coalesce(Subquery(recent), 0)
    with transaction.atomic():
        # Only rows whose count changes are written (an hourly rewrite of every row bloats).
        changed = (
            Problem.objects.filter(Q(trending_count__gt=0) | Exists(joined))
            .exclude(trending_count=new_count)
            .update(trending_count=new_count)
        )
        if changed:  # a bulk update sends no signal: lists in trending order go by hand
            fragments.bump("demand")
        return changed
