"""The rows the accessibility inventory's detail pages need, for the named users of each role.

Built with the project's factories (and, where a row's state comes from a workflow, the
services), so every page in the inventory has something real to show: a problem with votes,
comments, a status timeline and a look-alike; components published and in review; standards
published, in draft, in consultation, assessed, reviewed and audited; a centre with a lead,
a project and learning in every state; a membership request, notifications and API tokens.
"""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from backlog import services as backlog_services
from centres.models import CentreStaff, LearningChange, LearningRevision, LearningStatus
from components.models import (
    Adoption,
    ComponentChange,
    FetchResult,
    HarvestFetch,
    HarvestSource,
)
from institute import digests
from institute.models import (
    Cadence,
    EvidenceFile,
    Organisation,
    Role,
    ScanStatus,
    ServiceArea,
)
from institute.sector import services as sector_services
from institute.sector import targets
from institute.sector.models import MetricSeries
from institute.services import email_domain_add, notify
from institute.tokens import api_token_create
from standards import services as standards_services
from standards.models import Rating
from tests import evidence_files as evidence_samples
from tests.centres.factories import (
    CentreFactory,
    LearningFactory,
    ProjectFactory,
    centre_person,
    draft,
)
from tests.components.factories import ComponentFactory
from tests.factories import (
    MembershipFactory,
    MembershipRequestFactory,
    ProblemFactory,
    UserFactory,
)
from tests.standards.factories import published_standard, submitted_assessment


def _problems(officer, institute_staff):
    housing = ServiceArea.objects.get(slug="housing")
    problem = backlog_services.problem_submit(
        actor=officer,
        title="Missed bin collections are reported by phone",
        summary="Residents phone the contact centre because there is no online form.",
        description="Every council we spoke to has **the same** gap.\n\n- calls\n- e-mails",
        theme="data",
        service_areas=[housing],
    )
    backlog_services.problem_change_status(
        actor=institute_staff, problem=problem, status="triaged", note="Seen at many councils."
    )
    comment = backlog_services.comment_add(
        actor=officer, problem=problem, body="Leeds takes about 400 calls a week about this."
    )
    backlog_services.comment_report(
        actor=institute_staff, comment=comment, reason="It names a member of the public."
    )
    lookalike = ProblemFactory(
        title="Missed bin collections reported by telephone",
        summary="Residents phone the contact centre because there is no online form.",
        submitted_by=institute_staff,
        submitted_for=Organisation.objects.get(slug="local-digital-institute"),
    )
    backlog_services.duplicate_candidates_find(problem=lookalike)
    merged = ProblemFactory(title="Bin collection complaints by phone", submitted_by=officer)
    backlog_services.problem_merge(
        actor=institute_staff, source=merged, target=problem, note="The same problem."
    )
    spare = ProblemFactory(
        title="Housing repairs are booked by e-mail", theme="skills", submitted_by=institute_staff
    )
    return problem, comment, lookalike, merged, spare


def _edits_and_withdrawals(officer, institute_staff, problem):
    """Problem 1's changes (more than the page lists, so it links to all of them), a new problem
    of the officer's own with one edit, and a withdrawn one (its tombstone)."""
    areas = list(problem.service_areas.all())
    for n in range(6):
        backlog_services.problem_edit(
            actor=institute_staff,
            problem=problem,
            title=problem.title,
            summary=f"{problem.summary.rstrip('.')} ({n + 1}).",
            description=problem.description,
            theme=problem.theme,
            service_areas=areas,
            reason="Summary made clearer at triage.",
        )
        problem.refresh_from_db()
    own = backlog_services.problem_submit(
        actor=officer,
        title="Parking permit renewals need a paper form",
        summary="Residents print, sign and post a form every year.",
        description="We re-key every form. Most renewals change nothing.",
        theme="data",
        service_areas=areas,
    )
    backlog_services.problem_edit(
        actor=officer,
        problem=own,
        title=own.title,
        summary=own.summary,
        description="We re-key every form by hand. Most renewals change nothing at all.",
        theme="infrastructure",
        service_areas=areas,
    )
    withdrawn = backlog_services.problem_submit(
        actor=officer,
        title="Garden waste subscriptions renew late",
        summary="A subscription lapses for a week each spring.",
        description="Raised by mistake.",
        theme="data",
        service_areas=areas,
    )
    tombstone = backlog_services.problem_withdraw(actor=officer, problem=withdrawn)
    return own, tombstone


def _components(officer):
    leeds = Organisation.objects.get(slug="leeds")
    component = ComponentFactory(
        name="Bin collection booking API",
        summary="Lets residents book and report bin collections online.",
        maintainer_name="Leeds City Council",
    )
    Adoption.objects.create(
        component=component,
        organisation=leeds,
        stage="in_use",
        since=timezone.localdate() - timedelta(days=200),
        evidence_note="Used by our contact centre.",
        show_as_contact=True,
        contact=officer,
    )
    in_review = ComponentFactory(
        name="Council tax rebate form",
        status="in_review",
        published_at=None,
        submitted_by=officer,
        submitted_for=leeds,
    )
    # A change to its promises made by someone other than institute staff's fixture, waiting
    # for them to review it.
    ComponentChange.objects.create(
        component=component,
        proposed={"maturity": "live", "documentation_url": "https://example.org/bins/docs"},
        previous={"maturity": component.maturity, "documentation_url": ""},
        proposed_by=officer,
    )
    return component, in_review


def _harvest_source(officer, component):
    """A repository the catalogue harvests: one check worked, the next proposed a change."""
    now = timezone.now()
    source = HarvestSource.objects.create(
        url="https://github.com/leeds-city-council/bin-booking-api",
        kind="repository",
        component=component,
        registered_by=officer,
        checked_at=now,
        succeeded_at=now,
    )
    HarvestFetch.objects.create(
        source=source,
        created_at=now - timedelta(days=1),
        result=FetchResult.FAILED,
        message="The server took longer than 30 seconds",
    )
    HarvestFetch.objects.create(
        source=source,
        created_at=now,
        result=FetchResult.PROPOSED,
        message="Change proposed: fields summary",
        changed=["summary"],
        proposed={"summary": "Book and report bin collections online, by address."},
    )
    return source


def _standards(officer, institute_staff):
    published = published_standard(institute_staff, title="Accessible online forms")
    in_progress, _ = standards_services.assessment_start(
        actor=officer, version=published.current_version
    )
    first = in_progress.version.criteria.order_by("position").first()
    standards_services.answer_save(
        actor=officer,
        assessment=in_progress,
        criterion=first,
        rating=Rating.PARTLY,
        reason="",
        evidence="Most forms pass; two legacy forms do not.",
        evidence_date=timezone.localdate() - timedelta(days=5),
        upload=evidence_samples.upload("Forms accessibility audit 2026.pdf", evidence_samples.PDF),
    )
    # One file the virus check has passed (a download link), one it has not answered for yet.
    EvidenceFile.objects.update(scan_status=ScanStatus.CLEAN, scanned_at=timezone.now())
    standards_services.answer_file_add(
        actor=officer,
        assessment=in_progress,
        criterion=first,
        upload=evidence_samples.upload("Form completion rates.csv", evidence_samples.CSV),
    )

    assessed = published_standard(
        institute_staff, title="Open data publishing", criteria=[("D1", True), ("D2", False)]
    )
    submitted = submitted_assessment(officer, assessed, ratings={"D2": Rating.NOT_MET})
    standards_services.audit_round_draw(quarter_day=timezone.localdate(), rate=1)

    reviewed_standard = published_standard(
        institute_staff, title="Secure sign-in", criteria=[("S1", True)]
    )
    reviewed = submitted_assessment(officer, reviewed_standard)
    standards_services.assessment_review(
        actor=institute_staff, assessment=reviewed, decision="verify", note="Evidence checked."
    )

    drafted = standards_services.standard_create(
        actor=institute_staff,
        title="Plain language letters",
        category="service",
        owner=Organisation.objects.get(slug="local-digital-institute"),
        summary="Letters residents understand the first time.",
    )
    draft_version = drafted.versions.get()
    criterion = standards_services.criterion_add(
        actor=institute_staff,
        version=draft_version,
        code="L1",
        title="Letters use plain English",
        guidance="Test letters with residents.",
        mandatory=True,
    )

    consulted = published_standard(
        institute_staff, title="Booking appointments online", criteria=[("B1", True)]
    )
    consulted_next = standards_services.version_draft_next(
        actor=institute_staff, standard=consulted
    )
    standards_services.version_open_consultation(
        actor=institute_staff,
        version=consulted_next,
        closes_on=timezone.localdate() + timedelta(days=30),
    )
    standards_services.consultation_comment_add(
        actor=officer,
        version=consulted_next,
        body="Please allow a phone alternative for residents without internet access.",
    )
    return SimpleNamespace(
        published=published,
        in_progress=in_progress,
        first_criterion=first,
        assessed=assessed,
        submitted=submitted,
        audit=submitted.audit,
        reviewed=reviewed,
        drafted=drafted,
        draft_version=draft_version,
        draft_criterion=criterion,
        consulted=consulted,
        consultation_version=consulted_next,
    )


def _centres(centre_staff, problem, component):
    centre = CentreFactory(
        name="Greater Manchester Centre",
        slug="greater-manchester",
        host=Organisation.objects.get(slug="greater-manchester-combined-authority"),
        regions=["E12000002"],
        description="Works with the ten Greater Manchester councils.",
    )
    # The centre_staff fixture is its lead, so they can both draft and publish its learning.
    CentreStaff.objects.create(centre=centre, user=centre_staff, is_lead=True, job_title="Lead")
    project = ProjectFactory(
        centre=centre,
        created_by=centre_staff,
        title="Sharing bin data",
        start_date=timezone.localdate() - timedelta(days=60),
    )
    project.problems.set([problem])
    project.components_used.set([component])
    leeds = Organisation.objects.get(slug="leeds")
    published = LearningFactory(
        centre=centre,
        created_by=centre_staff,
        title="Plain privacy notices made residents more willing to share",
        councils=[leeds],
        problems=[problem],
    )
    published.components.set([component])
    LearningRevision.objects.create(
        learning=published,
        number=1,
        title="Plain privacy notices (first version)",
        summary=published.summary,
        body=published.body,
        body_html=published.body_html,
        impact_summary=published.impact_summary,
        evidence_strength=1,
        cost_band=published.cost_band,
        text_from=timezone.now() - timedelta(days=30),
        replaced_by=centre_staff,
    )
    # A change to its rating, made by another of the centre's staff, waiting for the lead.
    author = centre_person(
        "greater-manchester-combined-authority", "author@gmca.example.test", centre=centre
    )
    change = LearningChange.objects.create(
        learning=published,
        proposed={"evidence_strength": 4, "cost_band": "moderate"},
        previous={"evidence_strength": published.evidence_strength, "cost_band": "low"},
        proposed_by=author,
    )
    drafted = draft(centre=centre, created_by=centre_staff, title="A draft about data sharing")
    in_review = draft(
        centre=centre,
        created_by=centre_staff,
        title="Learning waiting for review",
        status=LearningStatus.IN_REVIEW,
        submitted_by=centre_staff,
        submitted_at=timezone.now(),
    )
    return SimpleNamespace(
        centre=centre,
        project=project,
        published=published,
        change=change,
        drafted=drafted,
        in_review=in_review,
    )


def _sector(institute_staff, problem, component):
    """The 2030 blueprint: every series with its counted past, recorded values with enough
    history to project, a recommendation with an update and links, and comparison groups."""
    targets.series_sync()
    today = timezone.localdate()
    buying = MetricSeries.objects.get(slug="collective-buying-exercises")
    value = None
    for months, count in [(14, 1), (11, 2), (9, 2), (7, 3), (4, 4), (1, 5)]:
        value = sector_services.metric_value_record(
            actor=institute_staff,
            series=buying,
            on=today - timedelta(days=30 * months),
            value=count,
            source_url="https://www.example.gov.uk/collective-buying",
            note="Joint telephony procurement." if count == 1 else "",
        )
    sector_services.metric_value_record(
        actor=institute_staff,
        series=MetricSeries.objects.get(slug="workforce-under-represented"),
        on=today - timedelta(days=200),
        value=18.0,
        is_baseline=True,
        source_url="https://www.example.gov.uk/workforce-survey",
    )
    recommendation = sector_services.recommendation_create(
        actor=institute_staff,
        number=1,
        theme="data",
        bodies=["councils", "institute", "mhclg"],
        title="Share data responsibly by testing and learning",
        summary="Help councils move towards responsible data sharing in small, tested steps.",
        origin="The report's three recommendations for this theme",
    )
    sector_services.recommendation_update_add(
        actor=institute_staff,
        recommendation=recommendation,
        status="in_progress",
        on=today - timedelta(days=20),
        note="Ten councils share discharge data under one agreement.",
        evidence_url="https://www.example.gov.uk/discharge",
    )
    sector_services.recommendation_links_set(
        actor=institute_staff,
        recommendation=recommendation,
        problems=[problem],
        components=[component],
    )
    group_set = sector_services.comparison_groups_upload(
        actor=institute_staff,
        name="CIPFA nearest neighbours 2025",
        as_of=today - timedelta(days=90),
        source="CIPFA's nearest neighbours model",
        source_url="https://www.example.gov.uk/nearest-neighbours",
        licence="CIPFA licence held by the institute",
        data=b"E08000035,E08000032,E08000036,E08000034\nE06000052,E06000054\n",
    )
    targets.history_rebuild(today=today)
    return SimpleNamespace(
        recommendation=recommendation, value=value, series=buying, group_set=group_set
    )


def build(
    *, officer, centre_staff, institute_staff, sector_viewer, no_membership_user
) -> SimpleNamespace:
    """Create every row the inventory's pages show; returns them by name."""
    problem, comment, lookalike, merged, spare = _problems(officer, institute_staff)
    own_problem, withdrawn = _edits_and_withdrawals(officer, institute_staff, problem)
    component, component_in_review = _components(officer)
    harvest_source = _harvest_source(officer, component)
    standards = _standards(officer, institute_staff)
    centres = _centres(centre_staff, problem, component)
    sector = _sector(institute_staff, problem, component)
    membership_request = MembershipRequestFactory(
        user=no_membership_user, organisation=Organisation.objects.get(slug="leeds")
    )
    notify(
        recipient_ids=[officer.pk],
        kind="problem_status",
        key="a11y:status",
        title=f"{problem.title} is now triaged",
        url=problem.get_absolute_url(),
        body="Seen at many councils.",
    )
    api_token_create(actor=officer, name="Our reporting tool", read_only=True)
    leeds_domain = email_domain_add(
        actor=institute_staff,
        organisation=Organisation.objects.get(slug="leeds"),
        domain="leeds.gov.uk",
    )
    # A shared-service officer: Bradford's, and Leeds's too (staff can take them off Leeds).
    shared = MembershipFactory(
        user=UserFactory(email="shared@bradford.example.test", full_name="Sam Shared"),
        organisation=Organisation.objects.get(slug="bradford"),
        role=Role.OFFICER,
    ).user
    shared_membership = MembershipFactory(
        user=shared,
        organisation=Organisation.objects.get(slug="leeds"),
        role=Role.OFFICER,
        is_primary=False,
    )
    return SimpleNamespace(
        officer=officer,
        centre_staff=centre_staff,
        institute_staff=institute_staff,
        sector_viewer=sector_viewer,
        no_membership_user=no_membership_user,
        problem=problem,
        comment=comment,
        lookalike=lookalike,
        merged=merged,
        spare=spare,
        own_problem=own_problem,
        withdrawn=withdrawn,
        component=component,
        component_in_review=component_in_review,
        harvest_source=harvest_source,
        standards=standards,
        centres=centres,
        sector=sector,
        membership_request=membership_request,
        unsubscribe_token=digests.unsubscribe_token(officer, Cadence.WEEKLY),
        leeds=Organisation.objects.get(slug="leeds"),
        leeds_domain=leeds_domain,
        shared_membership=shared_membership,
    )
