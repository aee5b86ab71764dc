"""History kept by the database (issue #9), with django-pghistory.

Each app's models.py declares what is tracked with `@pghistory.track`; pghistory generates an
event model and PostgreSQL triggers (AFTER, one per row) that write an event row in the same
transaction as the change. So `QuerySet.update()`, `bulk_create()`, raw SQL and psql are all
captured, not only what goes through the services.

- backlog.Vote: cast, changed (a merge moves it), deleted (a withdrawn vote).
  Events: backlog.VoteEvent, `vote.history`.
- backlog.Problem, its status (and merged_into): submitted, status_changed (only when the status
  changes; the counters change often and are not history). Events: backlog.ProblemStatusEvent,
  `problem.status_history`.
- components.Adoption: recorded, changed, deleted. Events: components.AdoptionEvent,
  `adoption.history`.
- standards.Assessment, its version, status, result and submission and review fields: started,
  changed. Events: standards.AssessmentEvent, `assessment.history`.

Each event has `pgh_created_at`, `pgh_label`, `pgh_obj` (the row, kept after a delete: the key is
not a constraint) and `pgh_context`: for a write made by a web request,
`pghistory.middleware.HistoryMiddleware` attaches `{"user": id, "url": path}` (a
`pghistory.Context` row); Celery jobs, commands and psql leave it empty.

These rows are the audit trail of record changes. The timelines people read (StatusChange,
AdoptionChange, AuditEvent) are still written by the services, with notes and reasons.
"""

from contextlib import contextmanager

from django.db import connection

# The tables whose triggers write history, for bulk loaders that switch them off.
TRACKED_TABLES = ["backlog_vote", "backlog_problem", "components_adoption", "standards_assessment"]


@contextmanager
def history_triggers_disabled(cursor, tables):
    """Switch off the history triggers of `tables` inside the current transaction.

    For the synthetic-data loaders (tests/bench/load): benchmark rows need no history, and a
    trigger firing for each of a million votes would add a row each to the load. ALTER TABLE
    takes an ACCESS EXCLUSIVE lock until the transaction ends, which the loaders already hold in
    effect; being DDL it is transactional, so a failed load leaves the triggers on. Only
    pghistory's triggers (pgtrigger names them "pgtrigger_...") are touched.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Switch history off only inside a transaction: it must come back on.")
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending trigger events
    cursor.execute(
        """
        SELECT t.tgrelid::regclass::text, t.tgname FROM pg_trigger t
        WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger%%'
          AND t.tgrelid::regclass::text = ANY(%s)
        """,
        [list(tables)],
    )
    triggers = cursor.fetchall()
    for table, name in triggers:
        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    yield
    for table, name in triggers:
        cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
