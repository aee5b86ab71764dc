"""Every page the platform serves, for each role that can see it: the accessibility inventory.

Each entry is a URL pattern ("namespace:name"), a role, a function from the seeded rows
(tests/accessibility/seed.py) to the address, and optionally one interaction whose result is
what gets checked: a form submitted empty (its error state), text typed into a box that
htmx answers, a filter changed (htmx swaps the results and the address) or an htmx button.
Entries marked `empty` are visited before any seeded rows exist, for the empty states.
Roles are the named users of tests/conftest.py; test_axe.py signs in once as each.

`EXCLUDED` names every URL pattern that is not a page a person reads, with the reason; the
coverage test (test_inventory_coverage.py) fails when a pattern is in neither list, so a new
page cannot be forgotten.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import NoReverseMatch, reverse

ANONYMOUS = "anonymous"
OFFICER = "officer"
CENTRE_STAFF = "centre_staff"
INSTITUTE_STAFF = "institute_staff"
SECTOR_VIEWER = "sector_viewer"
# Signed in, but not yet a member of any organisation: the account page asks them to join one.
NEWCOMER = "no_membership_user"
ROLES = [ANONYMOUS, OFFICER, CENTRE_STAFF, INSTITUTE_STAFF, SECTOR_VIEWER, NEWCOMER]
SIGNED_IN = [OFFICER, CENTRE_STAFF, INSTITUTE_STAFF, SECTOR_VIEWER]


# --- Interactions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submit:
    """Press a form's button (after emptying its text fields when `clear`, or typing `fill`
    into the labelled fields): the error state, or what a good answer leads to.
    With `stale_csrf`, the form's CSRF token is replaced first: the session-expired page."""

    button: str
    clear: bool = False
    stale_csrf: bool = False
    status: int = 200
    fill: tuple[tuple[str, str], ...] = ()  # (label, text) typed in first


@dataclass(frozen=True)
class Type:
    """Type into a labelled box and wait for htmx to swap in `wait_for` (a CSS selector)."""

    field: str
    text: str
    wait_for: str


@dataclass(frozen=True)
class Choose:
    """Choose an option in a labelled filter; htmx swaps the results and updates the address."""

    field: str
    option: str
    url_contains: str


@dataclass(frozen=True)
class Press:
    """Press a button that htmx answers with a fragment, then wait for `wait_for` (CSS)."""

    button: str
    wait_for: str
    within: str = "main"
    status: int = 200  # of the htmx response


Action = Submit | Type | Choose | Press


@dataclass(frozen=True)
class Entry:
    name: str  # the URL pattern, "namespace:name"
    role: str
    url: Callable[[SimpleNamespace], str]
    state: str = ""  # what this visit shows beyond the plain page
    action: Action | None = None
    status: int = 200  # of the page as first loaded
    empty: bool = False  # visited before the seeded rows exist
    covers: tuple[str, ...] = ()  # further patterns the action requests (POSTs, fragments)
    ready: str = ""  # CSS selector to wait for when a script renders the page after load

    @property
    def label(self) -> str:
        state = f" ({self.state})" if self.state else ""
        return f"{self.name} as {self.role}{state}"


def fixed(path_or_name: str, **kwargs) -> Callable[[SimpleNamespace], str]:
    """An address that needs no seeded row: a URL name (reversed) or a literal path."""
    if path_or_name.startswith("/"):
        return lambda s: path_or_name
    return lambda s: reverse(path_or_name, kwargs=kwargs or None)


def form(name: str, role: str, url, button: str, **submit) -> list[Entry]:
    """A form page as it opens, and as it answers when submitted (with `submit`: Submit's
    options, e.g. clear=True to empty its fields first)."""
    return [
        Entry(name, role, url),
        Entry(name, role, url, state="submitted empty", action=Submit(button, **submit)),
    ]


def component_url(name: str, component) -> str:
    """Component pages are addressed by public_id (UUID); older routes used the number."""
    try:
        return reverse(name, kwargs={"public_id": component.public_id})
    except NoReverseMatch:
        return reverse(name, kwargs={"pk": component.pk})


def _comp(name: str, attr: str = "component") -> Callable[[SimpleNamespace], str]:
    return lambda s: component_url(name, getattr(s, attr))


def _problem(name: str, attr: str = "problem") -> Callable[[SimpleNamespace], str]:
    return lambda s: reverse(name, kwargs={"pk": getattr(s, attr).pk})


def _learning(name: str, attr: str) -> Callable[[SimpleNamespace], str]:
    return lambda s: reverse(name, kwargs={"public_id": getattr(s.centres, attr).public_id})


def _version(name: str, version_attr: str) -> Callable[[SimpleNamespace], str]:
    def build(s):
        version = getattr(s.standards, version_attr)
        return reverse(name, kwargs={"slug": version.standard.slug, "number": version.number})

    return build


def _assessment(name: str, attr: str, **extra) -> Callable[[SimpleNamespace], str]:
    def build(s):
        assessment = getattr(s.standards, attr)
        kwargs = {"public_id": assessment.public_id}
        if extra.get("criterion"):
            kwargs["criterion_pk"] = s.standards.first_criterion.pk
        return reverse(name, kwargs=kwargs)

    return build


def _each(name, roles, url, **options) -> list[Entry]:
    return [Entry(name, role, url, **options) for role in roles]


# --- The 2030 blueprint: targets, the recommendations tracker, comparison groups -------------


BLUEPRINT = [
    Entry(
        "sector:blueprint", ANONYMOUS, fixed("sector:blueprint"), state="no data yet", empty=True
    ),
    *_each("sector:blueprint", [ANONYMOUS, INSTITUTE_STAFF], fixed("sector:blueprint")),
    *_each(
        "sector:blueprint_theme",
        [ANONYMOUS, INSTITUTE_STAFF],
        fixed("sector:blueprint_theme", theme="data"),
    ),
    Entry(
        "sector:blueprint_theme",
        ANONYMOUS,
        fixed("/blueprint/themes/data/?body=digital_centre"),
        state="filtered to nothing",
    ),
    *_each(
        "sector:recommendation_detail",
        [ANONYMOUS, INSTITUTE_STAFF],
        fixed("sector:recommendation_detail", number=1),
    ),
    *form(
        "sector:recommendation_update",
        INSTITUTE_STAFF,
        fixed("sector:recommendation_update", number=1),
        "Save the update",
        clear=True,
    ),
    Entry(
        "sector:recommendation_links",
        INSTITUTE_STAFF,
        fixed("sector:recommendation_links", number=1),
    ),
    *_each(
        "sector:series_detail",
        [ANONYMOUS, INSTITUTE_STAFF],
        fixed("sector:series_detail", slug="collective-buying-exercises"),
    ),
    Entry(
        "sector:series_detail",
        ANONYMOUS,
        fixed("sector:series_detail", slug="data-sharing-examples"),
        state="a counted target with its examples",
    ),
    Entry(
        "sector:series_detail",
        ANONYMOUS,
        fixed("sector:series_detail", slug="chief-executives-digital"),
        state="no figures yet",
    ),
    *form(
        "sector:series_record",
        INSTITUTE_STAFF,
        fixed("sector:series_record", slug="workforce-under-represented"),
        "Record the value",
        clear=True,
    ),
    Entry(
        "sector:series_value_remove",
        INSTITUTE_STAFF,
        lambda s: reverse(
            "sector:series_value_remove", args=[s.sector.series.slug, s.sector.value.pk]
        ),
    ),
    Entry(
        "sector:comparison_group_list",
        INSTITUTE_STAFF,
        fixed("sector:comparison_group_list"),
        state="none uploaded",
        empty=True,
    ),
    *_each(
        "sector:comparison_group_list",
        [SECTOR_VIEWER, INSTITUTE_STAFF],
        fixed("sector:comparison_group_list"),
    ),
    Entry(
        "sector:comparison_group_detail",
        SECTOR_VIEWER,
        lambda s: reverse("sector:comparison_group_detail", args=[s.sector.group_set.pk]),
    ),
    *form(
        "sector:comparison_group_upload",
        INSTITUTE_STAFF,
        fixed("sector:comparison_group_upload"),
        "Upload",
        clear=True,
    ),
    Entry(
        "sector:comparison_group_remove",
        INSTITUTE_STAFF,
        lambda s: reverse("sector:comparison_group_remove", args=[s.sector.group_set.pk]),
    ),
    Entry(
        "sector:council_profile",
        SECTOR_VIEWER,
        lambda s: (
            reverse("sector:council_profile", args=["leeds"]) + f"?group={s.sector.group_set.pk}"
        ),
        state="compared with its comparison group",
    ),
    Entry(
        "sector:dashboard",
        SECTOR_VIEWER,
        lambda s: reverse("sector:dashboard") + f"?group={s.sector.group_set.pk}&council=leeds",
        state="a council and its comparison group",
    ),
]

# --- Core: home, organisations, account, requests, dashboards, notifications, data ----------

CORE = [
    *_each("institute:home", ROLES, fixed("institute:home")),
    # The pages every public service publishes, linked from every page's footer.
    *(
        Entry(f"institute:{name}", ANONYMOUS, fixed(f"institute:{name}"))
        for name in ("accessibility", "privacy", "cookies", "help", "contact", "how_it_works")
    ),
    Entry("institute:search", ANONYMOUS, fixed("institute:search"), state="no search yet"),
    *_each("institute:search", ROLES, fixed("/search/?q=bin+colection"), state="results"),
    Entry(
        "institute:search",
        ANONYMOUS,
        fixed("/search/?q=zzzz+nothing+like+this"),
        state="nothing matches",
    ),
    Entry(
        "institute:search",
        ANONYMOUS,
        fixed("/search/?q=" + "x" * 201),
        state="too long",
    ),
    *_each(
        "institute:organisation_list", [ANONYMOUS, OFFICER], fixed("institute:organisation_list")
    ),
    Entry(
        "institute:organisation_list",
        ANONYMOUS,
        fixed("/organisations/?q=no+such+organisation+zzz"),
        state="filters match nothing",
    ),
    Entry(
        "institute:organisation_list",
        ANONYMOUS,
        fixed("institute:organisation_list"),
        state="filter changed, htmx swap",
        action=Choose("Kind of organisation", "Strategic authority", "kind="),
    ),
    *_each(
        "institute:organisation_detail",
        [ANONYMOUS, OFFICER, INSTITUTE_STAFF, SECTOR_VIEWER],
        fixed("institute:organisation_detail", slug="leeds"),
    ),
    Entry(
        "institute:organisation_detail",
        ANONYMOUS,
        fixed("institute:organisation_detail", slug="greater-manchester-combined-authority"),
        state="a strategic authority",
    ),
    Entry(
        "institute:organisation_domains",
        INSTITUTE_STAFF,
        fixed("institute:organisation_domains", slug="leeds"),
        state="no domains, no changes",
        empty=True,
    ),
    *form(
        "institute:organisation_domains",
        INSTITUTE_STAFF,
        fixed("institute:organisation_domains", slug="leeds"),
        "Add domain",
    ),
    Entry(
        "institute:organisation_people",
        INSTITUTE_STAFF,
        fixed("institute:organisation_people", slug="bradford"),
        state="no one, no changes",
        empty=True,
    ),
    *form(
        "institute:organisation_people",
        INSTITUTE_STAFF,
        fixed("institute:organisation_people", slug="leeds"),
        "Add person",
    ),
    Entry(
        "institute:organisation_person_remove",
        INSTITUTE_STAFF,
        lambda s: reverse(
            "institute:organisation_person_remove", args=["leeds", s.shared_membership.pk]
        ),
    ),
    Entry(
        "institute:organisation_domain_remove",
        INSTITUTE_STAFF,
        lambda s: reverse(
            "institute:organisation_domain_remove", args=["leeds", s.leeds_domain.pk]
        ),
    ),
    *form(
        "institute:email_domains_import",
        INSTITUTE_STAFF,
        fixed("institute:email_domains_import"),
        "Check the file",
    ),
    *_each("institute:account", SIGNED_IN, fixed("institute:account")),
    Entry(
        "institute:account",
        OFFICER,
        fixed("institute:account"),
        state="name submitted empty",
        action=Submit("Save name", clear=True),
    ),
    Entry(
        "institute:account",
        OFFICER,
        fixed("institute:account"),
        state="token created",
        action=Submit("Create token", fill=(("Token name", "Reporting tool"),)),
        covers=("institute:token_create",),
    ),
    Entry(
        "institute:account",
        OFFICER,
        fixed("institute:account"),
        state="token name missing",
        action=Submit("Create token"),
    ),
    Entry(
        "institute:account",
        NEWCOMER,
        fixed("institute:account"),
        state="asked to join an organisation",
        empty=True,
    ),
    Entry(
        "institute:account",
        NEWCOMER,
        fixed("institute:account"),
        state="request to join submitted empty",
        action=Submit("Send request"),
        empty=True,
    ),
    Entry(
        "institute:account",
        NEWCOMER,
        fixed("institute:account"),
        state="request to join pending",
    ),
    *_each(
        "institute:membership_request_sent",
        [NEWCOMER, INSTITUTE_STAFF],
        lambda s: reverse("institute:membership_request_sent", args=[s.membership_request.pk]),
    ),
    Entry(
        "institute:membership_request_list",
        INSTITUTE_STAFF,
        fixed("institute:membership_request_list"),
        state="no requests",
        empty=True,
    ),
    Entry(
        "institute:membership_request_list",
        INSTITUTE_STAFF,
        fixed("institute:membership_request_list"),
    ),
    *form(
        "institute:membership_request_decide",
        INSTITUTE_STAFF,
        lambda s: reverse("institute:membership_request_decide", args=[s.membership_request.pk]),
        "Save decision",
    ),
    *_each(
        "sector:dashboard",
        [SECTOR_VIEWER, INSTITUTE_STAFF],
        fixed("sector:dashboard"),
        state="no data yet",
        empty=True,
    ),
    *_each("sector:dashboard", [SECTOR_VIEWER, INSTITUTE_STAFF], fixed("sector:dashboard")),
    Entry(
        "sector:dashboard",
        SECTOR_VIEWER,
        fixed("sector:dashboard"),
        state="filter changed, htmx swap",
        action=Choose("Region", "Yorkshire and The Humber", "region="),
    ),
    Entry(
        "sector:dashboard_summary",
        ANONYMOUS,
        fixed("sector:dashboard_summary"),
        state="no data yet",
        empty=True,
    ),
    *_each("sector:dashboard_summary", [ANONYMOUS, OFFICER], fixed("sector:dashboard_summary")),
    *_each(
        "sector:council_profile",
        [ANONYMOUS, OFFICER, SECTOR_VIEWER],
        fixed("sector:council_profile", slug="leeds"),
    ),
    Entry(
        "institute:notification_list",
        OFFICER,
        fixed("institute:notification_list"),
        state="no notifications",
        empty=True,
    ),
    *_each(
        "institute:notification_list",
        [OFFICER, CENTRE_STAFF, INSTITUTE_STAFF, SECTOR_VIEWER],
        fixed("institute:notification_list"),
    ),
    Entry(
        "institute:notification_preferences",
        OFFICER,
        fixed("institute:notification_preferences"),
    ),
    Entry(
        "institute:digest_unsubscribe",
        ANONYMOUS,
        lambda s: reverse("institute:digest_unsubscribe", args=[s.unsubscribe_token]),
    ),
    Entry(
        "institute:digest_unsubscribe",
        ANONYMOUS,
        lambda s: reverse("institute:digest_unsubscribe", args=[s.unsubscribe_token]),
        state="confirmed",
        action=Submit("Unsubscribe"),
    ),
    Entry(
        "institute:digest_unsubscribe",
        ANONYMOUS,
        fixed("institute:digest_unsubscribe", token="not-a-real-token"),
        state="link that does not work",
        status=400,
    ),
    Entry(
        "institute:token_list",
        INSTITUTE_STAFF,
        fixed("institute:token_list"),
        state="no tokens",
        empty=True,
    ),
    Entry("institute:token_list", INSTITUTE_STAFF, fixed("institute:token_list")),
    Entry(
        "institute:email_outbox",
        INSTITUTE_STAFF,
        fixed("institute:email_outbox"),
        state="no e-mails",
        empty=True,
    ),
    Entry("institute:email_outbox", INSTITUTE_STAFF, fixed("institute:email_outbox")),
    Entry("sector:data_index", ANONYMOUS, fixed("sector:data_index")),
    *BLUEPRINT,
    Entry("api_docs", ANONYMOUS, fixed("api_docs"), ready=".swagger-ui .information-container"),
]

# --- Error pages ------------------------------------------------------------------------------

ERRORS = [
    Entry(
        "backlog:problem_detail",
        ANONYMOUS,
        fixed("/problems/987654321/"),
        state="page not found",
        status=404,
    ),
    Entry(
        "backlog:triage",
        OFFICER,
        fixed("backlog:triage"),
        state="not allowed",
        status=403,
    ),
    Entry(
        "account_login",
        ANONYMOUS,
        fixed("account_login"),
        state="session expired (stale CSRF token)",
        action=Submit("Sign in", stale_csrf=True, status=403),
    ),
]

# --- Backlog ----------------------------------------------------------------------------------

BACKLOG = [
    *_each(
        "backlog:problem_list",
        [ANONYMOUS, OFFICER],
        fixed("backlog:problem_list"),
        state="no problems",
        empty=True,
    ),
    *_each("backlog:problem_list", [ANONYMOUS, OFFICER], fixed("backlog:problem_list")),
    Entry(
        "backlog:problem_list",
        ANONYMOUS,
        fixed("/problems/?q=no+such+problem+zzz"),
        state="filters match nothing",
    ),
    Entry(
        "backlog:problem_list",
        OFFICER,
        fixed("backlog:problem_list"),
        state="filter changed, htmx swap",
        action=Choose("Theme", "Data exchange and maturity", "theme=data"),
    ),
    Entry(
        "backlog:problem_list",
        OFFICER,
        fixed("backlog:problem_list"),
        state="vote from the list, htmx swap",
        action=Press(
            # The button's name ends with the problem's title (visually hidden).
            "Missed bin collections reported by telephone",
            "#results .govuk-tag--green",
            within="#results",
        ),
        covers=("backlog:problem_vote",),
    ),
    *form("backlog:problem_submit", OFFICER, fixed("backlog:problem_submit"), "Continue"),
    Entry(
        "backlog:problem_submit",
        OFFICER,
        fixed("backlog:problem_submit"),
        state="similar problems suggested, htmx swap",
        action=Type("Title", "missed bin collections", "#similar-suggestions a"),
        covers=("backlog:problem_similar",),
    ),
    Entry(
        "backlog:problem_similar",
        ANONYMOUS,
        fixed("/problems/similar/?title=missed+bin+collections"),
        state="without JavaScript",
    ),
    Entry(
        "backlog:problem_similar",
        ANONYMOUS,
        fixed("/problems/similar/?title=zzzz"),
        state="nothing similar",
    ),
    Entry("backlog:triage", INSTITUTE_STAFF, fixed("backlog:triage"), state="empty", empty=True),
    Entry("backlog:triage", INSTITUTE_STAFF, fixed("backlog:triage")),
    Entry(
        "backlog:comment_reports",
        INSTITUTE_STAFF,
        fixed("backlog:comment_reports"),
        state="empty",
        empty=True,
    ),
    Entry("backlog:comment_reports", INSTITUTE_STAFF, fixed("backlog:comment_reports")),
    Entry("backlog:my_council", OFFICER, fixed("backlog:my_council"), state="none", empty=True),
    Entry("backlog:my_council", OFFICER, fixed("backlog:my_council")),
    *_each(
        "backlog:problem_detail",
        [ANONYMOUS, OFFICER, CENTRE_STAFF, INSTITUTE_STAFF, SECTOR_VIEWER],
        _problem("backlog:problem_detail"),
    ),
    Entry(
        "backlog:problem_detail",
        INSTITUTE_STAFF,
        _problem("backlog:problem_detail", "merged"),
        state="merged problem, staff view",
    ),
    Entry(
        "backlog:problem_detail",
        ANONYMOUS,
        lambda s: (
            reverse("backlog:problem_detail", args=[s.problem.pk]) + f"?merged_from={s.merged.pk}"
        ),
        state="arrived from a merged problem",
    ),
    Entry(
        "backlog:problem_detail",
        CENTRE_STAFF,
        _problem("backlog:problem_detail"),
        state="empty comment posted inline, htmx swap",
        action=Press("Post comment", "#discussion .govuk-error-summary", status=400),
        covers=("backlog:comment_create",),
    ),
    Entry(
        "backlog:problem_detail",
        OFFICER,
        _problem("backlog:problem_detail", "spare"),
        state="voted, htmx swap",
        action=Press("My council has this problem too", "[id^=vote-] .govuk-tag--green"),
        covers=("backlog:problem_vote",),
    ),
    Entry(
        "backlog:problem_detail",
        CENTRE_STAFF,
        _problem("backlog:problem_detail"),
        state="followed, success banner",
        action=Submit("Follow this problem"),
        covers=("backlog:problem_follow",),
    ),
    Entry(
        "backlog:problem_detail",
        OFFICER,
        _problem("backlog:problem_detail", "own_problem"),
        state="the officer's own new problem: edit and withdraw",
    ),
    Entry(
        "backlog:problem_detail",
        ANONYMOUS,
        lambda s: reverse("backlog:problem_detail", args=[s.withdrawn.number]),
        state="withdrawn: the tombstone",
        status=410,
    ),
    *form(
        "backlog:problem_edit",
        OFFICER,
        _problem("backlog:problem_edit", "own_problem"),
        "Save changes",
        clear=True,
    ),
    *form(
        "backlog:problem_edit",
        INSTITUTE_STAFF,
        _problem("backlog:problem_edit"),
        "Save changes",
    ),
    Entry("backlog:problem_withdraw", OFFICER, _problem("backlog:problem_withdraw", "own_problem")),
    Entry(
        "backlog:problem_withdraw",
        OFFICER,
        _problem("backlog:problem_withdraw"),
        state="refused: triage has started",
    ),
    *_each(
        "backlog:problem_changes",
        [ANONYMOUS, OFFICER],
        _problem("backlog:problem_changes"),
    ),
    Entry("backlog:problem_submitted", OFFICER, _problem("backlog:problem_submitted")),
    Entry("backlog:problem_status", INSTITUTE_STAFF, _problem("backlog:problem_status")),
    *form(
        "backlog:problem_merge",
        INSTITUTE_STAFF,
        _problem("backlog:problem_merge", "lookalike"),
        "Merge",
    ),
    *form(
        "backlog:comment_edit",
        OFFICER,
        _problem("backlog:comment_edit", "comment"),
        "Save comment",
        clear=True,
    ),
    *form(
        "backlog:comment_report",
        CENTRE_STAFF,
        _problem("backlog:comment_report", "comment"),
        "Report comment",
    ),
    *form(
        "backlog:comment_moderate",
        INSTITUTE_STAFF,
        _problem("backlog:comment_moderate", "comment"),
        "Hide comment",
    ),
]

# --- Components -------------------------------------------------------------------------------

COMPONENTS = [
    *_each(
        "components:component_list",
        [ANONYMOUS],
        fixed("components:component_list"),
        state="no components",
        empty=True,
    ),
    *_each(
        "components:component_list",
        [ANONYMOUS, OFFICER, INSTITUTE_STAFF],
        fixed("components:component_list"),
    ),
    Entry(
        "components:component_list",
        ANONYMOUS,
        fixed("/components/?q=no+such+component+zzz"),
        state="filters match nothing",
    ),
    Entry(
        "components:component_list",
        ANONYMOUS,
        fixed("components:component_list"),
        state="filter changed, htmx swap",
        action=Choose("Maturity", "Live", "maturity=live"),
    ),
    *form(
        "components:component_submit",
        OFFICER,
        fixed("components:component_submit"),
        "Submit for review",
    ),
    *form(
        "components:component_import",
        OFFICER,
        fixed("components:component_import"),
        "Import for review",
    ),
    Entry(
        "components:my_submissions",
        OFFICER,
        fixed("components:my_submissions"),
        state="none",
        empty=True,
    ),
    Entry("components:my_submissions", OFFICER, fixed("components:my_submissions")),
    Entry(
        "components:review_queue",
        INSTITUTE_STAFF,
        fixed("components:review_queue"),
        state="empty",
        empty=True,
    ),
    Entry("components:review_queue", INSTITUTE_STAFF, fixed("components:review_queue")),
    *_each(
        "components:component_detail",
        [ANONYMOUS, OFFICER, INSTITUTE_STAFF, SECTOR_VIEWER],
        _comp("components:component_detail"),
    ),
    *_each(
        "components:council_adoptions",
        [ANONYMOUS, OFFICER, SECTOR_VIEWER],
        fixed("components:council_adoptions", slug="leeds"),
    ),
    Entry(
        "components:component_detail",
        OFFICER,
        _comp("components:component_detail", "component_in_review"),
        state="in review, submitter's view",
    ),
    Entry(
        "components:component_submitted",
        OFFICER,
        _comp("components:component_submitted", "component_in_review"),
    ),
    *form(
        "components:component_edit",
        OFFICER,
        _comp("components:component_edit", "component_in_review"),
        "Save changes",
        clear=True,
    ),
    *form(
        "components:component_review",
        INSTITUTE_STAFF,
        _comp("components:component_review", "component_in_review"),
        "Record decision",
    ),
    # A change to a published component's maturity and links, waiting for institute staff.
    *form(
        "components:component_change",
        INSTITUTE_STAFF,
        lambda s: s.component.changes.get().get_absolute_url(),
        "Save decision",
    ),
    *form(
        "components:component_retire",
        INSTITUTE_STAFF,
        _comp("components:component_retire"),
        "Retire component",
    ),
    *form(
        "components:component_problems",
        INSTITUTE_STAFF,
        _comp("components:component_problems"),
        "Link problem",
    ),
    *form(
        "components:component_solve",
        INSTITUTE_STAFF,
        _comp("components:component_solve"),
        "Mark solved",
    ),
    *form(
        "components:adoption_record",
        OFFICER,
        _comp("components:adoption_record"),
        "Save adoption",
        clear=True,
    ),
    *_each(
        "components:source_list",
        [OFFICER, INSTITUTE_STAFF],
        fixed("components:source_list"),
    ),
    *form(
        "components:source_register",
        OFFICER,
        fixed("components:source_register"),
        "Register",
    ),
    Entry("components:source_register", INSTITUTE_STAFF, fixed("components:source_register")),
    *_each(
        "components:source_detail",
        [OFFICER, INSTITUTE_STAFF],
        lambda s: s.harvest_source.get_absolute_url(),
    ),
    Entry(
        "components:source_proposals",
        INSTITUTE_STAFF,
        fixed("components:source_proposals"),
    ),
]

# --- Standards --------------------------------------------------------------------------------

STANDARDS = [
    *_each(
        "standards:standard_list",
        [ANONYMOUS, INSTITUTE_STAFF],
        fixed("standards:standard_list"),
        state="no standards",
        empty=True,
    ),
    *_each(
        "standards:standard_list",
        [ANONYMOUS, OFFICER, INSTITUTE_STAFF],
        fixed("standards:standard_list"),
    ),
    Entry(
        "standards:standard_list",
        ANONYMOUS,
        fixed("standards:standard_list"),
        state="category changed, htmx swap",
        action=Choose("Category", "Data", "category="),
    ),
    *form(
        "standards:standard_create",
        INSTITUTE_STAFF,
        fixed("standards:standard_create"),
        "Create standard",
    ),
    Entry("standards:my_council", OFFICER, fixed("standards:my_council"), state="none", empty=True),
    Entry("standards:my_council", OFFICER, fixed("standards:my_council")),
    Entry(
        "standards:review_queue",
        INSTITUTE_STAFF,
        fixed("standards:review_queue"),
        state="empty",
        empty=True,
    ),
    Entry("standards:review_queue", INSTITUTE_STAFF, fixed("standards:review_queue")),
    Entry(
        "standards:audit_queue",
        INSTITUTE_STAFF,
        fixed("standards:audit_queue"),
        state="empty",
        empty=True,
    ),
    Entry("standards:audit_queue", INSTITUTE_STAFF, fixed("standards:audit_queue")),
    Entry(
        "standards:audit_detail",
        INSTITUTE_STAFF,
        lambda s: reverse("standards:audit_detail", args=[s.standards.audit.pk]),
    ),
    Entry(
        "standards:audit_detail",
        INSTITUTE_STAFF,
        lambda s: reverse("standards:audit_detail", args=[s.standards.audit.pk]),
        state="completed without ratings",
        action=Submit("Complete audit", status=400),
    ),
    Entry(
        "standards:assessment_detail",
        OFFICER,
        _assessment("standards:assessment_detail", "in_progress"),
        state="in progress",
    ),
    Entry(
        "standards:assessment_detail",
        OFFICER,
        _assessment("standards:assessment_detail", "reviewed"),
        state="verified",
    ),
    Entry(
        "standards:assessment_detail",
        INSTITUTE_STAFF,
        _assessment("standards:assessment_detail", "submitted"),
        state="submitted, staff view",
    ),
    *form(
        "standards:answer_edit",
        OFFICER,
        _assessment("standards:answer_edit", "in_progress", criterion=True),
        "Save and continue",
        clear=True,
    ),
    Entry(
        "standards:assessment_check",
        OFFICER,
        _assessment("standards:assessment_check", "in_progress"),
    ),
    Entry(
        "standards:assessment_check",
        OFFICER,
        _assessment("standards:assessment_check", "in_progress"),
        state="submitted with answers missing",
        action=Submit("Submit assessment", status=400),
    ),
    Entry(
        "standards:assessment_submitted",
        OFFICER,
        _assessment("standards:assessment_submitted", "submitted"),
    ),
    *form(
        "standards:assessment_review",
        INSTITUTE_STAFF,
        _assessment("standards:assessment_review", "submitted"),
        "Record review",
    ),
    *_each(
        "standards:standard_detail",
        [ANONYMOUS, OFFICER, INSTITUTE_STAFF, SECTOR_VIEWER],
        lambda s: s.standards.published.get_absolute_url(),
    ),
    Entry(
        "standards:standard_detail",
        INSTITUTE_STAFF,
        lambda s: s.standards.drafted.get_absolute_url(),
        state="draft only",
    ),
    Entry(
        "standards:standard_detail",
        OFFICER,
        lambda s: s.standards.consulted.get_absolute_url(),
        state="next version in consultation",
    ),
    *_each(
        "standards:standard_councils",
        [SECTOR_VIEWER, INSTITUTE_STAFF],
        lambda s: reverse("standards:standard_councils", args=[s.standards.assessed.slug]),
    ),
    Entry(
        "standards:version_detail",
        ANONYMOUS,
        lambda s: s.standards.published.current_version.get_absolute_url(),
        state="published",
    ),
    Entry(
        "standards:version_detail",
        INSTITUTE_STAFF,
        _version("standards:version_detail", "draft_version"),
        state="draft, editable",
    ),
    Entry(
        "standards:version_detail",
        OFFICER,
        _version("standards:version_detail", "consultation_version"),
        state="in consultation",
    ),
    Entry(
        "standards:version_detail",
        OFFICER,
        _version("standards:version_detail", "consultation_version"),
        state="empty consultation comment, htmx swap",
        action=Press("Post comment", "#consultation .govuk-error-summary", status=400),
        covers=("standards:comment_create",),
    ),
    Entry(
        "standards:version_detail",
        INSTITUTE_STAFF,
        _version("standards:version_detail", "consultation_version"),
        state="consultation comments, staff view",
    ),
    *form(
        "standards:version_edit",
        INSTITUTE_STAFF,
        _version("standards:version_edit", "draft_version"),
        "Save version details",
        clear=True,
    ),
    *form(
        "standards:criterion_create",
        INSTITUTE_STAFF,
        _version("standards:criterion_create", "draft_version"),
        "Save criterion",
    ),
    Entry(
        "standards:criterion_edit",
        INSTITUTE_STAFF,
        lambda s: reverse(
            "standards:criterion_edit",
            kwargs={
                "slug": s.standards.drafted.slug,
                "number": s.standards.draft_version.number,
                "pk": s.standards.draft_criterion.pk,
            },
        ),
    ),
    *form(
        "standards:version_consult",
        INSTITUTE_STAFF,
        _version("standards:version_consult", "draft_version"),
        "Open consultation",
    ),
    Entry(
        "standards:version_publish",
        INSTITUTE_STAFF,
        _version("standards:version_publish", "draft_version"),
    ),
    Entry(
        "standards:version_retire",
        INSTITUTE_STAFF,
        lambda s: reverse(
            "standards:version_retire",
            kwargs={"slug": s.standards.published.slug, "number": 1},
        ),
    ),
]

# --- Centres ----------------------------------------------------------------------------------

CENTRES = [
    Entry(
        "centres:centre_list",
        ANONYMOUS,
        fixed("centres:centre_list"),
        state="no centres",
        empty=True,
    ),
    *_each(
        "centres:centre_list",
        [ANONYMOUS, CENTRE_STAFF, INSTITUTE_STAFF],
        fixed("centres:centre_list"),
    ),
    *form("centres:centre_create", INSTITUTE_STAFF, fixed("centres:centre_create"), "Save centre"),
    Entry("centres:evidence_scale", ANONYMOUS, fixed("centres:evidence_scale")),
    Entry(
        "centres:review_queue",
        INSTITUTE_STAFF,
        fixed("centres:review_queue"),
        state="empty",
        empty=True,
    ),
    *_each("centres:review_queue", [CENTRE_STAFF, INSTITUTE_STAFF], fixed("centres:review_queue")),
    Entry(
        "centres:learning_list",
        ANONYMOUS,
        fixed("centres:learning_list"),
        state="no learning",
        empty=True,
    ),
    *_each("centres:learning_list", [ANONYMOUS, CENTRE_STAFF], fixed("centres:learning_list")),
    Entry(
        "centres:learning_list",
        ANONYMOUS,
        fixed("/centres/learning/?q=no+such+learning+zzz"),
        state="filters match nothing",
    ),
    Entry(
        "centres:learning_list",
        ANONYMOUS,
        fixed("centres:learning_list"),
        state="filter changed, htmx swap",
        action=Choose("Evidence strength", "At least 2: Comparison", "min_evidence=2"),
    ),
    *_each(
        "centres:learning_detail",
        [ANONYMOUS, OFFICER, CENTRE_STAFF],
        _learning("centres:learning_detail", "published"),
    ),
    Entry(
        "centres:learning_detail",
        CENTRE_STAFF,
        _learning("centres:learning_detail", "drafted"),
        state="draft",
    ),
    Entry(
        "centres:learning_detail",
        CENTRE_STAFF,
        _learning("centres:learning_detail", "in_review"),
        state="in review, lead's view",
    ),
    Entry(
        "centres:learning_detail",
        INSTITUTE_STAFF,
        _learning("centres:learning_detail", "in_review"),
        state="in review, institute's view",
    ),
    # A change to published learning's rating, waiting for the lead (or institute staff).
    *form(
        "centres:learning_change",
        CENTRE_STAFF,
        lambda s: s.centres.change.get_absolute_url(),
        "Save decision",
    ),
    Entry(
        "centres:learning_change",
        INSTITUTE_STAFF,
        lambda s: s.centres.change.get_absolute_url(),
        state="institute's view",
    ),
    *form(
        "centres:learning_edit",
        CENTRE_STAFF,
        _learning("centres:learning_edit", "drafted"),
        "Save changes",
        clear=True,
    ),
    Entry(
        "centres:learning_published",
        CENTRE_STAFF,
        _learning("centres:learning_published", "published"),
    ),
    Entry(
        "centres:learning_return", CENTRE_STAFF, _learning("centres:learning_return", "in_review")
    ),
    Entry(
        "centres:learning_return",
        CENTRE_STAFF,
        _learning("centres:learning_return", "in_review"),
        state="submitted empty",
        action=Submit("Send back"),
    ),
    Entry(
        "centres:learning_revision",
        ANONYMOUS,
        lambda s: reverse(
            "centres:learning_revision",
            kwargs={"public_id": s.centres.published.public_id, "number": 1},
        ),
    ),
    *_each(
        "centres:project_detail",
        [ANONYMOUS, CENTRE_STAFF],
        lambda s: s.centres.project.get_absolute_url(),
    ),
    *form(
        "centres:project_edit",
        CENTRE_STAFF,
        lambda s: reverse("centres:project_edit", args=[s.centres.project.pk]),
        "Save project",
        clear=True,
    ),
    *_each(
        "centres:centre_detail",
        [ANONYMOUS, CENTRE_STAFF, INSTITUTE_STAFF],
        lambda s: s.centres.centre.get_absolute_url(),
    ),
    *form(
        "centres:centre_edit",
        INSTITUTE_STAFF,
        lambda s: reverse("centres:centre_edit", args=[s.centres.centre.slug]),
        "Save centre",
        clear=True,
    ),
    *form(
        "centres:centre_staff",
        INSTITUTE_STAFF,
        lambda s: reverse("centres:centre_staff", args=[s.centres.centre.slug]),
        "Assign",
    ),
    *form(
        "centres:project_create",
        CENTRE_STAFF,
        lambda s: reverse("centres:project_create", args=[s.centres.centre.slug]),
        "Save project",
    ),
    *form(
        "centres:learning_create",
        CENTRE_STAFF,
        lambda s: reverse("centres:learning_create", args=[s.centres.centre.slug]),
        "Save draft",
    ),
]

# --- Sign-in and account pages (django-allauth, with the project's GOV.UK templates) -----------

ACCOUNTS = [
    *form("account_login", ANONYMOUS, fixed("account_login"), "Sign in"),
    *form("account_signup", ANONYMOUS, fixed("account_signup"), "Create account"),
    Entry("account_logout", OFFICER, fixed("account_logout"), state="confirm sign out"),
    Entry("account_inactive", ANONYMOUS, fixed("account_inactive")),
    Entry(
        "account_email_verification_sent",
        ANONYMOUS,
        fixed("account_email_verification_sent"),
    ),
    Entry(
        "account_confirm_email",
        ANONYMOUS,
        fixed("account_confirm_email", key="not-a-real-key"),
        state="link that does not work",
    ),
    *form(
        "account_reset_password",
        ANONYMOUS,
        fixed("account_reset_password"),
        "Reset my password",
    ),
    Entry("account_reset_password_done", ANONYMOUS, fixed("account_reset_password_done")),
    Entry(
        "account_reset_password_from_key",
        ANONYMOUS,
        fixed("account_reset_password_from_key", uidb36="zz", key="not-a-real-key"),
        state="link that does not work",
    ),
    Entry(
        "account_reset_password_from_key_done",
        ANONYMOUS,
        fixed("account_reset_password_from_key_done"),
    ),
    *form("account_change_password", OFFICER, fixed("account_change_password"), "Change password"),
    Entry("account_email", OFFICER, fixed("account_email")),
    Entry("account_reauthenticate", OFFICER, fixed("account_reauthenticate")),
    # Two-factor authentication (allauth.mfa). Officers have none (optional); institute staff
    # have an authenticator app and recovery codes (tests/conftest.py).
    Entry("mfa_index", OFFICER, fixed("mfa_index"), state="off"),
    Entry("mfa_index", INSTITUTE_STAFF, fixed("mfa_index"), state="on"),
    Entry("mfa_view_recovery_codes", INSTITUTE_STAFF, fixed("mfa_view_recovery_codes")),
    Entry("mfa_reauthenticate", INSTITUTE_STAFF, fixed("mfa_reauthenticate")),
    # Changing a second factor asks for the password first: these open allauth's
    # re-authentication page, which is what a person sees.
    Entry("mfa_activate_totp", OFFICER, fixed("mfa_activate_totp"), state="password first"),
    Entry(
        "mfa_deactivate_totp", INSTITUTE_STAFF, fixed("mfa_deactivate_totp"), state="password first"
    ),
    Entry(
        "mfa_generate_recovery_codes",
        INSTITUTE_STAFF,
        fixed("mfa_generate_recovery_codes"),
        state="password first",
    ),
]

ENTRIES: list[Entry] = [*CORE, *ERRORS, *BACKLOG, *COMPONENTS, *STANDARDS, *CENTRES, *ACCOUNTS]


# --- What is not a page -----------------------------------------------------------------------

_POST_ONLY = "POST-only action that redirects; covered by the authorisation-matrix tests"
_CSV = "CSV download, not a page"
_API = "JSON API endpoint (DRF), not a page; its contract is tested in tests/api"

EXCLUDED: dict[str, str] = {
    # Downloads.
    "backlog:problem_export": _CSV,
    "components:component_export": _CSV,
    "components:adoption_export": _CSV,
    "sector:dashboard_csv": _CSV,
    "sector:dashboard_summary_csv": _CSV,
    "sector:data_download": "Open data file download (CSV/JSON), not a page",
    "sector:targets_csv": _CSV,
    "sector:matrix_csv": _CSV,
    "sector:recommendations_csv": _CSV,
    "sector:series_csv": _CSV,
    "components:component_publiccode": "publiccode.yml (YAML) download, not a page",
    "components:adoption_file_download": "Evidence file download (an attachment), not a page",
    "standards:answer_file_download": "Evidence file download (an attachment), not a page",
    # Actions that answer with a redirect to a page the inventory checks.
    "institute:notification_read": _POST_ONLY,
    "institute:notifications_read_all": _POST_ONLY,
    "institute:token_revoke": _POST_ONLY,
    "institute:email_outbox_retry": _POST_ONLY,
    "institute:notify_callback": "delivery receipts (JSON) from GOV.UK Notify, not a page",
    "backlog:problem_unmerge": _POST_ONLY,
    "backlog:duplicate_dismiss": _POST_ONLY,
    "components:adoption_confirm": _POST_ONLY,
    "components:adoption_file_remove": _POST_ONLY,
    "standards:answer_file_remove": _POST_ONLY,
    "components:source_decide": _POST_ONLY,
    "standards:comment_address": _POST_ONLY,
    "standards:assessment_start": _POST_ONLY,
    "standards:version_new": _POST_ONLY,
    "standards:criterion_move": _POST_ONLY,
    "centres:learning_submit": _POST_ONLY,
    "centres:learning_publish": _POST_ONLY,
    "centres:centre_staff_remove": _POST_ONLY,
    "components:component_legacy_redirect": (
        "permanent redirect from a component's old numbered address to its public_id page, "
        "which is in the inventory"
    ),
    "institute:session_keep_alive": (
        "JSON answer to the timeout warning's “Stay signed in” (POST, no page); the warning "
        "itself is in every signed-in page"
    ),
    # Fragments swapped into every page.
    "institute:notification_count": (
        "htmx fragment loaded into the header of signed-in pages; checked on every signed-in "
        "entry, which waits for htmx to settle before axe runs"
    ),
    # Machine endpoints.
    "healthz": "JSON health check for load balancers",
    "api_schema": "OpenAPI schema (YAML/JSON); its HTML page, api_docs, is in the inventory",
    # django-allauth routes for features this platform turns off.
    "account_set_password": (
        "every account has a password (e-mail sign-up), so allauth redirects this to "
        "account_change_password, which is in the inventory"
    ),
    "account_confirm_login_code": "sign-in by e-mailed code is off (ACCOUNT_LOGIN_BY_CODE)",
    "mfa_download_recovery_codes": "recovery codes as a text file download, not a page",
    "mfa_authenticate": (
        "the code step in the middle of signing in, with no page of its own outside that "
        "flow (a visit without a password just entered goes to the sign-in page); its error "
        "state is tested in tests/institute/test_mfa.py and every browser sign-in of staff "
        "goes through it (tests/browser/session.py)"
    ),
}

# JSON API endpoints (DRF): not pages; their contract is tested in tests/api.
EXCLUDED.update(
    {
        "institute-api:search": _API,
        "backlog-api:problem_list": _API,
        "backlog-api:problem_detail": _API,
        "backlog-api:problem_vote": _API,
        "backlog-api:problem_comments": _API,
        "backlog-api:problem_changes": _API,
        "components-api:component_list": _API,
        "components-api:component_detail": _API,
        "components-api:component_adoptions": _API,
        "components-api:source_list": _API,
        "components-api:source_detail": _API,
        "components-api:adoption_list": _API,
        "components-api:adoption_detail": _API,
        "components-api:adoption_files": _API,
        "components-api:adoption_file": _API,
        "components-api:organisation_adoptions": _API,
        "standards-api:standard_list": _API,
        "standards-api:standard_detail": _API,
        "standards-api:version_detail": _API,
        "standards-api:assessment_files": _API,
        "standards-api:assessment_file": _API,
        "standards-api:assessment_list": _API,
        "standards-api:assessment_detail": _API,
        "standards-api:assessment_answer": _API,
        "standards-api:assessment_submit": _API,
        "standards-api:assessment_review": _API,
        "centres-api:centre_list": _API,
        "centres-api:centre_detail": _API,
        "centres-api:project_list": _API,
        "centres-api:project_detail": _API,
        "centres-api:learning_list": _API,
        "centres-api:learning_detail": _API,
        "centres-api:learning_submit": _API,
        "centres-api:learning_publish": _API,
        "centres-api:learning_return": _API,
        "centres-api:learning_revisions": _API,
        "centres-api:learning_changes": _API,
        "centres-api:learning_change": _API,
        "centres-api:learning_change_publish": _API,
        "centres-api:learning_change_reject": _API,
        "components-api:component_changes": _API,
        "components-api:component_change": _API,
        "components-api:component_change_publish": _API,
        "components-api:component_change_reject": _API,
    }
)

# The Django admin is a back-office tool for superusers, outside the GOV.UK service: its pages
# are generated per registered model, so the whole namespace is excluded rather than each name.
EXCLUDED_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: a back-office tool for superusers, outside the GOV.UK service",
}
