"""Who may do what in the components library; the only way views and the API fetch its rows."""

from django.http import Http404

from components.models import Adoption, Component, ComponentChange, HarvestSource, ReviewStatus
from institute import access as core
from institute.errors import NotAllowed
from institute.models import EvidenceFile, Role


def can_submit_component(user) -> bool:
    """Anyone signed in who may contribute (a member of an organisation whose role is not
    read-only) may suggest a component; institute staff review it before it shows."""
    return core.can_contribute(user)


def require_can_submit_component(user) -> None:
    core.require(can_submit_component(user), core.contribute_refusal(user, "submit a component"))


def can_review(user) -> bool:
    return core.can_curate(user)


def can_view_component(user, component: Component) -> bool:
    """Published components are public; others only for their submitter and institute staff."""
    if component.status == ReviewStatus.PUBLISHED:
        return True
    return user.is_authenticated and (component.submitted_by_id == user.pk or can_review(user))


def component_drafts_for_user(user):
    """The components the user submitted that are not published (their drafts); None for
    anyone who may not submit components."""
    if not can_submit_component(user):
        return None
    return Component.objects.exclude(status=ReviewStatus.PUBLISHED).filter(submitted_by=user)


def can_edit_component(user, component: Component) -> bool:
    """Staff edit any component; the submitter edits their own until it is published."""
    if can_review(user):
        return True
    return (
        user.is_authenticated
        and component.submitted_by_id == user.pk
        and component.status in {ReviewStatus.IN_REVIEW, ReviewStatus.CHANGES_REQUESTED}
    )


def can_link_problems(user, component: Component) -> bool:
    """Staff, and the submitter before publication, say which problems a component addresses."""
    return can_edit_component(user, component)


def can_record_adoption(user) -> bool:
    """Only a council's own officers record its adoption (the council is checked per write)."""
    return core.is_council_officer(user)


def can_see_contacts(user) -> bool:
    """Named contacts at adopting councils are for people working in councils, centres and the
    institute, never for the public or read-only sector viewers."""
    return core.is_institute_staff(user) or core.role_of(user) in {
        Role.OFFICER,
        Role.CENTRE_STAFF,
    }


def component_get_for_user(user, public_id, *, write: bool = False) -> Component:
    """A component the user may see (404 otherwise); with write, one they may also edit.
    Found by its public_id (a UUID), never by its number."""
    component = (
        Component.objects.select_related("maintainer", "submitted_by", "submitted_for")
        .filter(public_id=public_id)
        .first()
    )
    if component is None or not can_view_component(user, component):
        raise Http404
    if write and not can_edit_component(user, component):
        raise NotAllowed("You cannot change this component.")
    return component


def adoption_get_for_user(user, pk, *, write: bool = False) -> Adoption:
    """Adoptions of published components are public; only the council's officers change them."""
    adoption = (
        Adoption.objects.select_related("component", "organisation", "contact")
        .filter(pk=pk)
        .first()
    )
    if adoption is None or not can_view_component(user, adoption.component):
        raise Http404
    if write and not core.can_act_for_council(user, adoption.organisation):
        raise NotAllowed("Only officers of this council can change its adoption.")
    return adoption


def can_view_adoption_files(user, adoption: Adoption) -> bool:
    """An adoption's documents (contracts, reports) are for the council's own officers,
    institute staff and the sector's national bodies; the adoption itself is public."""
    return core.can_view_sector_detail(user) or core.is_council_officer(user, adoption.organisation)


def adoption_file_get_for_user(
    user, pk, file_public_id, *, write: bool = False
) -> tuple[Adoption, EvidenceFile]:
    """A file of evidence on an adoption the user may see the files of (404 otherwise); with
    `write`, one they may remove (their council's)."""
    adoption = adoption_get_for_user(user, pk, write=write)
    if not can_view_adoption_files(user, adoption):
        raise Http404
    evidence = EvidenceFile.objects.filter(
        public_id=file_public_id,
        pk__in=Adoption.evidence_files.through.objects.filter(adoption=adoption).values(
            "evidencefile_id"
        ),
    ).first()
    if evidence is None:
        raise Http404
    return adoption, evidence


def can_register_source(user) -> bool:
    """Anyone signed in who may contribute (not a read-only sector viewer) may say where a
    component's publiccode.yml lives: a harvest submits a component in their name."""
    return core.can_contribute(user)


def can_register_listing(user) -> bool:
    """An organisation's whole list of repositories is registered by institute staff."""
    return can_review(user)


def can_view_source(user, source: HarvestSource) -> bool:
    """A source's fetch history (and its errors) is for whoever registered it and staff."""
    return user.is_authenticated and (source.registered_by_id == user.pk or can_review(user))


def source_get_for_user(user, pk) -> HarvestSource:
    """A harvest source the user may see, 404 otherwise (so numbers reveal nothing)."""
    source = (
        HarvestSource.objects.select_related("component", "organisation", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if source is None or not can_view_source(user, source):
        raise Http404
    return source


def component_changes_get_for_user(user, public_id):
    """The changes to a published component's promises, newest first, with the component:
    institute staff only."""
    component = component_get_for_user(user, public_id)
    if not can_review(user):
        raise NotAllowed("Only institute staff see changes to review.")
    changes = ComponentChange.objects.select_related(
        "component", "proposed_by", "decided_by"
    ).filter(component=component)
    return component, changes


def component_change_get_for_user(user, public_id, pk) -> ComponentChange:
    """A change to a published component waiting for (or after) review: institute staff only."""
    component, changes = component_changes_get_for_user(user, public_id)
    change = changes.filter(pk=pk).first()
    if change is None:
        raise Http404
    change.component = component
    return change
