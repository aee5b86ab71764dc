"""Centres' pages for every role: browse, the library, drafting, review, publishing, projects."""

import pytest
from django.urls import reverse

from backlog.models import Status
from centres.models import Centre, CentreStaff, Learning, LearningStatus, Project
from institute.models import Organisation, OrganisationKind
from tests.centres.factories import CentreFactory, LearningFactory, ProjectFactory, draft
from tests.factories import OrganisationFactory, ProblemFactory, date_input
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db
LIBRARY = reverse("centres:learning_list")
CENTRES = reverse("centres:centre_list")


def _as(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def _learning_form(**overrides):
    return {
        "kind": "case_study",
        "title": "Plain privacy notices",
        "summary": "Residents shared more when told plainly.",
        "body": "## What we did\n\nWe tested two notices.",
        "evidence_strength": "4",
        "cost_band": "very_low",
        "impact_summary": "Willingness rose from 58% to 71%.",
        "themes": ["data"],
        "service_areas": ["customer-services"],
        "councils": ["manchester"],
        "problems": "",
        "project": "",
        **overrides,
    }


# --- Centres ---------------------------------------------------------------------------------


def test_centre_list_shows_centres_and_data_sharing_progress(
    client, gm_centre, wm_centre, institute_staff
):
    standard = published_standard(institute_staff)
    LearningFactory(centre=gm_centre, kind="data_sharing", standards=[standard])
    LearningFactory(centre=gm_centre, kind="data_sharing")  # follows no standard: not counted
    html = client.get(CENTRES).content.decode()
    assert gm_centre.name in html and wm_centre.name in html
    assert "1 of 15" in html


@pytest.mark.parametrize("count", [1, 50])
def test_centre_list_query_count_is_fixed(client, django_assert_num_queries, count):
    for _n in range(count):
        host = OrganisationFactory(kind=OrganisationKind.CENTRE_HOST, council_type="")
        centre = CentreFactory(host=host)
        ProjectFactory(centre=centre)
        LearningFactory(centre=centre)
    # centres with their counts, and the data-sharing count (anonymous: no session or user).
    with django_assert_num_queries(2):
        response = client.get(CENTRES)
    assert len(response.context["centres"]) == count


def test_centre_page_shows_staff_projects_learning_problems_and_partners(
    client, gm_centre, centre_lead
):
    problem = ProblemFactory(title="Discharge data is not shared")
    project = ProjectFactory(centre=gm_centre, title="Discharge agreement", status="active")
    project.problems.add(problem)
    project.partner_councils.add(Organisation.objects.get(slug="salford"))
    LearningFactory(centre=gm_centre, title="Published piece")
    draft(centre=gm_centre, title="Secret draft")
    html = client.get(gm_centre.get_absolute_url()).content.decode()
    for text in (centre_lead.full_name, "Discharge agreement", "Published piece", problem.title):
        assert text in html
    assert "Salford" in html
    assert "Secret draft" not in html


def test_centre_staff_see_their_drafts_on_the_centre_page(client, gm_centre, centre_staff):
    draft(centre=gm_centre, title="Secret draft")
    assert (
        "Secret draft"
        in _as(client, centre_staff).get(gm_centre.get_absolute_url()).content.decode()
    )


def test_another_centres_staff_do_not_see_drafts(client, gm_centre, other_centre_staff):
    draft(centre=gm_centre, title="Secret draft")
    html = _as(client, other_centre_staff).get(gm_centre.get_absolute_url()).content.decode()
    assert "Secret draft" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_centre_page_query_count_is_fixed(client, gm_centre, django_assert_num_queries, count):
    for _n in range(count):
        project = ProjectFactory(centre=gm_centre)
        project.problems.add(ProblemFactory())
        project.partner_councils.add(Organisation.objects.get(slug="bolton"))
        LearningFactory(centre=gm_centre, councils=[Organisation.objects.get(slug="bury")])
    # centre, projects, learning, count, problems, partners, staff.
    with django_assert_num_queries(7):
        client.get(gm_centre.get_absolute_url())


def test_institute_staff_set_up_a_centre_through_the_page(client, institute_staff):
    response = _as(client, institute_staff).post(
        reverse("centres:centre_create"),
        {
            "name": "North East Centre",
            "host": Organisation.objects.get(slug="north-east-combined-authority").pk,
            "regions": ["E12000001"],
            "focus": "Leadership and AI",
            "focus_themes": ["leadership"],
            "description": "",
        },
    )
    centre = Centre.objects.get(name="North East Centre")
    assert response["Location"] == reverse("centres:centre_staff", args=[centre.slug])


def test_bad_centre_input_shows_errors_and_creates_nothing(client, institute_staff, gm_centre):
    response = _as(client, institute_staff).post(
        reverse("centres:centre_create"),
        {"name": "", "host": gm_centre.host.pk, "regions": ["E99"], "focus": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter the centre’s name" in html
    assert Centre.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["centre_staff", "other_centre_staff", "officer", "sector_viewer", "no_membership_user"]
)
def test_only_institute_staff_manage_centres_and_staff(request, client, gm_centre, role):
    user = request.getfixturevalue(role)
    client = _as(client, user)
    assert client.get(reverse("centres:centre_create")).status_code == 403
    assert client.get(reverse("centres:centre_edit", args=[gm_centre.slug])).status_code == 403
    response = client.post(
        reverse("centres:centre_staff", args=[gm_centre.slug]), {"email": user.email, "lead": "on"}
    )
    assert response.status_code == 403
    assert not CentreStaff.objects.exists()


def test_institute_staff_assign_a_lead_by_email(client, institute_staff, gm_centre, centre_staff):
    response = _as(client, institute_staff).post(
        reverse("centres:centre_staff", args=[gm_centre.slug]),
        {"email": centre_staff.email.upper(), "job_title": "Lead", "lead": "on"},
    )
    assert response.status_code == 302
    assert CentreStaff.objects.get(user=centre_staff).is_lead
    unknown = client.post(
        reverse("centres:centre_staff", args=[gm_centre.slug]), {"email": "nobody@example.test"}
    )
    assert "There is no account with that email address" in unknown.content.decode()


# --- Library ---------------------------------------------------------------------------------


def test_library_shows_only_published_learning_and_filters(client, gm_centre, wm_centre):
    LearningFactory(centre=gm_centre, title="Bins format", kind="data_sharing")
    LearningFactory(centre=wm_centre, title="Exit clauses", kind="playbook", evidence_strength=1)
    draft(centre=gm_centre, title="Unfinished")
    titles = [x.title for x in client.get(LIBRARY).context["page_obj"]]
    assert sorted(titles) == ["Bins format", "Exit clauses"]
    response = client.get(LIBRARY, {"kind": "data_sharing"})
    assert [x.title for x in response.context["page_obj"]] == ["Bins format"]
    response = client.get(LIBRARY, {"centre": "west-midlands"})
    assert [x.title for x in response.context["page_obj"]] == ["Exit clauses"]
    response = client.get(LIBRARY, {"min_evidence": "2"})
    assert [x.title for x in response.context["page_obj"]] == ["Bins format"]
    response = client.get(LIBRARY, {"q": "clauses"})
    assert [x.title for x in response.context["page_obj"]] == ["Exit clauses"]


def test_library_filters_by_cost_band(client, gm_centre):
    LearningFactory(centre=gm_centre, title="Cheap fix", cost_band="very_low")
    LearningFactory(centre=gm_centre, title="Big programme", cost_band="high")
    html = client.get(LIBRARY).content.decode()
    assert 'name="cost_band"' in html and "Very low (under £10,000)" in html
    response = client.get(LIBRARY, {"cost_band": "high"})
    assert [x.title for x in response.context["page_obj"]] == ["Big programme"]
    response = client.get(LIBRARY, {"cost_band": "priceless"})  # ignored, like any bad value
    assert len(response.context["page_obj"]) == 2


def test_library_ignores_bad_filter_values(client, gm_centre):
    LearningFactory(centre=gm_centre)
    response = client.get(
        LIBRARY, {"min_evidence": "eleven", "kind": "<script>", "sort": "x", "page": "999"}
    )
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 1


def test_library_htmx_request_gets_only_the_results(client, gm_centre):
    LearningFactory(centre=gm_centre, title="Bins format")
    response = client.get(LIBRARY, {"theme": "data"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "Bins format" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("count", [1, 50])
def test_library_query_count_is_fixed(client, gm_centre, django_assert_num_queries, count):
    bury = Organisation.objects.get(slug="bury")
    for _n in range(count):
        LearningFactory(centre=gm_centre, councils=[bury])
    # service areas and centres for the filters, count, page (anonymous: no session).
    with django_assert_num_queries(4):
        response = client.get(LIBRARY, {"theme": "data"})
    assert len(response.context["page_obj"]) == min(count, 25)


def test_evidence_scale_page_defines_every_level(client):
    html = client.get(reverse("centres:evidence_scale")).content.decode()
    assert "Opinion or anecdote" in html and "Several rigorous evaluations" in html
    assert "Evidence 5 of 5" in html


# --- Learning pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("no_membership_user", 404),
        ("officer", 404),
        ("other_centre_staff", 404),
        ("sector_viewer", 404),
        ("centre_staff", 200),
        ("institute_staff", 200),
    ],
)
def test_drafts_are_invisible_outside_the_centre(request, client, gm_centre, role, status):
    learning = draft(centre=gm_centre)
    client = _as(client, request.getfixturevalue(role))
    assert client.get(learning.get_absolute_url()).status_code == status


def test_published_learning_page_shows_rating_relations_and_related_items(client, gm_centre):
    problem = ProblemFactory(title="Hospital discharge data")
    leeds = Organisation.objects.get(slug="leeds")
    learning = LearningFactory(
        centre=gm_centre, evidence_strength=3, problems=[problem], councils=[leeds]
    )
    related = LearningFactory(centre=gm_centre, title="Also about discharge", problems=[problem])
    html = client.get(learning.get_absolute_url()).content.decode()
    assert "Evidence 3 of 5: one robust evaluation" in html
    assert problem.title in html and "Leeds" in html
    assert related.title in html


@pytest.mark.parametrize("related", [1, 20])
def test_learning_page_query_count_is_fixed(client, gm_centre, django_assert_num_queries, related):
    learning = LearningFactory(centre=gm_centre)
    for _n in range(related):
        LearningFactory(centre=gm_centre)
    # learning, councils, service areas, problems, components, standards, related, revisions
    # (components and standards: one query each since learning was linked to them).
    with django_assert_num_queries(8):
        client.get(learning.get_absolute_url())


def test_centre_staff_draft_learning_through_the_page(client, gm_centre, centre_staff):
    response = _as(client, centre_staff).post(
        reverse("centres:learning_create", args=[gm_centre.slug]), _learning_form()
    )
    learning = Learning.objects.get()
    assert response["Location"] == learning.get_absolute_url()
    assert learning.status == LearningStatus.DRAFT and learning.created_by == centre_staff
    assert [c.slug for c in learning.councils.all()] == ["manchester"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"evidence_strength": "9"}, "Choose an evidence strength from 0 to 5"),
        ({"problems": "12, abc"}, "Enter problem numbers separated by commas"),
        ({"problems": "999999"}, "There is no problem with the number 999999"),
        ({"councils": ["not-a-council"]}, "Choose councils from the list"),
        ({"themes": []}, "Choose at least one theme"),
    ],
)
def test_bad_learning_input_shows_an_error_and_saves_nothing(
    client, gm_centre, centre_staff, overrides, message
):
    response = _as(client, centre_staff).post(
        reverse("centres:learning_create", args=[gm_centre.slug]), _learning_form(**overrides)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert not Learning.objects.exists()


@pytest.mark.parametrize("role", ["other_centre_staff", "officer", "sector_viewer"])
def test_others_cannot_draft_for_a_centre(request, client, gm_centre, role):
    client = _as(client, request.getfixturevalue(role))
    url = reverse("centres:learning_create", args=[gm_centre.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, _learning_form()).status_code == 403
    assert not Learning.objects.exists()


def test_anonymous_visitors_are_asked_to_sign_in_to_draft(client, gm_centre):
    response = client.get(reverse("centres:learning_create", args=[gm_centre.slug]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_submit_then_lead_publishes_and_sees_the_confirmation(
    client, gm_centre, centre_staff, centre_lead
):
    learning = draft(centre=gm_centre, created_by=centre_staff)
    _as(client, centre_staff).post(reverse("centres:learning_submit", args=[learning.public_id]))
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.IN_REVIEW
    # The author cannot publish their own work.
    response = client.post(reverse("centres:learning_publish", args=[learning.public_id]))
    assert response.status_code == 403
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.IN_REVIEW
    client.force_login(centre_lead)
    queue = client.get(reverse("centres:review_queue")).content.decode()
    assert learning.title in queue
    response = client.post(
        reverse("centres:learning_publish", args=[learning.public_id]), follow=True
    )
    assert "Learning published" in response.content.decode()
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.PUBLISHED


def test_publishing_a_draft_says_why_not_and_changes_nothing(client, gm_centre, centre_lead):
    learning = draft(centre=gm_centre)
    response = _as(client, centre_lead).post(
        reverse("centres:learning_publish", args=[learning.public_id]), follow=True
    )
    assert "send it for review first" in response.content.decode()
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.DRAFT


def test_another_centres_lead_cannot_publish_or_return(client, gm_centre, other_centre_lead):
    learning = draft(centre=gm_centre, status=LearningStatus.IN_REVIEW)
    client = _as(client, other_centre_lead)
    assert (
        client.post(reverse("centres:learning_publish", args=[learning.public_id])).status_code
        == 404
    )
    response = client.post(
        reverse("centres:learning_return", args=[learning.public_id]), {"note": "x"}
    )
    assert response.status_code == 404
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.IN_REVIEW


def test_review_queue_is_for_leads_and_institute_staff(client, centre_staff, centre_lead):
    assert _as(client, centre_staff).get(reverse("centres:review_queue")).status_code == 403
    client.force_login(centre_lead)
    assert client.get(reverse("centres:review_queue")).status_code == 200


def test_lead_sends_learning_back_with_a_note(client, gm_centre, centre_lead):
    learning = draft(centre=gm_centre, status=LearningStatus.IN_REVIEW)
    url = reverse("centres:learning_return", args=[learning.public_id])
    empty = _as(client, centre_lead).post(url, {"note": ""})
    assert "Say what needs to change" in empty.content.decode()
    client.post(url, {"note": "Add the figures."})
    learning.refresh_from_db()
    assert (learning.status, learning.review_note) == (LearningStatus.DRAFT, "Add the figures.")


def test_editing_published_learning_keeps_a_version_anyone_can_read(
    client, gm_centre, centre_staff
):
    learning = LearningFactory(centre=gm_centre, title="First title")
    _as(client, centre_staff).post(
        reverse("centres:learning_edit", args=[learning.public_id]),
        _learning_form(title="Second title"),
    )
    client.logout()
    page = client.get(learning.get_absolute_url()).content.decode()
    assert "Second title" in page and "Read version 1" in page
    old = client.get(reverse("centres:learning_revision", args=[learning.public_id, 1]))
    assert "First title" in old.content.decode()
    assert (
        client.get(reverse("centres:learning_revision", args=[learning.public_id, 2])).status_code
        == 404
    )


def test_another_centres_staff_cannot_edit_published_learning(
    client, gm_centre, other_centre_staff
):
    learning = LearningFactory(centre=gm_centre, title="Stays")
    response = _as(client, other_centre_staff).post(
        reverse("centres:learning_edit", args=[learning.public_id]), _learning_form(title="Changed")
    )
    assert response.status_code == 403
    assert Learning.objects.get(pk=learning.pk).title == "Stays"


# --- Projects --------------------------------------------------------------------------------


def test_centre_staff_add_an_active_project_that_moves_its_problem(client, gm_centre, centre_staff):
    problem = ProblemFactory(status=Status.TRIAGED)
    response = _as(client, centre_staff).post(
        reverse("centres:project_create", args=[gm_centre.slug]),
        {
            "title": "Discharge agreement",
            "summary": "One agreement.",
            "status": "active",
            "phase": "discovery",
            "problems": str(problem.pk),
            "partner_councils": ["salford"],
            **date_input("start_date", "2026-01-05"),
            **date_input("end_date", None),
        },
    )
    project = Project.objects.get()
    assert response["Location"] == project.get_absolute_url()
    problem.refresh_from_db()
    assert problem.status == Status.IN_DISCOVERY
    page = client.get(project.get_absolute_url()).content.decode()
    assert problem.title in page and "Salford" in page and "5 January 2026" in page


def test_project_dates_out_of_order_are_refused(client, gm_centre, centre_staff):
    response = _as(client, centre_staff).post(
        reverse("centres:project_create", args=[gm_centre.slug]),
        {
            "title": "Backwards",
            "summary": "x",
            "status": "proposed",
            "phase": "discovery",
            **date_input("start_date", "2026-05-10"),
            **date_input("end_date", "2026-05-01"),
        },
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert not Project.objects.exists()


def test_an_impossible_date_gets_a_clear_message(client, gm_centre, centre_staff):
    response = _as(client, centre_staff).post(
        reverse("centres:project_create", args=[gm_centre.slug]),
        {
            "title": "x",
            "summary": "x",
            "status": "proposed",
            "phase": "discovery",
            **date_input("start_date", "2026-02-31"),
        },  # fmt: skip
    )
    assert "Enter the start date as a real date" in response.content.decode()


@pytest.mark.parametrize("role", ["other_centre_staff", "officer", "anonymous"])
def test_others_cannot_edit_a_project(request, client, gm_centre, role):
    project = ProjectFactory(centre=gm_centre, title="Stays")
    client = _as(client, request.getfixturevalue(role))
    response = client.post(
        reverse("centres:project_edit", args=[project.pk]),
        {"title": "Changed", "summary": "x", "status": "active", "phase": "discovery"},
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert Project.objects.get(pk=project.pk).title == "Stays"


# --- Sections on other pages -----------------------------------------------------------------


def test_organisation_page_shows_projects_and_learning_it_was_involved_in(client, gm_centre):
    leeds = Organisation.objects.get(slug="leeds")
    project = ProjectFactory(centre=gm_centre, title="Leeds partnered here")
    project.partner_councils.add(leeds)
    LearningFactory(centre=gm_centre, title="Leeds was involved", councils=[leeds])
    draft(centre=gm_centre, title="Leeds draft", councils=[leeds])
    html = client.get(leeds.get_absolute_url()).content.decode()
    assert "Leeds partnered here" in html and "Leeds was involved" in html
    assert "Leeds draft" not in html


def test_problem_page_shows_published_learning_and_projects_about_it(client, gm_centre):
    problem = ProblemFactory()
    project = ProjectFactory(centre=gm_centre, title="Working on it", status="active")
    project.problems.add(problem)
    LearningFactory(centre=gm_centre, title="What we learnt", problems=[problem])
    draft(centre=gm_centre, title="Not yet", problems=[problem])
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "Working on it" in html and "What we learnt" in html
    assert "Not yet" not in html


def test_pages_never_500_on_unknown_ids(client):
    for url in (
        "/centres/learning/00000000-0000-4000-8000-000000000000/",
        "/centres/projects/999999/",
        "/centres/nowhere/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.get(
            "/centres/learning/00000000-0000-4000-8000-000000000000/versions/99/"
        ).status_code
        == 404
    )


def test_institute_staff_edit_a_centre_and_remove_staff(
    client, institute_staff, gm_centre, gm_staff_row
):
    client = _as(client, institute_staff)
    edit = reverse("centres:centre_edit", args=[gm_centre.slug])
    assert gm_centre.name in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "name": "Greater Manchester Centre",
            "host": gm_centre.host.pk,
            "regions": ["E12000002", "E12000003"],
            "focus": "Data and health",
            "focus_themes": ["data"],
            "description": "Now *also* Yorkshire.",
        },
    )
    assert response.status_code == 302
    gm_centre.refresh_from_db()
    assert gm_centre.regions == ["E12000002", "E12000003"]
    assert "<em>also</em>" in gm_centre.description_html
    remove = reverse("centres:centre_staff_remove", args=[gm_centre.slug, gm_staff_row.pk])
    assert client.post(remove).status_code == 302
    assert not CentreStaff.objects.exists()


def test_centre_staff_cannot_remove_colleagues(client, gm_centre, gm_staff_row, centre_staff):
    remove = reverse("centres:centre_staff_remove", args=[gm_centre.slug, gm_staff_row.pk])
    assert _as(client, centre_staff).post(remove).status_code == 403
    assert CentreStaff.objects.exists()


def test_learning_pages_take_the_uuid_not_the_number(client, centre_staff, gm_centre):
    learning = draft(centre=gm_centre)
    client = _as(client, centre_staff)
    assert learning.get_absolute_url() == f"/centres/learning/{learning.public_id}/"
    assert client.get(learning.get_absolute_url()).status_code == 200
    assert client.get(f"/centres/learning/{learning.pk}/").status_code == 404
    assert client.get(f"/centres/learning/{learning.pk}/edit/").status_code == 404
