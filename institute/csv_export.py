"""Every CSV the service produces is written here: downloads streamed row by row, dashboard
tables and the nightly open data files.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return,
which some strip before looking) as a formula, so a title typed as `=HYPERLINK(...)` would run
when an export is opened (CSV injection). `csv_cell` puts an apostrophe in front of such a
cell, OWASP's advice: spreadsheets show the text as typed and do not evaluate it. Numbers stay
numbers (`-3` and `-2.5` are not formulas).
"""

import csv
import re

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell(value):
    """The value to write in a cell: text that a spreadsheet would run is made inert."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer whose rows go through csv_cell: the only way the service writes CSV
    (tests/security/test_csv_injection.py checks that no other module calls csv.writer)."""

    def __init__(self, handle):
        self._writer = csv.writer(handle)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    """Stream `rows` (an iterable of lists, header first) as `<filename>-<date>.csv`."""
    writer = CsvWriter(_Echo())
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response
