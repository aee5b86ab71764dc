"""Standards rules: versions, results, carry-over, adoption arithmetic, review and audit."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from institute.errors import DomainError, NotAllowed
from institute.models import Notification, Organisation
from standards import selectors, services
from standards.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Audit,
    AuditRound,
    Rating,
    Result,
    VersionStatus,
)
from tests.factories import council_officer
from tests.standards.factories import answer_all, published_standard, submitted_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def standard(institute_staff):
    return published_standard(institute_staff)


# --- Results ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ratings, result",
    [
        ({}, Result.GREEN),
        ({"F1": Rating.PARTLY}, Result.AMBER),
        ({"F1": Rating.PARTLY, "F2": Rating.NOT_MET}, Result.RED),
        # Optional criteria never change the result.
        ({"F3": Rating.NOT_MET}, Result.GREEN),
        # A mandatory criterion that does not apply, with a reason, counts as met.
        ({"F2": Rating.NOT_APPLICABLE}, Result.GREEN),
    ],
)
def test_result_follows_mandatory_criteria(officer, standard, ratings, result):
    assessment = submitted_assessment(officer, standard, ratings)
    assert assessment.result == result
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.valid_until == timezone.localdate().replace(
        year=timezone.localdate().year + 1
    ) or assessment.valid_until > timezone.localdate() + timedelta(days=360)


def test_not_applicable_needs_a_reason_and_met_needs_evidence(officer, standard):
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    criterion = assessment.version.criteria.first()
    with pytest.raises(DomainError) as error:
        services.answer_save(
            actor=officer, assessment=assessment, criterion=criterion, rating="not_applicable"
        )
    assert error.value.field == "reason"
    with pytest.raises(DomainError) as error:
        services.answer_save(
            actor=officer, assessment=assessment, criterion=criterion, rating="met"
        )
    assert error.value.field == "evidence"
    with pytest.raises(DomainError) as error:
        services.answer_save(
            actor=officer,
            assessment=assessment,
            criterion=criterion,
            rating="met",
            evidence="x",
            evidence_date=timezone.localdate() + timedelta(days=1),
        )
    assert error.value.field == "evidence_date"
    assert not Answer.objects.exists()
    # Save as you go: an incomplete answer is kept, but not as complete.
    answer = services.answer_save(
        actor=officer, assessment=assessment, criterion=criterion, rating="met", finish=False
    )
    assert answer.complete is False


def test_submitting_an_incomplete_assessment_names_the_missing_criteria(officer, standard):
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    first = assessment.version.criteria.order_by("position").first()
    services.answer_save(
        actor=officer, assessment=assessment, criterion=first, rating="met", evidence="Report"
    )
    with pytest.raises(DomainError) as error:
        services.assessment_submit(actor=officer, assessment=assessment)
    assert "F2" in error.value.message and "F3" in error.value.message
    assert "F1" not in error.value.message
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_only_the_councils_own_officers_can_assess_or_change_it(
    officer, other_officer, institute_staff, sector_viewer, standard
):
    for actor in (institute_staff, sector_viewer):
        with pytest.raises(NotAllowed):
            services.assessment_start(actor=actor, version=standard.current_version)
    assessment, _ = services.assessment_start(actor=officer, version=standard.current_version)
    with pytest.raises(NotAllowed):
        services.answer_save(
            actor=other_officer,
            assessment=assessment,
            criterion=assessment.version.criteria.first(),
            rating="met",
            evidence="x",
        )
    with pytest.raises(NotAllowed):
        services.assessment_submit(actor=other_officer, assessment=assessment)


def test_starting_twice_returns_the_open_assessment(officer, standard):
    first, created = services.assessment_start(actor=officer, version=standard.current_version)
    again, created_again = services.assessment_start(
        actor=officer, version=standard.current_version
    )
    assert created and not created_again and first.pk == again.pk


# --- Versions and carry-over -----------------------------------------------------------------


def test_new_version_maps_criteria_and_answers_carry_over(officer, institute_staff, standard):
    old = submitted_assessment(officer, standard, {"F1": Rating.PARTLY})
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    assert draft.based_on_id == standard.current_version_id
    f1, f2, f3 = draft.criteria.order_by("position")
    old_f1, old_f2, _ = standard.current_version.criteria.order_by("position")
    assert list(f1.predecessors.all()) == [old_f1]
    # Merge F2 and F3 of the old version into the new F2; drop F3; add a new criterion.
    services.criterion_update(
        actor=institute_staff,
        criterion=f2,
        code="F2",
        title="Merged",
        mandatory=True,
        predecessors=[old_f2, *old_f2.version.criteria.filter(code="F3")],
    )
    services.criterion_delete(actor=institute_staff, criterion=f3)
    services.criterion_add(actor=institute_staff, version=draft, code="F4", title="New")
    services.version_publish(actor=institute_staff, version=draft, grace_days=30)
    standard.refresh_from_db()
    old.version.refresh_from_db()
    assert old.version.status == VersionStatus.SUPERSEDED
    assert standard.current_version_id == draft.pk
    assert standard.grace_until == timezone.localdate() + timedelta(days=30)

    new, _ = services.assessment_start(actor=officer, version=draft)
    assert new.carried_from_id == old.pk
    carried = {a.criterion.code: a for a in new.answers.select_related("criterion")}
    assert set(carried) == {"F1", "F2"}  # F4 is new: nothing to carry
    assert carried["F1"].rating == Rating.PARTLY
    assert all(a.carried_over and not a.complete for a in carried.values())
    # Confirming an answer clears the flag.
    confirmed = services.answer_save(
        actor=officer,
        assessment=new,
        criterion=carried["F1"].criterion,
        rating=Rating.MET,
        evidence="Updated",
    )
    assert confirmed.complete and not confirmed.carried_over


def test_mapping_must_point_at_the_version_drafted_from(institute_staff, standard):
    other = published_standard(institute_staff, title="Open data publishing")
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    with pytest.raises(DomainError) as error:
        services.criterion_add(
            actor=institute_staff,
            version=draft,
            code="X1",
            title="Wrong",
            predecessors=[other.current_version.criteria.first()],
        )
    assert error.value.field == "predecessors"


def test_published_versions_cannot_be_edited_and_only_staff_author(
    officer, institute_staff, standard
):
    with pytest.raises(DomainError):
        services.criterion_add(
            actor=institute_staff, version=standard.current_version, code="Z", title="Late"
        )
    with pytest.raises(NotAllowed):
        services.version_draft_next(actor=officer, standard=standard)


def test_consultation_comments_only_while_open(officer, institute_staff, standard):
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    with pytest.raises(DomainError):
        services.consultation_comment_add(actor=officer, version=draft, body="Too early")
    services.version_open_consultation(
        actor=institute_staff, version=draft, closes_on=timezone.localdate() + timedelta(days=20)
    )
    comment = services.consultation_comment_add(
        actor=officer, version=draft, body="Make F1 clearer", criterion=draft.criteria.first()
    )
    assert comment.author_organisation.slug == "leeds"
    services.consultation_comment_address(actor=institute_staff, comment=comment)
    assert comment.addressed_at is not None


# --- Adoption arithmetic (hand-computed) -----------------------------------------------------


def test_adoption_rate_counts_only_green_current_unchallenged_assessments(institute_staff):
    standard = published_standard(institute_staff)
    councils = Organisation.objects.current().councils().count()
    assert councils == 317
    leeds = council_officer("leeds")
    bristol = council_officer("bristol-city-of")
    camden = council_officer("camden")
    cornwall = council_officer("cornwall")
    norfolk = council_officer("norfolk")
    submitted_assessment(leeds, standard)  # green: counts
    submitted_assessment(bristol, standard, {"F1": Rating.PARTLY})  # amber: no
    challenged = submitted_assessment(camden, standard)  # green, then challenged: no
    services.assessment_review(
        actor=institute_staff, assessment=challenged, decision="challenge", note="Show the audit"
    )
    expired = submitted_assessment(cornwall, standard)  # green but expired: no
    Assessment.objects.filter(pk=expired.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    verified = submitted_assessment(norfolk, standard)  # green and verified: counts
    services.assessment_review(actor=institute_staff, assessment=verified, decision="verify")

    rate = selectors.adoption_for([standard])[standard.pk]
    assert (rate.adopted, rate.in_scope) == (2, 317)
    assert rate.percent == 1  # 2 / 317 = 0.63% rounds to 1
    assert rate.text == "Adopted by 2 of 317 councils in scope, 1%"


def test_latest_assessment_decides_and_grace_period_counts(institute_staff):
    standard = published_standard(institute_staff)
    leeds = council_officer("leeds")
    old = submitted_assessment(leeds, standard)
    assert selectors.adoption_for([standard])[standard.pk].adopted == 1
    # Reassessing the same version red replaces the earlier green.
    Assessment.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=5))
    submitted_assessment(leeds, standard, {"F1": Rating.NOT_MET})
    assert selectors.adoption_for([standard])[standard.pk].adopted == 0

    bristol = council_officer("bristol-city-of")
    submitted_assessment(bristol, standard)
    draft = services.version_draft_next(actor=institute_staff, standard=standard)
    services.version_publish(actor=institute_staff, version=draft, grace_days=10)
    standard.refresh_from_db()
    # Bristol's green assessment of the superseded version counts during the grace period...
    assert selectors.adoption_for([standard])[standard.pk].adopted == 1
    later = timezone.localdate() + timedelta(days=11)
    # ...and not after it (and an assessment valid for 12 months would still be in date).
    assert selectors.adoption_for([standard], today=later)[standard.pk].adopted == 0


def test_scope_by_council_type_changes_the_denominator(institute_staff):
    standard = published_standard(institute_staff, council_types=["county", "unitary"])
    counties = Organisation.objects.current().councils().filter(council_type="county").count()
    unitaries = Organisation.objects.current().councils().filter(council_type="unitary").count()
    submitted_assessment(council_officer("norfolk"), standard)  # a county: in scope
    submitted_assessment(council_officer("leeds"), standard)  # metropolitan: out of scope
    rate = selectors.adoption_for([standard])[standard.pk]
    assert rate.in_scope == counties + unitaries
    assert rate.adopted == 1


def test_retiring_the_current_version_stops_adoption(institute_staff, officer):
    standard = published_standard(institute_staff)
    submitted_assessment(officer, standard)
    services.version_retire(actor=institute_staff, version=standard.current_version)
    standard.refresh_from_db()
    assert standard.current_version is None
    assert selectors.adoption_for([standard])[standard.pk].adopted == 0


def test_council_states(institute_staff, officer, leeds):
    standard = published_standard(institute_staff)
    other = published_standard(institute_staff, title="Open data publishing")
    third = published_standard(institute_staff, title="Cloud hosting security")
    submitted_assessment(officer, standard)
    services.assessment_start(actor=officer, version=other.current_version)
    states = selectors.council_states(leeds)
    assert states[standard.pk].state == "adopted"
    assert states[other.pk].state == "in_progress"
    assert states[third.pk].state == "not_started"


# --- Review and audit ------------------------------------------------------------------------


def test_challenge_needs_a_note_and_the_council_can_resubmit(officer, institute_staff, standard):
    assessment = submitted_assessment(officer, standard)
    with pytest.raises(DomainError):
        services.assessment_review(
            actor=institute_staff, assessment=assessment, decision="challenge", note=" "
        )
    with pytest.raises(NotAllowed):
        services.assessment_review(actor=officer, assessment=assessment, decision="verify")
    services.assessment_review(
        actor=institute_staff, assessment=assessment, decision="challenge", note="Link the audit"
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CHALLENGED
    assert officer.notifications.filter(kind="standards.review").exists()
    answer_all(officer, assessment)
    services.assessment_submit(actor=officer, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED


def test_audit_round_is_drawn_once_per_quarter_and_agreement_is_measured(institute_staff):
    standard = published_standard(institute_staff)
    slugs = ["leeds", "bristol-city-of", "camden", "cornwall", "norfolk", "kent", "essex"]
    assessments = [submitted_assessment(council_officer(s), standard) for s in slugs]
    today = timezone.localdate()
    audit_round = services.audit_round_draw(quarter_day=today, rate=0.3)
    assert audit_round.population == 7
    assert Audit.objects.count() == 3  # ceil(7 * 0.3)
    assert services.audit_round_draw(quarter_day=today, rate=0.3) is None
    assert AuditRound.objects.count() == 1 and Audit.objects.count() == 3

    audit = Audit.objects.first()
    criteria = list(audit.assessment.version.criteria.order_by("position"))
    with pytest.raises(DomainError):
        services.audit_complete(actor=institute_staff, audit=audit)
    # The council said "met" everywhere; the auditor agrees on two of three.
    services.audit_rating_record(
        actor=institute_staff, audit=audit, criterion=criteria[0], rating="met"
    )
    services.audit_rating_record(
        actor=institute_staff, audit=audit, criterion=criteria[1], rating="partly"
    )
    services.audit_rating_record(
        actor=institute_staff, audit=audit, criterion=criteria[2], rating="met"
    )
    services.audit_complete(actor=institute_staff, audit=audit)
    agreement = selectors.agreement_of(standard)
    assert (agreement.agreed, agreement.compared, agreement.percent) == (2, 3, 67)
    assert len(assessments) == 7


# --- An audit that disagrees ------------------------------------------------------------------


def _audit_of(staff, assessment, ratings: dict):
    services.audit_round_draw(quarter_day=timezone.localdate(assessment.submitted_at), rate=1)
    audit = Audit.objects.get(assessment=assessment)
    for criterion in assessment.version.criteria.all():
        services.audit_rating_record(
            actor=staff, audit=audit, criterion=criterion, rating=ratings.get(criterion.code, "met")
        )
    return services.audit_complete(actor=staff, audit=audit, note="Seen.")


def test_an_audit_that_disagrees_replaces_the_result_from_then_on_and_tells_the_council(
    institute_staff,
):
    leeds = council_officer("leeds")
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        standard = published_standard(institute_staff)
        assessment = submitted_assessment(leeds, standard)  # green: adopts
    assert selectors.adoption_for([standard])[standard.pk].adopted == 1

    # The auditor finds a mandatory criterion only partly met: amber, not green.
    audit = _audit_of(institute_staff, assessment, {"F2": Rating.PARTLY})
    assert (audit.self_result, audit.result) == ("green", "amber")
    assessment.refresh_from_db()
    assert assessment.result == "amber" and assessment.audited_at is not None
    assert selectors.adoption_for([standard])[standard.pk].adopted == 0
    # From the audit on, not before it: the trend's past days keep the council as adopting.
    today = timezone.localdate()
    assert (standard.pk, leeds.membership.organisation_id) in selectors.adopting_pairs_on(
        today - timedelta(days=1)
    )
    assert (standard.pk, leeds.membership.organisation_id) not in selectors.adopting_pairs_on(today)
    told = Notification.objects.get(recipient=leeds)
    assert told.title == (
        f"An audit changed the result of your assessment of {standard.title} to amber"
    )
    assert told.url == assessment.get_absolute_url()


def test_an_audit_that_gives_the_same_result_changes_nothing(institute_staff):
    standard = published_standard(institute_staff)
    leeds = council_officer("leeds")
    assessment = submitted_assessment(leeds, standard)
    # A different rating of an optional criterion: still green.
    audit = _audit_of(institute_staff, assessment, {"F3": Rating.NOT_MET})
    assert (audit.self_result, audit.result, audit.agreed) == ("green", "green", 2)
    assessment.refresh_from_db()
    assert assessment.result == "green" and assessment.audited_at is None
    assert selectors.adoption_for([standard])[standard.pk].adopted == 1
    assert not Notification.objects.filter(recipient=leeds).exists()
