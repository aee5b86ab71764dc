"""Every write endpoint, pages and API, against every role (issue #9).

Each row of PAGES and API below is one endpoint: how to set up the object it acts on (owned by
Leeds City Council, or by the Greater Manchester centre) with a valid payload, and which roles
may do it. Every row runs once per role:

- allowed: a 2xx/3xx answer, the database changed, and the row's own check holds;
- refused: 403 (404 where the object is not the role's to see, so its existence is not
  revealed; a redirect to sign in for anonymous visitors of pages; 403 for anonymous API
  clients, as docs/api.md says) and not one row of any table changed (tests/security/db_state).

A payload is valid for the allowed roles, so a refusal comes from authorisation, not from a bad
form. test_every_write_endpoint_is_in_the_matrix proves no endpoint that accepts a write is
missing (or is listed in EXCLUDED with its reason).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from backlog import services as backlog_services
from backlog.models import (
    Comment,
    CommentReport,
    DuplicateCandidate,
    Follow,
    Problem,
    Vote,
    WithdrawnProblem,
)
from centres.models import Centre, CentreStaff, Learning, LearningChange, LearningStatus, Project
from components import services as component_services
from components.models import (
    Adoption,
    Component,
    ComponentChange,
    FetchResult,
    HarvestFetch,
    HarvestSource,
)
from institute import digests
from institute.access import ACTING_SESSION_KEY
from institute.models import (
    ApiToken,
    EmailDomain,
    EvidenceFile,
    Membership,
    MembershipRequest,
    Notification,
    NotificationPreference,
    Organisation,
    OrganisationKind,
    OutboxEmail,
    Role,
    User,
)
from institute.sector import services as sector_services
from institute.sector import targets
from institute.sector.models import ComparisonGroupSet, MetricSeries, MetricValue
from institute.tokens import api_token_create
from standards import services as standard_services
from standards.models import (
    Assessment,
    AssessmentStatus,
    ConsultationComment,
    Criterion,
    Standard,
    StandardVersion,
    VersionStatus,
)
from tests import evidence_files as evidence_samples
from tests.centres.factories import centre_person
from tests.factories import MembershipFactory, MembershipRequestFactory, UserFactory, date_input
from tests.security.db_state import changed_tables, snapshot
from tests.security.world import (
    GMCA,
    PUBLICCODE,
    TODAY,
    World,
    api_component_ref,
    object_url,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",  # Leeds City Council: the council that owns the objects below
    "other_officer",  # Bristol: another council
    "centre_staff",  # Greater Manchester: the centre that owns the objects below (its lead)
    "other_centre_staff",  # West Midlands: another centre
    "sector_viewer",
    "institute_staff",
]
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
# Signed in and a member of an organisation (institute.access.belongs_to_an_organisation).
MEMBERS = SIGNED_IN - {"no_membership_user"}
PARTICIPANTS = frozenset(
    {"officer", "other_officer", "centre_staff", "other_centre_staff", "institute_staff"}
)
OFFICERS = frozenset({"officer", "other_officer"})
# Members of an organisation but the read-only sector viewer (institute.access.can_contribute).
CONTRIBUTORS = MEMBERS - {"sector_viewer"}
LEEDS = frozenset({"officer"})
STAFF = frozenset({"institute_staff"})
LEEDS_AND_STAFF = LEEDS | STAFF
GM_AND_STAFF = frozenset({"centre_staff", "institute_staff"})
# Roles that may not see a Leeds assessment (only Leeds's officers, sector viewers and institute
# staff may): they get 404, so they cannot even learn that it exists.
NOT_SEEING_LEEDS_RATINGS = frozenset(
    {"no_membership_user", "other_officer", "centre_staff", "other_centre_staff"}
)
NOT_GM = SIGNED_IN - GM_AND_STAFF
NOT_LEEDS_OR_STAFF = SIGNED_IN - LEEDS_AND_STAFF

# --- Rows -----------------------------------------------------------------------------------------


@dataclass
class Prepared:
    url: str
    data: dict | None = None
    # After an allowed request: does the change the role asked for show in the database?
    check: Callable[[], bool] | None = None
    # How an API case sends `data` ("multipart" for file uploads).
    format: str = "json"
    # A write of the caller's own session only (which the snapshot leaves out): an allowed
    # request is proved by the session it leaves, (session) -> bool, not by the tables.
    session: Callable | None = None


@dataclass(frozen=True)
class Case:
    name: str  # the URL pattern's name: the coverage test matches rows to routes by it
    method: str
    setup: Callable[[World], Prepared]
    allowed: frozenset
    hidden: frozenset = frozenset()  # refused with 404 rather than 403
    other: dict = field(default_factory=dict)  # role -> another refusal status, with a reason
    label: str = ""  # tells two rows of one route apart
    csrf_exempt: str = ""  # why this write needs no CSRF token (then the CSRF test leaves it out)

    def expected(self, role: str, *, api: bool):
        if role in self.allowed:
            return "allowed"
        if role in self.other:
            return self.other[role]
        if role == "anonymous":
            return 403 if api else "sign in"
        return 404 if role in self.hidden else 403

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{f' ({self.label})' if self.label else ''}"


def _exists(queryset: Callable) -> Callable[[], bool]:
    """A check that the queryset (built when checked: the actor may be anonymous) has a row."""
    return lambda: queryset().exists()


def _field_is(obj, name, value) -> Callable[[], bool]:
    def check():
        obj.refresh_from_db()
        return getattr(obj, name) == value

    return check


def _today_minus(days: int) -> str:
    return (TODAY() - timedelta(days=days)).isoformat()


PROBLEM_FORM = {
    "title": "Council tax direct debit changes are slow to apply",
    "summary": "Residents wait weeks for a change of payment date.",
    "description": "We re-key every change by hand.",
    "theme": "data",
    "service_areas": ["housing"],
}
COMPONENT_FORM = {
    "name": "Accessible form builder",
    "summary": "Build accessible online forms without code.",
    "description": "Forms that **pass** WCAG 2.2 AA.",
    "kind": "open_source",
    "maturity": "beta",
    "theme": "infrastructure",
    "service_areas": ["customer-services"],
    "licence": "MIT",
    "source_url": "https://example.org/forms",
    "documentation_url": "",
    "maintainer": "",
    "maintainer_name": "Forms community",
    "cost_model": "free",
    "hosting": "self_hosted",
}
ADOPTION_FORM = {
    "stage": "piloting",
    "since_0": "1",
    "since_1": "3",
    "since_2": "2025",
    "evidence_url": "https://example.org/evidence",
    "evidence_note": "",
}
CENTRE_FIELDS = {
    "name": "West Yorkshire Centre",
    "regions": ["E12000003"],
    "focus": "Children's services data",
    "focus_themes": ["data"],
    "description": "Works with the five councils.",
}
PROJECT_FORM = {
    "title": "One discharge list",
    "summary": "Ten councils share one hospital discharge list.",
    "status": "proposed",
    "phase": "discovery",
    "problems": "",
    "start_date": "",
    "end_date": "",
}
LEARNING_FORM = {
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
}
LEARNING_API = {
    "centre": "greater-manchester",
    "kind": "data_sharing",
    "title": "Discharge lists shared daily",
    "summary": "One list for every council.",
    "body": "## What we did\n\nOne agreement.",
    "evidence_strength": 3,
    "cost_band": "low",
    "impact_summary": "Faster reablement.",
    "themes": ["data"],
}


def _other_strategic_authority() -> Organisation:
    return (
        Organisation.objects.filter(kind=OrganisationKind.STRATEGIC_AUTHORITY)
        .exclude(slug=GMCA)
        .filter(centre__isnull=True)
        .order_by("slug")
        .first()
    )


# Institute ----------------------------------------------------------------------------------------


def s_account_profile(w):
    return Prepared(
        reverse("institute:account"),
        {"action": "profile", "full_name": "Renamed Person"},
        check=lambda: User.objects.filter(pk=w.actor.pk, full_name="Renamed Person").exists(),
    )


def s_account_request(w):
    bristol = Organisation.objects.get(slug="bristol-city-of")
    return Prepared(
        reverse("institute:account"),
        {
            "action": "request",
            "organisation": bristol.pk,
            "role": "officer",
            "reason": "I run Bristol's digital team.",
        },
        check=_exists(lambda: MembershipRequest.objects.filter(user=w.actor, organisation=bristol)),
    )


def _second_membership(w, slug: str = "bradford"):
    """The actor also works for Bradford (a shared service), as an officer there; someone who
    belongs to no organisation gets none (they have no organisation to act as)."""
    if w.role not in {"anonymous", "no_membership_user"}:
        MembershipFactory(
            user=w.actor,
            organisation=Organisation.objects.get(slug=slug),
            role=Role.OFFICER,
            is_primary=False,
        )


def _acting_as(slug: str):
    return lambda session: session.get(ACTING_SESSION_KEY) == slug


def s_account_act_as(w):
    _second_membership(w)
    return Prepared(
        reverse("institute:account"),
        {"action": "act_as", "organisation": "bradford"},
        session=_acting_as("bradford"),
    )


def s_account_act_as_not_theirs(w):
    _second_membership(w)
    return Prepared(reverse("institute:account"), {"action": "act_as", "organisation": "camden"})


def s_account_primary(w):
    _second_membership(w)
    return Prepared(
        reverse("institute:account"),
        {"action": "primary", "organisation": "bradford"},
        check=_exists(
            lambda: Membership.objects.filter(
                user=w.actor, organisation__slug="bradford", is_primary=True
            )
        ),
    )


def s_account_primary_not_theirs(w):
    _second_membership(w)
    return Prepared(reverse("institute:account"), {"action": "primary", "organisation": "camden"})


def s_people_add(w):
    officer = w.officer
    return Prepared(
        reverse("institute:organisation_people", args=["bradford"]),
        {"email": officer.email, "role": "officer"},
        check=_exists(
            lambda: Membership.objects.filter(user=officer, organisation__slug="bradford")
        ),
    )


def s_person_remove(w):
    second = MembershipFactory(
        user=w.officer,
        organisation=Organisation.objects.get(slug="bradford"),
        role=Role.OFFICER,
        is_primary=False,
    )
    return Prepared(
        reverse("institute:organisation_person_remove", args=["bradford", second.pk]),
        {},
        check=lambda: not Membership.objects.filter(pk=second.pk).exists(),
    )


def s_membership_decide(w):
    pending = MembershipRequestFactory(
        organisation=Organisation.objects.get(slug="bristol-city-of")
    )
    return Prepared(
        reverse("institute:membership_request_decide", kwargs={"pk": pending.pk}),
        {"decision": "approve", "note": ""},
        check=_exists(lambda: MembershipRequest.objects.filter(pk=pending.pk, status="approved")),
    )


def s_email_domain_add(w):
    return Prepared(
        reverse("institute:organisation_domains", kwargs={"slug": "leeds"}),
        {"domain": "leeds.gov.uk"},
        check=_exists(lambda: EmailDomain.objects.filter(domain="leeds.gov.uk")),
    )


def s_email_domain_remove(w):
    leeds = Organisation.objects.get(slug="leeds")
    domain = EmailDomain.objects.create(organisation=leeds, domain="leeds.gov.uk")
    return Prepared(
        reverse("institute:organisation_domain_remove", kwargs={"slug": "leeds", "pk": domain.pk}),
        {},
        check=lambda: not EmailDomain.objects.filter(pk=domain.pk).exists(),
    )


def s_email_domains_import(w):
    text = "E08000035,leeds.gov.uk\n"
    return Prepared(
        reverse("institute:email_domains_import"),
        {"text": text, "confirm": "1"},
        check=_exists(lambda: EmailDomain.objects.filter(domain="leeds.gov.uk")),
    )


# The 2030 blueprint (institute.sector): staff record figures, update recommendations and load
# comparison groups; everyone else is refused.


def _recorded_series():
    targets.series_sync()
    return MetricSeries.objects.get(slug="collective-buying-exercises")


def s_series_record(w):
    series = _recorded_series()
    on = timezone.localdate() - timedelta(days=3)
    return Prepared(
        reverse("sector:series_record", kwargs={"slug": series.slug}),
        {**date_input("on", on), "value": "3", "source_url": "https://www.example.gov.uk/x"},
        check=_exists(lambda: MetricValue.objects.filter(series=series, value=3)),
    )


def s_series_value_remove(w):
    series = _recorded_series()
    value = sector_services.metric_value_record(
        actor=w.staff,
        series=series,
        on=timezone.localdate() - timedelta(days=3),
        value=2,
        source_url="https://www.example.gov.uk/x",
    )
    return Prepared(
        reverse("sector:series_value_remove", kwargs={"slug": series.slug, "pk": value.pk}),
        {},
        check=lambda: not MetricValue.objects.filter(pk=value.pk).exists(),
    )


def _recommendation(w):
    return sector_services.recommendation_create(
        actor=w.staff,
        number=1,
        theme="data",
        bodies=["councils", "institute"],
        title="Share data by testing and learning",
        summary="Small, tested steps towards sharing data.",
        origin="The report",
    )


def s_recommendation_update(w):
    recommendation = _recommendation(w)
    on = timezone.localdate() - timedelta(days=1)
    return Prepared(
        reverse("sector:recommendation_update", kwargs={"number": recommendation.number}),
        {"status": "in_progress", **date_input("on", on), "note": "Started."},
        check=_field_is(recommendation, "status", "in_progress"),
    )


def s_recommendation_links(w):
    recommendation = _recommendation(w)
    problem = w.problem
    return Prepared(
        reverse("sector:recommendation_links", kwargs={"number": recommendation.number}),
        {"addresses": problem.get_absolute_url()},
        check=_exists(lambda: recommendation.problems.filter(pk=problem.pk)),
    )


def s_comparison_group_upload(w):
    upload = SimpleUploadedFile("groups.csv", b"E08000035,E08000032,E08000036\n")
    return Prepared(
        reverse("sector:comparison_group_upload"),
        {
            "name": "Nearest neighbours",
            **date_input("as_of", timezone.localdate() - timedelta(days=9)),
            "source": "A model",
            "licence": "Open Government Licence",
            "file": upload,
        },
        check=_exists(lambda: ComparisonGroupSet.objects.filter(name="Nearest neighbours")),
    )


def s_comparison_group_remove(w):
    group_set = sector_services.comparison_groups_upload(
        actor=w.staff,
        name="Nearest neighbours",
        as_of=timezone.localdate() - timedelta(days=9),
        source="A model",
        source_url="",
        licence="Open Government Licence",
        data=b"E08000035,E08000032\n",
    )
    return Prepared(
        reverse("sector:comparison_group_remove", kwargs={"pk": group_set.pk}),
        {},
        check=lambda: not ComparisonGroupSet.objects.filter(pk=group_set.pk).exists(),
    )


def _notification(user, key="n1") -> Notification:
    return Notification.objects.create(recipient=user, kind="problem_comment", key=key, title="A")


def s_notification_read(w):
    note = _notification(w.officer)
    return Prepared(
        reverse("institute:notification_read", kwargs={"pk": note.pk}),
        {},
        check=_exists(lambda: Notification.objects.filter(pk=note.pk, read_at__isnull=False)),
    )


def s_notifications_read_all(w):
    theirs = _notification(w.officer, key="leeds")
    mine = _notification(w.actor, key="mine") if w.role != "anonymous" else None

    def only_mine_read():
        # Marking all read touches the person's own notifications, never anyone else's.
        ok = Notification.objects.get(pk=mine.pk).read_at is not None
        if w.actor.pk != w.officer.pk:
            ok = ok and Notification.objects.get(pk=theirs.pk).read_at is None
        return ok

    return Prepared(reverse("institute:notifications_read_all"), {}, check=only_mine_read)


def s_notification_preferences(w):
    kinds = list(digests.KINDS)
    return Prepared(
        reverse("institute:notification_preferences"),
        dict.fromkeys(kinds, "off"),
        # Only choices that differ from the current ones are stored; what counts is the result.
        check=lambda: all(p["cadence"] == "off" for p in digests.preferences_for(w.actor)),
    )


def _weekly_kind():
    return next(kind for kind, (_, _, default) in digests.KINDS.items() if default == "weekly")


def s_digest_unsubscribe(w):
    token = digests.unsubscribe_token(w.officer, "weekly")
    return Prepared(
        reverse("institute:digest_unsubscribe", kwargs={"token": token}),
        {},
        check=_exists(
            lambda: NotificationPreference.objects.filter(
                user=w.officer, kind=_weekly_kind(), cadence="off"
            )
        ),
    )


def s_digest_unsubscribe_tampered(w):
    token = digests.unsubscribe_token(w.officer, "weekly")
    return Prepared(
        reverse("institute:digest_unsubscribe", kwargs={"token": token[:-2] + "xx"}), {}
    )


def s_email_outbox_retry(w):
    row = OutboxEmail.objects.create(
        to=w.officer.email, kind="problem_status", key="failed:1", subject="A", body="B"
    )
    OutboxEmail.objects.filter(pk=row.pk).update(status=OutboxEmail.Status.FAILED)
    return Prepared(
        reverse("institute:email_outbox_retry", kwargs={"pk": row.pk}),
        {},
        check=_exists(lambda: OutboxEmail.objects.filter(pk=row.pk, status="pending")),
    )


def s_token_create(w):
    return Prepared(
        reverse("institute:token_create"),
        {"name": "Dashboard feed"},
        check=_exists(lambda: ApiToken.objects.filter(user=w.actor, name="Dashboard feed")),
    )


def s_token_revoke(w):
    token, _ = api_token_create(actor=w.officer, name="Leeds feed")
    return Prepared(
        reverse("institute:token_revoke", kwargs={"public_id": token.public_id}),
        {},
        check=_exists(lambda: ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=False)),
    )


# Backlog ------------------------------------------------------------------------------------------


def s_problem_submit(w):
    return Prepared(
        reverse("backlog:problem_submit"),
        {**PROBLEM_FORM, "checked": "1"},
        check=_exists(
            lambda: Problem.objects.filter(title=PROBLEM_FORM["title"], submitted_by=w.actor)
        ),
    )


def s_problem_vote(w):
    p = w.problem
    return Prepared(
        reverse("backlog:problem_vote", kwargs={"pk": p.pk}),
        {},
        check=_exists(lambda: Vote.objects.filter(problem=p, user=w.actor)),
    )


def s_problem_follow(w):
    p = w.problem
    return Prepared(
        reverse("backlog:problem_follow", kwargs={"pk": p.pk}),
        {},
        check=_exists(lambda: Follow.objects.filter(problem=p, user=w.actor)),
    )


def s_comment_create(w):
    p = w.problem
    return Prepared(
        reverse("backlog:comment_create", kwargs={"pk": p.pk}),
        {"body": "We see this at our council too."},
        check=_exists(lambda: Comment.objects.filter(problem=p, author=w.actor)),
    )


def s_comment_edit(w):
    c = w.comment
    return Prepared(
        reverse("backlog:comment_edit", kwargs={"pk": c.pk}),
        {"body": "Corrected."},
        check=_field_is(c, "body", "Corrected."),
    )


def s_comment_report(w):
    c = w.comment
    return Prepared(
        reverse("backlog:comment_report", kwargs={"pk": c.pk}),
        {"reason": "Names a member of the public."},
        check=_exists(lambda: CommentReport.objects.filter(comment=c, reporter=w.actor)),
    )


def s_comment_moderate(w):
    c = w.comment
    return Prepared(
        reverse("backlog:comment_moderate", kwargs={"pk": c.pk}),
        {"reason": "Names a member of the public."},
        check=lambda: Comment.objects.get(pk=c.pk).is_hidden,
    )


def s_problem_status(w):
    p = w.problem
    return Prepared(
        reverse("backlog:problem_status", kwargs={"pk": p.pk}),
        {"status": "triaged", "note": ""},
        check=_field_is(p, "status", "triaged"),
    )


def s_problem_edit(w):
    p = w.problem
    return Prepared(
        reverse("backlog:problem_edit", kwargs={"pk": p.pk}),
        {**PROBLEM_FORM, "title": "Bin days are hard to find", "reason": "Clearer title."},
        check=_field_is(p, "title", "Bin days are hard to find"),
    )


def s_problem_withdraw(w):
    p = w.problem
    return Prepared(
        reverse("backlog:problem_withdraw", kwargs={"pk": p.pk}),
        {},
        check=_exists(lambda: WithdrawnProblem.objects.filter(number=p.pk)),
    )


def s_problem_merge(w):
    source, target = w.other_problem, w.problem
    return Prepared(
        reverse("backlog:problem_merge", kwargs={"pk": source.pk}),
        {"target": target.pk, "note": "Same problem."},
        check=_field_is(source, "merged_into_id", target.pk),
    )


def s_problem_unmerge(w):
    source = w.other_problem
    backlog_services.problem_merge(actor=w.staff, source=source, target=w.problem)
    return Prepared(
        reverse("backlog:problem_unmerge", kwargs={"pk": source.pk}),
        {},
        check=_field_is(source, "merged_into_id", None),
    )


def s_duplicate_dismiss(w):
    candidate = DuplicateCandidate.objects.create(
        problem=w.problem, similar_to=w.other_problem, score=0.8
    )
    return Prepared(
        reverse("backlog:duplicate_dismiss", kwargs={"pk": candidate.pk}),
        {},
        check=_exists(
            lambda: DuplicateCandidate.objects.filter(pk=candidate.pk, dismissed_at__isnull=False)
        ),
    )


# Components ---------------------------------------------------------------------------------------


def s_component_submit(w):
    return Prepared(
        reverse("components:component_submit"),
        COMPONENT_FORM,
        check=_exists(
            lambda: Component.objects.filter(name=COMPONENT_FORM["name"], submitted_by=w.actor)
        ),
    )


def s_component_import(w):
    return Prepared(
        reverse("components:component_import"),
        {"text": PUBLICCODE.read_text()},
        check=_exists(lambda: Component.objects.filter(submitted_by=w.actor)),
    )


def s_component_edit(w):
    c = w.component_in_review
    return Prepared(
        object_url("components:component_edit", c),
        {**COMPONENT_FORM, "name": c.name, "summary": "Report a missed bin in one step."},
        check=_field_is(c, "summary", "Report a missed bin in one step."),
    )


def s_component_review(w):
    c = w.component_in_review
    return Prepared(
        object_url("components:component_review", c),
        {"decision": "publish", "note": ""},
        check=_field_is(c, "status", "published"),
    )


def s_component_retire(w):
    c = w.component
    return Prepared(
        object_url("components:component_retire", c),
        {"reason": "Replaced by the national service."},
        check=_field_is(c, "maturity", "retired"),
    )


def s_component_change(w):
    c = w.component
    change = ComponentChange.objects.create(
        component=c,
        proposed={"maturity": "live"},
        previous={"maturity": c.maturity},
        proposed_by=w.officer,
    )
    return Prepared(
        object_url("components:component_change", c, pk=change.pk),
        {"decision": "publish", "reason": ""},
        check=_field_is(c, "maturity", "live"),
    )


def s_component_problems(w):
    c, p = w.component_in_review, w.problem
    return Prepared(
        object_url("components:component_problems", c),
        {"problem": p.pk},
        check=lambda: c.links.filter(problem=p).exists(),
    )


def s_component_solve(w):
    c, p = w.component, w.problem
    return Prepared(
        object_url("components:component_solve", c),
        {"problem": p.pk, "note": ""},
        check=_field_is(p, "status", "solved"),
    )


def s_adoption_record(w):
    c = w.component
    return Prepared(
        object_url("components:adoption_record", c),
        ADOPTION_FORM,
        check=_exists(lambda: Adoption.objects.filter(component=c, stage="piloting")),
    )


def s_adoption_confirm(w):
    a = w.adoption
    before = a.confirmed_at
    return Prepared(
        object_url("components:adoption_confirm", a),
        {},
        check=lambda: Adoption.objects.get(pk=a.pk).confirmed_at > before,
    )


def s_adoption_file_remove(w):
    a = w.adoption
    f = component_services.adoption_file_add(
        actor=w.officer,
        adoption=a,
        upload=evidence_samples.upload("contract.pdf", evidence_samples.PDF),
    )
    return Prepared(
        reverse("components:adoption_file_remove", kwargs={"pk": a.pk, "file_id": f.public_id}),
        {},
        check=lambda: not EvidenceFile.objects.filter(pk=f.pk).exists(),
    )


def s_source_register(w):
    url = "https://github.com/example-council/new-repository"
    return Prepared(
        reverse("components:source_register"),
        {"url": url},
        check=_exists(lambda: HarvestSource.objects.filter(url=url, registered_by=w.actor)),
    )


def s_source_decide(w):
    source = HarvestSource.objects.create(
        url="https://github.com/example-council/harvested",
        kind="repository",
        component=w.component,
        registered_by=w.component.submitted_by,
    )
    fetch = HarvestFetch.objects.create(
        source=source,
        result=FetchResult.PROPOSED,
        message="Change proposed: fields summary",
        changed=["summary"],
        proposed={"summary": "Changed in the repository."},
    )
    return Prepared(
        reverse("components:source_decide", args=[fetch.pk]),
        {"action": "dismiss"},
        check=_field_is(fetch, "decision", "dismissed"),
    )


# Standards ----------------------------------------------------------------------------------------


def s_standard_create(w):
    return Prepared(
        reverse("standards:standard_create"),
        {
            "title": "Open data publishing",
            "summary": "Councils publish their data openly.",
            "category": "data",
            "owner": Organisation.objects.get(slug="local-digital-institute").pk,
            "review_period_months": "12",
        },
        check=_exists(lambda: Standard.objects.filter(title="Open data publishing")),
    )


def _version_kwargs(version) -> dict:
    return {"slug": version.standard.slug, "number": version.number}


def s_version_new(w):
    s = w.standard
    return Prepared(
        reverse("standards:version_new", kwargs={"slug": s.slug}),
        {},
        check=_exists(lambda: StandardVersion.objects.filter(standard=s, number=2)),
    )


def s_version_edit(w):
    v = w.draft_version
    return Prepared(
        reverse("standards:version_edit", kwargs=_version_kwargs(v)),
        {"change_notes": "Adds F4.", "review_period_months": "24"},
        check=_field_is(v, "review_period_months", 24),
    )


def s_criterion_create(w):
    v = w.draft_version
    return Prepared(
        reverse("standards:criterion_create", kwargs=_version_kwargs(v)),
        {"code": "F9", "title": "Forms save progress", "guidance": "", "mandatory": "on"},
        check=_exists(lambda: Criterion.objects.filter(version=v, code="F9")),
    )


def s_criterion_edit(w):
    v = w.draft_version
    c = v.criteria.order_by("position").first()
    return Prepared(
        reverse("standards:criterion_edit", kwargs={**_version_kwargs(v), "pk": c.pk}),
        {"code": c.code, "title": "Forms work without JavaScript", "guidance": "", "mandatory": ""},
        check=_field_is(c, "title", "Forms work without JavaScript"),
    )


def s_criterion_move(w):
    v = w.draft_version
    c = v.criteria.order_by("position").first()
    before = c.position
    return Prepared(
        reverse("standards:criterion_move", kwargs={**_version_kwargs(v), "pk": c.pk}),
        {"direction": "down"},
        check=lambda: Criterion.objects.get(pk=c.pk).position != before,
    )


def s_version_consult(w):
    v = w.draft_version
    return Prepared(
        reverse("standards:version_consult", kwargs=_version_kwargs(v)),
        date_input("closes_on", TODAY() + timedelta(days=30)),
        check=_field_is(v, "status", VersionStatus.CONSULTATION),
    )


def s_version_publish(w):
    v = w.draft_version
    return Prepared(
        reverse("standards:version_publish", kwargs=_version_kwargs(v)),
        {"grace_days": "90"},
        check=_field_is(v, "status", VersionStatus.PUBLISHED),
    )


def s_version_retire(w):
    v = w.standard.current_version
    return Prepared(
        reverse("standards:version_retire", kwargs=_version_kwargs(v)),
        {},
        check=_field_is(v, "status", VersionStatus.RETIRED),
    )


def s_consultation_comment(w):
    v = w.consultation_version
    return Prepared(
        reverse("standards:comment_create", kwargs=_version_kwargs(v)),
        {"criterion": "", "body": "Please add a criterion on saving progress."},
        check=_exists(lambda: ConsultationComment.objects.filter(version=v, author=w.actor)),
    )


def s_comment_address(w):
    c = w.consultation_comment
    return Prepared(
        reverse("standards:comment_address", kwargs={"pk": c.pk}),
        {"addressed": "1"},
        check=lambda: ConsultationComment.objects.get(pk=c.pk).addressed_at is not None,
    )


def s_assessment_start(w):
    s = w.standard
    return Prepared(
        reverse("standards:assessment_start", kwargs={"slug": s.slug}),
        {},
        check=_exists(
            lambda: Assessment.objects.filter(
                standard=s, organisation=w.actor.membership.organisation
            )
        ),
    )


def s_answer_edit(w):
    a = w.assessment
    c = a.version.criteria.order_by("position").first()
    return Prepared(
        reverse("standards:answer_edit", kwargs={"public_id": a.public_id, "criterion_pk": c.pk}),
        {
            "rating": "met",
            "evidence": "Our last audit report.",
            **date_input("evidence_date", _today_minus(5)),
        },
        check=_exists(lambda: a.answers.filter(criterion=c, rating="met")),
    )


def s_answer_file_remove(w):
    a = w.assessment
    c = a.version.criteria.order_by("position").first()
    f = standard_services.answer_file_add(
        actor=w.officer,
        assessment=a,
        criterion=c,
        upload=evidence_samples.upload("policy.pdf", evidence_samples.PDF),
    )
    return Prepared(
        reverse(
            "standards:answer_file_remove",
            kwargs={"public_id": a.public_id, "file_id": f.public_id},
        ),
        {},
        check=lambda: not EvidenceFile.objects.filter(pk=f.pk).exists(),
    )


def s_assessment_check(w):
    a = w.answered_assessment
    return Prepared(
        reverse("standards:assessment_check", kwargs={"public_id": a.public_id}),
        {},
        check=lambda: Assessment.objects.get(pk=a.pk).submitted_at is not None,
    )


def s_assessment_review(w):
    a = w.submitted_assessment
    return Prepared(
        reverse("standards:assessment_review", kwargs={"public_id": a.public_id}),
        {"decision": "verify", "note": ""},
        check=_field_is(a, "status", AssessmentStatus.VERIFIED),
    )


def s_audit_detail(w):
    audit = w.audit
    criteria = list(audit.assessment.version.criteria.all())
    return Prepared(
        reverse("standards:audit_detail", kwargs={"pk": audit.pk}),
        {f"c{c.pk}-rating": "met" for c in criteria},
        check=lambda: audit.ratings.count() == len(criteria),
    )


# Centres ------------------------------------------------------------------------------------------


def s_centre_create(w):
    host = _other_strategic_authority()
    return Prepared(
        reverse("centres:centre_create"),
        {**CENTRE_FIELDS, "host": host.pk},
        check=_exists(lambda: Centre.objects.filter(host=host)),
    )


def s_centre_edit(w):
    c = w.centre
    return Prepared(
        reverse("centres:centre_edit", kwargs={"slug": c.slug}),
        {**CENTRE_FIELDS, "name": c.name, "host": c.host_id, "regions": c.regions},
        check=_field_is(c, "focus", CENTRE_FIELDS["focus"]),
    )


def s_centre_staff(w):
    c = w.centre
    newcomer = UserFactory(email="newcomer.analyst@example.test")
    return Prepared(
        reverse("centres:centre_staff", kwargs={"slug": c.slug}),
        {"email": newcomer.email, "job_title": "Analyst"},
        check=_exists(lambda: CentreStaff.objects.filter(centre=c, user=newcomer)),
    )


def s_centre_staff_remove(w):
    c = w.centre
    person = centre_person(GMCA, "analyst@gmca.example.test", centre=c)
    row = CentreStaff.objects.get(user=person)
    return Prepared(
        reverse("centres:centre_staff_remove", kwargs={"slug": c.slug, "pk": row.pk}),
        {},
        check=lambda: not CentreStaff.objects.filter(pk=row.pk).exists(),
    )


def s_project_create(w):
    c = w.centre
    return Prepared(
        reverse("centres:project_create", kwargs={"slug": c.slug}),
        PROJECT_FORM,
        check=_exists(lambda: Project.objects.filter(centre=c, title=PROJECT_FORM["title"])),
    )


def s_project_edit(w):
    p = w.project
    return Prepared(
        reverse("centres:project_edit", kwargs={"pk": p.pk}),
        PROJECT_FORM,
        check=_field_is(p, "title", PROJECT_FORM["title"]),
    )


def s_learning_create(w):
    c = w.centre
    return Prepared(
        reverse("centres:learning_create", kwargs={"slug": c.slug}),
        LEARNING_FORM,
        check=_exists(lambda: Learning.objects.filter(centre=c, title=LEARNING_FORM["title"])),
    )


def _learning_edit(attribute):
    def setup(w):
        item = getattr(w, attribute)
        return Prepared(
            reverse("centres:learning_edit", kwargs={"public_id": item.public_id}),
            LEARNING_FORM,
            check=_field_is(item, "title", LEARNING_FORM["title"]),
        )

    return setup


def s_learning_submit(w):
    item = w.learning_draft
    return Prepared(
        reverse("centres:learning_submit", kwargs={"public_id": item.public_id}),
        {},
        check=_field_is(item, "status", LearningStatus.IN_REVIEW),
    )


def s_learning_publish(w):
    item = w.learning_in_review
    return Prepared(
        reverse("centres:learning_publish", kwargs={"public_id": item.public_id}),
        {},
        check=_field_is(item, "status", LearningStatus.PUBLISHED),
    )


def s_learning_return(w):
    item = w.learning_in_review
    return Prepared(
        reverse("centres:learning_return", kwargs={"public_id": item.public_id}),
        {"note": "Add the figures."},
        check=_field_is(item, "status", LearningStatus.DRAFT),
    )


def s_learning_change(w):
    item = w.learning_published
    author = centre_person(GMCA, "author@gmca.example.test", centre=w.centre)
    change = LearningChange.objects.create(
        learning=item,
        proposed={"evidence_strength": 5},
        previous={"evidence_strength": item.evidence_strength},
        proposed_by=author,
    )
    return Prepared(
        reverse("centres:learning_change", kwargs={"public_id": item.public_id, "pk": change.pk}),
        {"decision": "publish", "reason": ""},
        check=_field_is(item, "evidence_strength", 5),
    )


# Every page that accepts a POST. ------------------------------------------------------------------

PAGES = [
    # Institute
    Case("institute:account", "POST", s_account_profile, SIGNED_IN, label="profile"),
    # Anyone signed in may ask to join an organisation, a first or another one (issue 19:
    # several memberships); Bristol's own officer is told they already belong to it (the page
    # again, 200), changing nothing.
    Case(
        "institute:account",
        "POST",
        s_account_request,
        SIGNED_IN - {"other_officer"},
        other={"other_officer": 200},
        label="request to join",
    ),
    # Several memberships (issue 19): a person acts as, or makes primary, one of their own
    # organisations (the actor also works for Bradford); someone with no organisation has no
    # choice to make (the page again, 200). An organisation not their own is refused by the
    # form (the page again with an error, 200), changing nothing, whoever asks.
    Case(
        "institute:account",
        "POST",
        s_account_act_as,
        MEMBERS,
        other={"no_membership_user": 200},
        label="act as",
    ),
    Case(
        "institute:account",
        "POST",
        s_account_act_as_not_theirs,
        frozenset(),
        other=dict.fromkeys(SIGNED_IN, 200),
        label="act as another's",
    ),
    Case(
        "institute:account",
        "POST",
        s_account_primary,
        MEMBERS,
        other={"no_membership_user": 200},
        label="make primary",
    ),
    Case(
        "institute:account",
        "POST",
        s_account_primary_not_theirs,
        frozenset(),
        other=dict.fromkeys(SIGNED_IN, 200),
        label="make another's primary",
    ),
    # Institute staff add people to organisations and take them off (not their primary one).
    Case("institute:organisation_people", "POST", s_people_add, STAFF),
    Case("institute:organisation_person_remove", "POST", s_person_remove, STAFF),
    Case(
        "institute:membership_request_decide",
        "POST",
        s_membership_decide,
        STAFF,
        hidden=SIGNED_IN,
    ),
    Case("institute:organisation_domains", "POST", s_email_domain_add, STAFF),
    Case("institute:organisation_domain_remove", "POST", s_email_domain_remove, STAFF),
    Case("institute:email_domains_import", "POST", s_email_domains_import, STAFF),
    Case("sector:series_record", "POST", s_series_record, STAFF),
    Case("sector:series_value_remove", "POST", s_series_value_remove, STAFF),
    Case("sector:recommendation_update", "POST", s_recommendation_update, STAFF),
    Case("sector:recommendation_links", "POST", s_recommendation_links, STAFF),
    Case("sector:comparison_group_upload", "POST", s_comparison_group_upload, STAFF),
    Case("sector:comparison_group_remove", "POST", s_comparison_group_remove, STAFF),
    # Someone else's notification: nothing is marked and the person goes back to their list.
    Case(
        "institute:notification_read",
        "POST",
        s_notification_read,
        LEEDS,
        other=dict.fromkeys(SIGNED_IN - LEEDS, 302),
    ),
    Case("institute:notifications_read_all", "POST", s_notifications_read_all, SIGNED_IN),
    Case("institute:notification_preferences", "POST", s_notification_preferences, SIGNED_IN),
    # The signed link in the e-mail is the authority (no sign-in needed, as the law on e-mail
    # marketing expects); a link that is not ours is refused with 400 whoever follows it.
    Case(
        "institute:digest_unsubscribe",
        "POST",
        s_digest_unsubscribe,
        EVERYONE,
        csrf_exempt="a mail program's one-click unsubscribe (RFC 8058) has no session or token",
    ),
    Case(
        "institute:digest_unsubscribe",
        "POST",
        s_digest_unsubscribe_tampered,
        frozenset(),
        other=dict.fromkeys(EVERYONE, 400),
        label="tampered link",
    ),
    Case("institute:email_outbox_retry", "POST", s_email_outbox_retry, STAFF),
    Case("institute:token_create", "POST", s_token_create, SIGNED_IN),
    Case("institute:token_revoke", "POST", s_token_revoke, LEEDS_AND_STAFF, hidden=SIGNED_IN),
    # Backlog
    Case("backlog:problem_submit", "POST", s_problem_submit, PARTICIPANTS),
    Case("backlog:problem_vote", "POST", s_problem_vote, OFFICERS),
    Case("backlog:problem_follow", "POST", s_problem_follow, SIGNED_IN),
    Case("backlog:comment_create", "POST", s_comment_create, PARTICIPANTS),
    Case("backlog:comment_edit", "POST", s_comment_edit, LEEDS),
    Case("backlog:comment_report", "POST", s_comment_report, SIGNED_IN),
    Case("backlog:comment_moderate", "POST", s_comment_moderate, STAFF),
    Case("backlog:problem_status", "POST", s_problem_status, STAFF),
    # The submitter (Leeds's officer) while the problem is new; staff at any status, with a reason.
    Case("backlog:problem_edit", "POST", s_problem_edit, LEEDS_AND_STAFF),
    # Only the submitter: staff close a problem as "not taken forward" instead.
    Case("backlog:problem_withdraw", "POST", s_problem_withdraw, LEEDS),
    Case("backlog:problem_merge", "POST", s_problem_merge, STAFF),
    Case("backlog:problem_unmerge", "POST", s_problem_unmerge, STAFF),
    Case("backlog:duplicate_dismiss", "POST", s_duplicate_dismiss, STAFF),
    # Components
    Case("components:component_submit", "POST", s_component_submit, CONTRIBUTORS),
    Case("components:component_import", "POST", s_component_import, CONTRIBUTORS),
    # In review: only its submitter and institute staff know it exists.
    Case(
        "components:component_edit",
        "POST",
        s_component_edit,
        LEEDS_AND_STAFF,
        hidden=NOT_LEEDS_OR_STAFF,
    ),
    Case(
        "components:component_review",
        "POST",
        s_component_review,
        STAFF,
        hidden=NOT_LEEDS_OR_STAFF,
    ),
    Case("components:component_retire", "POST", s_component_retire, STAFF),
    # A change to a published component: institute staff other than its author decide.
    Case("components:component_change", "POST", s_component_change, STAFF),
    Case(
        "components:component_problems",
        "POST",
        s_component_problems,
        LEEDS_AND_STAFF,
        hidden=NOT_LEEDS_OR_STAFF,
    ),
    Case("components:component_solve", "POST", s_component_solve, STAFF),
    Case("components:adoption_record", "POST", s_adoption_record, OFFICERS),
    Case("components:adoption_confirm", "POST", s_adoption_confirm, LEEDS),
    Case("components:adoption_file_remove", "POST", s_adoption_file_remove, LEEDS),
    Case("components:source_register", "POST", s_source_register, CONTRIBUTORS),
    Case("components:source_decide", "POST", s_source_decide, STAFF),
    # Standards (drafts are 404 to everyone but institute staff)
    Case("standards:standard_create", "POST", s_standard_create, STAFF),
    Case("standards:version_new", "POST", s_version_new, STAFF),
    Case("standards:version_edit", "POST", s_version_edit, STAFF, hidden=SIGNED_IN),
    Case("standards:criterion_create", "POST", s_criterion_create, STAFF, hidden=SIGNED_IN),
    Case("standards:criterion_edit", "POST", s_criterion_edit, STAFF, hidden=SIGNED_IN),
    Case("standards:criterion_move", "POST", s_criterion_move, STAFF, hidden=SIGNED_IN),
    Case("standards:version_consult", "POST", s_version_consult, STAFF, hidden=SIGNED_IN),
    Case("standards:version_publish", "POST", s_version_publish, STAFF, hidden=SIGNED_IN),
    Case("standards:version_retire", "POST", s_version_retire, STAFF),
    Case("standards:comment_create", "POST", s_consultation_comment, PARTICIPANTS),
    Case("standards:comment_address", "POST", s_comment_address, STAFF),
    Case("standards:assessment_start", "POST", s_assessment_start, OFFICERS),
    Case("standards:answer_edit", "POST", s_answer_edit, LEEDS, hidden=NOT_SEEING_LEEDS_RATINGS),
    Case(
        "standards:answer_file_remove",
        "POST",
        s_answer_file_remove,
        LEEDS,
        hidden=NOT_SEEING_LEEDS_RATINGS,
    ),
    Case(
        "standards:assessment_check",
        "POST",
        s_assessment_check,
        LEEDS,
        hidden=NOT_SEEING_LEEDS_RATINGS,
    ),
    Case("standards:assessment_review", "POST", s_assessment_review, STAFF),
    Case("standards:audit_detail", "POST", s_audit_detail, STAFF, hidden=SIGNED_IN),
    # Centres
    Case("centres:centre_create", "POST", s_centre_create, STAFF),
    Case("centres:centre_edit", "POST", s_centre_edit, STAFF),
    Case("centres:centre_staff", "POST", s_centre_staff, STAFF),
    Case("centres:centre_staff_remove", "POST", s_centre_staff_remove, STAFF),
    Case("centres:project_create", "POST", s_project_create, GM_AND_STAFF),
    Case("centres:project_edit", "POST", s_project_edit, GM_AND_STAFF),
    Case("centres:learning_create", "POST", s_learning_create, GM_AND_STAFF),
    # Drafts and items in review are 404 outside the centre and the institute.
    Case(
        "centres:learning_edit",
        "POST",
        _learning_edit("learning_draft"),
        GM_AND_STAFF,
        hidden=NOT_GM,
        label="draft",
    ),
    Case(
        "centres:learning_edit",
        "POST",
        _learning_edit("learning_published"),
        GM_AND_STAFF,
        label="published",
    ),
    Case("centres:learning_submit", "POST", s_learning_submit, GM_AND_STAFF, hidden=NOT_GM),
    Case("centres:learning_publish", "POST", s_learning_publish, GM_AND_STAFF, hidden=NOT_GM),
    Case("centres:learning_return", "POST", s_learning_return, GM_AND_STAFF, hidden=NOT_GM),
    # A change to published learning's rating: its lead or institute staff decide; the item is
    # public, so everyone else is refused (403), another centre's lead included.
    Case("centres:learning_change", "POST", s_learning_change, GM_AND_STAFF),
]


# API ----------------------------------------------------------------------------------------------


def a_problem_create(w):
    return Prepared(
        reverse("backlog-api:problem_list"),
        PROBLEM_FORM,
        check=_exists(lambda: Problem.objects.filter(title=PROBLEM_FORM["title"])),
    )


def a_problem_vote(w):
    p = w.problem
    return Prepared(
        reverse("backlog-api:problem_vote", kwargs={"pk": p.pk}),
        None,
        check=_exists(lambda: Vote.objects.filter(problem=p, user=w.actor)),
    )


def a_problem_unvote(w):
    p = w.problem
    backlog_services.problem_vote(actor=w.officer, problem=p)
    return Prepared(
        reverse("backlog-api:problem_vote", kwargs={"pk": p.pk}),
        None,
        check=lambda: not Vote.objects.filter(problem=p, user=w.officer).exists(),
    )


def a_problem_edit(w):
    p = w.problem
    return Prepared(
        reverse("backlog-api:problem_detail", kwargs={"pk": p.pk}),
        {"title": "Bin days are hard to find", "reason": "Clearer title."},
        check=_field_is(p, "title", "Bin days are hard to find"),
    )


def a_problem_withdraw(w):
    p = w.problem
    return Prepared(
        reverse("backlog-api:problem_detail", kwargs={"pk": p.pk}),
        None,
        check=_exists(lambda: WithdrawnProblem.objects.filter(number=p.pk)),
    )


def a_problem_comment(w):
    p = w.problem
    return Prepared(
        reverse("backlog-api:problem_comments", kwargs={"pk": p.pk}),
        {"body": "Our council too."},
        check=_exists(lambda: Comment.objects.filter(problem=p, author=w.actor)),
    )


def a_component_create(w):
    return Prepared(
        reverse("components-api:component_list"),
        {**COMPONENT_FORM, "service_areas": ["customer-services"], "maintainer": ""},
        check=_exists(lambda: Component.objects.filter(submitted_by=w.actor)),
    )


def a_source_create(w):
    url = "https://github.com/example-council/api-registered"
    return Prepared(
        reverse("components-api:source_list"),
        {"url": url},
        check=_exists(lambda: HarvestSource.objects.filter(url=url, registered_by=w.actor)),
    )


def a_adoption_create(w):
    c = w.component
    return Prepared(
        reverse("components-api:adoption_list"),
        {
            "component": api_component_ref(c),
            "stage": "piloting",
            "since": "2025-06-01",
            "evidence_note": "Piloting in the contact centre.",
        },
        check=_exists(lambda: Adoption.objects.filter(component=c, stage="piloting")),
    )


def a_adoption_change(w):
    a = w.adoption
    return Prepared(
        object_url("components-api:adoption_detail", a),
        {"stage": "piloting", "since": "2025-06-01", "evidence_note": "Back to a pilot."},
        check=_field_is(a, "stage", "piloting"),
    )


def a_adoption_file_add(w):
    a = w.adoption
    return Prepared(
        reverse("components-api:adoption_files", kwargs={"pk": a.pk}),
        {"file": evidence_samples.upload("contract.pdf", evidence_samples.PDF)},
        check=_exists(lambda: EvidenceFile.objects.filter(name="contract.pdf")),
        format="multipart",
    )


def a_answer_file_add(w):
    a = w.assessment
    c = a.version.criteria.order_by("position").first()
    return Prepared(
        reverse("standards-api:assessment_files", kwargs={"public_id": a.public_id}),
        {"criterion": c.code, "file": evidence_samples.upload("policy.pdf", evidence_samples.PDF)},
        check=_exists(lambda: EvidenceFile.objects.filter(name="policy.pdf")),
        format="multipart",
    )


def a_assessment_start(w):
    s = w.standard
    return Prepared(
        reverse("standards-api:assessment_list"),
        {"standard": s.slug},
        check=_exists(lambda: Assessment.objects.filter(standard=s)),
    )


def a_answer(w):
    a = w.assessment
    c = a.version.criteria.order_by("position").first()
    return Prepared(
        reverse(
            "standards-api:assessment_answer", kwargs={"public_id": a.public_id, "code": c.code}
        ),
        {
            "rating": "met",
            "evidence": "Our last audit report.",
            **date_input("evidence_date", _today_minus(5)),
        },
        check=_exists(lambda: a.answers.filter(criterion=c, rating="met")),
    )


def a_assessment_submit(w):
    a = w.answered_assessment
    return Prepared(
        reverse("standards-api:assessment_submit", kwargs={"public_id": a.public_id}),
        None,
        check=lambda: Assessment.objects.get(pk=a.pk).submitted_at is not None,
    )


def a_assessment_review(w):
    a = w.submitted_assessment
    return Prepared(
        reverse("standards-api:assessment_review", kwargs={"public_id": a.public_id}),
        {"decision": "verify"},
        check=_field_is(a, "status", AssessmentStatus.VERIFIED),
    )


def a_centre_create(w):
    host = _other_strategic_authority()
    return Prepared(
        reverse("centres-api:centre_list"),
        {**CENTRE_FIELDS, "host": host.slug},
        check=_exists(lambda: Centre.objects.filter(host=host)),
    )


def a_project_create(w):
    c = w.centre
    return Prepared(
        reverse("centres-api:project_list"),
        {"centre": c.slug, "title": "One discharge list", "summary": "Ten councils, one list."},
        check=_exists(lambda: Project.objects.filter(centre=c, title="One discharge list")),
    )


def a_project_change(w):
    p = w.project
    return Prepared(
        reverse("centres-api:project_detail", kwargs={"pk": p.pk}),
        {"title": "Renamed project"},
        check=_field_is(p, "title", "Renamed project"),
    )


def a_learning_create(w):
    c = w.centre
    return Prepared(
        reverse("centres-api:learning_list"),
        {**LEARNING_API, "centre": c.slug},
        check=_exists(lambda: Learning.objects.filter(centre=c, title=LEARNING_API["title"])),
    )


def a_learning_change(w):
    item = w.learning_draft
    return Prepared(
        reverse("centres-api:learning_detail", kwargs={"public_id": item.public_id}),
        {"title": "Renamed learning"},
        check=_field_is(item, "title", "Renamed learning"),
    )


def a_component_patch(w):
    c = w.component
    maturity = "beta" if c.maturity != "beta" else "live"
    return Prepared(
        reverse("components-api:component_detail", kwargs={"public_id": c.public_id}),
        {"maturity": maturity},
        # Published: the change waits for review by other staff (202).
        check=_exists(
            lambda: ComponentChange.objects.filter(
                component=c, status="pending", proposed={"maturity": maturity}
            )
        ),
    )


def _a_component_change(decision, data, status):
    def setup(w):
        c = w.component
        change = ComponentChange.objects.create(
            component=c,
            proposed={"maturity": "beta"},
            previous={"maturity": c.maturity},
            proposed_by=w.officer,
        )
        return Prepared(
            reverse(
                f"components-api:component_change_{decision}",
                kwargs={"public_id": c.public_id, "change_id": change.pk},
            ),
            data,
            check=_field_is(change, "status", status),
        )

    return setup


def _a_learning_change(decision, data, status):
    def setup(w):
        item = w.learning_published
        author = centre_person(GMCA, "author@gmca.example.test", centre=w.centre)
        change = LearningChange.objects.create(
            learning=item,
            proposed={"evidence_strength": 5},
            previous={"evidence_strength": item.evidence_strength},
            proposed_by=author,
        )
        return Prepared(
            reverse(
                f"centres-api:learning_change_{decision}",
                kwargs={"public_id": item.public_id, "change_id": change.pk},
            ),
            data,
            check=_field_is(change, "status", status),
        )

    return setup


def _a_learning_action(action, attribute, data, status):
    def setup(w):
        item = getattr(w, attribute)
        return Prepared(
            reverse(f"centres-api:learning_{action}", kwargs={"public_id": item.public_id}),
            data,
            check=_field_is(item, "status", status),
        )

    return setup


API = [
    Case("backlog-api:problem_list", "POST", a_problem_create, PARTICIPANTS),
    Case("backlog-api:problem_vote", "POST", a_problem_vote, OFFICERS),
    # Withdrawing Leeds's vote: no one else has a vote there to withdraw (404).
    Case("backlog-api:problem_vote", "DELETE", a_problem_unvote, LEEDS, hidden=SIGNED_IN),
    Case("backlog-api:problem_comments", "POST", a_problem_comment, PARTICIPANTS),
    Case("backlog-api:problem_detail", "PATCH", a_problem_edit, LEEDS_AND_STAFF),
    Case("backlog-api:problem_detail", "DELETE", a_problem_withdraw, LEEDS),
    Case("components-api:component_list", "POST", a_component_create, CONTRIBUTORS),
    Case("components-api:adoption_list", "POST", a_adoption_create, OFFICERS),
    # Its submitter may edit a component only until it is published; staff at any time.
    Case("components-api:component_detail", "PATCH", a_component_patch, STAFF),
    # Changes to published claims (issue 19): components' by institute staff (never the
    # author), learning's by its centre's lead or institute staff.
    Case(
        "components-api:component_change_publish",
        "POST",
        _a_component_change("publish", None, "published"),
        STAFF,
    ),
    Case(
        "components-api:component_change_reject",
        "POST",
        _a_component_change("reject", {"note": "Not in beta."}, "rejected"),
        STAFF,
    ),
    Case(
        "centres-api:learning_change_publish",
        "POST",
        _a_learning_change("publish", None, "published"),
        GM_AND_STAFF,
    ),
    Case(
        "centres-api:learning_change_reject",
        "POST",
        _a_learning_change("reject", {"note": "Show the evaluation."}, "rejected"),
        GM_AND_STAFF,
    ),
    Case("components-api:source_list", "POST", a_source_create, CONTRIBUTORS),
    Case("components-api:adoption_detail", "PATCH", a_adoption_change, LEEDS),
    Case("components-api:adoption_detail", "PUT", a_adoption_change, LEEDS),
    Case("components-api:adoption_files", "POST", a_adoption_file_add, LEEDS),
    Case(
        "standards-api:assessment_files",
        "POST",
        a_answer_file_add,
        LEEDS,
        hidden=NOT_SEEING_LEEDS_RATINGS,
    ),
    Case("standards-api:assessment_list", "POST", a_assessment_start, OFFICERS),
    Case(
        "standards-api:assessment_answer",
        "PUT",
        a_answer,
        LEEDS,
        hidden=NOT_SEEING_LEEDS_RATINGS,
    ),
    Case(
        "standards-api:assessment_submit",
        "POST",
        a_assessment_submit,
        LEEDS,
        hidden=NOT_SEEING_LEEDS_RATINGS,
    ),
    Case("standards-api:assessment_review", "POST", a_assessment_review, STAFF),
    Case("centres-api:centre_list", "POST", a_centre_create, STAFF),
    Case("centres-api:project_list", "POST", a_project_create, GM_AND_STAFF),
    Case("centres-api:project_detail", "PATCH", a_project_change, GM_AND_STAFF),
    Case("centres-api:learning_list", "POST", a_learning_create, GM_AND_STAFF),
    Case("centres-api:learning_detail", "PATCH", a_learning_change, GM_AND_STAFF, hidden=NOT_GM),
    Case(
        "centres-api:learning_submit",
        "POST",
        _a_learning_action("submit", "learning_draft", None, LearningStatus.IN_REVIEW),
        GM_AND_STAFF,
        hidden=NOT_GM,
    ),
    Case(
        "centres-api:learning_publish",
        "POST",
        _a_learning_action("publish", "learning_in_review", None, LearningStatus.PUBLISHED),
        GM_AND_STAFF,
        hidden=NOT_GM,
    ),
    Case(
        "centres-api:learning_return",
        "POST",
        _a_learning_action("return", "learning_in_review", {"note": "Add figures."}, "draft"),
        GM_AND_STAFF,
        hidden=NOT_GM,
    ),
]


# --- The matrix -----------------------------------------------------------------------------------


def _cells(cases):
    return [pytest.param(case, role, id=f"{case.id}-{role}") for case in cases for role in ROLES]


def _assert_outcome(case, role, response, before, after, prepared, *, api, session=None):
    expected = case.expected(role, api=api)
    changed = changed_tables(before, after)
    status = response.status_code
    if expected == "allowed":
        assert status < 400, f"{role} should be allowed: {status} {response.content[:300]!r}"
        if prepared.session is not None:
            assert prepared.session(session), f"{role} was allowed but the session is not as asked"
            return
        assert changed, f"{role} was allowed ({status}) but nothing changed"
        if prepared.check is not None:
            assert prepared.check(), f"{role} was allowed but the change is not what was asked"
        return
    if expected == "sign in":
        assert status == 302, status
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert status == expected, f"{role}: expected {expected}, got {status}"
    assert not changed, f"{role} was refused ({status}) but these tables changed: {changed}"


@pytest.mark.parametrize(("case", "role"), _cells(PAGES))
def test_page_write(case, role, request, client):
    world = World(request, role)
    prepared = case.setup(world)
    if role != "anonymous":
        client.force_login(world.actor)
    before = snapshot()
    response = client.post(prepared.url, prepared.data or {})
    after = snapshot()
    _assert_outcome(
        case, role, response, before, after, prepared, api=False, session=client.session
    )


@pytest.mark.parametrize(("case", "role"), _cells(API))
def test_api_write(case, role, request):
    world = World(request, role)
    prepared = case.setup(world)
    client = APIClient()
    if role != "anonymous":
        _, secret = api_token_create(actor=world.actor, name="matrix")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    before = snapshot()
    send = getattr(client, case.method.lower())
    response = send(prepared.url, prepared.data, format=prepared.format)
    after = snapshot()
    _assert_outcome(case, role, response, before, after, prepared, api=True)


# What a sector viewer may still change: only what is their own (institute.access.is_read_only).
# Every other row of PAGES and API refuses them, and test_page_write / test_api_write prove it
# for each row, with nothing changed in any table.
SECTOR_VIEWER_OWN = {
    "POST institute:account (profile)",
    # A request to join another organisation is theirs too: institute staff decide on it.
    "POST institute:account (request to join)",
    # Which of their own organisations they act as, or make primary.
    "POST institute:account (act as)",
    "POST institute:account (make primary)",
    "POST institute:notifications_read_all",
    "POST institute:notification_preferences",
    "POST institute:digest_unsubscribe",
    "POST institute:token_create",
    "POST backlog:problem_follow",
    "POST backlog:comment_report",
}


def test_a_sector_viewer_changes_nothing_the_service_shares():
    allowed = {case.id for case in [*PAGES, *API] if "sector_viewer" in case.allowed}
    assert allowed == SECTOR_VIEWER_OWN


# --- Coverage: no write endpoint is missing -------------------------------------------------------

# Routes that accept a POST but are not in the matrix, and why.
EXCLUDED = {
    # Django admin: only for is_staff superusers; Django's own permission checks apply there.
    "admin:*": "Django admin (is_staff only; its own per-model permissions)",
    # allauth's own forms: signing in, up and out, password reset and e-mail confirmation are
    # for anyone by design; tests/institute/test_accounts.py covers them.
    "allauth:*": "sign-in, sign-up, sign-out, password and e-mail forms of django-allauth",
    # The home page renders the same for any method and writes nothing.
    "institute:home": "writes nothing (renders the home page)",
    # GOV.UK Notify's servers, with a bearer token (tests/notifications/test_outbox.py).
    "institute:notify_callback": "delivery receipts from GOV.UK Notify, with their own token",
    # Writes only the signed-in person's own session (the time it was last used), which the
    # matrix's snapshot leaves out; tests/browser/test_session_timeout.py covers it.
    "institute:session_keep_alive": "extends the caller's own session, nothing else",
}
API_NAMESPACES = ("backlog-api", "components-api", "standards-api", "centres-api")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, pattern


def _placeholder_kwargs(pattern: URLPattern) -> dict:
    values = {
        "IntConverter": 999999,
        "SlugConverter": "no-such-thing",
        "UUIDConverter": uuid.UUID(int=1),
        "StringConverter": "nothing",
        "PathConverter": "nothing",
    }
    converters = getattr(pattern.pattern, "converters", {})
    return {key: values[type(conv).__name__] for key, conv in converters.items()}


def _is_excluded(name: str, pattern: URLPattern) -> bool:
    module = getattr(pattern.callback, "__module__", "")
    if module.startswith("allauth"):
        return True
    return name in EXCLUDED or name.split(":")[0] + ":*" in EXCLUDED


def test_every_write_endpoint_is_in_the_matrix(client, institute_staff):
    """Every page route that does not answer a POST with 405, and every API route with a write
    method, is a row of the matrix (or excluded above with a reason)."""
    client.force_login(institute_staff)
    page_routes, api_routes = set(), set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in API_NAMESPACES:
            view_class = getattr(pattern.callback, "cls", None)
            for method in ("post", "put", "patch", "delete"):
                if hasattr(view_class, method):
                    api_routes.add((name, method.upper()))
            continue
        if not name or _is_excluded(name, pattern):
            continue
        url = reverse(name, kwargs=_placeholder_kwargs(pattern))
        status = client.post(url, {}).status_code
        assert status != 500, f"POST {url} with a placeholder id is a 500"
        if status != 405:
            page_routes.add((name, "POST"))
    in_matrix_pages = {(case.name, case.method) for case in PAGES}
    in_matrix_api = {(case.name, case.method) for case in API}
    assert page_routes - in_matrix_pages == set(), "pages accepting POST missing from the matrix"
    assert in_matrix_pages - page_routes == set(), "matrix rows for routes that take no POST"
    assert api_routes == in_matrix_api


# --- CSRF: every write of the matrix, by a role allowed to make it, without the token --------


def _first_allowed(case) -> str | None:
    return next((role for role in ROLES if role in case.allowed and role != "anonymous"), None)


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id) for c in PAGES if _first_allowed(c) and not c.csrf_exempt]
)
def test_page_write_without_a_csrf_token_is_refused(case, request):
    from django.test import Client

    world = World(request, _first_allowed(case))
    prepared = case.setup(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.actor)
    before = snapshot()
    response = client.post(prepared.url, prepared.data or {})
    after = snapshot()
    assert response.status_code == 403
    assert "Your session has expired" in response.content.decode()
    assert not changed_tables(before, after)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in API])
def test_api_write_with_a_session_cookie_needs_a_csrf_token(case, request):
    """Personal tokens need no CSRF token (a browser never sends them by itself); a session
    cookie does, so a page on another site cannot write through the API in someone's name."""
    world = World(request, _first_allowed(case))
    prepared = case.setup(world)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.actor)
    before = snapshot()
    response = getattr(client, case.method.lower())(prepared.url, prepared.data, format="json")
    after = snapshot()
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not changed_tables(before, after)
