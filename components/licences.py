"""SPDX licence identifiers: which are well formed, and which are open source (OSI approved)."""

import re

# OSI-approved licences, the ones councils meet most; an expression is open if all its parts are.
OPEN_LICENCES = {
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "ECL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MPL-2.0",
    "OGL-UK-3.0",
    "ODbL-1.0",
    "PostgreSQL",
    "Unlicense",
    "Zlib",
}
# Written as a choice on the forms, these mean "not open".
CLOSED_LICENCE = "LicenseRef-proprietary"

_ID = r"(?:LicenseRef-[A-Za-z0-9.\-]+|[A-Za-z0-9][A-Za-z0-9.\-]*\+?)"
_EXPRESSION = re.compile(rf"^\(?{_ID}(?: (?:AND|OR|WITH) \(?{_ID}\)?)*\)?$")
_KNOWN = {name.lower(): name for name in OPEN_LICENCES}


def licence_normalise(value: str) -> str:
    """The licence in its canonical spelling where it is a known identifier."""
    value = " ".join((value or "").split())
    return " ".join(_KNOWN.get(part.lower(), part) for part in value.split(" "))


def licence_is_valid(value: str) -> bool:
    return bool(value) and len(value) <= 100 and bool(_EXPRESSION.match(value))


def licence_is_open(value: str) -> bool:
    """Open when every licence in the expression is OSI approved (exceptions after WITH aside)."""
    if not licence_is_valid(value):
        return False
    parts = re.split(r" (?:AND|OR) ", value.replace("(", "").replace(")", ""))
    return all(part.split(" WITH ")[0] in OPEN_LICENCES for part in parts)
