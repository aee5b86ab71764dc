"""Who may do what with standards; the only way views and the API fetch this app's rows.

- Published, superseded and retired versions, and versions in consultation, are public.
  Drafts are for institute staff.
- A council's assessments (its ratings) are visible to that council's officers, institute
  staff and sector viewers. Anyone else gets a 404: we do not reveal that one exists.
- Only the council's own officers change its assessment; only institute staff review and audit.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from institute import access as core
from institute.errors import NotAllowed
from institute.models import EvidenceFile
from standards.models import (
    Answer,
    Assessment,
    Audit,
    ConsultationComment,
    Criterion,
    Standard,
    StandardVersion,
    VersionStatus,
)

PUBLIC_VERSION_STATUSES = {
    VersionStatus.CONSULTATION,
    VersionStatus.PUBLISHED,
    VersionStatus.SUPERSEDED,
    VersionStatus.RETIRED,
}


def can_author(user) -> bool:
    return core.can_curate(user)


def can_comment_on_consultation(user) -> bool:
    return core.can_participate(user) and core.membership_of(user) is not None


def can_view_ratings(user, organisation) -> bool:
    """A council's ratings: its own officers, institute staff and sector viewers."""
    return core.can_view_sector_detail(user) or core.is_council_officer(user, organisation)


def council_of(user):
    """The council the user can self-assess for, or None."""
    if not core.is_council_officer(user):
        return None
    return core.membership_of(user).organisation


def standard_get_for_user(user, slug: str, *, write: bool = False) -> Standard:
    standard = get_object_or_404(
        Standard.objects.select_related("owner", "current_version", "previous_version"), slug=slug
    )
    if write and not can_author(user):
        raise NotAllowed()
    return standard


def version_get_for_user(user, slug: str, number, *, write: bool = False) -> StandardVersion:
    version = get_object_or_404(
        StandardVersion.objects.select_related("standard", "standard__owner", "based_on"),
        standard__slug=slug,
        number=number,
    )
    if version.status not in PUBLIC_VERSION_STATUSES and not can_author(user):
        raise Http404
    if write and not can_author(user):
        raise NotAllowed()
    return version


def criterion_get_for_user(user, pk, *, write: bool = False) -> Criterion:
    criterion = get_object_or_404(
        Criterion.objects.select_related("version", "version__standard"), pk=pk
    )
    if criterion.version.status not in PUBLIC_VERSION_STATUSES and not can_author(user):
        raise Http404
    if write and not can_author(user):
        raise NotAllowed()
    return criterion


def assessment_get_for_user(user, public_id, *, write: bool = False) -> Assessment:
    """An assessment the user may see, by its public_id (a UUID); with `write`, one they may
    change (their council's)."""
    assessment = (
        Assessment.objects.select_related("standard", "version", "organisation", "reviewed_by")
        .filter(public_id=public_id)
        .first()
    )
    if assessment is None or not can_view_ratings(user, assessment.organisation):
        raise Http404
    if write and not core.can_act_for_council(user, assessment.organisation):
        raise NotAllowed("Only officers of the council can change its assessment.")
    return assessment


def answer_file_get_for_user(
    user, public_id, file_public_id, *, write: bool = False
) -> tuple[Assessment, EvidenceFile]:
    """A file of evidence on an answer of an assessment the user may see (404 otherwise: a file
    of another council's assessment is not revealed); with `write`, one they may remove."""
    assessment = assessment_get_for_user(user, public_id, write=write)
    evidence = EvidenceFile.objects.filter(
        public_id=file_public_id,
        pk__in=Answer.evidence_files.through.objects.filter(answer__assessment=assessment).values(
            "evidencefile_id"
        ),
    ).first()
    if evidence is None:
        raise Http404
    return assessment, evidence


def comment_get_for_user(user, pk) -> ConsultationComment:
    comment = get_object_or_404(
        ConsultationComment.objects.select_related("version", "version__standard"), pk=pk
    )
    if not can_author(user):
        raise NotAllowed()
    return comment


def audit_get_for_user(user, pk) -> Audit:
    if not can_author(user):
        raise Http404
    return get_object_or_404(
        Audit.objects.select_related(
            "assessment", "assessment__organisation", "assessment__version__standard", "round"
        ),
        pk=pk,
    )
