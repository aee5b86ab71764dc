"""Centres' rules, in the services: who may act, the learning workflow, revisions, problems
moved forward by active projects, and telling followers once."""

from datetime import date

import pytest

from backlog import services as backlog_services
from backlog.models import Follow, Status, StatusChange
from centres import access, selectors, services
from centres.models import CentreStaff, Learning, LearningRevision, LearningStatus, Project
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent, Membership, Notification, Organisation, Role, ServiceArea
from tests.centres.factories import LearningFactory, ProjectFactory, draft
from tests.factories import ProblemFactory, UserFactory
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db


def _learning_data(**overrides):
    return {
        "kind": "data_sharing",
        "title": "Sharing discharge lists with reablement teams",
        "summary": "Hospitals send one daily list to every council.",
        "body": "## What we did\n\nOne agreement.<script>alert(1)</script>",
        "evidence_strength": 3,
        "cost_band": "low",
        "impact_summary": "Same-day starts rose from 41% to 63%.",
        "themes": ["data"],
        "service_areas": [ServiceArea.objects.get(slug="adult-social-care")],
        "councils": [Organisation.objects.get(slug="manchester")],
        "problems": [],
        **overrides,
    }


def _project_data(**overrides):
    return {
        "title": "One discharge agreement",
        "summary": "One agreement for ten councils.",
        "status": "proposed",
        "phase": "discovery",
        "partner_councils": [Organisation.objects.get(slug="salford")],
        "problems": [],
        "start_date": date(2026, 1, 5),
        "end_date": None,
        **overrides,
    }


# --- Learning workflow -----------------------------------------------------------------------


def test_centre_staff_drafts_and_the_lead_publishes_with_who_and_when(
    gm_centre, centre_staff, centre_lead
):
    learning = services.learning_create(actor=centre_staff, centre=gm_centre, **_learning_data())
    assert learning.status == LearningStatus.DRAFT
    assert "<script>" not in learning.body_html  # sanitised Markdown
    services.learning_submit(actor=centre_staff, learning=learning)
    learning.refresh_from_db()
    assert learning.status == LearningStatus.IN_REVIEW
    assert learning.submitted_by == centre_staff and learning.submitted_at
    # The lead hears that it is waiting.
    assert Notification.objects.filter(recipient=centre_lead, kind="centre_review").exists()
    services.learning_publish(actor=centre_lead, learning=learning)
    learning.refresh_from_db()
    assert learning.status == LearningStatus.PUBLISHED
    assert learning.published_by == centre_lead and learning.published_at
    verbs = set(
        AuditEvent.objects.filter(target_id=str(learning.pk)).values_list("verb", flat=True)
    )
    assert {"learning.created", "learning.submitted", "learning.published"} <= verbs


def test_institute_staff_can_publish_any_centres_learning(gm_centre, centre_staff, institute_staff):
    learning = services.learning_create(actor=centre_staff, centre=gm_centre, **_learning_data())
    services.learning_submit(actor=centre_staff, learning=learning)
    services.learning_publish(actor=institute_staff, learning=learning)
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.PUBLISHED


@pytest.mark.parametrize("role", ["centre_staff", "other_centre_lead", "officer", "sector_viewer"])
def test_only_the_lead_or_institute_staff_publish(request, gm_centre, centre_staff, role):
    learning = services.learning_create(actor=centre_staff, centre=gm_centre, **_learning_data())
    services.learning_submit(actor=centre_staff, learning=learning)
    with pytest.raises(NotAllowed):
        services.learning_publish(actor=request.getfixturevalue(role), learning=learning)
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.IN_REVIEW


def test_a_draft_cannot_be_published_without_review(gm_centre, centre_lead):
    learning = draft(centre=gm_centre)
    with pytest.raises(DomainError) as error:
        services.learning_publish(actor=centre_lead, learning=learning)
    assert error.value.status == 409
    assert Learning.objects.get(pk=learning.pk).status == LearningStatus.DRAFT


def test_only_a_draft_can_be_sent_for_review(gm_centre, centre_staff):
    published = LearningFactory(centre=gm_centre)
    with pytest.raises(DomainError):
        services.learning_submit(actor=centre_staff, learning=published)


def test_lead_sends_back_with_a_note_that_the_author_sees(gm_centre, centre_staff, centre_lead):
    learning = services.learning_create(actor=centre_staff, centre=gm_centre, **_learning_data())
    services.learning_submit(actor=centre_staff, learning=learning)
    with pytest.raises(DomainError) as error:
        services.learning_return(actor=centre_lead, learning=learning, note="  ")
    assert error.value.field == "note"
    services.learning_return(actor=centre_lead, learning=learning, note="Add the numbers.")
    learning.refresh_from_db()
    assert learning.status == LearningStatus.DRAFT
    assert learning.review_note == "Add the numbers."
    assert Notification.objects.filter(recipient=centre_staff, title__startswith="Changes").exists()


def test_another_centres_staff_cannot_draft_or_submit(gm_centre, centre_staff, other_centre_staff):
    with pytest.raises(NotAllowed):
        services.learning_create(actor=other_centre_staff, centre=gm_centre, **_learning_data())
    learning = services.learning_create(actor=centre_staff, centre=gm_centre, **_learning_data())
    with pytest.raises(NotAllowed):
        services.learning_submit(actor=other_centre_staff, learning=learning)
    with pytest.raises(NotAllowed):
        services.learning_update(
            actor=other_centre_staff, learning=learning, **_learning_data(title="Hijacked")
        )
    learning.refresh_from_db()
    assert (learning.status, learning.title) == (LearningStatus.DRAFT, _learning_data()["title"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"kind": "rumour"}, "kind"),
        ({"evidence_strength": 6}, "evidence_strength"),
        ({"evidence_strength": -1}, "evidence_strength"),
        ({"evidence_strength": "3"}, "evidence_strength"),
        ({"cost_band": "free"}, "cost_band"),
        ({"themes": []}, "themes"),
        ({"themes": ["astrology"]}, "themes"),
        ({"body": ""}, "body"),
        ({"impact_summary": ""}, "impact_summary"),
    ],
)
def test_bad_learning_input_is_refused_and_nothing_is_saved(
    gm_centre, centre_staff, overrides, field
):
    with pytest.raises(DomainError) as error:
        services.learning_create(
            actor=centre_staff, centre=gm_centre, **_learning_data(**overrides)
        )
    assert error.value.field == field
    assert not Learning.objects.exists()


def test_learning_must_involve_councils_not_other_bodies(gm_centre, centre_staff):
    gmca = Organisation.objects.get(slug="greater-manchester-combined-authority")
    with pytest.raises(DomainError) as error:
        services.learning_create(
            actor=centre_staff, centre=gm_centre, **_learning_data(councils=[gmca])
        )
    assert error.value.field == "councils"


def test_learning_cannot_claim_another_centres_project(gm_centre, wm_centre, centre_staff):
    project = ProjectFactory(centre=wm_centre)
    with pytest.raises(DomainError) as error:
        services.learning_create(
            actor=centre_staff, centre=gm_centre, **_learning_data(project=project)
        )
    assert error.value.field == "project"


# --- Revisions -------------------------------------------------------------------------------


def test_editing_published_learning_keeps_the_previous_text_as_a_revision(gm_centre, centre_staff):
    learning = LearningFactory(centre=gm_centre, title="Old title", body="Old body")
    services.learning_update(
        actor=centre_staff, learning=learning, **_learning_data(title="New title", body="New body")
    )
    learning.refresh_from_db()
    assert learning.title == "New title" and learning.is_published
    revision = LearningRevision.objects.get(learning=learning)
    assert (revision.number, revision.title, revision.body) == (1, "Old title", "Old body")
    assert revision.replaced_by == centre_staff
    services.learning_update(
        actor=centre_staff, learning=learning, **_learning_data(title="Newer title")
    )
    assert list(learning.revisions.values_list("number", "title")) == [
        (2, "New title"),
        (1, "Old title"),
    ]


def test_editing_a_draft_or_changing_nothing_keeps_no_revision(
    gm_centre, centre_staff, centre_lead
):
    learning = services.learning_create(actor=centre_staff, centre=gm_centre, **_learning_data())
    services.learning_update(actor=centre_staff, learning=learning, **_learning_data(title="B"))
    assert not LearningRevision.objects.exists()
    services.learning_submit(actor=centre_staff, learning=learning)
    services.learning_publish(actor=centre_lead, learning=learning)
    services.learning_update(actor=centre_staff, learning=learning, **_learning_data(title="B"))
    assert not LearningRevision.objects.exists()


# --- Projects and the backlog ----------------------------------------------------------------


def test_linking_a_problem_to_an_active_project_moves_it_forward_in_its_timeline(
    gm_centre, centre_staff
):
    problem = ProblemFactory(status=Status.TRIAGED)
    project = services.project_create(
        actor=centre_staff,
        centre=gm_centre,
        **_project_data(status="active", problems=[problem]),
    )
    problem.refresh_from_db()
    assert problem.status == Status.IN_DISCOVERY
    change = StatusChange.objects.get(problem=problem)
    assert change.to_status == Status.IN_DISCOVERY
    assert project.title in change.note
    assert project.activated_at is not None


def test_a_proposed_project_does_not_move_problems_until_it_becomes_active(gm_centre, centre_staff):
    problem = ProblemFactory(status=Status.NEW)
    project = services.project_create(
        actor=centre_staff, centre=gm_centre, **_project_data(problems=[problem])
    )
    problem.refresh_from_db()
    assert problem.status == Status.NEW
    services.project_update(
        actor=centre_staff,
        project=project,
        **_project_data(status="active", phase="delivery", problems=[problem]),
    )
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS


def test_an_active_project_never_moves_a_solved_problem_back(gm_centre, centre_staff):
    problem = ProblemFactory(status=Status.SOLVED)
    services.project_create(
        actor=centre_staff, centre=gm_centre, **_project_data(status="active", problems=[problem])
    )
    problem.refresh_from_db()
    assert problem.status == Status.SOLVED
    assert not StatusChange.objects.filter(problem=problem).exists()


def test_followers_hear_once_when_a_project_is_activated(gm_centre, centre_staff, officer):
    problem = ProblemFactory(status=Status.TRIAGED)
    other = ProblemFactory(status=Status.TRIAGED)
    Follow.objects.create(problem=problem, user=officer)
    Follow.objects.create(problem=other, user=officer)
    project = services.project_create(
        actor=centre_staff, centre=gm_centre, **_project_data(status="active", problems=[problem])
    )
    # Linking another problem the officer follows does not tell them about the project again.
    services.project_update(
        actor=centre_staff,
        project=project,
        **_project_data(status="active", problems=[problem, other]),
    )
    told = Notification.objects.filter(recipient=officer, kind="centre_project")
    assert told.count() == 1
    assert told.get().url == project.get_absolute_url()


def test_followers_hear_once_when_learning_about_their_problem_is_published(
    gm_centre, centre_staff, centre_lead, officer, other_officer
):
    problem = ProblemFactory()
    Follow.objects.create(problem=problem, user=officer)
    learning = services.learning_create(
        actor=centre_staff, centre=gm_centre, **_learning_data(problems=[problem])
    )
    services.learning_submit(actor=centre_staff, learning=learning)
    assert not Notification.objects.filter(recipient=officer).exists()  # not yet public
    services.learning_publish(actor=centre_lead, learning=learning)
    services.learning_update(
        actor=centre_staff, learning=learning, **_learning_data(problems=[problem], title="Z")
    )
    told = Notification.objects.filter(recipient=officer, kind="centre_learning")
    assert told.count() == 1
    assert told.get().url == learning.get_absolute_url()
    assert not Notification.objects.filter(recipient=other_officer).exists()


def test_a_merged_problem_cannot_be_linked(gm_centre, centre_staff, institute_staff):
    kept, merged = ProblemFactory(), ProblemFactory()
    backlog_services.problem_merge(actor=institute_staff, source=merged, target=kept)
    merged.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.project_create(
            actor=centre_staff, centre=gm_centre, **_project_data(problems=[merged])
        )
    assert str(kept.pk) in error.value.message
    assert not Project.objects.exists()


def test_project_end_date_cannot_be_before_its_start(gm_centre, centre_staff):
    with pytest.raises(DomainError) as error:
        services.project_create(
            actor=centre_staff,
            centre=gm_centre,
            **_project_data(start_date=date(2026, 5, 1), end_date=date(2026, 4, 30)),
        )
    assert error.value.field == "end_date"
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", ["other_centre_staff", "officer", "sector_viewer"])
def test_only_the_centres_staff_change_its_projects(request, gm_centre, role):
    project = ProjectFactory(centre=gm_centre, title="Before")
    with pytest.raises(NotAllowed):
        services.project_update(
            actor=request.getfixturevalue(role), project=project, **_project_data(title="After")
        )
    assert Project.objects.get(pk=project.pk).title == "Before"


# --- Centres and their staff -----------------------------------------------------------------


def test_institute_staff_set_up_a_centre_and_assign_a_lead(institute_staff):
    host = Organisation.objects.get(slug="west-yorkshire-combined-authority")
    centre = services.centre_create(
        actor=institute_staff,
        name="West Yorkshire Centre",
        host=host,
        regions=["E12000003"],
        focus_themes=["skills"],
        focus="Skills",
        description="**Skills** for councils",
    )
    assert centre.slug == "west-yorkshire-centre"
    assert "<strong>Skills</strong>" in centre.description_html
    newcomer = UserFactory(email="new@example.test")
    services.centre_staff_assign(actor=institute_staff, centre=centre, user=newcomer, lead=True)
    membership = Membership.objects.get(user=newcomer)
    assert (membership.organisation, membership.role) == (host, Role.CENTRE_STAFF)
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert access.is_centre_lead(newcomer, centre)
    # A second lead replaces the first: one lead per centre.
    second = UserFactory(email="second@example.test")
    services.centre_staff_assign(actor=institute_staff, centre=centre, user=second, lead=True)
    assert list(
        CentreStaff.objects.filter(centre=centre, is_lead=True).values_list("user", flat=True)
    ) == [second.pk]


def test_an_officer_of_a_council_cannot_be_made_centre_staff(gm_centre, institute_staff, officer):
    with pytest.raises(DomainError) as error:
        services.centre_staff_assign(actor=institute_staff, centre=gm_centre, user=officer)
    assert error.value.status == 409
    assert not CentreStaff.objects.exists()
    assert Membership.objects.get(user=officer).role == Role.OFFICER


@pytest.mark.parametrize("role", ["centre_staff", "officer", "sector_viewer", "anonymous"])
def test_only_institute_staff_set_up_centres(request, role):
    with pytest.raises(NotAllowed):
        services.centre_create(
            actor=request.getfixturevalue(role),
            name="Rogue centre",
            host=Organisation.objects.get(slug="tees-valley-combined-authority"),
            regions=["E12000001"],
            focus_themes=["data"],
            focus="Anything",
        )


def test_a_host_has_one_centre_and_a_council_cannot_host(gm_centre, institute_staff):
    kwargs = {"regions": ["E12000002"], "focus_themes": ["data"], "focus": "x"}
    with pytest.raises(DomainError) as error:
        services.centre_create(actor=institute_staff, name="Second", host=gm_centre.host, **kwargs)
    assert error.value.field == "host"
    with pytest.raises(DomainError) as error:
        services.centre_create(
            actor=institute_staff,
            name="Council centre",
            host=Organisation.objects.get(slug="leeds"),
            **kwargs,
        )
    assert error.value.field == "host"


# --- Selectors -------------------------------------------------------------------------------


def test_data_sharing_count_counts_only_published_examples_that_follow_a_standard(
    gm_centre, institute_staff
):
    standard = published_standard(institute_staff)
    LearningFactory(centre=gm_centre, kind="data_sharing", standards=[standard])
    LearningFactory(centre=gm_centre, kind="data_sharing", standards=[standard])
    LearningFactory(centre=gm_centre, kind="data_sharing")  # follows no standard
    LearningFactory(centre=gm_centre, kind="case_study", standards=[standard])
    draft(centre=gm_centre, kind="data_sharing", standards=[standard])
    assert selectors.data_sharing_examples_count() == 2
    assert selectors.data_sharing_progress() == {"count": 2, "target": 15, "met": False}


def test_library_filters_by_councils_like_mine_and_evidence(gm_centre):
    leeds, camden = Organisation.objects.get(slug="leeds"), Organisation.objects.get(slug="camden")
    in_leeds = LearningFactory(
        centre=gm_centre, title="In Leeds", councils=[leeds], evidence_strength=4
    )
    LearningFactory(centre=gm_centre, title="In Camden", councils=[camden], evidence_strength=1)
    draft(centre=gm_centre, title="Draft in Leeds", councils=[leeds])

    def titles(**filters):
        return [x.title for x in selectors.learning_library(selectors.LibraryFilters(**filters))]

    assert titles(region="E12000003") == ["In Leeds"]
    assert titles(council_type="london_borough") == ["In Camden"]
    assert titles(min_evidence=3) == ["In Leeds"]
    assert titles(sort="evidence") == ["In Leeds", "In Camden"]
    assert titles(q="Leeds") == [in_leeds.title]
