"""Who may do what for a centre; the only way views and the API fetch this app's rows.

Centres and projects are public. Learning is public once published; drafts and items in review
are seen only by the centre's own staff and institute staff (everyone else gets a 404, so a
draft's existence is not revealed).
"""

from django.http import Http404

from centres.models import (
    Centre,
    CentreStaff,
    Learning,
    LearningChange,
    LearningRevision,
    LearningStatus,
    Project,
)
from institute import access as core
from institute.errors import NotAllowed
from institute.models import Role


def can_manage_centres(user) -> bool:
    """Create centres and assign their staff: institute staff."""
    return core.can_curate(user)


def can_work_on_centre(user, centre: Centre) -> bool:
    """Run the centre's projects and draft its learning: its staff (and institute staff)."""
    return core.can_work_for_centre(user, centre.host)


def is_centre_lead(user, centre: Centre) -> bool:
    """The centre's lead (`CentreStaff.objects.leads()`: the one rule)."""
    if not user.is_authenticated:
        return False
    return CentreStaff.objects.leads().filter(centre=centre, user=user).exists()


def can_publish_for_centre(user, centre: Centre) -> bool:
    """Publish (or send back) the centre's learning: its lead and institute staff."""
    return core.is_institute_staff(user) or is_centre_lead(user, centre)


def centre_for_user(user) -> Centre | None:
    """The centre whose host the user is centre staff at, if any."""
    membership = core.membership_of(user)
    if membership is None or not core.can_work_for_centre(user, membership.organisation):
        return None
    return Centre.objects.filter(host_id=membership.organisation_id).first()


def learning_drafts_for_user(user):
    """The unpublished learning (drafts and items in review) of the centre the user works at,
    for its own staff; None for everyone else (institute staff review it from their queue).
    No query beyond the user's membership."""
    membership = core.membership_of(user)
    if membership is None or membership.role != Role.CENTRE_STAFF:
        return None
    return Learning.objects.exclude(status=LearningStatus.PUBLISHED).filter(
        centre__host_id=membership.organisation_id
    )


def centre_get_for_user(user, slug: str, *, write: bool = False) -> Centre:
    """Centres are public to read; only institute staff change them."""
    centre = Centre.objects.select_related("host").filter(slug=slug).first()
    if centre is None:
        raise Http404
    if write and not can_manage_centres(user):
        raise NotAllowed()
    return centre


def project_get_for_user(user, pk, *, write: bool = False) -> Project:
    """Projects are public to read; the centre's staff change them."""
    project = Project.objects.select_related("centre", "centre__host").filter(pk=pk).first()
    if project is None:
        raise Http404
    if write and not can_work_on_centre(user, project.centre):
        raise NotAllowed("Only the centre's own staff can change its projects.")
    return project


def learning_get_for_user(user, public_id, *, write: bool = False) -> Learning:
    """Published learning is public; anything else exists only for the centre and the institute.

    Found by its public_id (a UUID), never by its number."""
    learning = (
        Learning.objects.select_related(
            "centre", "centre__host", "project", "created_by", "submitted_by", "published_by"
        )
        .filter(public_id=public_id)
        .first()
    )
    if learning is None:
        raise Http404
    works_here = can_work_on_centre(user, learning.centre)
    if not learning.is_published and not works_here:
        raise Http404
    if write and not works_here:
        raise NotAllowed("Only the centre's own staff can change its learning.")
    return learning


def revision_get_for_user(user, public_id, number) -> LearningRevision:
    """Revisions of published learning are as public as the learning itself."""
    learning = learning_get_for_user(user, public_id)
    revision = (
        LearningRevision.objects.select_related("replaced_by")
        .filter(learning=learning, number=number)
        .first()
    )
    if revision is None:
        raise Http404
    revision.learning = learning
    return revision


def learning_changes_get_for_user(user, public_id):
    """The changes to a published item's claims, newest first, with the item: seen by the
    centre's staff and institute staff (its lead or institute staff decide on them); refused
    to everyone else."""
    learning = learning_get_for_user(user, public_id)
    if not can_work_on_centre(user, learning.centre):
        raise NotAllowed("Only the centre's own staff and institute staff see changes to review.")
    changes = LearningChange.objects.select_related("learning", "proposed_by", "decided_by").filter(
        learning=learning
    )
    return learning, changes


def learning_change_get_for_user(user, public_id, pk) -> LearningChange:
    """One change to published learning, for those who see its changes (above)."""
    learning, changes = learning_changes_get_for_user(user, public_id)
    change = changes.filter(pk=pk).first()
    if change is None:
        raise Http404
    change.learning = learning
    return change
