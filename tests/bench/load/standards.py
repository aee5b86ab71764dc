"""Sector-scale standards data and digest readers for benchmarks (issue #7):

    python -m tests.bench.load standards [--users 10000] [--history 3] [--reset | --skip-if-loaded]

Standards. Eight synthetic standards (the demo standards' text, slugs starting "scale-"), each
with a published version of ordered criteria; the first also has a version 2 published 30 days
ago, so assessments of version 1 still count during its grace period. Then every current council
(317) gets self-assessments in a realistic mix: most councils assess most standards, some
several times over the years (older ones expired), the latest one submitted, verified or
challenged and green, amber or red from its answers (computed as the standards app does), some
expiring or expired, and some councils with an assessment in progress. Every assessment has an
answer per criterion (work in progress: some answered). Written with bulk_create in big batches.

Digest readers (`--users N`, 0 to skip). At least N active people with a membership of a
council, all with e-mail addresses ending ".scale.test" (the officers of problems.py count;
"reader.N@<council>.scale.test" people are added for the rest, loaded with COPY); each follows
some problems, about half chose a daily or weekly digest for some kinds, and each has unread
notifications from the last six days that are not yet e-mailed, at least one of them due in
the weekly digest, so a digest run has real work for every one of them.

Synthetic rows are marked so `--reset` finds them: standards by their "scale-" slug (with their
versions, criteria, assessments and answers), notifications by a key starting "scale:", and the
readers by their address. `--reset` deletes them first; `--skip-if-loaded` does nothing when
they are there already. Without either, a second run stops with an error rather than doubling
the data. Meant for a benchmark database (`make bench`), never a shared one.
"""

import random
import time
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from psycopg import sql

from tests.bench.load.bulkload import copy_rows

SLUG_PREFIX = "scale-"
SCALE_SUFFIX = ".scale.test"
SCALE_LIKE = "%" + SCALE_SUFFIX
READER_LIKE = "reader.%" + SCALE_SUFFIX
NOTIFICATION_PREFIX = "scale:"
UNUSABLE_PASSWORD = "!seed-scale-no-sign-in"  # noqa: S105  (a leading "!" never matches)
BATCH = 5000

# Share of councils that take part in each standard (in the order of standards.demo.STANDARDS),
# before each council's own maturity moves it up or down.
ENGAGEMENT = [0.9, 0.75, 0.8, 0.6, 0.65, 0.75, 0.55, 0.7]
LATEST_STATUS = [("submitted", 40), ("verified", 45), ("challenged", 15)]
EARLIER_STATUS = [("verified", 75), ("submitted", 25)]
EVIDENCE = [
    "Annual review report signed off by the digital board.",
    "Internal audit findings and the action plan that followed.",
    "Test results from our last release, kept on the team site.",
    "Policy approved by cabinet, with the monitoring figures.",
    "Supplier contract schedule and the exit plan.",
]
CHALLENGE_NOTE = "The evidence link does not open. Please attach the report itself."
NOT_APPLICABLE_REASON = "We do not provide this service ourselves."

# Digest readers: which kinds they hear about and how (see institute.digests.KINDS).
WEEKLY_KINDS = ["problem_status", "centre_project", "centre_learning", "component_retired"]
DAILY_KINDS = ["problem_comment"]
PREFERENCE_CHOICES = [  # (kind, cadence, share of people who chose it)
    ("problem_status", "daily", 0.25),
    ("problem_comment", "weekly", 0.2),
    ("centre_learning", "daily", 0.1),
    ("component_retired", "off", 0.1),
    ("problem_solved", "weekly", 0.1),
]
TYPE_WEIGHTS = {"county": 5, "metropolitan_borough": 4, "unitary": 4, "london_borough": 3}


# --- Small helpers -----------------------------------------------------------------------------


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _current_councils():
    from institute.models import Organisation

    return list(
        Organisation.objects.current()
        .councils()
        .order_by("pk")
        .values_list("pk", "slug", "council_type")
    )


def _sweep_references(cursor, table: str, temp: str, skip: set[str]):
    """Whatever else points at rows of `table` whose ids are in `temp`: cleared where the
    column may be empty, deleted otherwise (tables in `skip` were handled already)."""
    cursor.execute(
        """
        SELECT t.relname, a.attname, NOT a.attnotnull
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = %s::regclass
        """,
        [table],
    )
    for ref_table, column, nullable in cursor.fetchall():
        if ref_table in skip:
            continue
        statement = sql.SQL(
            "UPDATE {t} SET {c} = NULL WHERE {c} IN (SELECT id FROM {temp})"
            if nullable
            else "DELETE FROM {t} WHERE {c} IN (SELECT id FROM {temp})"
        )
        cursor.execute(
            statement.format(
                t=sql.Identifier(ref_table), c=sql.Identifier(column), temp=sql.Identifier(temp)
            )
        )


# --- What is loaded ----------------------------------------------------------------------------


def standards_loaded() -> tuple[int, int]:
    """(synthetic standards, their assessments)."""
    from standards.models import Assessment, Standard

    return (
        Standard.objects.filter(slug__startswith=SLUG_PREFIX).count(),
        Assessment.objects.filter(standard__slug__startswith=SLUG_PREFIX).count(),
    )


def readers_loaded() -> int:
    """People with synthetic notifications (the digest readers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT recipient_id) FROM institute_notification WHERE key LIKE %s",
            [NOTIFICATION_PREFIX + "%"],
        )
        return cursor.fetchone()[0]


# --- Reset -------------------------------------------------------------------------------------


def standards_reset(cursor) -> None:
    """Delete the synthetic standards and everything hanging off them."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("DROP TABLE IF EXISTS scale_std, scale_ver, scale_crit, scale_ass")
    cursor.execute(
        "CREATE TEMP TABLE scale_std AS SELECT id FROM standards_standard WHERE slug LIKE %s",
        [SLUG_PREFIX + "%"],
    )
    cursor.execute(
        "CREATE TEMP TABLE scale_ver AS SELECT id FROM standards_standardversion "
        "WHERE standard_id IN (SELECT id FROM scale_std)"
    )
    cursor.execute(
        "CREATE TEMP TABLE scale_crit AS SELECT id FROM standards_criterion "
        "WHERE version_id IN (SELECT id FROM scale_ver)"
    )
    cursor.execute(
        "CREATE TEMP TABLE scale_ass AS SELECT id FROM standards_assessment WHERE "
        "standard_id IN (SELECT id FROM scale_std) OR version_id IN (SELECT id FROM scale_ver)"
    )
    for temp in ("scale_std", "scale_ver", "scale_crit", "scale_ass"):
        cursor.execute(f"ALTER TABLE {temp} ADD PRIMARY KEY (id)")
    cursor.execute(
        "DELETE FROM standards_auditrating WHERE audit_id IN (SELECT id FROM standards_audit "
        "WHERE assessment_id IN (SELECT id FROM scale_ass)) "
        "OR criterion_id IN (SELECT id FROM scale_crit)"
    )
    cursor.execute("DELETE FROM standards_audit WHERE assessment_id IN (SELECT id FROM scale_ass)")
    cursor.execute("DELETE FROM standards_answer WHERE assessment_id IN (SELECT id FROM scale_ass)")
    cursor.execute(
        "DELETE FROM standards_remindersend WHERE assessment_id IN (SELECT id FROM scale_ass) "
        "OR version_id IN (SELECT id FROM scale_ver)"
    )
    cursor.execute(
        "UPDATE standards_assessment SET carried_from_id = NULL "
        "WHERE carried_from_id IN (SELECT id FROM scale_ass)"
    )
    _sweep_references(
        cursor,
        "standards_assessment",
        "scale_ass",
        {"standards_audit", "standards_answer", "standards_assessment"},
    )
    cursor.execute("DELETE FROM standards_assessment WHERE id IN (SELECT id FROM scale_ass)")
    _sweep_references(
        cursor,
        "standards_criterion",
        "scale_crit",
        {"standards_auditrating", "standards_answer"},
    )
    cursor.execute("DELETE FROM standards_criterion WHERE id IN (SELECT id FROM scale_crit)")
    cursor.execute(
        "UPDATE standards_standard SET current_version_id = NULL, previous_version_id = NULL "
        "WHERE id IN (SELECT id FROM scale_std)"
    )
    _sweep_references(
        cursor,
        "standards_standardversion",
        "scale_ver",
        {"standards_assessment", "standards_criterion", "standards_standard"},
    )
    cursor.execute("DELETE FROM standards_standardversion WHERE id IN (SELECT id FROM scale_ver)")
    _sweep_references(
        cursor,
        "standards_standard",
        "scale_std",
        {"standards_assessment", "standards_standardversion"},
    )
    cursor.execute(
        "DELETE FROM sector_metricsnapshot WHERE metric IN "
        "(SELECT 'standard:' || id FROM scale_std)"
    )
    cursor.execute("DELETE FROM standards_standard WHERE id IN (SELECT id FROM scale_std)")
    cursor.execute("DROP TABLE scale_std, scale_ver, scale_crit, scale_ass")


def readers_reset(cursor) -> None:
    """Delete the synthetic notifications, follows, preferences and digest rows of scale people,
    and the readers this loader added (the officers of problems.py stay)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("DROP TABLE IF EXISTS scale_people, scale_readers, scale_notes")
    cursor.execute(
        "CREATE TEMP TABLE scale_people AS SELECT id FROM institute_user WHERE email LIKE %s",
        [SCALE_LIKE],
    )
    cursor.execute(
        "CREATE TEMP TABLE scale_readers AS SELECT id FROM institute_user WHERE email LIKE %s",
        [READER_LIKE],
    )
    cursor.execute(
        "CREATE TEMP TABLE scale_notes AS SELECT id FROM institute_notification WHERE key LIKE %s",
        [NOTIFICATION_PREFIX + "%"],
    )
    for temp in ("scale_people", "scale_readers", "scale_notes"):
        cursor.execute(f"ALTER TABLE {temp} ADD PRIMARY KEY (id)")
    cursor.execute(
        "DELETE FROM institute_notificationemail WHERE notification_id IN "
        "(SELECT id FROM scale_notes) OR outbox_id IN (SELECT id FROM institute_outboxemail "
        "WHERE recipient_id IN (SELECT id FROM scale_people))"
    )
    cursor.execute("DELETE FROM institute_notification WHERE id IN (SELECT id FROM scale_notes)")
    cursor.execute(
        "DELETE FROM institute_outboxemail WHERE recipient_id IN (SELECT id FROM scale_people)"
    )
    for table in ("institute_notificationpreference", "backlog_follow"):
        cursor.execute(
            sql.SQL("DELETE FROM {} WHERE user_id IN (SELECT id FROM scale_people)").format(
                sql.Identifier(table)
            )
        )
    _sweep_references(cursor, "institute_user", "scale_readers", set())
    cursor.execute("DELETE FROM institute_user WHERE id IN (SELECT id FROM scale_readers)")
    cursor.execute("DROP TABLE scale_people, scale_readers, scale_notes")


# --- Standards ---------------------------------------------------------------------------------


def _create_standards(now) -> list:
    """The synthetic standards, versions and criteria (reused when they exist)."""
    from institute.markdown import render_markdown
    from institute.models import Organisation, OrganisationKind
    from standards.demo import STANDARDS
    from standards.models import Criterion, Standard, StandardVersion, VersionStatus

    owner = Organisation.objects.filter(kind=OrganisationKind.INSTITUTE).order_by("pk").first()
    if owner is None:
        raise CommandError("No institute organisation: run the migrations first.")
    today = timezone.localdate(now)
    made = []
    for index, demo in enumerate(STANDARDS):
        title = demo["title"]
        slug = SLUG_PREFIX + slugify(title)
        standard = Standard.objects.filter(slug=slug).first()
        if standard is not None:
            made.append(standard)
            continue
        if Standard.objects.filter(title=title).exists():  # the demo's own: keep them apart
            title = f"{title} (scale data)"
        standard = Standard.objects.create(
            title=title,
            slug=slug,
            category=demo["category"],
            owner=owner,
            summary=demo["summary"],
            council_types=demo["council_types"],
            created_at=now - timedelta(days=900),
        )
        notes = "First version, written with councils at three workshops."
        v1 = StandardVersion.objects.create(
            standard=standard,
            number=1,
            status=VersionStatus.PUBLISHED,
            change_notes=notes,
            change_notes_html=render_markdown(notes),
            review_period_months=12,
            published_at=now - timedelta(days=880),
            created_at=now - timedelta(days=900),
        )
        old = Criterion.objects.bulk_create(
            [
                Criterion(
                    version=v1,
                    position=position,
                    code=criterion["code"],
                    title=criterion["title"],
                    guidance=criterion["guidance"],
                    guidance_html=render_markdown(criterion["guidance"]),
                    mandatory=criterion["mandatory"],
                )
                for position, criterion in enumerate(demo["criteria"], 1)
            ]
        )
        standard.current_version = v1
        if index == 0:
            # Version 2: every criterion carried over, plus a new optional one.
            v1.status = VersionStatus.SUPERSEDED
            v1.superseded_at = now - timedelta(days=30)
            v1.save(update_fields=["status", "superseded_at"])
            notes = "A new optional criterion on saving progress."
            v2 = StandardVersion.objects.create(
                standard=standard,
                number=2,
                status=VersionStatus.PUBLISHED,
                based_on=v1,
                change_notes=notes,
                change_notes_html=render_markdown(notes),
                review_period_months=12,
                published_at=now - timedelta(days=30),
                created_at=now - timedelta(days=60),
            )
            extra = {
                "code": "X9",
                "title": "People can save a long form and come back to it",
                "guidance": "",
                "mandatory": False,
            }
            new = Criterion.objects.bulk_create(
                [
                    Criterion(
                        version=v2,
                        position=position,
                        code=criterion["code"],
                        title=criterion["title"],
                        guidance=criterion["guidance"],
                        guidance_html=render_markdown(criterion["guidance"]),
                        mandatory=criterion["mandatory"],
                    )
                    for position, criterion in enumerate([*demo["criteria"], extra], 1)
                ]
            )
            Criterion.predecessors.through.objects.bulk_create(
                [
                    Criterion.predecessors.through(from_criterion=n, to_criterion=o)
                    for n, o in zip(new, old, strict=False)
                ]
            )
            standard.previous_version = v1
            standard.current_version = v2
            standard.grace_until = today + timedelta(days=90)
        standard.save(update_fields=["current_version", "previous_version", "grace_until"])
        made.append(standard)
    return made


def seed_standards(*, rng: random.Random, now, history: int = 3) -> dict:
    """Self-assessments of the synthetic standards by every current council (see module)."""
    from standards.models import Answer, Assessment, Criterion, Rating, StandardVersion
    from standards.services import assessment_result

    standards = _create_standards(now)
    councils = _current_councils()
    if not councils:
        raise CommandError("No current councils: run the migrations first.")
    versions = {
        v.pk: v
        for v in StandardVersion.objects.filter(
            standard__in=standards, status__in=["published", "superseded"]
        )
    }
    criteria: dict[int, list] = {}
    for c in Criterion.objects.filter(version_id__in=versions).order_by("position", "id"):
        criteria.setdefault(c.version_id, []).append(c)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (m.organisation_id) m.organisation_id, u.id FROM institute_user u "
            "JOIN institute_membership m ON m.user_id = u.id WHERE u.email LIKE %s "
            "ORDER BY m.organisation_id, u.id",
            [SCALE_LIKE],
        )
        lead = dict(cursor.fetchall())
        cursor.execute(
            "SELECT id FROM institute_user WHERE email = %s", ["staff@institute" + SCALE_SUFFIX]
        )
        row = cursor.fetchone()
    reviewer = row[0] if row else None

    assessments: list[Assessment] = []
    answers: list[list[Answer]] = []

    def answer_rows(version_id, weights, *, day, partial=False):
        rows = []
        for criterion in criteria[version_id]:
            if partial and rng.random() < 0.4:
                continue
            rating = _pick(rng, weights)
            reason = ""
            if rating == Rating.NOT_APPLICABLE:
                reason = NOT_APPLICABLE_REASON
            complete = not (partial and rng.random() < 0.3)
            rows.append(
                Answer(
                    criterion=criterion,
                    rating=rating if complete or rng.random() < 0.5 else "",
                    reason=reason,
                    evidence=rng.choice(EVIDENCE),
                    evidence_url=f"https://evidence.example/{criterion.code.lower()}",
                    evidence_date=day - timedelta(days=rng.randint(5, 60)),
                    complete=complete,
                    updated_at=now - timedelta(days=max(0, (timezone.localdate(now) - day).days)),
                )
            )
        return rows

    for org_id, _slug, council_type in councils:
        maturity = rng.betavariate(2.5, 1.5)
        weights = [
            (Rating.MET, 0.55 + 0.4 * maturity),
            (Rating.PARTLY, 0.05 + 0.25 * (1 - maturity)),
            (Rating.NOT_MET, 0.02 + 0.2 * (1 - maturity)),
            (Rating.NOT_APPLICABLE, 0.03),
        ]
        person = lead.get(org_id)
        for index, standard in enumerate(standards):
            if standard.council_types and council_type not in standard.council_types:
                continue
            engaged = rng.random() < min(
                0.97, ENGAGEMENT[index % len(ENGAGEMENT)] * (0.6 + 0.6 * maturity)
            )
            latest_status = _pick(rng, LATEST_STATUS)
            open_chance = 0.12
            if engaged:
                cycles = min(history, rng.choice([1, 1, 2, 2, 3]))
                # The latest submission: mostly valid, some expiring soon, some expired.
                bucket = rng.random()
                if bucket < 0.65:
                    first = rng.randint(5, 320)
                elif bucket < 0.8:
                    first = rng.randint(320, 365)
                else:
                    first = rng.randint(366, 540)
                if first > 320 and latest_status != "challenged":
                    open_chance = 0.5
                for cycle in range(cycles):
                    days_ago = first + 365 * cycle + rng.randint(-20, 20) * (cycle > 0)
                    if days_ago > 870:
                        break
                    version_id = standard.current_version_id
                    if standard.previous_version_id and days_ago > 30:
                        version_id = standard.previous_version_id
                    status = latest_status if cycle == 0 else _pick(rng, EARLIER_STATUS)
                    submitted = now - timedelta(days=days_ago, seconds=rng.randint(0, 86_000))
                    day = timezone.localdate(submitted)
                    rows = answer_rows(version_id, weights, day=day)
                    result = assessment_result([(a.criterion.mandatory, a.rating) for a in rows])
                    reviewed = None
                    if status != "submitted":
                        reviewed = min(now, submitted + timedelta(days=rng.randint(3, 20)))
                    assessments.append(
                        Assessment(
                            standard=standard,
                            version_id=version_id,
                            organisation_id=org_id,
                            status=status,
                            result=result,
                            started_by_id=person,
                            started_at=submitted - timedelta(days=rng.randint(2, 30)),
                            submitted_at=submitted,
                            submitted_by_id=person,
                            valid_until=day + relativedelta(months=12),
                            reviewed_at=reviewed,
                            reviewed_by_id=reviewer if reviewed else None,
                            review_note=CHALLENGE_NOTE if status == "challenged" else "",
                        )
                    )
                    answers.append(rows)
            if latest_status == "challenged" and engaged:
                continue  # a challenged assessment is the council's open one
            if rng.random() < open_chance:
                started = now - timedelta(days=rng.randint(1, 60))
                version_id = standard.current_version_id
                assessments.append(
                    Assessment(
                        standard=standard,
                        version_id=version_id,
                        organisation_id=org_id,
                        status="in_progress",
                        started_by_id=person,
                        started_at=started,
                    )
                )
                answers.append(
                    answer_rows(version_id, weights, day=timezone.localdate(started), partial=True)
                )

    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    flat = []
    for assessment, rows in zip(assessments, answers, strict=True):
        for a in rows:
            a.assessment_id = assessment.pk
            flat.append(a)
    Answer.objects.bulk_create(flat, batch_size=BATCH)
    return {"standards": len(standards), "assessments": len(assessments), "answers": len(flat)}


# --- Digest readers ----------------------------------------------------------------------------


def _people(cursor) -> list[tuple[int, int]]:
    """(user, council) of active scale people with a council membership, oldest first."""
    cursor.execute(
        """
        SELECT u.id, m.organisation_id FROM institute_user u
        JOIN institute_membership m ON m.user_id = u.id
        JOIN institute_organisation o ON o.id = m.organisation_id AND o.kind = 'council'
        WHERE u.email LIKE %s AND u.is_active ORDER BY u.id
        """,
        [SCALE_LIKE],
    )
    return cursor.fetchall()


def _add_readers(cursor, rng, missing: int, now) -> None:
    councils = _current_councils()
    if not councils:
        raise CommandError("No current councils: run the migrations first.")
    weights = [TYPE_WEIGHTS.get(t, 1) * rng.lognormvariate(0, 0.5) for _, _, t in councils]
    assigned = rng.choices(councils, weights=weights, k=missing)
    cursor.execute("SELECT count(*) FROM institute_user WHERE email LIKE %s", [READER_LIKE])
    start = cursor.fetchone()[0]
    first_names = ["Alex", "Sam", "Priya", "Tom", "Aisha", "Joe", "Mei", "Ravi", "Kate", "Ola"]
    last_names = ["Smith", "Khan", "Jones", "Patel", "Brown", "Taylor", "Ahmed", "Wilson"]
    rows = []
    for n, (_pk, slug, _type) in enumerate(assigned, start=start):
        first, last = rng.choice(first_names), rng.choice(last_names)
        login = None
        if rng.random() < 0.6:  # most signed in lately: the engagement panel has something
            login = now - timedelta(days=rng.randint(0, 200), seconds=rng.randint(0, 86_000))
        rows.append((f"reader.{n}@{slug}{SCALE_SUFFIX}", f"{first} {last}", login))
    copy_rows(
        cursor,
        "COPY institute_user (password, is_superuser, is_staff, is_active, date_joined, "
        "last_login, email, full_name) FROM STDIN",
        (
            (UNUSABLE_PASSWORD, "f", "f", "t", now.isoformat(), login, e, name)
            for e, name, login in rows
        ),
    )
    cursor.execute(
        "SELECT email, id FROM institute_user WHERE email = ANY(%s)", [[e for e, _, _ in rows]]
    )
    ids = dict(cursor.fetchall())
    copy_rows(
        cursor,
        "COPY institute_membership (role, created_at, user_id, organisation_id) FROM STDIN",
        (
            ("officer", now.isoformat(), ids[email], council[0])
            for (email, _, _), council in zip(rows, assigned, strict=True)
        ),
    )


def seed_readers(*, users: int, rng: random.Random, now) -> dict:
    """At least `users` scale people, each with follows, some preferences and notifications
    due in their digests (see the module docstring)."""
    with connection.cursor() as cursor:
        people = _people(cursor)
        if len(people) < users:
            _add_readers(cursor, rng, users - len(people), now)
            people = _people(cursor)
        people = people[:users]
        cursor.execute(
            "SELECT id, title FROM backlog_problem WHERE status NOT IN ('merged', 'solved') "
            "ORDER BY id"
        )
        problems = cursor.fetchall()
        problems = rng.sample(problems, min(len(problems), 20_000))
        if not problems:
            raise CommandError(
                "No problems to follow: run `python -m tests.bench.load problems` first."
            )
        stamp = now.isoformat()
        follows, preferences, notes = [], [], []
        for user_id, _org in people:
            followed = rng.sample(problems, min(len(problems), rng.choice([0, 1, 2, 3, 5, 8])))
            for pid, _title in followed:
                follows.append((stamp, user_id, pid))
            chosen = {}
            for kind, cadence, share in PREFERENCE_CHOICES:
                if rng.random() < share:
                    chosen[kind] = cadence
                    preferences.append((kind, cadence, stamp, user_id))
            weekly = [k for k in WEEKLY_KINDS if chosen.get(k, "weekly") == "weekly"]
            weekly += [k for k, c in chosen.items() if c == "weekly" and k not in weekly]
            kinds = [*WEEKLY_KINDS, *DAILY_KINDS, "problem_solved"]
            count = min(25, int(rng.paretovariate(1.3)))
            pool = followed or [rng.choice(problems)]
            for j in range(count + 1):
                kind = rng.choice(weekly) if j == 0 else rng.choice(kinds)
                pid, title = rng.choice(pool)
                age = timedelta(seconds=rng.randint(60, 6 * 86_400))
                read = now - age / 2 if j and rng.random() < 0.1 else None
                notes.append(
                    (
                        kind,
                        f"{NOTIFICATION_PREFIX}{kind}:{pid}:{j}",
                        _note_title(kind, title),
                        "",
                        f"/problems/{pid}/",
                        (now - age).isoformat(),
                        read.isoformat() if read else None,
                        user_id,
                    )
                )
        n_follows = copy_rows(
            cursor, "COPY backlog_follow (created_at, user_id, problem_id) FROM STDIN", follows
        )
        n_preferences = copy_rows(
            cursor,
            "COPY institute_notificationpreference (kind, cadence, updated_at, user_id) FROM STDIN",
            preferences,
        )
        n_notes = copy_rows(
            cursor,
            "COPY institute_notification (kind, key, title, body, url, created_at, read_at, "
            "recipient_id) FROM STDIN",
            notes,
        )
    return {
        "people": len(people),
        "follows": n_follows,
        "preferences": n_preferences,
        "notifications": n_notes,
    }


def _note_title(kind: str, problem_title: str) -> str:
    text = {
        "problem_status": "“{t}” is now in discovery",
        "problem_solved": "“{t}” is now solved",
        "problem_comment": "A council officer commented on “{t}”",
        "centre_project": "A centre is working on a problem you follow: “{t}”",
        "centre_learning": "New learning on a problem you follow: “{t}”",
        "component_retired": "A component your council uses is retired (about “{t}”)",
    }[kind]
    return text.format(t=problem_title)[:300]


# --- The command -------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Synthetic self-assessments for every council, and digest readers, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, default=10_000, help="digest readers to ensure (0: none)"
        )
        parser.add_argument(
            "--history", type=int, default=3, help="at most this many submitted cycles each"
        )
        parser.add_argument("--seed", type=int, default=2027)
        parser.add_argument("--reset", action="store_true", help="delete earlier scale data first")
        parser.add_argument(
            "--skip-if-loaded", action="store_true", help="do nothing for parts already loaded"
        )
        parser.add_argument("--no-analyze", action="store_true")

    def handle(self, *args, users, history, seed, reset, skip_if_loaded, no_analyze, **options):
        if users < 0 or history < 1:
            raise CommandError("--users must not be negative and --history must be at least 1")
        rng = random.Random(seed)  # noqa: S311  (synthetic data)
        now = timezone.now()
        started = time.monotonic()
        with connection.cursor() as cursor:
            if reset:
                with transaction.atomic():
                    standards_reset(cursor)
                    readers_reset(cursor)
                self.stdout.write(f"  reset: {time.monotonic() - started:.2f} s")

            n_standards, n_assessments = standards_loaded()
            if n_assessments and skip_if_loaded:
                self.stdout.write(
                    f"Scale standards already loaded ({n_standards} standards, "
                    f"{n_assessments} assessments); skipping them."
                )
            elif n_assessments:
                raise CommandError(
                    "Scale standards are loaded already: use --reset or --skip-if-loaded."
                )
            else:
                step = time.monotonic()
                with transaction.atomic():
                    result = seed_standards(rng=rng, now=now, history=history)
                self.stdout.write(f"  standards: {result} in {time.monotonic() - step:.2f} s")

            if users:
                loaded = readers_loaded()
                if loaded >= users and skip_if_loaded:
                    self.stdout.write(f"{loaded} digest readers already loaded; skipping them.")
                elif loaded and not skip_if_loaded:
                    raise CommandError(
                        "Digest readers are loaded already: use --reset or --skip-if-loaded."
                    )
                else:
                    step = time.monotonic()
                    with transaction.atomic():
                        if loaded:  # fewer than asked for: make them again, all of them
                            readers_reset(cursor)
                        result = seed_readers(users=users, rng=rng, now=now)
                    self.stdout.write(f"  readers: {result} in {time.monotonic() - step:.2f} s")

            if not no_analyze:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale standards and readers ready ({time.monotonic() - started:.1f} s)"
            )
        )
