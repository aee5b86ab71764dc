"""Factories for the components library: rows written straight to the tables (the services
are tested separately); counters start at 0."""

import factory
from django.utils import timezone

from components.models import Adoption, Component
from tests.factories import UserFactory


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Shared component number {n}")
    slug = factory.Sequence(lambda n: f"shared-component-number-{n}")
    summary = "A reusable thing several councils need."
    description = "It does the job **well**."
    description_html = '<p class="govuk-body">It does the job <strong>well</strong>.</p>'
    kind = "api"
    maturity = "live"
    licence = "MIT"
    licence_open = True
    source_url = "https://example.org/source"
    cost_model = "free"
    hosting = "self_hosted"
    status = "published"
    submitted_by = factory.SubFactory(UserFactory)
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def service_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_areas.set(extracted)


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    component = factory.SubFactory(ComponentFactory)
    stage = "in_use"
    since = factory.LazyFunction(lambda: timezone.localdate())
    evidence_note = "Used by our contact centre."
