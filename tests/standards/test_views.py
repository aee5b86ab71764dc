"""Standards pages: catalogue, authoring, consultation, the task-list journey, review, audit,
permissions for every role and fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from institute.models import Organisation
from standards import services
from standards.models import Answer, Assessment, AssessmentStatus, Audit, Standard
from tests.factories import council_officer, date_input
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db
LIST = reverse("standards:standard_list")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def standard(institute_staff):
    return published_standard(institute_staff)


def _login(client, request, role):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    return user


# --- Catalogue -------------------------------------------------------------------------------


def test_catalogue_shows_adoption_rate_to_everyone(client, standard, officer):
    submitted_assessment(officer, standard)
    html = client.get(LIST).content.decode()
    assert standard.title in html
    assert "Adopted by 1 of 317 councils in scope, 0%" in html


def test_catalogue_filters_by_category_and_ignores_bad_values(client, institute_staff, standard):
    published_standard(institute_staff, title="Open data publishing", category="data")
    data = client.get(LIST, {"category": "data"}).context["page_obj"]
    assert [s.title for s in data] == ["Open data publishing"]
    assert client.get(LIST, {"category": "<script>", "page": "x"}).status_code == 200
    partial = client.get(LIST, {"category": "data"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="results"')


@pytest.mark.parametrize("count", [1, 50])
def test_catalogue_query_count_is_fixed(client, institute_staff, django_assert_num_queries, count):
    owner = Organisation.objects.get(slug="local-digital-institute")
    for n in range(count):
        standard = Standard.objects.create(
            title=f"Standard {n:02}", slug=f"s-{n}", category="data", owner=owner, summary="S"
        )
        version = standard.versions.create(number=1, status="published")
        Standard.objects.filter(pk=standard.pk).update(current_version=version)
    # count, page, councils by type, adopting councils by standard and type.
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == min(count, 25)


def test_standard_page_shows_criteria_versions_and_adoption(client, standard):
    html = client.get(standard.get_absolute_url()).content.decode()
    assert "F1: <bdi>Criterion F1</bdi>" in html and "<strong>right</strong>" in html
    assert "Version 1" in html and "Adopted by 0 of 317" in html
    assert "Audit agreement rate" not in html  # staff and sector viewers only


@pytest.mark.parametrize("role", ["institute_staff", "sector_viewer"])
def test_agreement_rate_shown_to_staff_and_sector_viewers(client, request, role, standard):
    _login(client, request, role)
    assert "Audit agreement rate" in client.get(standard.get_absolute_url()).content.decode()


# --- Authoring -------------------------------------------------------------------------------


def test_staff_create_a_standard_add_criteria_consult_and_publish(client, institute_staff):
    client.force_login(institute_staff)
    owner = Organisation.objects.get(slug="local-digital-institute")
    response = client.post(
        reverse("standards:standard_create"),
        {
            "title": "Identity and sign-in",
            "summary": "One sign-in.",
            "category": "technical",
            "owner": owner.pk,
            "review_period_months": "12",
        },
    )
    standard = Standard.objects.get(title="Identity and sign-in")
    version = standard.versions.get()
    assert response["Location"] == version.get_absolute_url()
    url = reverse("standards:criterion_create", args=[standard.slug, 1])
    client.post(url, {"code": "ID1", "title": "MFA", "guidance": "Use *MFA*", "mandatory": "on"})
    assert version.criteria.get().guidance_html.count("<em>MFA</em>") == 1
    closes = (timezone.localdate() + timedelta(days=14)).isoformat()
    client.post(
        reverse("standards:version_consult", args=[standard.slug, 1]),
        date_input("closes_on", closes),
    )
    version.refresh_from_db()
    assert version.status == "consultation"
    client.post(reverse("standards:version_publish", args=[standard.slug, 1]), {"grace_days": "90"})
    standard.refresh_from_db()
    assert standard.current_version_id == version.pk


def test_bad_authoring_input_shows_errors_and_changes_nothing(client, institute_staff, standard):
    client.force_login(institute_staff)
    response = client.post(
        reverse("standards:standard_create"),
        {"title": "", "category": "nonsense", "owner": "999999", "review_period_months": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "Enter a title" in html and "Choose a category" in html
    assert Standard.objects.count() == 1
    # Consultation closing in the past.
    services.version_draft_next(actor=institute_staff, standard=standard)
    response = client.post(
        reverse("standards:version_consult", args=[standard.slug, 2]),
        date_input("closes_on", "2001-01-01"),
    )
    assert "The closing date must be in the future" in response.content.decode()
    # Publishing a draft without criteria... (v2 has copies, so check a duplicate code instead)
    response = client.post(
        reverse("standards:criterion_create", args=[standard.slug, 2]),
        {"code": "F1", "title": "Duplicate"},
    )
    assert "Another criterion of this version has the code F1" in response.content.decode()


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("no_membership_user", 403),
        ("officer", 403),
        ("other_officer", 403),
        ("centre_staff", 403),
        ("sector_viewer", 403),
        ("institute_staff", 200),
    ],
)
def test_only_staff_author(client, request, role, status, standard):
    _login(client, request, role)
    assert client.get(reverse("standards:standard_create")).status_code == status
    response = client.post(reverse("standards:version_new", args=[standard.slug]))
    assert response.status_code == (302 if status != 403 else 403)
    assert standard.versions.count() == (2 if role == "institute_staff" else 1)


def test_drafts_are_hidden_from_everyone_but_staff(client, officer, institute_staff, standard):
    services.version_draft_next(actor=institute_staff, standard=standard)
    url = reverse("standards:version_detail", args=[standard.slug, 2])
    client.force_login(officer)
    assert client.get(url).status_code == 404
    client.force_login(institute_staff)
    assert client.get(url).status_code == 200


# --- Consultation ----------------------------------------------------------------------------


def test_officer_comments_on_a_criterion_and_staff_mark_it_addressed(
    client, officer, institute_staff, standard
):
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    services.version_open_consultation(
        actor=institute_staff, version=draft, closes_on=timezone.localdate() + timedelta(days=9)
    )
    criterion = draft.criteria.order_by("position").first()
    url = reverse("standards:comment_create", args=[standard.slug, 2])
    client.force_login(officer)
    bad = client.post(url, {"criterion": "99999", "body": "x"})
    assert bad.status_code == 400 and draft.consultation_comments.count() == 0
    response = client.post(url, {"criterion": str(criterion.pk), "body": "Clarify **F1**"})
    assert response.status_code == 302
    comment = draft.consultation_comments.get()
    assert comment.criterion == criterion
    htmx = client.post(
        url, {"criterion": "", "body": "Whole thing"}, headers={"HX-Request": "true"}
    )
    assert htmx.content.decode().lstrip().startswith('<section id="consultation"')
    client.force_login(institute_staff)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "F1: <bdi>Criterion F1</bdi> (1)" in page and "The version as a whole (1)" in page
    client.post(reverse("standards:comment_address", args=[comment.pk]), {"addressed": "1"})
    comment.refresh_from_db()
    assert comment.addressed_at is not None
    client.force_login(officer)
    assert client.post(reverse("standards:comment_address", args=[comment.pk])).status_code == 403


# --- The assessment journey ------------------------------------------------------------------


def test_officer_completes_the_task_list_and_submits(client, officer, standard):
    client.force_login(officer)
    response = client.post(reverse("standards:assessment_start", args=[standard.slug]))
    assessment = Assessment.objects.get()
    assert response["Location"] == assessment.get_absolute_url()
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "govuk-task-list" in page and page.count("Not started") == 3
    criteria = list(assessment.version.criteria.order_by("position"))
    # Save as you go.
    url = reverse("standards:answer_edit", args=[assessment.public_id, criteria[0].pk])
    client.post(url, {"rating": "met", "action": "later"})
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "In progress" in page
    # A bad answer: met without evidence, a future date, a bad link.
    response = client.post(
        url,
        {
            "rating": "met",
            "evidence_url": "javascript:alert(1)",
            **date_input("evidence_date", "2999-01-01"),
            "action": "continue",
        },
    )
    assert "There is a problem" in response.content.decode()
    assert not Answer.objects.get().complete
    for index, criterion in enumerate(criteria):
        response = client.post(
            reverse("standards:answer_edit", args=[assessment.public_id, criterion.pk]),
            {
                "rating": "not_applicable" if index == 2 else "met",
                "reason": "We have no such forms." if index == 2 else "",
                "evidence": "Audit report 2026",
                **date_input("evidence_date", "2026-01-15"),
                "action": "continue",
            },
        )
    check = reverse("standards:assessment_check", args=[assessment.public_id])
    assert response["Location"] == check
    page = client.get(check).content.decode()
    assert "Check your answers before submitting" in page and "Change" in page
    response = client.post(check)
    assert response["Location"] == reverse(
        "standards:assessment_submitted", args=[assessment.public_id]
    )
    assert "Assessment submitted" in client.get(response["Location"]).content.decode()
    assessment.refresh_from_db()
    assert assessment.result == "green" and assessment.status == "submitted"


def test_submitting_an_incomplete_assessment_lists_what_is_missing(client, officer, standard):
    client.force_login(officer)
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    response = client.post(reverse("standards:assessment_check", args=[assessment.public_id]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Complete F1: <bdi>Criterion F1</bdi>" in html and "Complete F3" in html
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("no_membership_user", 404),
        ("other_officer", 404),
        ("centre_staff", 404),
        ("officer", 200),
        ("institute_staff", 200),
        ("sector_viewer", 200),
    ],
)
def test_who_sees_a_councils_assessment(client, request, role, status, officer, standard):
    assessment = submitted_assessment(officer, standard)
    client.logout()
    _login(client, request, role)
    assert client.get(assessment.get_absolute_url()).status_code == status


def test_assessment_pages_are_not_found_by_number(client, officer, standard):
    assessment = submitted_assessment(officer, standard)
    client.force_login(officer)
    assert str(assessment.public_id) in assessment.get_absolute_url()
    assert client.get(assessment.get_absolute_url()).status_code == 200
    assert client.get(f"/standards/assessments/{assessment.pk}/").status_code == 404


@pytest.mark.parametrize(
    "role, status",
    [
        ("other_officer", 404),
        ("centre_staff", 404),
        ("institute_staff", 403),
        ("sector_viewer", 403),
    ],
)
def test_nobody_else_can_change_a_councils_answers(
    client, request, role, status, officer, standard
):
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    criterion = assessment.version.criteria.first()
    _login(client, request, role)
    url = reverse("standards:answer_edit", args=[assessment.public_id, criterion.pk])
    assert client.post(url, {"rating": "met", "evidence": "x"}).status_code == status
    assert client.post(
        reverse("standards:assessment_check", args=[assessment.public_id])
    ).status_code == (status)
    assert not Answer.objects.exists()


def test_other_officer_cannot_start_for_leeds_and_gets_their_own(client, other_officer, standard):
    client.force_login(other_officer)
    client.post(reverse("standards:assessment_start", args=[standard.slug]))
    assert Assessment.objects.get().organisation.slug == "bristol-city-of"


@pytest.mark.parametrize("role", ["institute_staff", "sector_viewer", "centre_staff"])
def test_non_officers_cannot_start_an_assessment(client, request, role, standard):
    _login(client, request, role)
    assert (
        client.post(reverse("standards:assessment_start", args=[standard.slug])).status_code == 403
    )
    assert not Assessment.objects.exists()


# --- Review, audit and the organisation page -------------------------------------------------


def test_staff_challenge_and_the_council_sees_the_note(client, officer, institute_staff, standard):
    assessment = submitted_assessment(officer, standard)
    client.force_login(institute_staff)
    assert (
        assessment.organisation.name
        in client.get(reverse("standards:review_queue")).content.decode()
    )
    url = reverse("standards:assessment_review", args=[assessment.public_id])
    bad = client.post(url, {"decision": "challenge", "note": ""})
    assert "Say what the council needs to change" in bad.content.decode()
    client.post(url, {"decision": "challenge", "note": "Attach the report"})
    client.force_login(officer)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Attach the report" in page and "submit again" in page


def test_staff_audit_an_assessment(client, officer, institute_staff, standard):
    assessment = submitted_assessment(officer, standard)
    services.audit_round_draw(quarter_day=timezone.localdate(), rate=1)
    audit = Audit.objects.get(assessment=assessment)
    client.force_login(institute_staff)
    assert (
        assessment.organisation.name
        in client.get(reverse("standards:audit_queue")).content.decode()
    )
    data = {f"c{c.pk}-rating": "met" for c in assessment.version.criteria.all()}
    client.post(audit.get_absolute_url(), {**data, "action": "save"})
    client.post(audit.get_absolute_url(), {"action": "complete"})
    audit.refresh_from_db()
    assert (audit.agreed, audit.compared) == (3, 3)
    client.force_login(officer)
    assert client.get(audit.get_absolute_url()).status_code == 404


def test_audit_with_errors_says_so_in_the_page_title(client, officer, institute_staff, standard):
    assessment = submitted_assessment(officer, standard)
    services.audit_round_draw(quarter_day=timezone.localdate(), rate=1)
    audit = Audit.objects.get(assessment=assessment)
    client.force_login(institute_staff)
    criterion = assessment.version.criteria.first()
    page = client.post(audit.get_absolute_url(), {f"c{criterion.pk}-rating": "not-a-rating"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "<title>Error: Audit an assessment" in html
    assert "Choose an audited rating from the list" in html
    # Completing before every criterion is rated is refused the same way.
    page = client.post(audit.get_absolute_url(), {"action": "complete"})
    assert page.status_code == 400 and "<title>Error: " in page.content.decode()
    audit.refresh_from_db()
    assert audit.completed_at is None


@pytest.mark.parametrize(
    "role, visible",
    [
        ("anonymous", False),
        ("other_officer", False),
        ("centre_staff", False),
        ("officer", True),
        ("institute_staff", True),
        ("sector_viewer", True),
    ],
)
def test_organisation_page_shows_ratings_only_to_those_allowed(
    client, request, role, visible, officer, standard, leeds
):
    submitted_assessment(officer, standard)
    client.logout()
    _login(client, request, role)
    html = client.get(leeds.get_absolute_url()).content.decode()
    assert ("Service standards" in html and "Adopted (1)" in html) == visible


@pytest.mark.parametrize("count", [1, 50])
def test_staff_lists_have_fixed_query_counts(
    client, institute_staff, standard, django_assert_num_queries, count
):
    slugs = list(
        Organisation.objects.current().councils().order_by("slug").values_list("slug", flat=True)
    )[:count]
    for slug in slugs:
        submitted_assessment(council_officer(slug), standard)
    client.force_login(institute_staff)
    # user (with membership), count, page (the session comes from the cache).
    with django_assert_num_queries(3):
        response = client.get(reverse("standards:review_queue"))
    assert len(response.context["page_obj"]) == min(count, 25)
    # user (with membership), standard, councils by type, adopters, count, page.
    with django_assert_num_queries(6):
        response = client.get(reverse("standards:standard_councils", args=[standard.slug]))
    assert len(response.context["page_obj"]) == min(count, 25)


def test_my_council_page(client, officer, standard):
    submitted_assessment(officer, standard)
    client.force_login(officer)
    html = client.get(reverse("standards:my_council")).content.decode()
    assert "Adopted" in html and standard.title in html


# --- One state, one name ---------------------------------------------------------------------


def test_a_challenged_assessment_is_named_alike_on_the_standard_and_its_own_page(
    client, officer, institute_staff, standard
):
    assessment = submitted_assessment(officer, standard)
    services.assessment_review(
        actor=institute_staff, assessment=assessment, decision="challenge", note="Show the audit"
    )
    client.force_login(officer)
    own = client.get(assessment.get_absolute_url()).content.decode()
    on_standard = client.get(standard.get_absolute_url()).content.decode()
    my_council = client.get(reverse("standards:my_council")).content.decode()
    tag = '<strong class="govuk-tag govuk-tag--red">Challenged</strong>'
    assert tag in own and tag in on_standard and tag in my_council
    assert "In progress" not in on_standard


def test_an_answer_carried_over_from_the_last_version_has_a_neutral_tag(
    client, officer, institute_staff, standard
):
    submitted_assessment(officer, standard)
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    services.version_publish(actor=institute_staff, version=draft, grace_days=30)
    new, _ = services.assessment_start(actor=officer, version=draft)
    client.force_login(officer)
    html = client.get(new.get_absolute_url()).content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Carried over: confirm</strong>' in html
    assert 'govuk-tag--red">Carried over' not in html
    assert 'govuk-tag--light-blue">Carried over' not in html
