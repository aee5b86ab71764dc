"""Comparison groups in a CSV file: each line a council's ONS GSS code, then the codes of the
councils it is compared with, nearest first (as LG Inform's and CIPFA's nearest-neighbour
models give them). `parse` checks every line against the current councils and names every
problem by its line and code; nothing is loaded unless there are none."""

import csv
import io
import re
from dataclasses import dataclass

from django.utils import timezone

from institute.errors import DomainError
from institute.models import Organisation

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_ERRORS_SHOWN = 100
CODE = re.compile(r"^[A-Z][0-9]{8}$")


class ComparisonFileError(DomainError):
    """Everything wrong with a file, one message per problem, each naming its line."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        message = (
            errors[0]
            if len(errors) == 1
            else f"The file has {len(errors)} problems: nothing was loaded"
        )
        super().__init__(message, field="file")

    @property
    def shown(self) -> list[str]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)


@dataclass(frozen=True)
class Group:
    line: int
    council: Organisation
    comparators: list[Organisation]


def _name(code: str, councils: dict) -> str:
    council = councils.get(code)
    return f"{code} ({council.name})" if council else code


def parse(data: bytes) -> list[Group]:
    """The groups in the file, or ComparisonFileError with every problem found."""
    if len(data) > MAX_BYTES:
        raise ComparisonFileError(["The file must be 10 MB or smaller"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ComparisonFileError(["The file must be a CSV file saved as UTF-8 text"]) from None
    councils = {
        o.gss_code: o
        for o in Organisation.objects.current(timezone.localdate())
        .councils()
        .exclude(gss_code="")
        .only("pk", "name", "slug", "gss_code")
    }
    errors: list[str] = []
    groups: list[Group] = []
    first_line: dict[str, int] = {}
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ComparisonFileError(
            [f"The file is not a CSV file that can be read: {error}"]
        ) from None
    for number, cells in enumerate(lines, start=1):
        cells = [c.strip().upper() for c in cells if c.strip()]
        if not cells:
            continue
        if number == 1 and not any(ch.isdigit() for ch in cells[0]):
            continue  # a header line: its first cell is a word, not a code
        problems_before = len(errors)
        for code in cells:
            if not CODE.match(code):
                errors.append(
                    f"Line {number}: “{code}” is not a GSS code (a letter and eight digits, "
                    "like E08000035)"
                )
            elif code not in councils:
                errors.append(f"Line {number}: {code} is not the code of a current council")
        council_code, comparator_codes = cells[0], cells[1:]
        if not comparator_codes:
            errors.append(f"Line {number}: {_name(council_code, councils)} has no comparators")
        if council_code in first_line:
            errors.append(
                f"Line {number}: {_name(council_code, councils)} already has a group, on line "
                f"{first_line[council_code]}"
            )
        else:
            first_line[council_code] = number
        seen = set()
        for code in comparator_codes:
            if code == council_code:
                errors.append(
                    f"Line {number}: {_name(code, councils)} is listed as its own comparator"
                )
            elif code in seen:
                errors.append(f"Line {number}: {_name(code, councils)} is listed twice")
            seen.add(code)
        if len(errors) == problems_before:
            groups.append(
                Group(number, councils[council_code], [councils[c] for c in comparator_codes])
            )
    if not errors and not groups:
        errors.append(
            "The file has no groups: each line needs a council's code, then its comparators' codes"
        )
    if errors:
        raise ComparisonFileError(errors)
    return groups
