"""A fingerprint of every row of every table the project's models use, to prove that a refused
request changed nothing (and that an allowed one changed something).

One query: for each table, its row count and the sum of a 64-bit hash of each row as text (the
sum does not depend on the order rows come back in, so nothing needs sorting). Left out are the
tables a refused request may legitimately write: sessions (signing in, last-seen times) and the
sign-in lockout records of django-axes. API tokens are fingerprinted without `last_used_at`,
which authentication (not the refused action) writes at most once a minute.
"""

from django.apps import apps
from django.db import connection

IGNORED_TABLES = {"django_session"}
IGNORED_TABLE_PREFIXES = ("axes_",)
IGNORED_COLUMNS = {"institute_apitoken": {"last_used_at"}}

_query: str | None = None


def _tables() -> list[str]:
    names = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names.add(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(
        name
        for name in names & existing
        if name not in IGNORED_TABLES and not name.startswith(IGNORED_TABLE_PREFIXES)
    )


def _build_query() -> str:
    qn = connection.ops.quote_name
    parts = []
    with connection.cursor() as cursor:
        for table in _tables():
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
                if column.name not in IGNORED_COLUMNS.get(table, set())
            ]
            row = "ROW(" + ", ".join(f"t.{qn(c)}" for c in columns) + ")::text"
            # Table and column names come from the models and are quoted: no outside input.
            parts.append(
                f"SELECT '{table}', count(*), "  # noqa: S608
                f"coalesce(sum(hashtextextended({row}, 0)), 0)::text "
                f"FROM {qn(table)} t"
            )
    return " UNION ALL ".join(parts)


def snapshot() -> dict[str, tuple[int, str]]:
    """{table: (row count, sum of its rows' hashes)} for every table of the project."""
    global _query
    if _query is None:
        _query = _build_query()
    with connection.cursor() as cursor:
        cursor.execute(_query)
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
