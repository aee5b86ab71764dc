"""The objects the security tests act on, created on first use: owned by Leeds City Council
(the `officer` fixture) or by the Greater Manchester centre (`centre_staff`, its lead), curated
by `institute_staff`."""

from datetime import timedelta
from functools import cached_property
from pathlib import Path

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from backlog import services as backlog_services
from backlog.models import Comment, Problem
from centres.models import Centre, CentreStaff, Learning, LearningStatus, Project
from components import services as component_services
from components.models import Adoption, Component
from institute.models import Organisation
from standards import services as standard_services
from standards.models import Assessment, Audit, ConsultationComment, Standard, StandardVersion
from tests.centres.factories import LearningFactory, ProjectFactory, draft
from tests.components.factories import ComponentFactory
from tests.factories import ProblemFactory
from tests.standards.factories import answer_all, published_standard

GMCA = "greater-manchester-combined-authority"
PUBLICCODE = (
    Path(__file__).resolve().parents[1] / "components" / "fixtures" / "bin-day-api.publiccode.yml"
)
TODAY = timezone.localdate


# --- The objects ----------------------------------------------------------------------------------


class World:
    """Objects created on first use: owned by Leeds (officer) or Greater Manchester (centre_staff,
    the centre's lead), curated by institute_staff. `actor` is the role under test."""

    def __init__(self, request, role: str):
        self._request = request
        self.role = role

    def _fixture(self, name):
        return self._request.getfixturevalue(name)

    @cached_property
    def actor(self):
        return self._fixture(self.role)

    @cached_property
    def officer(self):
        return self._fixture("officer")

    @cached_property
    def staff(self):
        return self._fixture("institute_staff")

    @cached_property
    def centre_staff(self):
        return self._fixture("centre_staff")

    # Backlog

    @cached_property
    def problem(self) -> Problem:
        return ProblemFactory(submitted_by=self.officer, title="Residents cannot see bin days")

    @cached_property
    def other_problem(self) -> Problem:
        return ProblemFactory(submitted_by=self.officer, title="Bin day letters go astray")

    @cached_property
    def comment(self) -> Comment:
        return backlog_services.comment_add(
            actor=self.officer, problem=self.problem, body="Leeds has this too."
        )

    # Components

    @cached_property
    def component(self) -> Component:
        """Published, submitted by the Leeds officer."""
        return ComponentFactory(
            name="Bin collection day API",
            submitted_by=self.officer,
            submitted_for=self.officer.membership.organisation,
        )

    @cached_property
    def component_in_review(self) -> Component:
        return ComponentFactory(
            name="Missed bin reporting",
            status="in_review",
            published_at=None,
            submitted_by=self.officer,
            submitted_for=self.officer.membership.organisation,
        )

    @cached_property
    def adoption(self) -> Adoption:
        adoption, _ = component_services.adoption_record(
            actor=self.officer,
            component=self.component,
            organisation=self.officer.membership.organisation,
            stage="in_use",
            since=TODAY() - timedelta(days=400),
            evidence_note="Used by our contact centre.",
        )
        Adoption.objects.filter(pk=adoption.pk).update(
            confirmed_at=timezone.now() - timedelta(days=300)
        )
        return adoption

    # Standards

    @cached_property
    def standard(self) -> Standard:
        return published_standard(self.staff)

    @cached_property
    def draft_version(self) -> StandardVersion:
        return standard_services.version_draft_next(actor=self.staff, standard=self.standard)

    @cached_property
    def consultation_version(self) -> StandardVersion:
        return standard_services.version_open_consultation(
            actor=self.staff, version=self.draft_version, closes_on=TODAY() + timedelta(days=30)
        )

    @cached_property
    def consultation_comment(self) -> ConsultationComment:
        return standard_services.consultation_comment_add(
            actor=self.officer, version=self.consultation_version, body="Leeds would add F4."
        )

    @cached_property
    def assessment(self) -> Assessment:
        """Leeds's assessment of the published version, started, nothing answered."""
        assessment, _ = standard_services.assessment_start(
            actor=self.officer, version=self.standard.current_version
        )
        return assessment

    @cached_property
    def answered_assessment(self) -> Assessment:
        answer_all(self.officer, self.assessment)
        return self.assessment

    @cached_property
    def submitted_assessment(self) -> Assessment:
        return standard_services.assessment_submit(
            actor=self.officer, assessment=self.answered_assessment
        )

    @cached_property
    def audit(self) -> Audit:
        assessment = self.submitted_assessment
        standard_services.audit_round_draw(quarter_day=TODAY(), rate=1)
        return Audit.objects.get(assessment=assessment)

    # Centres

    @cached_property
    def centre(self) -> Centre:
        """Greater Manchester's centre; centre_staff is its lead."""
        centre = Centre.objects.create(
            name="Greater Manchester Centre",
            slug="greater-manchester",
            host=Organisation.objects.get(slug=GMCA),
            regions=["E12000002"],
            focus_themes=["data"],
            focus="Sharing data between councils and health",
        )
        CentreStaff.objects.create(centre=centre, user=self.centre_staff, is_lead=True)
        return centre

    @cached_property
    def project(self) -> Project:
        return ProjectFactory(centre=self.centre, created_by=self.centre_staff)

    @cached_property
    def learning_draft(self) -> Learning:
        return draft(centre=self.centre, created_by=self.centre_staff)

    @cached_property
    def learning_in_review(self) -> Learning:
        return draft(
            centre=self.centre,
            status=LearningStatus.IN_REVIEW,
            created_by=self.centre_staff,
            submitted_by=self.centre_staff,
            submitted_at=timezone.now(),
        )

    @cached_property
    def learning_published(self) -> Learning:
        return LearningFactory(centre=self.centre, created_by=self.centre_staff)


def object_url(name: str, obj, **extra) -> str:
    """The URL of `name` for an object: by its public_id where the route takes one, else by its
    pk (component URLs move from pk to public_id; this follows whichever the routes use)."""
    public_id = getattr(obj, "public_id", None)
    if public_id is not None:
        try:
            return reverse(name, kwargs={"public_id": public_id, **extra})
        except NoReverseMatch:
            pass
    return reverse(name, kwargs={"pk": obj.pk, **extra})


def api_component_ref(component):
    """How the adoptions API names a component in a body: its id or its public_id."""
    from rest_framework import serializers

    from components.api import AdoptionCreateSerializer

    field_ = AdoptionCreateSerializer().fields["component"]
    return (
        component.pk if isinstance(field_, serializers.IntegerField) else str(component.public_id)
    )
