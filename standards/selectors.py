"""Every non-trivial read of the standards app, built once with its joins.

"Adopted" is defined here and only here (`_eligible_latest` and `_adopted`): a council has
adopted a standard when its latest submitted assessment of the current published version, or
of the just-superseded version while the grace period lasts, is green, not expired and not
challenged. Rates divide by the current councils in the standard's scope; from a succession's
date a closed council's adoptions count for each council that succeeded it (`_holders_of`).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Min,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Greatest, Least
from django.utils import timezone
from django.utils.functional import SimpleLazyObject as lazy

from institute import access as core_access
from institute import fragments, search
from institute.fragments import Part, Parts
from institute.models import EvidenceFile, Organisation, OrganisationKind
from institute.selectors import count_and_oldest, organisation_holders_sql
from institute.urlcache import detail_url
from standards import access
from standards.models import (
    EDITABLE_STATUSES,
    SUBMITTED_STATUSES,
    Answer,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Audit,
    AuditRating,
    ConsultationComment,
    Criterion,
    Result,
    Standard,
    StandardVersion,
    VersionStatus,
    assessment_status_tag,
)

TARGET = 70  # per cent of councils, by 2030


def latest_submitted_assessments():
    """Each council's latest submitted assessment of each standard, whatever the version."""
    return Assessment.objects.filter(
        pk__in=Assessment.objects.filter(status__in=SUBMITTED_STATUSES)
        .order_by("standard_id", "organisation_id", "-submitted_at", "-id")
        .distinct("standard_id", "organisation_id")
        .values("pk")
    )


def _eligible_latest(today: date):
    """Each council's latest submitted assessment of the current version of each standard, or
    of the just-superseded version within its grace period (a subquery of primary keys)."""
    return (
        Assessment.objects.filter(status__in=SUBMITTED_STATUSES)
        .filter(
            Q(version_id=F("standard__current_version_id"))
            | Q(version_id=F("standard__previous_version_id"), standard__grace_until__gte=today)
        )
        .order_by("standard_id", "organisation_id", "-submitted_at", "-id")
        .distinct("standard_id", "organisation_id")
        .values("pk")
    )


def _adopted(today: date) -> Q:
    """An eligible assessment adopts: green, still valid today, and not challenged. SQL only:
    where Python needs the answer it asks for it as an annotation (`council_states`)."""
    return Q(result=Result.GREEN, valid_until__gte=today) & ~Q(status=AssessmentStatus.CHALLENGED)


def _adopting(today: date):
    """The assessments that adopt on `today`, of councils that exist or have closed."""
    return Assessment.objects.filter(pk__in=_eligible_latest(today)).filter(_adopted(today))


def adopting_assessments(today: date | None = None):
    """The assessments that make their councils adopters (current councils only)."""
    today = today or timezone.localdate()
    return _adopting(today).filter(organisation__in=Organisation.objects.current(today).councils())


@dataclass
class Adoption:
    adopted: int
    in_scope: int

    @property
    def percent(self) -> int:
        return round(100 * self.adopted / self.in_scope) if self.in_scope else 0

    @property
    def text(self) -> str:
        return f"Adopted by {self.adopted} of {self.in_scope} councils in scope, {self.percent}%"

    @property
    def meets_target(self) -> bool:
        return self.percent >= TARGET


def adoption_for(standards, today: date | None = None) -> dict[int, Adoption]:
    """Adoption of each standard: two grouped queries whatever the number of standards. The
    councils are those current on the day; each counts as adopting a standard that it, or a
    council it succeeded, has adopted (once, though both have).

    Today's figures are cached until anything in the standards app or any organisation changes
    (the figures are counted on the day, so the day is in the key)."""
    standards = list(standards)
    if today is None:
        today = timezone.localdate()
        ids = hashlib.sha256(",".join(str(s.pk) for s in standards).encode()).hexdigest()
        return fragments.cached(
            f"standards:adoption:{today.isoformat()}:{ids}",
            ("standards", "names"),
            lambda: _adoption_for(standards, today),
        )
    return _adoption_for(standards, today)


def _adoption_for(standards, today: date) -> dict[int, Adoption]:
    by_type = dict(
        Organisation.objects.current(today)
        .councils()
        .values_list("council_type")
        .annotate(n=Count("id"))
        .values_list("council_type", "n")
    )
    adopted: dict[int, dict[str, int]] = {}
    for standard_id, council_type, n in _adopters_by_type([s.pk for s in standards], today):
        adopted.setdefault(standard_id, {})[council_type] = n
    result = {}
    for standard in standards:
        types = standard.council_types or list(by_type)
        result[standard.pk] = Adoption(
            adopted=sum(adopted.get(standard.pk, {}).get(t, 0) for t in types),
            in_scope=sum(by_type.get(t, 0) for t in types),
        )
    return result


def _holders_of(source, today: date) -> tuple[str, list]:
    """SQL for the distinct (standard `sid`, council `org`) pairs of `source` (a queryset with
    the columns `sid` and `oid`, its council) as the councils current on `today` hold them: a
    council's own, and from a succession's date those of the councils it succeeded
    (institute.selectors.organisation_holders_sql, the one rule); each pair once."""
    sql, params = source.order_by().query.sql_with_params()
    holders_sql, holders_params = organisation_holders_sql(today)
    return (
        f"SELECT DISTINCT a.sid, h.holder AS org FROM ({sql}) a "  # noqa: S608
        f"JOIN ({holders_sql}) h ON h.org = a.oid",
        [*params, *holders_params],
    )


def _adopters_by_type(standard_ids: list[int], today: date) -> list[tuple[int, str, int]]:
    """(standard, council type, councils) adopting on `today`, among the current councils,
    each counting its predecessors' adoptions too, and a standard once: one grouped query."""
    if not standard_ids:
        return []
    source = (
        _adopting(today)
        .filter(standard_id__in=standard_ids)
        .values(sid=F("standard_id"), oid=F("organisation_id"))
    )
    pairs_sql, params = _holders_of(source, today)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.sid, o.council_type, count(*) FROM ({pairs_sql}) p "  # noqa: S608
            f"JOIN {Organisation._meta.db_table} o ON o.id = p.org WHERE o.kind = %s "
            "GROUP BY 1, 2",
            [*params, OrganisationKind.COUNCIL],
        )
        return cursor.fetchall()


def agreement_for(standard_ids) -> dict[int, tuple[int, int]]:
    """(agreed, compared) ratings in completed audits, per standard: one grouped query."""
    rows = (
        Audit.objects.filter(
            completed_at__isnull=False, assessment__standard_id__in=list(standard_ids)
        )
        .values_list("assessment__standard_id")
        .annotate(agreed=Sum("agreed"), compared=Sum("compared"), audits=Count("id"))
        .values_list("assessment__standard_id", "agreed", "compared", "audits")
        .order_by()
    )
    return {sid: (agreed, compared, audits) for sid, agreed, compared, audits in rows}


@dataclass
class Agreement:
    agreed: int
    compared: int
    audits: int

    @property
    def percent(self) -> int:
        return round(100 * self.agreed / self.compared) if self.compared else 0


def agreement_of(standard) -> Agreement | None:
    row = agreement_for([standard.pk]).get(standard.pk)
    return Agreement(*row) if row else None


# --- Catalogue -------------------------------------------------------------------------------


def standard_list(*, category: str = "", include_unpublished: bool = False):
    qs = Standard.objects.select_related("owner", "current_version").annotate(
        criteria_count=Count("current_version__criteria", distinct=True)
    )
    if not include_unpublished:
        qs = qs.filter(current_version__isnull=False)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("title", "id")


def version_criteria(version):
    """A version's criteria in order, each with the codes of the criteria it replaces."""
    if version is None:
        return []
    return list(
        version.criteria.order_by("position", "id").prefetch_related(
            Prefetch("predecessors", queryset=Criterion.objects.order_by("position"))
        )
    )


def standard_page(standard: Standard, user) -> dict:
    """Everything the standard page shows: a fixed number of queries, each made only when the
    page renders it (parts served from the cache make none)."""

    def versions():
        if access.can_author(user):
            return list(standard.versions.order_by("-number"))
        public = standard.versions.filter(status__in=access.PUBLIC_VERSION_STATUSES)
        return list(public.order_by("-number"))

    versions = lazy(versions)
    council = lazy(lambda: access.council_of(user))
    return {
        "versions": versions,
        "criteria": lazy(lambda: version_criteria(standard.current_version)),
        "adoption": lazy(lambda: adoption_for([standard])[standard.pk]),
        "consultation": lazy(
            lambda: next((v for v in versions if v.status == VersionStatus.CONSULTATION), None)
        ),
        "draft": lazy(lambda: next((v for v in versions if v.status == VersionStatus.DRAFT), None)),
        "council": council,
        "council_state": lazy(
            lambda: (
                council_states(council, standards=[standard]).get(standard.pk) if council else None
            )
        ),
        "agreement": lazy(
            lambda: agreement_of(standard) if core_access.can_view_sector_detail(user) else None
        ),
    }


def standard_page_parts(slug: str, user) -> Parts:
    """The standard page's parts that are the same for every viewer, cached until a write in
    the standards app (institute.fragments), and for today only (adoption is counted on the
    day): its criteria and version history. For visitors who are not signed in the whole page
    is the same, so it is cached whole, with its title ("row")."""
    today = timezone.localdate().isoformat()
    own = f"standard:{slug}"
    depends = ("standards", "names")
    history = "authors" if access.can_author(user) else "public"
    parts = {
        "criteria": Part(f"{own}:criteria", depends),
        "history": Part(f"{own}:history:{history}", depends),
    }
    if not user.is_authenticated:
        parts["row"] = Part(f"{own}:row", depends)
        parts["visitor"] = Part(f"{own}:visitor:{today}", depends)
    return Parts(**parts)


# --- Councils --------------------------------------------------------------------------------


@dataclass
class CouncilState:
    """Where a council stands on one standard."""

    state: str  # adopted, not_adopted, expired, in_progress, challenged, not_started
    latest: Assessment | None = None
    open: Assessment | None = None
    extra: dict = field(default_factory=dict)

    # An open assessment is named as its own page names it (in progress, or challenged).
    LABELS = {
        "adopted": ("Adopted", "govuk-tag--green"),
        "not_adopted": ("Assessed, not adopted", "govuk-tag--orange"),
        "expired": ("Expired", "govuk-tag--red"),
        "in_progress": assessment_status_tag(AssessmentStatus.IN_PROGRESS),
        "challenged": assessment_status_tag(AssessmentStatus.CHALLENGED),
        "not_started": ("Not started", "govuk-tag--grey"),
    }

    @property
    def label(self):
        return self.LABELS[self.state][0]

    @property
    def tag_class(self):
        return self.LABELS[self.state][1]


def council_states(organisation, *, standards=None, today: date | None = None) -> dict:
    """The council's state for each standard with a published version: three queries."""
    today = today or timezone.localdate()
    if standards is None:
        standards = list(
            Standard.objects.filter(current_version__isnull=False)
            .select_related("current_version")
            .order_by("title")
        )
    ids = [s.pk for s in standards]
    eligible = {
        a.standard_id: a
        for a in Assessment.objects.filter(
            pk__in=_eligible_latest(today), organisation=organisation, standard_id__in=ids
        )
        .annotate(adopting=ExpressionWrapper(_adopted(today), output_field=BooleanField()))
        .select_related("version")
    }
    adopted_ids = {a.standard_id for a in eligible.values() if a.adopting}
    latest_any = {
        a.standard_id: a
        for a in Assessment.objects.filter(organisation=organisation, standard_id__in=ids)
        .order_by("standard_id", "-started_at", "-id")
        .distinct("standard_id")
        .select_related("version")
    }
    states = {}
    for standard in standards:
        latest = eligible.get(standard.pk)
        newest = latest_any.get(standard.pk)
        open_assessment = newest if newest and newest.status in EDITABLE_STATUSES else None
        if standard.pk in adopted_ids:
            state = "adopted"
        elif open_assessment is not None:
            state = open_assessment.status  # in_progress or challenged
        elif latest is not None and latest.valid_until and latest.valid_until < today:
            state = "expired"
        elif latest is not None:
            state = "not_adopted"
        elif newest is not None:
            state = "expired"  # only assessments of versions that no longer count
        else:
            state = "not_started"
        states[standard.pk] = CouncilState(
            state=state, latest=latest or newest, open=open_assessment
        )
    return states


def standard_councils(standard: Standard, today: date | None = None):
    """Each council's latest counting assessment of a standard, by council name (paginate)."""
    today = today or timezone.localdate()
    return (
        Assessment.objects.filter(pk__in=_eligible_latest(today), standard=standard)
        .select_related("organisation", "version")
        .order_by("organisation__name", "id")
    )


def organisation_section(organisation, user) -> dict | None:
    """The organisation page's standards section; a council's ratings only for those who may
    see them (its officers, institute staff, sector viewers)."""
    if not organisation.is_council or not access.can_view_ratings(user, organisation):
        return None
    standards = list(
        Standard.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("title")
    )
    if not standards:
        return None
    states = council_states(organisation, standards=standards)
    groups = {key: [] for key in CouncilState.LABELS}
    for standard in standards:
        groups[states[standard.pk].state].append((standard, states[standard.pk]))
    return {
        "organisation": organisation,
        "groups": [
            (CouncilState.LABELS[key][0], key, items) for key, items in groups.items() if items
        ],
    }


# --- Assessments -----------------------------------------------------------------------------


@dataclass
class Task:
    criterion: Criterion
    answer: Answer | None

    @property
    def status(self) -> str:
        if self.answer is None:
            return "not_started"
        return "completed" if self.answer.complete else "in_progress"


def assessment_tasks(assessment: Assessment) -> list[Task]:
    """The task list: each criterion with its answer and the answer's files (three
    queries)."""
    answers = {
        a.criterion_id: a
        for a in assessment.answers.prefetch_related(
            Prefetch("evidence_files", queryset=EvidenceFile.objects.order_by("uploaded_at", "id"))
        )
    }
    return [
        Task(criterion=c, answer=answers.get(c.pk))
        for c in assessment.version.criteria.order_by("position", "id")
    ]


def assessment_file_links(assessment: Assessment):
    """The links of files of evidence to an assessment's answers, in criterion order, each with
    its file and criterion (one query a page)."""
    return (
        Answer.evidence_files.through.objects.filter(answer__assessment=assessment)
        .select_related("evidencefile", "answer__criterion")
        .order_by(
            "answer__criterion__position",
            "answer__criterion_id",
            "evidencefile__uploaded_at",
            "id",
        )
    )


def assessment_list_for_council(organisation):
    return (
        Assessment.objects.filter(organisation=organisation)
        .select_related("standard", "version")
        .order_by("-started_at", "-id")
    )


def assessment_list_for_api(user):
    """Assessments the user may see: their council's; all of them for staff and viewers."""
    qs = Assessment.objects.select_related("standard", "version", "organisation")
    if core_access.can_view_sector_detail(user):
        return qs.order_by("-started_at", "-id")
    council = access.council_of(user)
    if council is None:
        return qs.none()
    return qs.filter(organisation=council).order_by("-started_at", "-id")


def review_queue():
    return (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .select_related("standard", "version", "organisation")
        .order_by("submitted_at", "id")
    )


def audit_queue():
    return (
        Audit.objects.filter(completed_at__isnull=True)
        .select_related(
            "round", "assessment__organisation", "assessment__version", "assessment__standard"
        )
        .order_by("round__quarter", "id")
    )


def audit_that_replaced_result(assessment: Assessment) -> Audit | None:
    """The completed audit whose result replaced the council's, if there is one (no query if
    there is none)."""
    if assessment.audited_at is None:
        return None
    return Audit.objects.filter(assessment=assessment, completed_at__isnull=False).first()


def audit_rows(audit: Audit) -> list[dict]:
    """Each criterion of an audited assessment: the council's rating and the audited one."""
    answers = {a.criterion_id: a for a in audit.assessment.answers.all()}
    ratings = {r.criterion_id: r for r in AuditRating.objects.filter(audit=audit)}
    return [
        {"criterion": c, "answer": answers.get(c.pk), "audited": ratings.get(c.pk)}
        for c in audit.assessment.version.criteria.order_by("position", "id")
    ]


def consultation_comments(version: StandardVersion) -> list[tuple]:
    """Comments grouped: on the version as a whole first, then by criterion in order."""
    comments = list(
        ConsultationComment.objects.filter(version=version)
        .select_related("author", "author_organisation", "criterion")
        .order_by("criterion__position", "created_at", "id")
    )
    groups: dict = {}
    for comment in comments:
        groups.setdefault(comment.criterion, []).append(comment)
    ordered = []
    if None in groups:
        ordered.append((None, groups.pop(None)))
    ordered.extend(sorted(groups.items(), key=lambda item: (item[0].position, item[0].pk)))
    return ordered


# --- For other apps that link to standards ------------------------------------------------------


def standards_for_choice():
    """Every standard, by title: the choices where other apps record standards."""
    return Standard.objects.order_by("title")


def standards_by_slug(slugs) -> dict[str, Standard]:
    return {s.slug: s for s in Standard.objects.filter(slug__in=list(slugs))}


# --- The sector's per-council figures (read by institute.sector) -------------------------------


def standards_adopted_by_council(today: date):
    """The standards each council has adopted on `today` (`ids`), as defined above; closed
    councils too, whose standards pass to their successors (institute.sector.refresh)."""
    return (
        _adopting(today)
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(ids=ArrayAgg("standard_id", distinct=True, order_by="standard_id"))
    )


def standards_in_progress_by_council(today: date):
    """How many standards each council is assessing (`n`): an assessment being written, of a
    standard the council has not adopted. The adopted (council, standard) pairs are found once
    (an uncorrelated subquery) rather than once for each assessment."""
    adopted = adopting_assessments(today).annotate(pair=_pair()).values("pair")
    return (
        Assessment.objects.filter(status__in=EDITABLE_STATUSES)
        .annotate(pair=_pair())
        .exclude(pair__in=adopted)
        .order_by()
        .values(org=F("organisation_id"))
        .annotate(n=Count("standard_id", distinct=True))
    )


def _pair():
    """An assessment's council and standard as one value: "organisation:standard"."""
    return Concat(
        Cast("organisation_id", CharField()), Value(":"), Cast("standard_id", CharField())
    )


def standards_in_scope() -> list[tuple[int, str, str, list[str]]]:
    """(id, title, slug, council types in scope; empty for all) of published standards."""
    return list(
        Standard.objects.filter(current_version__isnull=False)
        .order_by("title", "id")
        .values_list("pk", "title", "slug", "council_types")
    )


def standard_titles(ids) -> list[tuple[int, str, str]]:
    """(id, slug, title) of these standards, by title."""
    return list(
        Standard.objects.filter(pk__in=list(ids))
        .order_by("title")
        .values_list("pk", "slug", "title")
    )


def standards_by_title(titles) -> dict[str, Standard]:
    return {s.title: s for s in Standard.objects.filter(title__in=list(titles))}


# --- Adoption in the past, rebuilt from the kept history (read by institute.sector) ------------
# The same rule as `_eligible_latest` and `_adopted`, applied to each assessment's state on a
# past day as django-pghistory kept it (standards.AssessmentEvent, one row per change).


def _effective_at():
    """When a kept state of an assessment took effect: the review or submission date it carries
    (a submission recorded later with an earlier date counts from that date), or the audit
    that replaced its result if that came later, and never later than the moment the change
    was recorded."""
    return Least(
        "pgh_created_at",
        Greatest(
            Case(
                When(
                    status__in=[AssessmentStatus.VERIFIED, AssessmentStatus.CHALLENGED],
                    reviewed_at__isnull=False,
                    then="reviewed_at",
                ),
                When(submitted_at__isnull=False, then="submitted_at"),
                default="pgh_created_at",
            ),
            # GREATEST ignores NULL in PostgreSQL: no audit, no change.
            "audited_at",
        ),
    )


def _day_end(day: date):
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def adopting_pairs_on(day: date) -> list[tuple[int, int]]:
    """(standard, council) pairs where the council had adopted the standard at the end of
    `day`, by the rule above, from the kept history: each assessment's state on that day (its
    latest change that had taken effect), the council's latest submitted assessment of a
    version current that day (or of the just-superseded version within its grace period), green,
    valid on that day and not challenged; councils that existed on that day, each holding its
    predecessors' adoptions from the succession's date (`_holders_of`). One query."""
    end = _day_end(day)
    state = (
        AssessmentEvent.objects.annotate(effective_at=_effective_at())
        .filter(effective_at__lt=end)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pk")
    )
    current = (
        Q(version__published_at__lt=end)
        & (Q(version__superseded_at__isnull=True) | Q(version__superseded_at__gte=end))
        & (Q(version__retired_at__isnull=True) | Q(version__retired_at__gte=end))
    )
    in_grace = Q(
        version_id=F("pgh_obj__standard__previous_version_id"),
        version__superseded_at__lt=end,
        pgh_obj__standard__grace_until__gte=day,
    )
    latest = (
        AssessmentEvent.objects.filter(pk__in=state, status__in=SUBMITTED_STATUSES)
        .filter(current | in_grace)
        .order_by(
            "pgh_obj__standard_id", "pgh_obj__organisation_id", "-submitted_at", "-pgh_obj_id"
        )
        .distinct("pgh_obj__standard_id", "pgh_obj__organisation_id")
        .values("pk")
    )
    source = (
        AssessmentEvent.objects.filter(pk__in=latest)
        .filter(_adopted(day))
        .values(sid=F("pgh_obj__standard_id"), oid=F("pgh_obj__organisation_id"))
    )
    pairs_sql, params = _holders_of(source, day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.sid, p.org FROM ({pairs_sql}) p "  # noqa: S608
            f"JOIN {Organisation._meta.db_table} o ON o.id = p.org WHERE o.kind = %s "
            "ORDER BY 1, 2",
            [*params, OrganisationKind.COUNCIL],
        )
        return [tuple(row) for row in cursor.fetchall()]


def first_submission_day() -> date | None:
    """The day the first assessment took effect as submitted, by the kept history: where the
    history of adoption begins."""
    first = (
        AssessmentEvent.objects.filter(status__in=SUBMITTED_STATUSES)
        .annotate(effective_at=_effective_at())
        .order_by("effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    return timezone.localdate(first) if first else None


def standards_published_since() -> dict[int, date]:
    """Each standard with a published version: the day its first version was published (its
    adoption rate means something from then on)."""
    return {
        pk: timezone.localdate(first)
        for pk, first in StandardVersion.objects.filter(published_at__isnull=False)
        .order_by()
        .values_list("standard_id")
        .annotate(first=Min("published_at"))
        .values_list("standard_id", "first")
    }


def standard_search_rows(*, terms):
    """Standards with a published version, for the service search (a standard still in draft
    or consultation is found from the standards pages)."""
    return search.ranked(
        Standard.objects.filter(current_version__isnull=False),
        terms=terms,
        vector="search_vector",
        title="title",
        summary="summary",
        key="slug",
    )


def standard_search_url(key: str) -> str:
    return detail_url("standards:standard_detail", "slug", key)


# --- Role homes and the work-waiting list ----------------------------------------------------

RENEWAL_WARNING = timedelta(days=60)  # an officer's home lists assessments expiring this soon


def officer_home_section(home, user) -> dict | None:
    """A council officer's home: where their council stands on each published standard (due
    for renewal in the next 60 days, expired, not started) and the consultations open."""
    council = home.organisation
    if not council.is_council:
        return None
    today = timezone.localdate()
    standards = list(
        Standard.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("title")
    )
    states = council_states(council, standards=standards, today=today)
    renew_by = today + RENEWAL_WARNING
    groups = {"adopted": [], "renewal": [], "expired": [], "in_progress": [], "not_started": []}
    for standard in standards:
        state = states[standard.pk]
        valid_until = state.latest.valid_until if state.latest else None
        if state.state == "adopted" and valid_until and valid_until <= renew_by:
            groups["renewal"].append((standard, state))
        if state.state in groups:
            groups[state.state].append((standard, state))
    consultations = list(
        StandardVersion.objects.filter(status=VersionStatus.CONSULTATION)
        .select_related("standard")
        .order_by("consultation_closes_on", "id")
    )
    return {"council": council, "groups": groups, "consultations": consultations}


def assessments_waiting():
    """Submitted assessments waiting for institute staff to verify or challenge."""
    return count_and_oldest(review_queue(), "submitted_at")


def audits_waiting():
    """This quarter's audit sample (and any earlier round left open), not yet audited."""
    return count_and_oldest(audit_queue(), "round__drawn_at")
