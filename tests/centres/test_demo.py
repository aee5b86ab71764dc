"""The demo centres load through the services, and loading them twice changes nothing."""

import pytest

from centres import demo as centres_demo
from centres import selectors
from centres.models import Centre, CentreStaff, Learning, LearningRevision, LearningStatus, Project
from institute import demo as institute_demo

pytestmark = pytest.mark.django_db


def test_demo_seeds_five_centres_with_projects_and_rated_learning_idempotently():
    institute_demo.seed()
    first = centres_demo.seed()
    assert first["centres"] == 5
    assert Project.objects.count() >= 15
    assert Learning.objects.count() >= 40
    published = Learning.objects.filter(status=LearningStatus.PUBLISHED)
    assert set(published.values_list("evidence_strength", flat=True)) == {0, 1, 2, 3, 4, 5}
    assert set(published.values_list("kind", flat=True)) == {
        "case_study", "evaluation", "what_works", "playbook", "data_sharing"
    }  # fmt: skip
    assert published.filter(kind="data_sharing").count() >= 5
    # They count towards the 2030 target once the standards they follow exist (standards.demo,
    # loaded before the centres by seed_demo); without them, none does.
    assert selectors.data_sharing_examples_count() == 0
    assert Learning.objects.filter(status=LearningStatus.DRAFT).exists()
    assert Learning.objects.filter(status=LearningStatus.IN_REVIEW).exists()
    # One edit after publication, and one reviewed change of claims published (its text before
    # is kept too); another change of claims waits for review.
    assert LearningRevision.objects.count() == 2
    assert first["claim_changes"] == 2
    # Every centre has exactly one lead; centre@gmca.test works for Greater Manchester.
    assert CentreStaff.objects.filter(is_lead=True).count() == 5
    assert CentreStaff.objects.get(user__email="centre@gmca.test").centre.host.slug == (
        "greater-manchester-combined-authority"
    )

    counts = (Centre.objects.count(), Project.objects.count(), Learning.objects.count())
    second = centres_demo.seed()
    assert second["new_learning"] == 0
    assert (Centre.objects.count(), Project.objects.count(), Learning.objects.count()) == counts
    assert LearningRevision.objects.count() == 2
    assert second["claim_changes"] == 0
