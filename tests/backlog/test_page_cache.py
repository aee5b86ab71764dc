"""The problem page is served from cached parts (institute.fragments): whatever a write changes
must show on the very next view, for visitors and signed-in people alike."""

import re

import pytest
from django.core.cache.backends.redis import RedisCache

from backlog import services
from components import services as component_services
from institute.models import Organisation, ServiceArea
from tests.components.factories import ComponentFactory
from tests.factories import ProblemFactory, council_officer

pytestmark = pytest.mark.django_db


def page(client, problem) -> str:
    response = client.get(problem.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def problem(officer):
    problem = ProblemFactory(title="Damp reports are lost between teams")
    services.problem_vote(actor=officer, problem=problem)
    return problem


def test_a_visitors_second_view_makes_no_query(client, problem, django_assert_num_queries):
    first = page(client, problem)
    with django_assert_num_queries(0):
        second = page(client, problem)
    assert "1 council affected (1 officer)" in second

    def per_request(html):  # the CSRF token and the script nonce differ on every request
        html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
        return re.sub(r'nonce="[^"]+"', "", html)

    assert per_request(first) == per_request(second)


def test_a_vote_and_its_withdrawal_show_on_the_next_view(client, problem):
    page(client, problem)
    camden = council_officer("camden")
    services.problem_vote(actor=camden, problem=problem)
    html = page(client, problem)
    assert "2 councils affected (2 officers)" in html and "Camden" in html
    services.problem_vote_withdraw(actor=camden, problem=problem)
    html = page(client, problem)
    assert "1 council affected (1 officer)" in html and "Camden" not in html


def test_a_comment_shows_and_a_hidden_one_goes_for_visitors_not_for_staff(
    client, problem, officer, institute_staff
):
    page(client, problem)
    comment = services.comment_add(actor=officer, problem=problem, body="We lose them too.")
    assert "We lose them too." in page(client, problem)
    services.comment_hide(actor=institute_staff, comment=comment, reason="Off topic")
    assert "We lose them too." not in page(client, problem)
    client.force_login(institute_staff)
    assert "We lose them too." in page(client, problem)


def test_a_status_change_shows_in_the_tag_and_the_timeline(client, problem, institute_staff):
    page(client, problem)
    services.problem_change_status(
        actor=institute_staff, problem=problem, status="triaged", note="Seen by the board"
    )
    html = page(client, problem)
    assert "Seen by the board" in html and "govuk-tag--light-blue" in html


def test_a_merge_sends_visitors_on_and_counts_the_votes_there(client, problem, institute_staff):
    other = ProblemFactory(title="Damp and mould reports go missing")
    services.problem_vote(actor=council_officer("kent"), problem=other)
    page(client, problem), page(client, other)
    services.problem_merge(actor=institute_staff, source=other, target=problem)
    response = client.get(other.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{problem.get_absolute_url()}?merged_from={other.pk}"
    html = page(client, problem)
    assert "2 councils affected (2 officers)" in html and "Kent" in html
    services.problem_unmerge(actor=institute_staff, source=other)
    assert "Kent" in page(client, other) and "Kent" not in page(client, problem)


def test_renamed_councils_and_service_areas_show(client, problem):
    page(client, problem)
    leeds = Organisation.objects.get(slug="leeds")
    leeds.name = "Leeds Metropolitan Council"
    leeds.save()
    area = ServiceArea.objects.get(slug="housing")
    area.name = "Housing and homes"
    area.save()
    html = page(client, problem)
    assert "Leeds Metropolitan Council" in html and "Housing and homes" in html


def test_a_component_linked_to_the_problem_shows_for_visitors(client, problem, institute_staff):
    page(client, problem)
    component = ComponentFactory(name="Damp tracker")
    component_services.component_link_problem(
        actor=institute_staff, component=component, problem=problem
    )
    assert "Damp tracker" in page(client, problem)


def test_signed_in_people_see_their_own_buttons_not_a_visitors_copy(client, problem, other_officer):
    assert "Sign in</a> to say your council" in page(client, problem)
    client.force_login(other_officer)
    html = page(client, problem)
    assert "My council has this problem too" in html and "Sign in</a> to say" not in html
    services.problem_vote(actor=other_officer, problem=problem)
    assert "Withdraw your vote" in page(client, problem)


def test_the_page_still_works_when_the_cache_is_down(client, problem, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    monkeypatch.setattr(RedisCache, "get_many", down)
    monkeypatch.setattr(RedisCache, "set", down)
    assert "1 council affected (1 officer)" in page(client, problem)


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1", "abc"])
def test_odd_merged_from_values_are_ignored(client, problem, value):
    response = client.get(problem.get_absolute_url(), {"merged_from": value})
    assert response.status_code == 200 and "was merged into this problem" not in (
        response.content.decode()
    )
