"""The demo standards load through the services, cover every state, and load only once."""

import pytest

from institute import demo as institute_demo
from standards import demo, selectors
from standards.models import Assessment, Audit, Standard, VersionStatus

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_covers_every_state():
    institute_demo.seed()
    first = demo.seed()
    assert first["standards"] == 8 and first["assessments"] > 300
    assert demo.seed() == first
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert statuses == {"in_progress", "submitted", "verified", "challenged"}
    assert set(Assessment.objects.values_list("result", flat=True)) >= {"green", "amber", "red"}
    forms = Standard.objects.get(title="Accessible online forms")
    assert forms.versions.filter(status=VersionStatus.SUPERSEDED).exists()
    assert forms.current_version.criteria.filter(predecessors__isnull=False).exists()
    assert Standard.objects.filter(versions__status=VersionStatus.CONSULTATION).count() == 1
    rates = selectors.adoption_for(Standard.objects.all())
    assert all(0 < rate.adopted < rate.in_scope for rate in rates.values())
    assert Audit.objects.filter(completed_at__isnull=False).exists()
