"""A large synthetic backlog for benchmarks:

    python -m tests.bench.load problems --problems N --votes M [--reset | --skip-if-loaded]

Loads with PostgreSQL COPY (psycopg 3) into temporary staging tables, then moves the rows into
the real tables with set-based SQL in one transaction:

- synthetic officers (users and officer memberships) spread over every current council, with
  addresses ending in ".scale.test" so the data can be found and removed (`--reset`);
- problems with titles, summaries and descriptions combined from word lists, so that full-text
  and trigram search behave as on a real backlog; themes, statuses, service areas, a timeline
  row per status change, some merges and some comments;
- votes (each by a distinct officer per problem, for the officer's council), then CouncilDemand
  grouped from the Vote rows and the problems' counters (vote_count, council_count,
  trending_count) counted from those rows, so the counters equal the rows exactly.

For speed, the secondary indexes and foreign keys of the tables being loaded are dropped for
the load and created again before the commit (re-adding a foreign key validates every row in
one query). Everything happens in one transaction: if any step fails, nothing changes.
Finally VACUUM ANALYZE refreshes the loaded tables' statistics and visibility map, and ANALYZE
the statistics of every other table.

Meant for a benchmark database (`make bench` uses institute_bench), not for a shared one: the
tables being loaded are locked for the length of the load.
"""

import html
import random
import time
from contextlib import contextmanager
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from backlog.models import Status
from backlog.services import TRENDING_WINDOW
from institute.history import TRACKED_TABLES, history_triggers_disabled
from tests.bench.load import vocabulary as vocab
from tests.bench.load.bulkload import copy_lines, tsv

SCALE_SUFFIX = ".scale.test"  # officers: first.last.N@<council-slug>.scale.test
SCALE_LIKE = "%" + SCALE_SUFFIX
STAFF_EMAIL = "staff@institute" + SCALE_SUFFIX
UNUSABLE_PASSWORD = "!seed-scale-no-sign-in"  # noqa: S105  (a leading "!" never matches)

LOADED_TABLES = [
    "backlog_problem",
    "backlog_vote",
    "backlog_councildemand",
    "backlog_problem_service_areas",
    "backlog_statuschange",
    "backlog_comment",
    "backlog_merge",
]

MAX_AGE_S = 3 * 365 * 24 * 3600
STATUS_WEIGHTS = [
    (Status.NEW, 50),
    (Status.TRIAGED, 25),
    (Status.IN_DISCOVERY, 6),
    (Status.IN_PROGRESS, 5),
    (Status.SOLVED, 5),
    (Status.NOT_TAKEN_FORWARD, 5),
    (Status.MERGED, 4),
]
STATUS_NOTES = {
    Status.TRIAGED: "Checked and tagged; open for councils to add their demand.",
    Status.IN_DISCOVERY: "A discovery with volunteer councils is starting.",
    Status.IN_PROGRESS: "Work is under way with a lead council.",
    Status.SOLVED: "Solved: see the linked component and learning.",
    Status.NOT_TAKEN_FORWARD: "Not taken forward: covered by existing national work.",
}
# Council types with more officers on the platform (bigger organisations).
OFFICER_WEIGHTS = {
    "county": 5,
    "metropolitan_borough": 4,
    "unitary": 4,
    "london_borough": 3,
    "district": 1,
    "sui_generis": 1,
}


def _paragraphs_html(paragraphs) -> str:
    """What render_markdown makes of plain paragraphs (no Markdown markup in generated text)."""
    return "\n".join(f'<p class="govuk-body">{html.escape(p, quote=False)}</p>' for p in paragraphs)


class Command(BaseCommand):
    help = "Generate a large synthetic backlog (COPY + set-based SQL) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--problems", type=int, default=100_000)
        parser.add_argument("--votes", type=int, default=1_000_000)
        parser.add_argument("--officers", type=int, default=3_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="delete earlier scale data first")
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="do nothing if at least this many scale problems and votes exist",
        )
        parser.add_argument("--no-vacuum", action="store_true")

    # --- helpers ------------------------------------------------------------------------------

    def _step(self, label, started):
        self.stdout.write(f"  {label:<44} {time.monotonic() - started:7.2f} s")
        self.timings[label] = time.monotonic() - started
        return time.monotonic()

    def _scale_counts(self, cursor):
        cursor.execute(
            """
            SELECT count(*), coalesce(sum(p.vote_count), 0)
            FROM backlog_problem p JOIN institute_user u ON u.id = p.submitted_by_id
            WHERE u.email LIKE %s
            """,
            [SCALE_LIKE],
        )
        return cursor.fetchone()

    # --- reset --------------------------------------------------------------------------------

    def _reset(self, cursor):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP TABLE IF EXISTS scale_users, scale_problems")
        cursor.execute(
            "CREATE TEMP TABLE scale_users AS SELECT id FROM institute_user WHERE email LIKE %s",
            [SCALE_LIKE],
        )
        cursor.execute(
            """
            CREATE TEMP TABLE scale_problems AS
            SELECT id FROM backlog_problem WHERE submitted_by_id IN (SELECT id FROM scale_users)
            """
        )
        cursor.execute("ALTER TABLE scale_users ADD PRIMARY KEY (id)")
        cursor.execute("ALTER TABLE scale_problems ADD PRIMARY KEY (id)")
        cursor.execute("ANALYZE scale_users")
        cursor.execute("ANALYZE scale_problems")
        # Temporary tables of the ids: each statement names them, no values are interpolated.
        statements = [
            """DELETE FROM backlog_commentreport
               WHERE reporter_id IN (SELECT id FROM scale_users) OR comment_id IN (
                   SELECT id FROM backlog_comment
                   WHERE problem_id IN (SELECT id FROM scale_problems)
                      OR author_id IN (SELECT id FROM scale_users))""",
            """DELETE FROM backlog_comment WHERE problem_id IN (SELECT id FROM scale_problems)
                  OR author_id IN (SELECT id FROM scale_users)""",
            """DELETE FROM backlog_follow WHERE problem_id IN (SELECT id FROM scale_problems)
                  OR user_id IN (SELECT id FROM scale_users)""",
            """DELETE FROM backlog_vote WHERE problem_id IN (SELECT id FROM scale_problems)
                  OR cast_on_id IN (SELECT id FROM scale_problems)
                  OR user_id IN (SELECT id FROM scale_users)""",
            """DELETE FROM backlog_councildemand
               WHERE problem_id IN (SELECT id FROM scale_problems)""",
            """DELETE FROM backlog_statuschange
               WHERE problem_id IN (SELECT id FROM scale_problems)""",
            """DELETE FROM backlog_merge WHERE source_id IN (SELECT id FROM scale_problems)
                  OR target_id IN (SELECT id FROM scale_problems)""",
            """DELETE FROM backlog_duplicatecandidate
               WHERE problem_id IN (SELECT id FROM scale_problems)
                  OR similar_to_id IN (SELECT id FROM scale_problems)""",
            """DELETE FROM backlog_problem_service_areas
               WHERE problem_id IN (SELECT id FROM scale_problems)""",
            "DELETE FROM backlog_problem WHERE id IN (SELECT id FROM scale_problems)",
            """DELETE FROM account_emailconfirmation WHERE email_address_id IN (
                   SELECT id FROM account_emailaddress
                   WHERE user_id IN (SELECT id FROM scale_users))""",
        ]
        for statement in statements:
            cursor.execute(statement)
        # Whatever else points at a synthetic user: cleared where it may be empty, else deleted.
        cursor.execute(
            """
            SELECT t.relname, a.attname, NOT a.attnotnull
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.confrelid = 'institute_user'::regclass
            """
        )
        for table, column, nullable in cursor.fetchall():
            statement = sql.SQL(
                "UPDATE {table} SET {column} = NULL WHERE {column} IN (SELECT id FROM scale_users)"
                if nullable
                else "DELETE FROM {table} WHERE {column} IN (SELECT id FROM scale_users)"
            )
            cursor.execute(
                statement.format(table=sql.Identifier(table), column=sql.Identifier(column))
            )
        cursor.execute("DELETE FROM institute_user WHERE id IN (SELECT id FROM scale_users)")
        cursor.execute("DROP TABLE scale_users, scale_problems")

    # --- officers -----------------------------------------------------------------------------

    def _officers(self, cursor, rng, wanted: int, now):
        """Synthetic officers spread over all current councils, created in bulk; reused if
        there are enough already. Returns [(user_id, organisation_id)]."""
        from institute.models import Organisation

        def existing():
            cursor.execute(
                """
                SELECT u.id, m.organisation_id FROM institute_user u
                JOIN institute_membership m ON m.user_id = u.id AND m.role = 'officer'
                WHERE u.email LIKE %s ORDER BY u.id
                """,
                [SCALE_LIKE],
            )
            return cursor.fetchall()

        officers = existing()
        missing = wanted - len(officers)
        if missing <= 0:
            return officers
        councils = list(
            Organisation.objects.current()
            .councils()
            .order_by("pk")
            .values_list("pk", "slug", "council_type")
        )
        if not councils:
            raise CommandError("No current councils: run the migrations first.")
        # Every council gets an officer (if there are enough), the rest go by council size.
        assigned = list(councils[:missing]) if missing < len(councils) else list(councils)
        weights = [OFFICER_WEIGHTS.get(c[2], 1) * rng.lognormvariate(0, 0.6) for c in councils]
        assigned += rng.choices(councils, weights=weights, k=missing - len(assigned))
        start = len(officers)
        rows = []
        for n, (_pk, slug, _type) in enumerate(assigned, start=start):
            first = rng.choice(vocab.FIRST_NAMES)
            last = rng.choice(vocab.LAST_NAMES)
            email = f"{first}.{last}.{n}@{slug}{SCALE_SUFFIX}".lower()
            rows.append((email, f"{first} {last}"))
        stamp = now.isoformat()
        copy_lines(
            cursor,
            "COPY institute_user (password, is_superuser, is_staff, is_active, date_joined, "
            "email, full_name) FROM STDIN",
            (f"{UNUSABLE_PASSWORD}\tf\tf\tt\t{stamp}\t{e}\t{tsv(n)}\n" for e, n in rows),
        )
        cursor.execute(
            "SELECT email, id FROM institute_user WHERE email = ANY(%s)", [[e for e, _ in rows]]
        )
        ids = dict(cursor.fetchall())
        copy_lines(
            cursor,
            "COPY institute_membership (role, created_at, user_id, organisation_id) FROM STDIN",
            (
                f"officer\t{stamp}\t{ids[email]}\t{council[0]}\n"
                for (email, _), council in zip(rows, assigned, strict=True)
            ),
        )
        return existing()

    def _staff(self, cursor, now) -> int:
        from institute.models import Membership, Organisation, OrganisationKind, Role, User

        user = User.objects.filter(email=STAFF_EMAIL).first()
        if user is None:
            user = User.objects.create(
                email=STAFF_EMAIL,
                full_name="Benchmark Triage",
                password=UNUSABLE_PASSWORD,
                date_joined=now,
            )
        institute = Organisation.objects.filter(kind=OrganisationKind.INSTITUTE).first()
        if institute is not None:
            Membership.objects.get_or_create(
                user=user, defaults={"organisation": institute, "role": Role.INSTITUTE_STAFF}
            )
        return user.pk

    # --- generation ---------------------------------------------------------------------------

    @staticmethod
    def _vote_counts(rng, votable: list[int], total: int, cap: int) -> dict[int, int]:
        """Heavy-tailed demand: a few problems affect most councils, most affect a handful."""
        weights = [rng.paretovariate(1.6) - 1.0 for _ in votable]
        scale = total / (sum(weights) or 1.0)
        counts = {i: min(cap, int(w * scale)) for i, w in zip(votable, weights, strict=True)}
        deficit = total - sum(counts.values())
        order = list(votable)
        while deficit > 0:
            rng.shuffle(order)
            for i in order:
                if counts[i] < cap:
                    counts[i] += 1
                    deficit -= 1
                    if not deficit:
                        break
        return counts

    def _problem_text(self, rng, area_slug):
        subject = rng.choice(vocab.SUBJECTS[area_slug])
        issue, theme = rng.choice(vocab.ISSUES)
        context = rng.choice(vocab.CONTEXTS)
        title = f"{subject} {issue}{context}"
        if len(title) > 150:
            title = f"{subject} {issue}"
        title = (title[0].upper() + title[1:])[:150]
        summary = (
            f"{rng.choice(vocab.TEAMS)} spend about {rng.randint(2, 40)} hours a week on "
            f"{subject}, and {rng.choice(vocab.CONSEQUENCES)}."
        )
        opening = rng.choice(vocab.OPENINGS).format(
            subject=subject,
            Subject=subject[0].upper() + subject[1:],
            issue=issue,
            context=context,
            volume=rng.choice(vocab.VOLUMES),
        )
        paragraphs = [opening, " ".join(rng.sample(vocab.IMPACTS, 2))]
        if rng.random() < 0.7:
            paragraphs.append(rng.choice(vocab.ATTEMPTS))
        if rng.random() < 0.6:
            paragraphs.append(rng.choice(vocab.ASKS))
        return title, summary[:300], paragraphs, theme

    # --- load ---------------------------------------------------------------------------------

    @contextmanager
    def _without_secondary_indexes_and_foreign_keys(self, cursor, tables):
        """Drop the loaded tables' secondary indexes and outgoing foreign keys; recreate them
        (validating every row) when the block ends."""
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events on ALTER
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        started = time.monotonic()
        for _, definition in indexes:
            cursor.execute(definition)
        started = self._step(f"recreate {len(indexes)} indexes", started)
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self._step(f"re-add and validate {len(foreign_keys)} foreign keys", started)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def handle(self, *args, **options):
        n_problems, n_votes, n_officers = options["problems"], options["votes"], options["officers"]
        if n_problems < 1 or n_votes < 0 or n_officers < 1:
            raise CommandError("--problems and --officers must be positive, --votes not negative")
        self.timings = {}
        total_started = started = time.monotonic()
        rng = random.Random(options["seed"])  # noqa: S311  (synthetic data)
        now = timezone.now()

        with connection.cursor() as cursor:
            if options["skip_if_loaded"]:
                problems, votes = self._scale_counts(cursor)
                if problems >= n_problems and votes >= n_votes:
                    self.stdout.write(
                        f"Scale data already loaded ({problems} problems, {votes} votes); skipping."
                    )
                    return
            # Synthetic rows need no history (institute/history.py), and the history triggers
            # made inserting a million votes eight times slower (10 s to 80 s).
            if options["reset"]:
                with transaction.atomic(), history_triggers_disabled(cursor, TRACKED_TABLES):
                    self._reset(cursor)
                started = self._step("reset: delete earlier scale data", started)

            with transaction.atomic(), history_triggers_disabled(cursor, LOADED_TABLES):
                self._load(cursor, rng, now, n_problems, n_votes, n_officers, started)
            started = time.monotonic()

            if not options["no_vacuum"]:
                tables = ", ".join([*LOADED_TABLES, "institute_user", "institute_membership"])
                if not connection.in_atomic_block:  # e.g. inside a test: VACUUM cannot run
                    cursor.execute(f"VACUUM (ANALYZE) {tables}")
                # Statistics for every table, not only those loaded: with autovacuum off (or not
                # yet run), an unanalysed small table such as the organisations makes the
                # planner pick nested loops over the full-text index.
                cursor.execute("ANALYZE")
                started = self._step("vacuum analyze", started)
            problems, votes = self._scale_counts(cursor)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data: {problems} problems, {votes} votes "
                f"(total {time.monotonic() - total_started:.1f} s)"
            )
        )

    def _load(self, cursor, rng, now, n_problems, n_votes, n_officers, started):
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '128MB'")

        officers = self._officers(cursor, rng, n_officers, now)
        staff_id = self._staff(cursor, now)
        started = self._step(f"officers ({len(officers)})", started)

        cap = max(1, min(len(officers), int(len(officers) * 0.4)))
        from institute.models import ServiceArea

        areas = dict(ServiceArea.objects.values_list("slug", "pk"))
        area_slugs = [slug for slug in vocab.SUBJECTS if slug in areas]
        if not area_slugs:
            raise CommandError("No service areas: run the migrations first.")

        # Reserve a block of problem ids so votes can refer to them before the problems exist.
        cursor.execute("LOCK TABLE backlog_problem IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence('backlog_problem', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT greatest(nextval(%s), (SELECT max(id) + 1 FROM backlog_problem))", [sequence]
        )
        (base,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, base + n_problems - 1])

        statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)
        chosen = rng.choices(statuses, weights=status_weights, k=n_problems)
        chosen[0] = Status.NEW if chosen[0] == Status.MERGED else chosen[0]
        ages = [int(MAX_AGE_S * rng.random() ** 1.6) + 3600 for _ in range(n_problems)]
        votable = [i for i in range(n_problems) if chosen[i] != Status.MERGED]
        if n_votes > len(votable) * cap:
            raise CommandError(
                f"{n_votes} votes do not fit: at most {cap} officers per problem "
                f"on {len(votable)} problems. Add --officers."
            )
        counts = self._vote_counts(rng, votable, n_votes, cap)

        for table in ("scale_problem_stage", "scale_vote_stage"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            """
            CREATE TEMP TABLE scale_problem_stage (
                id bigint, title text, summary text, description text, description_html text,
                theme text, status text, submitted_by_id bigint, submitted_for_id bigint,
                merged_into_id bigint, age_s integer, status_age_s integer
            )
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE scale_vote_stage (
                problem_id bigint, user_id bigint, organisation_id bigint, age_s integer
            )
            """
        )

        m2m_rows, comment_rows = [], []
        open_targets = []

        def problem_lines():
            for i in range(n_problems):
                pid = base + i
                area = rng.choice(area_slugs)
                title, summary, paragraphs, theme = self._problem_text(rng, area)
                extra = rng.sample(area_slugs, rng.choice((0, 0, 0, 1, 1, 2)))
                for slug in dict.fromkeys([area, *extra]):
                    m2m_rows.append(f"{pid}\t{areas[slug]}\n")
                user_id, org_id = rng.choice(officers)
                status = chosen[i]
                merged_into = None
                if status == Status.MERGED:
                    merged_into = base + rng.choice(open_targets)
                else:
                    open_targets.append(i)
                status_age = int(ages[i] * rng.random()) if status != Status.NEW else ages[i]
                if rng.random() < 0.03:
                    for _ in range(rng.randint(1, 4)):
                        author, author_org = rng.choice(officers)
                        body = rng.choice(vocab.COMMENTS)
                        comment_rows.append(
                            (pid, author, author_org, body, int(ages[i] * rng.random()))
                        )
                description = "\n\n".join(paragraphs)
                yield (
                    f"{pid}\t{tsv(title)}\t{tsv(summary)}\t{tsv(description)}\t"
                    f"{tsv(_paragraphs_html(paragraphs))}\t{theme}\t{status}\t{user_id}\t"
                    f"{org_id}\t{tsv(merged_into)}\t{ages[i]}\t{status_age}\n"
                )

        copy_lines(cursor, "COPY scale_problem_stage FROM STDIN", problem_lines())
        started = self._step(f"generate + COPY {n_problems} problems to staging", started)

        n_officers = len(officers)

        def vote_lines():
            for i in votable:
                n = counts[i]
                if not n:
                    continue
                pid = base + i
                age = ages[i]
                for k in sorted(rng.sample(range(n_officers), n)):
                    user_id, org_id = officers[k]
                    yield f"{pid}\t{user_id}\t{org_id}\t{int(age * rng.random() ** 1.5)}\n"

        copy_lines(cursor, "COPY scale_vote_stage FROM STDIN", vote_lines())
        started = self._step(f"generate + COPY {n_votes} votes to staging", started)

        params = {
            "now": now,
            "cutoff": now - TRENDING_WINDOW,
            "lo": base,
            "hi": base + n_problems - 1,
            "staff": staff_id,
        }
        with self._without_secondary_indexes_and_foreign_keys(cursor, LOADED_TABLES):
            started = self._step("drop secondary indexes and foreign keys", started)
            cursor.execute(
                """
                INSERT INTO backlog_vote (problem_id, cast_on_id, user_id, organisation_id,
                                          created_at)
                SELECT problem_id, problem_id, user_id, organisation_id,
                       %(now)s - make_interval(secs => age_s)
                FROM scale_vote_stage ORDER BY problem_id, user_id
                """,
                params,
            )
            started = self._step("votes", started)
            cursor.execute(
                """
                INSERT INTO backlog_councildemand (problem_id, organisation_id, officers, since)
                SELECT problem_id, organisation_id, count(*), min(created_at)
                FROM backlog_vote WHERE problem_id BETWEEN %(lo)s AND %(hi)s
                GROUP BY problem_id, organisation_id
                """,
                params,
            )
            started = self._step("council demand (grouped from votes)", started)
            cursor.execute("DROP TABLE IF EXISTS scale_counts")
            cursor.execute(
                """
                CREATE TEMP TABLE scale_counts AS
                SELECT v.problem_id, v.votes, v.last_vote, d.councils, d.trending
                FROM (
                    SELECT problem_id, count(*) AS votes, max(created_at) AS last_vote
                    FROM backlog_vote WHERE problem_id BETWEEN %(lo)s AND %(hi)s
                    GROUP BY problem_id
                ) v
                JOIN (
                    SELECT problem_id, count(*) AS councils,
                           count(*) FILTER (WHERE since >= %(cutoff)s) AS trending
                    FROM backlog_councildemand WHERE problem_id BETWEEN %(lo)s AND %(hi)s
                    GROUP BY problem_id
                ) d USING (problem_id)
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO backlog_problem (
                    id, title, summary, description, description_html, theme, status,
                    submitted_by_id, submitted_for_id, merged_into_id,
                    vote_count, council_count, trending_count,
                    created_at, updated_at, last_activity_at
                )
                SELECT s.id, s.title, s.summary, s.description, s.description_html, s.theme,
                       s.status, s.submitted_by_id, s.submitted_for_id, s.merged_into_id,
                       coalesce(c.votes, 0), coalesce(c.councils, 0), coalesce(c.trending, 0),
                       %(now)s - make_interval(secs => s.age_s),
                       %(now)s - make_interval(secs => s.status_age_s),
                       greatest(%(now)s - make_interval(secs => s.status_age_s), c.last_vote)
                FROM scale_problem_stage s LEFT JOIN scale_counts c ON c.problem_id = s.id
                ORDER BY s.id
                """,
                params,
            )
            started = self._step("problems (counters counted from the rows)", started)
            copy_lines(
                cursor,
                "COPY backlog_problem_service_areas (problem_id, servicearea_id) FROM STDIN",
                m2m_rows,
            )
            started = self._step(f"service areas ({len(m2m_rows)} rows)", started)
            cursor.execute(
                """
                INSERT INTO backlog_statuschange (problem_id, from_status, to_status, actor_id,
                                                  note, created_at)
                SELECT id, '', 'new', submitted_by_id, 'Submitted',
                       %(now)s - make_interval(secs => age_s)
                FROM scale_problem_stage
                UNION ALL
                SELECT id, 'new', status, %(staff)s,
                       CASE status
                           WHEN 'merged' THEN 'Merged into #' || merged_into_id || '.'
                           WHEN 'triaged' THEN %(triaged)s
                           WHEN 'in_discovery' THEN %(in_discovery)s
                           WHEN 'in_progress' THEN %(in_progress)s
                           WHEN 'solved' THEN %(solved)s
                           ELSE %(not_taken_forward)s
                       END,
                       %(now)s - make_interval(secs => status_age_s)
                FROM scale_problem_stage WHERE status <> 'new'
                """,
                {**params, **{str(k): v for k, v in STATUS_NOTES.items()}},
            )
            cursor.execute(
                """
                INSERT INTO backlog_merge (source_id, target_id, source_status, actor_id, note,
                                           votes_moved, created_at)
                SELECT id, merged_into_id, 'new', %(staff)s, 'Same problem, submitted twice.', 0,
                       %(now)s - make_interval(secs => status_age_s)
                FROM scale_problem_stage WHERE status = 'merged'
                """,
                params,
            )
            copy_lines(
                cursor,
                "COPY backlog_comment (problem_id, author_id, author_organisation_id, body, "
                "body_html, created_at, hidden_reason) FROM STDIN",
                (
                    f"{pid}\t{author}\t{org}\t{tsv(body)}\t{tsv(_paragraphs_html([body]))}\t"
                    f"{(now - timedelta(seconds=age)).isoformat()}\t\n"
                    for pid, author, org, body, age in comment_rows
                ),
            )
            started = self._step(
                f"timeline, merges and comments ({len(comment_rows)} comments)", started
            )
        # The council demand went in before the problems, so its trigger found no problem to
        # give places to: they are set now, by the function the trigger and the vote use, with
        # the indexes back (it looks up each problem's councils).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events on ALTER
        cursor.execute(
            """
            UPDATE backlog_problem SET demand_places = backlog_problem_places(id, NULL, NULL)
            WHERE id BETWEEN %(lo)s AND %(hi)s AND council_count > 0
            """,
            params,
        )
        started = self._step("places of the problems' councils", started)
        for table in ("scale_problem_stage", "scale_vote_stage", "scale_counts"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
