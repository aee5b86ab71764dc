"""Evidence files: documents councils give for a self-assessment answer or an adoption.

One home for the rules every app's upload shares (docs/adr/0017-evidence-files.md):

- the kinds accepted (PDF, ODT/DOCX, XLSX/ODS, PNG/JPEG, CSV), found from the content (magic
  bytes; the zip's own parts for OpenDocument and Office Open XML; CSV is text that decodes), and
  a name that must agree with what the content is;
- at most MAX_BYTES;
- the name sanitised (no folders, NUL or control characters, at most 100 characters); the stored
  key is the file's public_id, never anything a person typed;
- stored through Django's storage API (settings.STORAGES["evidence"]);
- checked by ClamAV's clamd over its socket (INSTREAM) in a Celery task after the upload; until
  clamd answers the file is "not yet checked" and is not served; a file it flags is quarantined
  (kept, never served, its owner told, institute staff see it);
- served as an attachment, with nosniff, by the view of the record it belongs to (each app's
  access rules decide who may).
"""

import hashlib
import logging
import re
import socket
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from institute import jobs
from institute.errors import DomainError
from institute.models import EvidenceFile, Organisation, ScanStatus, User
from institute.services import audit_record, notify

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 100
# How many files one answer or adoption may hold.
MAX_FILES_PER_RECORD = 10


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", (".pdf",))
PNG = Kind("PNG image", "image/png", (".png",))
JPEG = Kind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
ODT = Kind("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = Kind("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
DOCX = Kind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = Kind(
    "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
CSV = Kind("CSV file", "text/csv", (".csv",))
KINDS = (PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG, CSV)
KINDS_BY_TYPE = {kind.content_type: kind for kind in KINDS}
ACCEPT = ",".join(ext for kind in KINDS for ext in kind.extensions)
KINDS_SENTENCE = "a PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG or CSV file"

_ODF = {ODT.content_type: ODT, ODS.content_type: ODS}
# The part of an Office Open XML package that says what it is.
_OOXML = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}


def _zip_kind(upload) -> Kind | None:
    """OpenDocument: a first member "mimetype" naming the type. Office Open XML: the package's
    [Content_Types].xml and its main part. Only the directory and one tiny member are read."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype" and infos[0].file_size < 100:
                mimetype = archive.read(infos[0]).decode("ascii", "replace").strip()
                return _ODF.get(mimetype)
            if "[Content_Types].xml" in names:
                for part, kind in _OOXML.items():
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # Whatever zipfile raises on a damaged or unusual archive (a bad directory, a truncated
        # member, an unsupported compression): not a document we accept, so it is refused.
        return None
    return None


def _is_text(upload) -> bool:
    """CSV: text in UTF-8 (a BOM allowed), or Windows-1252 as spreadsheets save it, without NUL
    or other control characters than tab and line ends."""
    upload.seek(0)
    data = upload.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    return False


def kind_of(upload) -> Kind | None:
    """What the file is, from its content alone (None: none of the kinds accepted)."""
    upload.seek(0)
    head = upload.read(8)
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload)
    elif _is_text(upload):
        kind = CSV
    else:
        kind = None
    upload.seek(0)
    return kind


def name_sanitise(name: str) -> str:
    """A name safe to store and to send in Content-Disposition: the last part of any path, no
    NUL, control or reserved characters, no leading dots, at most MAX_NAME_LENGTH characters
    (the extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    name = re.sub(r'[<>:"|?*;%]', "_", name)
    name = " ".join(name.split()).lstrip(". ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = f".{ext[:10]}" if dot else ""
    stem = stem[: MAX_NAME_LENGTH - len(ext)].rstrip(". ") or "evidence"
    return f"{stem}{ext}"


def _name_for(name: str, kind: Kind) -> str:
    """The sanitised name, refused when it claims another kind than the content is."""
    clean = name_sanitise(name)
    suffix = PurePosixPath(clean.lower()).suffix
    if suffix in kind.extensions:
        return clean
    if suffix and any(suffix in k.extensions for k in KINDS):
        raise DomainError(
            f"The selected file is named as another kind of file than it is: its content is "
            f"a {kind.label}, so its name must end {kind.extensions[0]}",
            field="file",
        )
    if suffix:
        raise DomainError(f"The selected file must be {KINDS_SENTENCE}", field="file")
    # No extension at all: give it the one its content has.
    return f"{clean[: MAX_NAME_LENGTH - len(kind.extensions[0])]}{kind.extensions[0]}"


def upload_check(upload) -> tuple[Kind, str]:
    """The kind and safe name of an upload, or a DomainError on the field "file"."""
    if upload is None:
        raise DomainError("Select a file", field="file")
    if upload.size == 0:
        raise DomainError("The selected file is empty", field="file")
    if upload.size > MAX_BYTES:
        raise DomainError("The selected file must be smaller than 10 MB", field="file")
    kind = kind_of(upload)
    if kind is None:
        raise DomainError(f"The selected file must be {KINDS_SENTENCE}", field="file")
    return kind, _name_for(getattr(upload, "name", ""), kind)


def evidence_file_create(
    *, actor: User, organisation: Organisation, upload, context_url: str = ""
) -> EvidenceFile:
    """Check and store an uploaded file for an organisation; its virus check is queued for when
    the transaction commits. The caller links it to its record in the same transaction."""
    kind, name = upload_check(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    evidence = EvidenceFile(
        organisation=organisation,
        uploaded_by=actor,
        name=name,
        content_type=kind.content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        context_url=context_url[:300],
    )
    # The key is the public_id: nothing a person typed reaches the storage.
    evidence.file.save(f"evidence/{evidence.public_id}", File(upload), save=False)
    evidence.save()
    audit_record(
        actor=actor,
        verb="evidence.uploaded",
        target=evidence,
        data={"name": name, "size": evidence.size, "type": kind.content_type},
    )
    jobs.run_after_commit("institute.tasks.evidence_file_scan", evidence.pk)
    return evidence


@transaction.atomic
def evidence_file_remove(*, actor: User, evidence: EvidenceFile) -> None:
    """Remove a file (the caller has checked the actor may change the record it belongs to).
    Its content goes from the storage once the removal has committed."""
    key = evidence.file.name
    storage = evidence.file.storage
    audit_record(
        actor=actor, verb="evidence.removed", target=evidence, data={"name": evidence.name}
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(key))


# --- ClamAV ---------------------------------------------------------------------------------


class ScannerUnavailable(Exception):
    """No clamd answered (not configured, not running, or it gave an error)."""


def _clamd_socket() -> socket.socket:
    address = settings.CLAMD_ADDRESS
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    if not address:
        raise ScannerUnavailable("CLAMD_ADDRESS is not set")
    try:
        if address.startswith("tcp://"):
            host, _, port = address.removeprefix("tcp://").rpartition(":")
            return socket.create_connection((host, int(port)), timeout=timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address.removeprefix("unix://"))
        return sock
    except (OSError, ValueError) as error:
        raise ScannerUnavailable(f"clamd at {address} did not answer: {error}") from error


def clamd_instream(stream) -> str | None:
    """Send a file to clamd (its INSTREAM command); the name of what it found, or None when
    the file is clean. Raises ScannerUnavailable when there is no answer to trust."""
    with _clamd_socket() as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            for chunk in iter(lambda: stream.read(64 * 1024), b""):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        except OSError as error:
            raise ScannerUnavailable(f"clamd stopped answering: {error}") from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace")
    # "stream: OK", "stream: Eicar-Signature FOUND", or "... ERROR"
    verdict = answer.partition(": ")[2]
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict.removesuffix(" FOUND")
    raise ScannerUnavailable(f"clamd could not check the file: {answer!r}")


def evidence_file_scan(*, file_id: int) -> str:
    """Have clamd check a file not yet checked; quarantine it (and tell its owner) if clamd
    finds something. Returns the file's status. Raises ScannerUnavailable: the file stays
    "not yet checked" and the task tries again later."""
    evidence = EvidenceFile.objects.filter(pk=file_id).first()
    if evidence is None or evidence.scan_status != ScanStatus.PENDING:
        return evidence.scan_status if evidence else "gone"
    with evidence.file.open("rb") as stream:
        found = clamd_instream(stream)
    with transaction.atomic():
        evidence = EvidenceFile.objects.select_for_update().get(pk=file_id)
        if evidence.scan_status != ScanStatus.PENDING:
            return evidence.scan_status
        evidence.scan_status = ScanStatus.INFECTED if found else ScanStatus.CLEAN
        evidence.scan_signature = found or ""
        evidence.scanned_at = timezone.now()
        evidence.save(update_fields=["scan_status", "scan_signature", "scanned_at"])
        if found:
            audit_record(
                actor=None,
                verb="evidence.quarantined",
                target=evidence,
                data={"name": evidence.name, "signature": found},
            )
            notify(
                recipient_ids=[evidence.uploaded_by_id],
                kind="evidence_quarantined",
                key=f"evidence-quarantined-{evidence.public_id}",
                title=f"A file you uploaded was quarantined: {evidence.name}",
                body=(
                    "The virus check found something in it, so nobody can download it. Check "
                    "the original on your own systems and upload a clean copy."
                ),
                url=evidence.context_url,
            )
    return evidence.scan_status


def evidence_files_pending(*, older_than_seconds: int = 120) -> list[int]:
    """Files still waiting for the virus check a while after their upload."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        EvidenceFile.objects.filter(scan_status=ScanStatus.PENDING, uploaded_at__lt=cutoff)
        .order_by("uploaded_at")
        .values_list("pk", flat=True)[:500]
    )


# --- Serving ------------------------------------------------------------------------------


def evidence_file_response(evidence: EvidenceFile) -> FileResponse:
    """The file as a download. The caller has checked the person may see the record it
    belongs to; a file not (yet) found clean is never served."""
    if evidence.scan_status == ScanStatus.PENDING:
        raise DomainError(
            "This file has not been checked for viruses yet. Try again in a few minutes.",
            status=409,
            code="not_scanned",
        )
    if evidence.scan_status != ScanStatus.CLEAN:
        raise DomainError(
            "This file was quarantined: the virus check found something in it.",
            status=409,
            code="quarantined",
        )
    try:
        stream = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        stream, as_attachment=True, filename=evidence.name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
