"""Standards built through the services, so tests start from rows the rules allow."""

from datetime import timedelta

from django.utils import timezone

from institute.models import Organisation
from standards import services
from standards.models import Assessment, Rating


def published_standard(staff, *, title="Accessible online forms", criteria=None, **kwargs):
    """A standard with a published version 1 of the given criteria [(code, mandatory)]."""
    standard = services.standard_create(
        actor=staff,
        title=title,
        category=kwargs.pop("category", "service"),
        owner=Organisation.objects.get(slug="local-digital-institute"),
        summary="Councils' online forms work for everyone who needs them.",
        **kwargs,
    )
    version = standard.versions.get()
    for code, mandatory in criteria or [("F1", True), ("F2", True), ("F3", False)]:
        services.criterion_add(
            actor=staff,
            version=version,
            code=code,
            title=f"Criterion {code}",
            guidance="Do the **right** thing.",
            mandatory=mandatory,
        )
    services.version_publish(actor=staff, version=version)
    standard.refresh_from_db()
    return standard


def answer_all(officer, assessment, ratings: dict | None = None, default=Rating.MET):
    for criterion in assessment.version.criteria.all():
        rating = (ratings or {}).get(criterion.code, default)
        services.answer_save(
            actor=officer,
            assessment=assessment,
            criterion=criterion,
            rating=rating,
            reason="We do not run this service." if rating == Rating.NOT_APPLICABLE else "",
            evidence="Our accessibility statement and last audit report.",
            evidence_date=timezone.localdate() - timedelta(days=10),
        )


def submitted_assessment(officer, standard, ratings=None, default=Rating.MET) -> Assessment:
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    answer_all(officer, assessment, ratings, default)
    return services.assessment_submit(actor=officer, assessment=assessment)
