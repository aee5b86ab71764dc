"""The standard page is served from cached parts (institute.fragments): a write in the
standards app must show on the next view."""

import pytest

from standards import services
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(institute_staff):
    return published_standard(institute_staff)


def page(client, standard) -> str:
    response = client.get(standard.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitors_second_view_makes_no_query(client, standard, django_assert_num_queries):
    page(client, standard)
    with django_assert_num_queries(0):
        html = page(client, standard)
    assert "F1: <bdi>Criterion F1</bdi>" in html and "Adopted by 0 of 317" in html


def test_a_green_assessment_changes_the_adoption_figure(client, standard, officer):
    assert "Adopted by 0 of 317" in page(client, standard)
    submitted_assessment(officer, standard)
    assert "Adopted by 1 of 317" in page(client, standard)


def test_a_new_criterion_in_a_published_version_shows(client, standard, institute_staff):
    page(client, standard)
    version = services.version_draft_next(actor=institute_staff, standard=standard)
    services.criterion_add(
        actor=institute_staff,
        version=version,
        code="F4",
        title="Criterion F4",
        guidance="Also this.",
        mandatory=False,
    )
    services.version_publish(actor=institute_staff, version=version)
    html = page(client, standard)
    assert "F4: <bdi>Criterion F4</bdi>" in html and "Version 2" in html


def test_authors_see_drafts_in_the_history_and_visitors_do_not(client, standard, institute_staff):
    services.version_draft_next(actor=institute_staff, standard=standard)
    assert "Draft" not in page(client, standard).split("Version history")[1]
    client.force_login(institute_staff)
    assert "Draft" in page(client, standard).split("Version history")[1]
