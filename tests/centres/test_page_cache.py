"""The learning page is served from cached parts (institute.fragments): a write that changes
what it shows, in the centres app or elsewhere, must show on the next view."""

import pytest

from backlog import services as backlog_services
from centres.models import LearningStatus
from tests.centres.factories import LearningFactory
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db


def page(client, learning):
    return client.get(learning.get_absolute_url())


def test_a_visitors_second_view_makes_no_query(client, gm_centre, django_assert_num_queries):
    learning = LearningFactory(centre=gm_centre, title="Sharing care data safely")
    page(client, learning)
    with django_assert_num_queries(0):
        html = page(client, learning).content.decode()
    assert "Sharing care data safely" in html


def test_edits_and_the_demand_of_its_problems_show(client, gm_centre):
    problem = ProblemFactory(title="Care records are re-keyed")
    learning = LearningFactory(centre=gm_centre, problems=[problem])
    assert "0 councils affected" in page(client, learning).content.decode()
    backlog_services.problem_vote(actor=council_officer("camden"), problem=problem)
    learning.title = "What worked for care records"
    learning.save()
    html = page(client, learning).content.decode()
    assert "1 council affected (1 officer)" in html and "What worked for care records" in html


def test_unpublished_learning_is_never_served_to_visitors(client, gm_centre):
    learning = LearningFactory(centre=gm_centre)
    assert page(client, learning).status_code == 200
    learning.status = LearningStatus.IN_REVIEW
    learning.published_at = None
    learning.save()
    assert page(client, learning).status_code == 404
