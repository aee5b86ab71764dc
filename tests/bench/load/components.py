"""Bulk synthetic data for benchmarks: thousands of components and hundreds of thousands of
adoptions, loaded with set-based SQL (INSERT ... SELECT over generate_series) in one transaction.

    python -m tests.bench.load components --components 5000 --adoptions 300000 [--skip-if-loaded]

Names and summaries are combined from word lists so full-text search behaves as on a real
catalogue. Each component is adopted by a window of councils rotated per component, so the
(component, council) pairs are unique by construction; confirmation dates are spread over 18
months, so about a third are stale. The counters on each component are then counted from the
rows, exactly as component_counts_refresh does. Components carry slugs starting "scale-" so they
can be found (and removed) later.
"""

import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from components.models import STALE_AFTER
from institute.history import history_triggers_disabled
from institute.models import Organisation, Role, User

SUBMITTER_EMAIL = "components.scale@institute.scale.test"
PRODUCTS = ["booking", "forms", "payments", "case management", "address lookup", "data hub",
            "notifications", "identity check", "document store", "mapping", "chat assistant",
            "reporting", "scheduling", "inspection app", "permits", "waste rounds"]  # fmt: skip
QUALIFIERS = ["open", "shared", "accessible", "regional", "lightweight", "secure", "hosted",
              "community", "modular", "resident-facing", "low-code", "national"]  # fmt: skip
AREAS = ["housing", "waste and recycling", "planning", "adult social care", "highways",
         "council tax", "libraries", "licensing", "children's services", "elections"]  # fmt: skip


def _words(column: str, words: list[str], salt: int) -> str:
    """SQL picking one of the words by a hash of the row number (no values interpolated)."""
    return f"(%({column})s::text[])[1 + ((n * {salt}) %% {len(words)})]"


def seed_scale(*, components: int, adoptions: int, stdout=None) -> dict:
    """Load `components` published components and `adoptions` adoption rows (with a stage
    history row each) and set the components' counters from the rows."""
    write = stdout.write if stdout else (lambda text: None)
    councils = list(
        Organisation.objects.current().councils().order_by("pk").values_list("pk", flat=True)
    )
    if components < 1:
        raise ValueError("components must be at least 1")
    if adoptions > components * len(councils):
        raise ValueError(
            f"{adoptions} adoptions do not fit: at most {len(councils)} councils per component"
        )
    started = time.monotonic()
    run = uuid.uuid4().hex[:8]
    now = timezone.now()
    submitter, _ = User.objects.get_or_create(
        email=SUBMITTER_EMAIL, defaults={"full_name": "Scale data", "password": "!unusable"}
    )
    institute = Organisation.objects.filter(kind="institute").first()
    if institute and not hasattr(submitter, "membership"):
        from institute.models import Membership

        Membership.objects.get_or_create(
            user=submitter, defaults={"organisation": institute, "role": Role.INSTITUTE_STAFF}
        )
    per, extra = divmod(adoptions, components)
    params = {
        "n": components,
        "run": run,
        "now": now,
        "submitter": submitter.pk,
        "products": PRODUCTS,
        "qualifiers": QUALIFIERS,
        "areas": AREAS,
        "per": per,
        "extra": extra,
        "stale_days": STALE_AFTER.days,
    }
    # Synthetic adoptions need no history; a trigger per row would slow the load.
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        history_triggers_disabled(cursor, ["components_adoption"]),
    ):
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            f"""
            INSERT INTO components_component (
                public_id, name, slug, summary, description, description_html, kind, maturity,
                theme, licence, licence_open, source_url, documentation_url, maintainer_name,
                cost_model, hosting, status, review_note, submitted_by_id, retired_reason,
                created_at, updated_at, published_at, using_count, adopting_count,
                publiccode, publiccode_original
            )
            SELECT
                gen_random_uuid(),
                initcap({_words("qualifiers", QUALIFIERS, 7)}) || ' '
                    || {_words("products", PRODUCTS, 13)} || ' ' || n,
                'scale-' || %(run)s || '-' || n,
                'A ' || {_words("qualifiers", QUALIFIERS, 7)} || ' '
                    || {_words("products", PRODUCTS, 13)} || ' for '
                    || {_words("areas", AREAS, 17)} || ' teams.',
                'Councils use this ' || {_words("products", PRODUCTS, 13)}
                    || ' component in ' || {_words("areas", AREAS, 17)} || '.',
                '<p class="govuk-body">Councils use this component.</p>',
                (ARRAY['software','open_source','api','data_standard','pattern'])[1 + n %% 5],
                (ARRAY['concept','alpha','beta','live','live','live','retiring'])[1 + n %% 7],
                (ARRAY['','data','infrastructure','standards','skills'])[1 + n %% 5],
                (ARRAY['MIT','Apache-2.0','','OGL-UK-3.0','AGPL-3.0-or-later'])[1 + n %% 5],
                n %% 5 IN (0, 1, 3, 4),
                'https://example.org/scale/' || %(run)s || '/' || n,
                '',
                'Scale test maintainers',
                (ARRAY['free','paid','shared'])[1 + n %% 3],
                (ARRAY['self_hosted','hosted'])[1 + n %% 2],
                'published', '', %(submitter)s, '',
                %(now)s - make_interval(days => (n %% 900)::int),
                %(now)s - make_interval(days => (n %% 900)::int),
                %(now)s - make_interval(days => (n %% 900)::int),
                0, 0, '{{}}'::jsonb, ''
            FROM generate_series(1, %(n)s) AS n
            """,  # noqa: S608  (only fixed word-picking expressions are formatted in)
            params,
        )
        cursor.execute(
            "SELECT min(id), max(id) FROM components_component WHERE slug LIKE %s",
            [f"scale-{run}-%"],
        )
        params["lo"], params["hi"] = cursor.fetchone()
        write(f"  components: {components} in {time.monotonic() - started:.1f} s\n")
        cursor.execute(
            """
            INSERT INTO components_adoption (
                component_id, organisation_id, stage, since, evidence_url, evidence_note,
                show_as_contact, confirmed_at, created_at, updated_at
            )
            SELECT c.id, o.id,
                   (ARRAY['in_use','in_use','in_use','in_use','in_use','piloting','piloting',
                          'exploring','exploring','retired'])[1 + (c.id + o.id) %% 10],
                   (%(now)s - make_interval(days => (30 + (c.id * 7 + o.id)::int) %% 1500))::date,
                   '', 'Recorded in bulk for load testing.', (c.id + o.id) %% 4 = 0,
                   %(now)s - make_interval(days => ((c.id * 31 + o.id * 17)::int) %% 540),
                   %(now)s - make_interval(days => ((c.id * 31 + o.id * 17)::int) %% 540),
                   %(now)s - make_interval(days => ((c.id * 31 + o.id * 17)::int) %% 540)
            FROM (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn
                FROM components_component WHERE id BETWEEN %(lo)s AND %(hi)s
            ) c
            JOIN (
                SELECT o.id, row_number() OVER (ORDER BY o.id) - 1 AS rn, count(*) OVER () AS total
                FROM institute_organisation o
                WHERE o.kind = 'council'
                  AND (o.valid_from IS NULL OR o.valid_from <= %(now)s::date)
                  AND (o.valid_to IS NULL OR o.valid_to >= %(now)s::date)
            ) o
              ON ((o.rn - c.rn * 37) %% o.total + o.total) %% o.total
                 < %(per)s + CASE WHEN c.rn < %(extra)s THEN 1 ELSE 0 END
            """,
            params,
        )
        loaded = cursor.rowcount
        write(f"  adoptions: {loaded} in {time.monotonic() - started:.1f} s\n")
        cursor.execute(
            """
            INSERT INTO components_adoptionchange (adoption_id, from_stage, to_stage, created_at)
            SELECT id, '', stage, created_at FROM components_adoption
            WHERE component_id BETWEEN %(lo)s AND %(hi)s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO components_component_service_areas (component_id, servicearea_id)
            SELECT c.id, a.id FROM components_component c
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn, count(*) OVER () AS t
                  FROM institute_servicearea) a ON a.rn = c.id %% a.t
            WHERE c.id BETWEEN %(lo)s AND %(hi)s
            """,
            params,
        )
        cursor.execute(
            """
            UPDATE components_component c SET using_count = k.using, adopting_count = k.adopting
            FROM (
                SELECT component_id,
                       count(*) FILTER (WHERE stage = 'in_use') AS using,
                       count(*) FILTER (WHERE stage <> 'retired') AS adopting
                FROM components_adoption
                WHERE component_id BETWEEN %(lo)s AND %(hi)s
                  AND confirmed_at > %(now)s - make_interval(days => (%(stale_days)s)::int)
                GROUP BY component_id
            ) k
            WHERE c.id = k.component_id
            """,
            params,
        )
        write(f"  counters and history in {time.monotonic() - started:.1f} s\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE components_component")
        cursor.execute("ANALYZE components_adoption")
    return {"components": components, "adoptions": loaded, "seconds": time.monotonic() - started}


class Command(BaseCommand):
    help = "Bulk-load synthetic components and adoptions (set-based SQL) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--components", type=int, default=5000)
        parser.add_argument("--adoptions", type=int, default=300_000)
        parser.add_argument(
            "--skip-if-loaded", action="store_true", help="do nothing if scale data is there"
        )

    def handle(self, *args, components, adoptions, skip_if_loaded=False, **options):
        from components.models import Component

        if skip_if_loaded and Component.objects.filter(slug__startswith="scale-").exists():
            self.stdout.write("Scale components already loaded; skipping.")
            return
        try:
            result = seed_scale(components=components, adoptions=adoptions, stdout=self.stdout)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {result}"))
