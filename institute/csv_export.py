"""Every CSV the service produces is written here: downloads streamed in chunks, dashboard
tables and the nightly open data files.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return,
which some strip before looking) as a formula, so a title typed as `=HYPERLINK(...)` would run
when an export is opened (CSV injection). `csv_cell` puts an apostrophe in front of such a
cell, OWASP's advice: spreadsheets show the text as typed and do not evaluate it. Numbers stay
numbers (`-3` and `-2.5` are not formulas).

Downloads are streamed without a Content-Length, so the server sends them in chunked transfer
encoding and ends them with an empty chunk only once the last row is written. A download that
stops early (the worker killed, the database gone) ends without it, and every HTTP/1.1 client
reports the download as failed instead of saving a short file that looks whole
(docs/adr/0019-exports-streamed-and-failures-visible.md).
"""

import csv
import io
import re
import uuid

from django.db.models import Func, TextField
from django.http import StreamingHttpResponse
from django.utils import timezone

from institute.urlcache import absolute_url, detail_url

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
# Rows are sent about this many bytes at a time: one write to the socket per row cost more
# than writing the row.
CHUNK_BYTES = 64 * 1024


def csv_cell(value):
    """The value to write in a cell: text that a spreadsheet would run is made inert."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _inert(row):
    # csv_cell for a whole row, without a call per cell: most cells are numbers, or text that
    # starts with a letter.
    for i, value in enumerate(row):
        if value.__class__ is str and value[:1] in _TRIGGER_SET:
            row[i] = csv_cell(value)
    return row


_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)


class CsvWriter:
    """csv.writer whose rows go through csv_cell: the only way the service writes CSV
    (tests/security/test_csv_injection.py checks that no other module calls csv.writer)."""

    def __init__(self, handle):
        self._writer = csv.writer(handle)

    def writerow(self, row):
        return self._writer.writerow(_inert(list(row)))


def csv_chunks(rows, chunk_bytes: int = CHUNK_BYTES):
    """`rows` (an iterable of lists, header first) as CSV, in bytes of about `chunk_bytes`; the
    header on its own, so the download starts before the first rows are read."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    for number, row in enumerate(rows):
        writer.writerow(row)
        if number == 0 or buffer.tell() >= chunk_bytes:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    """Stream `rows` (an iterable of lists, header first) as `<filename>-<date>.csv`."""
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    # A proxy in front must pass the chunks on as they come (nginx would buffer them).
    response["X-Accel-Buffering"] = "no"
    return response


# Stand-ins for a key while a detail URL is reversed once (see absolute_detail_urls).
_MARKERS = {
    int: 918273645546372819,
    uuid.UUID: uuid.UUID("91827364-5546-4728-9918-273645546372"),
    str: "zz-export-marker-zz",
}


def absolute_detail_urls(viewname: str, kwarg: str, key_type: type):
    """A function from a key (of `key_type`: int, UUID or slug) to the absolute URL of its
    detail page, for exports that write one per row: reversed once, not once per row."""
    marker = _MARKERS[key_type]
    before, _, after = absolute_url(detail_url(viewname, kwarg, marker)).partition(str(marker))
    return lambda value: f"{before}{value}{after}"


def choice_labels(model, field_name: str) -> dict:
    """What get_<field>_display shows for each stored value, looked up once for a whole export."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


class IsoTimestamp(Func):
    """A timestamp as ISO text, exactly as Python's `datetime.isoformat()` writes it in UTC
    (`2026-12-03T16:50:32.123456+00:00`, no fraction when there is none), written by
    PostgreSQL: parsing each timestamp into Python only to print it again cost more than the
    rest of an export's row."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        value, params = compiler.compile(self.source_expressions[0])
        utc = f"({value}) AT TIME ZONE 'UTC'"
        sql = (
            f"CASE WHEN mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 "
            f"""THEN to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') """
            f"""ELSE to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') END"""
        )
        return sql, (*params, *params, *params)
