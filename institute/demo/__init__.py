"""Demo people for each role at real councils (people.yaml). Used by `manage.py seed_demo`;
idempotent. Also what the other apps' demo loaders share: the password, and unwrap_markdown.
"""

import struct
import zlib
from pathlib import Path
from typing import NamedTuple

import yaml
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from institute import evidence
from institute.models import EvidenceFile, Membership, Organisation, Role, User
from institute.services import email_domains_add

# Development only: printed by `make run`. Never used outside a local database.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

# The demo content: people, and the sign-ins that `make run` prints.
CONTENT = yaml.safe_load(Path(__file__).with_name("people.yaml").read_text(encoding="utf-8"))


class DemoPerson(NamedTuple):
    email: str
    full_name: str
    organisation: str  # slug
    role: str  # a Role
    email_domain: str  # joins the organisation on sign-up


DEMO_PEOPLE = [DemoPerson(**person) for person in CONTENT["people"]]
SUPERUSER_EMAIL = CONTENT["superuser"]["email"]
# (role, e-mail): one per role, printed by `make run`.
SIGN_INS = list(CONTENT["sign_ins"].items())
# Officers with a membership at each of several councils, the first their primary one.
SHARED_SERVICE = CONTENT["shared_service"]


def unwrap_markdown(text: str) -> str:
    """Markdown as the YAML files write it, with each paragraph's lines joined (a list keeps
    its lines): the text is stored as if typed into a form."""
    blocks = text.strip().split("\n\n")
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        if any(line.startswith(("- ", "1. ")) for line in lines):
            out.append("\n".join(lines))
        else:
            out.append(" ".join(lines))
    return "\n\n".join(out)


# --- Evidence files for the demo: small real documents, made here rather than stored -------


def _pdf_text(text: str) -> str:
    text = text.encode("ascii", "replace").decode("ascii")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-page A4 PDF: a title and lines of text in Helvetica."""
    text = [f"BT /F1 16 Tf 56 770 Td ({_pdf_text(title)}) Tj ET"]
    for n, line in enumerate(lines):
        text.append(f"BT /F2 11 Tf 56 {740 - 16 * n} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_png(values: list[int], *, width: int = 320, height: int = 160) -> bytes:
    """A valid PNG: a bar chart of `values` (0 to 100) in blue on white."""
    bar = width // max(len(values), 1)
    rows = []
    for y in range(height):
        level = 100 * (height - y) / height
        row = bytearray(b"\x00")  # no filter
        for x in range(width):
            n, inside = divmod(x, bar)
            filled = n < len(values) and 6 <= inside < bar - 6 and values[n] >= level
            row += b"\x1d\x70\xb8" if filled else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack("!I", len(data)) + body + struct.pack("!I", zlib.crc32(body))

    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def demo_upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def demo_files_scan(files: list[EvidenceFile]) -> None:
    """Have clamd check the demo's files now when it answers (`make run` starts it), so they
    can be downloaded; when it does not, they stay "not yet checked", as any upload would, and
    the beat job sends them again later (docs/adr/0017-evidence-files.md)."""
    for file in files:
        try:
            evidence.evidence_file_scan(file_id=file.pk)
        except evidence.ScannerUnavailable:
            return


def _person(email: str, full_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if superuser:
            user = User.objects.create_superuser(email, DEMO_PASSWORD, full_name=full_name)
        else:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed() -> dict:
    organisations = {
        o.slug: o
        for o in Organisation.objects.filter(slug__in={slug for _, _, slug, _, _ in DEMO_PEOPLE})
    }
    email_domains_add(
        actor=None,
        pairs=[(organisations[slug], domain) for _, _, slug, _, domain in DEMO_PEOPLE],
        source="demo",
    )
    for email, full_name, slug, role, _ in DEMO_PEOPLE:
        organisation = organisations[slug]
        user = _person(email, full_name)
        Membership.objects.update_or_create(
            user=user, is_primary=True, defaults={"organisation": organisation, "role": role}
        )
        if role == Role.INSTITUTE_STAFF and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    for person in SHARED_SERVICE:
        user = _person(person["email"], person["full_name"])
        councils = Organisation.objects.in_bulk(person["organisations"], field_name="slug")
        email_domains_add(
            actor=None,
            pairs=[(councils[person["organisations"][0]], person["email_domain"])],
            source="demo",
        )
        for n, slug in enumerate(person["organisations"]):
            Membership.objects.update_or_create(
                user=user,
                organisation=councils[slug],
                defaults={"role": person["role"], "is_primary": n == 0},
            )
    _person(SUPERUSER_EMAIL, CONTENT["superuser"]["full_name"], superuser=True)
    return {"people": len(DEMO_PEOPLE) + len(SHARED_SERVICE) + 1}
