"""Bulk scale data with consistent counters, and idempotent demo data."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from components import services
from components.models import STALE_AFTER, Adoption, AdoptionChange, Component
from tests.bench.load import components as load_components
from tests.bench.load.components import seed_scale

pytestmark = pytest.mark.django_db


def test_seed_scale_loads_unique_adoptions_with_counters_equal_to_the_rows():
    result = seed_scale(components=40, adoptions=1000)
    assert result == {**result, "components": 40, "adoptions": 1000}
    components = Component.objects.filter(slug__startswith="scale-")
    assert components.count() == 40
    assert Adoption.objects.count() == 1000 == AdoptionChange.objects.count()
    pairs = Adoption.objects.values("component", "organisation").distinct().count()
    assert pairs == 1000
    fresh = Q(adoptions__confirmed_at__gt=timezone.now() - STALE_AFTER)
    expected = {
        c.pk: (c.using, c.adopting)
        for c in components.annotate(
            using=Count("adoptions", filter=fresh & Q(adoptions__stage="in_use")),
            adopting=Count("adoptions", filter=fresh & ~Q(adoptions__stage="retired")),
        )
    }
    assert {c.pk: (c.using_count, c.adopting_count) for c in components} == expected
    assert any(a.is_stale() for a in Adoption.objects.all()[:200])
    # The service's recount agrees with the bulk load.
    services.component_counts_refresh()
    assert {c.pk: (c.using_count, c.adopting_count) for c in components.all()} == expected


def test_seed_scale_refuses_more_adoptions_than_councils_allow():
    with pytest.raises(ValueError):
        seed_scale(components=1, adoptions=10_000)
    assert not Component.objects.exists()


def test_seed_scale_command(capsys):
    call_command(load_components.Command(), components=3, adoptions=30)
    assert Adoption.objects.count() == 30
    assert "Loaded" in capsys.readouterr().out


def test_demo_seed_is_idempotent_and_uses_the_services():
    from components import demo
    from institute import demo as people

    people.seed()
    first = demo.seed()
    assert first["components"] == len(demo.COMPONENTS)
    assert first["adoptions"] > 300
    # A change waiting for review, and an adoption with a document (issue 19).
    assert (first["pending_changes"], first["adoption_files"]) == (1, 1)
    assert Component.objects.filter(status="in_review").exists()
    assert Component.objects.filter(status="changes_requested").exists()
    stale = [a for a in Adoption.objects.all() if a.is_stale()]
    assert stale
    assert demo.seed() == {
        "components": 0,
        "adoptions": 0,
        "pending_changes": 0,
        "adoption_files": 0,
    }
    assert Component.objects.count() == len(demo.COMPONENTS)
    # Counters equal the rows after seeding.
    for component in Component.objects.filter(status="published")[:10]:
        counted = [a for a in component.adoptions.all() if a.is_counted()]
        assert component.adopting_count == len(counted)
