"""Demo backlog: about sixty common problems, as council officers would write them, with votes
from officers at many real councils, comments, status changes and one merged pair.

The problems, comments and notes are in problems.yaml; this module decides, with seeded
randomness, which councils vote for each, who comments and when things happened.
Used by `manage.py seed_demo` (after institute.demo has created the demo people). Everything is
written through backlog.services, acting as the people involved; afterwards the timestamps are
spread over the past months so that "newest", "recently active" and "trending" mean something.
Idempotent: problems are matched by title and a problem that exists is left alone, so running
it twice changes nothing. Randomness is seeded, so every database gets the same backlog.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from backlog import services
from backlog.models import (
    Comment,
    CouncilDemand,
    Merge,
    Problem,
    Status,
    StatusChange,
    Vote,
    WithdrawnProblem,
)
from institute import selectors as core_selectors
from institute import services as core_services
from institute.demo import DEMO_PASSWORD, DEMO_PEOPLE, unwrap_markdown
from institute.models import Membership, Organisation, Role, ServiceArea, User

CONTENT = yaml.safe_load(Path(__file__).with_name("problems.yaml").read_text(encoding="utf-8"))

STAFF_EMAIL = "staff@institute.test"
OFFICER_COUNCILS = 200  # councils that get generated demo officers

UPPER = {"county", "unitary", "metropolitan_borough", "london_borough", "sui_generis"}
LOWER = {"district", "unitary", "metropolitan_borough", "london_borough", "sui_generis"}
ALL = UPPER | LOWER
# Which councils run a service, so that only they say they have its problems.
AREA_COUNCIL_TYPES = {
    "adult-social-care": UPPER,
    "childrens-services": UPPER,
    "education-and-skills": UPPER,
    "highways-and-transport": UPPER,
    "libraries-and-culture": UPPER,
    "public-health": UPPER,
    "elections-and-registration": LOWER,
    "environmental-health": LOWER,
    "housing": LOWER,
    "revenues-and-benefits": LOWER,
    "waste-and-recycling": ALL,
    "planning-and-building-control": ALL,
    "corporate-it-finance-and-hr": ALL,
    "customer-services": ALL,
}

# The path a problem takes to reach a status; the last step carries the problem's own note.
STATUS_PATHS = {
    Status.NEW: [],
    Status.TRIAGED: [Status.TRIAGED],
    Status.IN_DISCOVERY: [Status.TRIAGED, Status.IN_DISCOVERY],
    Status.IN_PROGRESS: [Status.TRIAGED, Status.IN_DISCOVERY, Status.IN_PROGRESS],
    Status.SOLVED: [Status.TRIAGED, Status.IN_DISCOVERY, Status.IN_PROGRESS, Status.SOLVED],
    Status.NOT_TAKEN_FORWARD: [Status.TRIAGED, Status.NOT_TAKEN_FORWARD],
}
STEP_NOTES = CONTENT["step_notes"]  # by status
FIRST_NAMES, LAST_NAMES = CONTENT["first_names"], CONTENT["last_names"]


@dataclass(frozen=True)
class DemoProblem:
    title: str
    summary: str
    theme: str
    service_areas: tuple[str, ...]
    councils: int  # how many councils say they have it
    description: str  # Markdown, as stored
    status: str = Status.NEW
    note: str = ""  # for the last status change
    comments: tuple = ()  # text by an officer whose council voted, or {"staff": text}
    submitter: str = ""  # a demo person's email; otherwise a generated officer
    council_types: frozenset = frozenset()  # overrides the service areas' council types


def _problem(entry: dict) -> DemoProblem:
    """A problem of problems.yaml: its lists as tuples, its description unwrapped."""
    return DemoProblem(
        **{
            **entry,
            "service_areas": tuple(entry["service_areas"]),
            "council_types": frozenset(entry.get("council_types", ())),
            "comments": tuple(entry.get("comments", ())),
            "description": unwrap_markdown(entry["description"]),
        }
    )


PROBLEMS = [_problem(entry) for entry in CONTENT["problems"]]
# Submitted later by another council; merged into the first problem by institute staff.
DUPLICATE = _problem(CONTENT["duplicate"])
DUPLICATE_OF = PROBLEMS[0].title
MERGE_NOTE = CONTENT["merge_note"]
EDITED = CONTENT["edited"]
WITHDRAWN = CONTENT["withdrawn"]


# --- People --------------------------------------------------------------------------------


def _councils():
    return list(
        Organisation.objects.current()
        .councils()
        .order_by("slug")
        .only("pk", "slug", "name", "council_type")
    )


def _officer_plan(rng, councils, taken: set[str]):
    """The generated officers: (email, full name, council), the same on every run."""
    chosen = rng.sample([c for c in councils if c.slug not in taken], OFFICER_COUNCILS)
    people = []
    for council in chosen:
        extra = rng.choices((0, 1, 2), weights=(70, 24, 6))[0]
        names = set()
        for _ in range(1 + extra):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            while (first, last) in names:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            names.add((first, last))
            email = f"{first}.{last}@{council.slug}.council.test".lower()
            people.append((email, f"{first} {last}", council))
    return people


def _ensure_officers(plan) -> int:
    """Create the planned officers that do not exist yet (in bulk; one password hash)."""
    existing = set(
        User.objects.filter(email__in=[e for e, _, _ in plan]).values_list("email", flat=True)
    )
    new = [(e, n, c) for e, n, c in plan if e not in existing]
    if new:
        password = make_password(DEMO_PASSWORD)
        users = User.objects.bulk_create(
            [User(email=e, full_name=n, password=password) for e, n, _ in new]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, organisation=c, role=Role.OFFICER)
                for u, (_, _, c) in zip(users, new, strict=True)
            ]
        )
    # Sign-up with an address at the council's demo domain joins that council.
    core_services.email_domains_add(
        actor=None,
        pairs=[(council, f"{council.slug}.council.test") for _, _, council in plan],
        source="demo",
    )
    return len(new)


# --- The backlog ---------------------------------------------------------------------------


@dataclass
class Plan:
    problem: DemoProblem
    submitter: str
    voters: list  # emails, in voting order
    commenters: list  # one email per comment ("" for staff)
    age_days: float
    vote_fractions: list
    comment_fractions: list
    step_fractions: list
    votes_end_days_ago: float = 0.0  # votes stop this long ago (the duplicate was merged)


def _eligible(problem: DemoProblem) -> set[str]:
    if problem.council_types:
        return set(problem.council_types)
    return set().union(*(AREA_COUNCIL_TYPES.get(a, ALL) for a in problem.service_areas))


def _plan_problem(rng, problem, officers_by_council, council_types, index) -> Plan:
    types = _eligible(problem)
    eligible = sorted(slug for slug in officers_by_council if council_types[slug] in types)
    submitter = problem.submitter
    if submitter and submitter in {e for v in officers_by_council.values() for e in v}:
        home = next(s for s, v in officers_by_council.items() if submitter in v)
    else:
        home = None
    councils = rng.sample(eligible, min(problem.councils, len(eligible)))
    if home and home not in councils:
        councils[0] = home
    if home:
        councils.remove(home)
        councils.insert(0, home)
    if not submitter:
        submitter = officers_by_council[councils[0]][0]
    voters = []
    for slug in councils:
        people = officers_by_council[slug]
        voters.append(submitter if submitter in people else people[0])
        voters += [p for p in people if p not in voters and rng.random() < 0.4]
    commenters = []
    for comment in problem.comments:
        if isinstance(comment, dict):  # by institute staff
            commenters.append("")
        else:
            others = [v for v in voters if v != submitter] or voters
            commenters.append(rng.choice(others[:40]))
    # Popular problems have been around longer; the first few are the oldest.
    age_days = rng.uniform(20, 120) + problem.councils * rng.uniform(2.0, 4.0) + index % 5
    return Plan(
        problem=problem,
        submitter=submitter,
        voters=voters,
        commenters=commenters,
        age_days=age_days,
        vote_fractions=sorted(rng.random() ** 1.3 for _ in voters),
        comment_fractions=sorted(rng.uniform(0.05, 1.0) for _ in problem.comments),
        step_fractions=sorted(rng.uniform(0.05, 0.95) for _ in STATUS_PATHS[problem.status]),
    )


def _text(comment) -> str:
    return comment["staff"] if isinstance(comment, dict) else comment


def _create(plan: Plan, people, areas, staff_user) -> Problem:
    p = plan.problem
    problem = services.problem_submit(
        actor=people[plan.submitter],
        title=p.title,
        summary=p.summary,
        description=p.description,
        theme=p.theme,
        service_areas=[areas[a] for a in p.service_areas],
    )
    for email in plan.voters:
        services.problem_vote(actor=people[email], problem=problem)
    for email, comment in zip(plan.commenters, p.comments, strict=True):
        author = people[email] if email else staff_user
        services.comment_add(actor=author, problem=problem, body=_text(comment))
    steps = STATUS_PATHS[p.status]
    for n, status in enumerate(steps):
        last = n == len(steps) - 1
        services.problem_change_status(
            actor=staff_user,
            problem=problem,
            status=status,
            note=p.note if last and p.note else STEP_NOTES.get(status, ""),
        )
    return problem


def _backdate(problem: Problem, plan: Plan, now, rng) -> None:
    """Spread a new problem's history over the past `age_days`, in the order it happened."""
    created = now - timedelta(days=plan.age_days, minutes=rng.randint(0, 600))
    span = now - created
    steps = list(StatusChange.objects.filter(problem=problem).order_by("id"))
    step_times = [created] + [created + span * f for f in plan.step_fractions]
    closed = plan.problem.status in (Status.SOLVED, Status.NOT_TAKEN_FORWARD)
    votes_end = step_times[-1] if closed else now - timedelta(days=plan.votes_end_days_ago)
    vote_span = votes_end - created
    for change, when in zip(steps, step_times, strict=True):
        change.created_at = when
    StatusChange.objects.bulk_update(steps, ["created_at"])
    votes = list(Vote.objects.filter(cast_on=problem).order_by("id"))
    for n, (vote, fraction) in enumerate(zip(votes, plan.vote_fractions, strict=True)):
        # The submitter says their council has the problem as they submit it.
        vote.created_at = created + (timedelta(minutes=5) if n == 0 else vote_span * fraction)
    Vote.objects.bulk_update(votes, ["created_at"])
    comments = list(Comment.objects.filter(problem=problem).order_by("id"))
    for comment, fraction in zip(comments, plan.comment_fractions, strict=True):
        comment.created_at = created + span * fraction
    Comment.objects.bulk_update(comments, ["created_at"])
    times = [
        created,
        *step_times,
        *(v.created_at for v in votes),
        *(c.created_at for c in comments),
    ]
    Problem.objects.filter(pk=problem.pk).update(
        created_at=created, updated_at=step_times[-1], last_activity_at=max(times)
    )


def _edits(staff_user, areas) -> int:
    """The problems of EDITED: raised by their officer, edited by them while new, triaged if
    the entry says so, and retitled by staff with a reason. Those already there are left."""
    made = 0
    for entry in EDITED:
        if Problem.objects.filter(title=entry["staff_edit"]["title"]).exists():
            continue
        officer = core_selectors.users_with_membership(
            User.objects.filter(email=entry["submitter"])
        )[0]
        words = {key: unwrap_markdown(value) for key, value in entry["raised"].items()}
        common = {
            "theme": entry["theme"],
            "service_areas": [areas[slug] for slug in entry["service_areas"]],
        }
        problem = services.problem_submit(actor=officer, **words, **common)
        if "officer_edit" in entry:
            changed = {key: unwrap_markdown(value) for key, value in entry["officer_edit"].items()}
            words = {**words, **changed}
            services.problem_edit(actor=officer, problem=problem, **words, **common)
        if "triage_note" in entry:
            services.problem_change_status(
                actor=staff_user, problem=problem, status=Status.TRIAGED, note=entry["triage_note"]
            )
        services.problem_edit(
            actor=staff_user,
            problem=problem,
            **{**words, "title": entry["staff_edit"]["title"]},
            **common,
            reason=entry["staff_edit"]["reason"],
        )
        _edits_backdate(problem, days=entry["days_ago"])
        made += 1
    return made


def _edits_backdate(problem: Problem, *, days: int) -> None:
    """Raised `days` ago in the morning; its status changes and revisions spread over the days
    since, in the order they happened, in working hours, the last two days ago."""
    now = timezone.localtime()
    raised = (now - timedelta(days=days)).replace(hour=9, minute=40, second=0, microsecond=0)
    events = [
        *StatusChange.objects.filter(problem=problem),
        *problem.revisions.all(),
    ]
    events.sort(key=lambda event: event.created_at)
    span = max(days - 2, 1)
    times = [
        raised + timedelta(days=span * n // max(len(events) - 1, 1), hours=n * 1.5)
        for n in range(len(events))
    ]
    for event, when in zip(events, times, strict=True):
        type(event).objects.filter(pk=event.pk).update(created_at=when)
    Vote.objects.filter(cast_on=problem).update(created_at=raised)
    CouncilDemand.objects.filter(problem=problem).update(since=raised)
    last = times[-1]
    Problem.objects.filter(pk=problem.pk).update(
        created_at=raised, updated_at=last, last_activity_at=last
    )


def _withdrawal(areas) -> int:
    """WITHDRAWN: raised by its officer and withdrawn again (once; its tombstone stays)."""
    officer = core_selectors.users_with_membership(
        User.objects.filter(email=WITHDRAWN["submitter"])
    )[0]
    if WithdrawnProblem.objects.filter(withdrawn_by=officer).exists():
        return 0
    problem = services.problem_submit(
        actor=officer,
        title=WITHDRAWN["title"],
        summary=unwrap_markdown(WITHDRAWN["summary"]),
        description=unwrap_markdown(WITHDRAWN["description"]),
        theme=WITHDRAWN["theme"],
        service_areas=[areas[slug] for slug in WITHDRAWN["service_areas"]],
    )
    services.problem_withdraw(actor=officer, problem=problem)
    return 1


@transaction.atomic
def seed() -> dict:
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    staff_user = User.objects.get(email=STAFF_EMAIL)
    councils = _councils()
    by_slug = {c.slug: c for c in councils}
    # The demo officers from institute.demo speak for their own councils.
    demo_officers = {}
    for email, _, slug, role, _ in DEMO_PEOPLE:
        if role == Role.OFFICER and slug in by_slug:
            demo_officers.setdefault(slug, []).append(email)
    plan = _officer_plan(rng, councils, taken=set(demo_officers))
    officers_created = _ensure_officers(plan)

    officers_by_council = {slug: sorted(emails) for slug, emails in demo_officers.items()}
    for email, _, council in plan:
        officers_by_council.setdefault(council.slug, []).append(email)
    council_types = {slug: by_slug[slug].council_type for slug in officers_by_council}
    plans = [
        _plan_problem(rng, p, officers_by_council, council_types, n)
        for n, p in enumerate([*PROBLEMS, DUPLICATE])
    ]
    # The duplicate was submitted recently, after the problem it repeats.
    plans[-1].age_days = 12.0
    plans[-1].votes_end_days_ago = 3.5
    backdate_rng = random.Random(rng.random())  # noqa: S311

    existing = set(
        Problem.objects.filter(title__in=[p.problem.title for p in plans]).values_list(
            "title", flat=True
        )
    )
    todo = [p for p in plans if p.problem.title not in existing]
    emails = {p.submitter for p in todo} | {e for p in todo for e in p.voters + p.commenters}
    people = {
        u.email: u
        for u in core_selectors.users_with_membership(User.objects.filter(email__in=emails - {""}))
    }
    areas = {a.slug: a for a in ServiceArea.objects.all()}
    now = timezone.now()
    created = {}
    for plan_ in todo:
        created[plan_.problem.title] = problem = _create(plan_, people, areas, staff_user)
        _backdate(problem, plan_, now, backdate_rng)

    merged = 0
    source = Problem.objects.filter(title=DUPLICATE.title).first()
    target = Problem.objects.filter(title=DUPLICATE_OF).first()
    if source and target and source.status != Status.MERGED and DUPLICATE.title in created:
        merge = services.problem_merge(
            actor=staff_user, source=source, target=target, note=MERGE_NOTE
        )
        when = now - timedelta(days=3)
        Merge.objects.filter(pk=merge.pk).update(created_at=when)
        StatusChange.objects.filter(problem=source, to_status=Status.MERGED).update(created_at=when)
        Problem.objects.filter(pk=source.pk).update(updated_at=when)
        Problem.objects.filter(pk=target.pk).update(
            last_activity_at=max(target.last_activity_at, when)
        )
        merged = 1

    if created:
        ids = [p.pk for p in created.values()] + ([target.pk] if target else [])
        with connection.cursor() as cursor:
            # Each council's "since" is its first vote, now that votes have their real dates.
            cursor.execute(
                """
                UPDATE backlog_councildemand d SET since = v.first
                FROM (
                    SELECT problem_id, organisation_id, min(created_at) AS first
                    FROM backlog_vote WHERE problem_id = ANY(%s)
                    GROUP BY problem_id, organisation_id
                ) v
                WHERE d.problem_id = v.problem_id AND d.organisation_id = v.organisation_id
                """,
                [ids],
            )
        services.trending_refresh()

    edited = _edits(staff_user, areas)
    withdrawn = _withdrawal(areas)
    return {
        "officers_created": officers_created,
        "edited_problems_created": edited,
        "problems_withdrawn": withdrawn,
        "problems_created": len(created),
        "problems": Problem.objects.count(),
        "votes": Vote.objects.count(),
        "merged": merged,
    }
