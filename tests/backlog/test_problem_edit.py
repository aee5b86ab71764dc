"""Problems that stay right: the submitter edits while new, staff edit with a reason, every edit
is a revision on the problem page, and the submitter withdraws a new problem (issue 19)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backlog import services
from backlog.models import (
    CouncilDemand,
    Follow,
    Problem,
    ProblemRevision,
    Vote,
    WithdrawnProblem,
    short_diff,
)
from backlog.selectors import BacklogFilters, problem_list, problem_similar
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, Notification, ServiceArea
from tests.factories import council_officer

pytestmark = pytest.mark.django_db

TITLE = "Housing repairs reports go missing between systems"


@pytest.fixture
def problem(officer):
    return services.problem_submit(
        actor=officer,
        title=TITLE,
        summary="Tenants report a repair twice because the first report never arrives.",
        description="Two systems, no link. The contact centre re-keys every report by hand.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )


def _form(problem, **overrides):
    return {
        "title": problem.title,
        "summary": problem.summary,
        "description": problem.description,
        "theme": problem.theme,
        "service_areas": [a.slug for a in problem.service_areas.all()],
        **overrides,
    }


def _edit(actor, problem, **overrides):
    values = {
        "title": problem.title,
        "summary": problem.summary,
        "description": problem.description,
        "theme": problem.theme,
        "service_areas": list(problem.service_areas.all()),
        **overrides,
    }
    return services.problem_edit(actor=actor, problem=problem, **values)


def _state(problem):
    """What a refusal must leave as it was."""
    row = Problem.objects.filter(pk=problem.pk).values(
        "title", "summary", "description", "theme", "status", "updated_at"
    )
    areas = sorted(problem.service_areas.values_list("slug", flat=True))
    return list(row), areas, ProblemRevision.objects.count(), AuditEvent.objects.count()


# --- Editing: who, when -----------------------------------------------------------------------


def test_submitter_edits_a_new_problem_and_the_page_lists_the_change(client, officer, problem):
    client.force_login(officer)
    url = reverse("backlog:problem_edit", kwargs={"pk": problem.pk})
    assert "Edit this problem" in client.get(problem.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert "Why are you changing" not in page  # no reason asked of the submitter
    response = client.post(
        url,
        _form(
            problem,
            title="Housing repair reports are lost between two systems",
            theme="infrastructure",
            service_areas=["housing", "customer-services"],
        ),
    )
    assert response.status_code == 302 and response["Location"].endswith("#changes")
    problem.refresh_from_db()
    assert problem.title == "Housing repair reports are lost between two systems"
    assert problem.theme == "infrastructure"
    revision = ProblemRevision.objects.get(problem=problem)
    assert revision.actor == officer and not revision.by_staff and revision.reason == ""
    assert [c["field"] for c in revision.changes] == ["title", "theme", "service_areas"]
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "Changes" in html and "was: </span>" + TITLE in html
    assert "Customer services, Housing" in html
    assert "Your changes are saved" in html
    assert AuditEvent.objects.filter(verb="problem.edited", target_id=str(problem.pk)).exists()


def test_submitter_cannot_edit_once_triage_has_started(client, officer, institute_staff, problem):
    services.problem_change_status(actor=institute_staff, problem=problem, status="triaged")
    problem.refresh_from_db()
    before = _state(problem)
    client.force_login(officer)
    url = reverse("backlog:problem_edit", kwargs={"pk": problem.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, _form(problem, title="Something else entirely")).status_code == 403
    with pytest.raises(NotAllowed):
        _edit(officer, problem, title="Something else entirely")
    assert _state(problem) == before
    assert "Edit this problem" not in client.get(problem.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "role", ["other_officer", "centre_staff", "sector_viewer", "no_membership_user"]
)
def test_no_one_else_may_edit_a_problem(client, request, role, problem):
    user = request.getfixturevalue(role)
    before = _state(problem)
    client.force_login(user)
    url = reverse("backlog:problem_edit", kwargs={"pk": problem.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, _form(problem, title="Taken over")).status_code == 403
    with pytest.raises(NotAllowed):
        _edit(user, problem, title="Taken over")
    assert _state(problem) == before


def test_a_colleague_of_the_submitter_cannot_edit_it(client, problem):
    colleague = council_officer("leeds", "colleague@leeds.example.test")
    client.force_login(colleague)
    response = client.post(
        reverse("backlog:problem_edit", kwargs={"pk": problem.pk}), _form(problem, title="Mine")
    )
    assert response.status_code == 403
    assert Problem.objects.get(pk=problem.pk).title == TITLE


def test_anonymous_edit_goes_to_sign_in(client, problem):
    response = client.post(reverse("backlog:problem_edit", kwargs={"pk": problem.pk}), {})
    assert response.status_code == 302 and "/account/login/" in response["Location"]


# --- Staff: any status, with a reason ---------------------------------------------------------


def test_staff_edit_without_a_reason_is_refused_and_changes_nothing(
    client, institute_staff, problem
):
    services.problem_change_status(actor=institute_staff, problem=problem, status="in_progress")
    before = _state(problem)
    client.force_login(institute_staff)
    url = reverse("backlog:problem_edit", kwargs={"pk": problem.pk})
    response = client.post(url, _form(problem, title="Repairs reports lost", reason="   "))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html and "Say why you are changing this problem" in html
    assert _state(problem) == before
    with pytest.raises(DomainError) as refused:
        _edit(institute_staff, problem, title="Repairs reports lost")
    assert refused.value.field == "reason"
    assert _state(problem) == before


def test_staff_edit_any_status_with_a_reason_and_followers_are_told(
    client, institute_staff, officer, other_officer, problem
):
    services.problem_vote(actor=other_officer, problem=problem)
    services.problem_change_status(actor=institute_staff, problem=problem, status="solved")
    client.force_login(institute_staff)
    response = client.post(
        reverse("backlog:problem_edit", kwargs={"pk": problem.pk}),
        _form(problem, summary="Repair reports are lost.", reason="Shorter summary for the list"),
    )
    assert response.status_code == 302
    revision = ProblemRevision.objects.get(problem=problem)
    assert revision.by_staff and revision.reason == "Shorter summary for the list"
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "Why: " in html and "Shorter summary for the list" in html
    assert "(institute staff)" in html
    told = Notification.objects.filter(kind="problem_edited")
    assert set(told.values_list("recipient", flat=True)) == {officer.pk, other_officer.pk}
    audit = AuditEvent.objects.get(verb="problem.edited")
    assert audit.actor == institute_staff and audit.note == "Shorter summary for the list"


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"title": "x" * 151}, "150 characters"),
        ({"theme": "nonsense"}, "Choose a theme"),
        ({"service_areas": []}, "Choose at least one service area"),
        ({"service_areas": ["no-such-area"]}, "Choose service areas from the list"),
    ],
)
def test_bad_edits_get_a_clear_error_and_change_nothing(
    client, officer, problem, overrides, message
):
    before = _state(problem)
    client.force_login(officer)
    response = client.post(
        reverse("backlog:problem_edit", kwargs={"pk": problem.pk}), _form(problem, **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and message in html
    assert _state(problem) == before


@pytest.mark.parametrize("who", ["officer", "institute_staff"])
def test_an_edit_that_changes_nothing_records_nothing_and_needs_no_reason(
    client, request, problem, who
):
    before = _state(problem)
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("backlog:problem_edit", kwargs={"pk": problem.pk}), _form(problem), follow=True
    )
    assert response.status_code == 200
    assert "You did not change anything, so nothing was saved." in response.content.decode()
    assert _state(problem) == before


# --- Search and suggestions follow edits -------------------------------------------------------


def test_search_and_similar_suggestions_follow_an_edit(officer, problem):
    assert list(problem_list(BacklogFilters(q="housing repairs"))) == [problem]
    assert [p.pk for p in problem_similar(title="Housing systems lose data")] == [problem.pk]
    _edit(
        officer,
        problem,
        title="Pothole reports cannot be tracked by residents",
        description="Residents cannot see what happened to a pothole they reported.",
    )
    assert list(problem_list(BacklogFilters(q="pothole"))) == [problem]
    assert list(problem_list(BacklogFilters(q="systems"))) == []
    similar = problem_similar(title="Pothole reports tracked")
    assert [p.pk for p in similar] == [problem.pk]
    assert problem_similar(title="Housing systems lose data") == []


# --- The Changes list -------------------------------------------------------------------------


def test_a_description_change_is_shown_as_a_short_diff():
    before = " ".join(f"word{n}" for n in range(200))
    after = before.replace("word100", "changed")
    diff = short_diff(before, after)
    kinds = [kind for kind, _ in diff]
    assert ("removed", "word100") in diff and ("added", "changed") in diff
    assert kinds == ["same", "removed", "added", "same"]
    assert sum(len(text) for _, text in diff) < 150  # context, not the whole text


@pytest.mark.parametrize("edits", [1, 12])
def test_problem_page_query_count_is_fixed_whatever_the_revisions(
    client, officer, problem, django_assert_num_queries, edits
):
    for n in range(edits):
        _edit(officer, problem, summary=f"Summary, version {n}")
    # As test_views.test_problem_page_query_count_is_fixed, plus one for the latest changes.
    with django_assert_num_queries(10):
        html = client.get(problem.get_absolute_url()).content.decode()
    assert html.count('class="app-timeline__item" id="change-') == min(edits, 5)
    assert ("See all changes" in html) is (edits > 5)
    with django_assert_num_queries(0):
        client.get(problem.get_absolute_url())


@pytest.mark.parametrize("edits", [3, 30])
def test_all_changes_page_is_paginated_with_a_fixed_query_count(
    client, officer, problem, django_assert_num_queries, edits
):
    for n in range(edits):
        _edit(officer, problem, summary=f"Summary, version {n}")
    url = reverse("backlog:problem_changes", kwargs={"pk": problem.pk})
    # problem, count, page of revisions (with who and their organisation)
    with django_assert_num_queries(3):
        html = client.get(url).content.decode()
    assert html.count('id="change-') == min(edits, 25)
    assert "Summary, version " + str(edits - 1) in html  # newest first


def test_the_changes_list_follows_an_edit_in_the_cached_page(client, officer, problem):
    client.get(problem.get_absolute_url())  # cached for visitors
    _edit(officer, problem, title="Repair reports are lost between systems")
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "Repair reports are lost between systems" in html and 'id="change-' in html


# --- Withdrawing ------------------------------------------------------------------------------


def test_submitter_withdraws_a_new_problem_and_a_tombstone_stays(
    client, officer, problem, other_officer
):
    Follow.objects.create(problem=problem, user=other_officer)
    colleague = council_officer("leeds", "colleague@leeds.example.test")
    services.problem_vote(actor=colleague, problem=problem)  # own council: still allowed
    client.get(problem.get_absolute_url())  # cached for visitors
    client.force_login(officer)
    url = reverse("backlog:problem_withdraw", kwargs={"pk": problem.pk})
    assert "Withdraw this problem" in client.get(problem.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert "You have withdrawn problem" in client.get(response["Location"]).content.decode()
    assert not Problem.objects.filter(pk=problem.pk).exists()
    assert not Vote.objects.filter(problem_id=problem.pk).exists()
    assert not CouncilDemand.objects.filter(problem_id=problem.pk).exists()
    tombstone = WithdrawnProblem.objects.get(number=problem.pk)
    assert tombstone.organisation.slug == "leeds" and tombstone.withdrawn_by == officer
    assert Notification.objects.filter(recipient=other_officer, kind="problem_status").exists()
    assert AuditEvent.objects.filter(verb="problem.withdrawn", target_id=str(problem.pk)).exists()
    client.logout()
    page = client.get(problem.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 410
    assert "Withdrawn by the council that raised it" in html and "Leeds" in html
    assert TITLE not in html and "Two systems" not in html
    # Gone from the backlog, searches and the similar-problem suggestions.
    listing = client.get(reverse("backlog:problem_list")).content.decode()
    assert TITLE not in listing
    assert list(problem_list(BacklogFilters(q="housing repairs"))) == []
    assert problem_similar(title=TITLE) == []
    api = APIClient().get(f"/api/v1/problems/{problem.pk}/")
    assert api.status_code == 410 and api.json()["code"] == "withdrawn"


def test_withdrawal_is_refused_when_another_council_has_the_problem(
    client, officer, other_officer, problem
):
    services.problem_vote(actor=other_officer, problem=problem)
    before = _state(problem)
    client.force_login(officer)
    url = reverse("backlog:problem_withdraw", kwargs={"pk": problem.pk})
    page = client.get(url).content.decode()
    assert "1 other council said they have this problem too" in page
    assert 'govuk-button--warning" data-module="govuk-button">Withdraw' not in page
    response = client.post(url)
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in html
    assert "cannot be withdrawn" in html
    assert _state(problem) == before
    assert Vote.objects.filter(problem=problem).count() == 2
    assert not WithdrawnProblem.objects.exists()


def test_withdrawal_is_refused_once_triage_has_started(client, officer, institute_staff, problem):
    services.problem_change_status(actor=institute_staff, problem=problem, status="triaged")
    with pytest.raises(DomainError) as refused:
        services.problem_withdraw(actor=officer, problem=problem)
    assert refused.value.code == "not_new" and "not taken forward" in refused.value.message
    assert Problem.objects.filter(pk=problem.pk).exists()


@pytest.mark.parametrize(
    "role", ["other_officer", "centre_staff", "institute_staff", "sector_viewer"]
)
def test_no_one_but_the_submitter_may_withdraw(client, request, role, problem):
    user = request.getfixturevalue(role)
    client.force_login(user)
    url = reverse("backlog:problem_withdraw", kwargs={"pk": problem.pk})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Problem.objects.filter(pk=problem.pk).exists()
    assert not WithdrawnProblem.objects.exists()


# --- API --------------------------------------------------------------------------------------


def _api(user=None):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_api_submitter_edits_only_the_fields_given(officer, problem):
    response = _api(officer).patch(
        f"/api/v1/problems/{problem.pk}/",
        {"title": "Repair reports are lost between systems"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Repair reports are lost between systems"
    assert response.json()["service_areas"] == ["housing"]
    changes = _api().get(f"/api/v1/problems/{problem.pk}/changes/").json()
    assert changes["count"] == 1
    [revision] = changes["results"]
    assert revision["changes"] == [
        {"field": "title", "before": TITLE, "after": "Repair reports are lost between systems"}
    ]
    assert revision["by_staff"] is False and revision["organisation"] == "Leeds"


def test_api_staff_edit_needs_a_reason(institute_staff, problem):
    url = f"/api/v1/problems/{problem.pk}/"
    refused = _api(institute_staff).patch(url, {"title": "Repairs lost"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"reason": ["Say why you are changing this problem"]}
    assert Problem.objects.get(pk=problem.pk).title == TITLE
    done = _api(institute_staff).patch(
        url, {"title": "Repairs lost", "reason": "Clearer title"}, format="json"
    )
    assert done.status_code == 200 and done.json()["title"] == "Repairs lost"


@pytest.mark.parametrize("role", ["other_officer", "centre_staff", "sector_viewer"])
def test_api_others_cannot_edit_or_withdraw(request, role, problem):
    client = _api(request.getfixturevalue(role))
    url = f"/api/v1/problems/{problem.pk}/"
    assert client.patch(url, {"title": "Taken over"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert Problem.objects.get(pk=problem.pk).title == TITLE
    assert not ProblemRevision.objects.exists()


def test_api_bad_edit_is_400_and_changes_nothing(officer, problem):
    response = _api(officer).patch(
        f"/api/v1/problems/{problem.pk}/",
        {"theme": "nonsense", "service_areas": []},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"theme", "service_areas"}
    assert not ProblemRevision.objects.exists()


def test_api_withdraw_then_410_and_refusals_are_409(officer, other_officer, problem):
    other = services.problem_submit(
        actor=officer,
        title="Blue badge renewals take months",
        summary="Residents wait months.",
        description="Paper forms.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )
    services.problem_vote(actor=other_officer, problem=other)
    refused = _api(officer).delete(f"/api/v1/problems/{other.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "has_demand"
    assert Problem.objects.filter(pk=other.pk).exists()

    url = f"/api/v1/problems/{problem.pk}/"
    assert _api(officer).delete(url).status_code == 204
    assert _api().get(url).status_code == 410
    assert _api(officer).delete(url).status_code == 410
    assert _api(officer).patch(url, {"title": "Back"}, format="json").status_code == 410
    listed = _api().get("/api/v1/problems/").json()
    assert problem.pk not in [p["id"] for p in listed["results"]]
