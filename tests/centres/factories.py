"""factory_boy factories for centres: rows written straight to the tables (the services are
tested on their own), at the real strategic authorities of the loaded reference data."""

import factory
from django.utils import timezone

from centres.models import Centre, CentreStaff, Learning, LearningStatus, Project
from institute.models import Organisation, Role
from tests.factories import MembershipFactory, UserFactory


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ["host"]

    name = factory.Sequence(lambda n: f"Test Centre {n}")
    slug = factory.Sequence(lambda n: f"test-centre-{n}")
    host = factory.LazyFunction(
        lambda: Organisation.objects.get(slug="greater-manchester-combined-authority")
    )
    regions = factory.LazyFunction(lambda: ["E12000002"])
    focus_themes = factory.LazyFunction(lambda: ["data"])
    focus = "Sharing data between councils and health"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    centre = factory.SubFactory(CentreFactory)
    title = factory.Sequence(lambda n: f"Project number {n}")
    summary = "Councils and partners try something together."
    created_by = factory.SubFactory(UserFactory)


class LearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learning
        skip_postgeneration_save = True

    centre = factory.SubFactory(CentreFactory)
    kind = "case_study"
    title = factory.Sequence(lambda n: f"Learning number {n}")
    summary = "What a council did and what happened."
    body = "## What we did\n\nWe tried it."
    body_html = '<h2 class="govuk-heading-m">What we did</h2><p class="govuk-body">We tried it.</p>'
    evidence_strength = 2
    cost_band = "low"
    impact_summary = "Fewer calls."
    themes = factory.LazyFunction(lambda: ["data"])
    status = LearningStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def councils(self, create, extracted, **kwargs):
        if create and extracted:
            self.councils.set(extracted)

    @factory.post_generation
    def problems(self, create, extracted, **kwargs):
        if create and extracted:
            self.problems.set(extracted)

    @factory.post_generation
    def standards(self, create, extracted, **kwargs):
        if create and extracted:
            self.standards.set(extracted)


def draft(**kwargs) -> Learning:
    """Unpublished learning: a draft, or `status=LearningStatus.IN_REVIEW`."""
    kwargs.setdefault("status", LearningStatus.DRAFT)
    return LearningFactory(published_at=None, **kwargs)


def centre_person(host_slug: str, email: str, *, centre=None, lead=False):
    """Centre staff at a host (and, with `centre`, on its page; `lead` makes them its lead)."""
    user = MembershipFactory(
        user=UserFactory(email=email),
        organisation=Organisation.objects.get(slug=host_slug),
        role=Role.CENTRE_STAFF,
    ).user
    if centre is not None:
        CentreStaff.objects.create(centre=centre, user=user, is_lead=lead)
    return user


def api_as(user):
    """A DRF API client signed in as `user`."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def slugs(related) -> list[str]:
    """The sorted slugs of a queryset or related manager (components, standards)."""
    return sorted(related.values_list("slug", flat=True))
