"""axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA) on every page of the inventory, in headless
Debian Chromium, for every role that can see it: no violations, no console errors and no
Content Security Policy violations; and the checks of tests/accessibility/checks.py that
axe does not make (the contrast of every control, error summary links, sideways scrolling).
axe-core is the axe.min.js shipped inside the axe-playwright-python package (no network
needed).

One browser and one live server for the whole run; each role signs in once. Empty states are
checked first, on a database with only the reference data and the named users; then the rows
of tests/accessibility/seed.py are created and every other entry is checked. All findings are
collected and reported together at the end.
"""

import os
import re

import pytest
from axe_playwright_python.base import AXE_FILE_PATH

from tests.accessibility import seed
from tests.accessibility.checks import BROWSER_CHECKS
from tests.accessibility.inventory import ANONYMOUS, ENTRIES, ROLES, Choose, Press, Submit, Type
from tests.browser.session import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

# Records Content Security Policy violations for the test to read (init scripts are the
# browser's own, so the policy does not apply to this one).
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile || ""}:${event.lineNumber || ""}`
  );
});
"""

# htmx has finished: no request in flight and nothing being swapped or settled.
HTMX_IDLE = """() => !document.querySelector(
  ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
)"""


def _wait_idle(page):
    page.wait_for_load_state("load")
    page.wait_for_function(HTMX_IDLE)


def _htmx(page, trigger) -> int:
    """Run `trigger` and wait for the htmx request it causes, and its swap, to finish."""
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as info:
        trigger()
    _wait_idle(page)
    return info.value.status


def _act(page, action) -> int | None:
    """Perform the entry's interaction; returns the status of a page it navigated to."""
    main = page.locator("main")
    if isinstance(action, Submit):
        button = main.get_by_role("button", name=action.button).first
        form = button.locator("xpath=ancestor::form[1]")
        if action.clear:
            form.evaluate(
                """form => form.querySelectorAll(
                  'input[type=text], input[type=email], input[type=url], input[type=number],'
                  + ' input[type=password], input:not([type]), textarea'
                ).forEach(field => { field.value = ""; })"""
            )
        for label, text in action.fill:
            form.get_by_label(label, exact=True).fill(text)
        if action.stale_csrf:
            token = form.locator("[name=csrfmiddlewaretoken]")
            token.evaluate("field => { field.value = 'x'.repeat(64); }")
        with page.expect_navigation() as navigation:
            button.click()
        _wait_idle(page)
        return navigation.value.status if navigation.value else None
    if isinstance(action, Type):
        field = main.get_by_label(action.field, exact=True)
        _htmx(page, lambda: field.press_sequentially(action.text, delay=10))
        page.locator(action.wait_for).first.wait_for()
        _wait_idle(page)
    elif isinstance(action, Choose):
        select = main.get_by_label(action.field, exact=True)
        _htmx(page, lambda: select.select_option(label=action.option))
        assert action.url_contains in page.url, f"address not updated: {page.url}"
    elif isinstance(action, Press):
        button = page.locator(action.within).get_by_role("button", name=action.button).first
        status = _htmx(page, button.click)
        assert status == action.status, f"htmx answered {status}, expected {action.status}"
        page.locator(action.wait_for).first.wait_for()
    return None


def _expected_console_error(text: str, status: int) -> bool:
    """Chromium logs every 4xx response, including error pages the entry asks for."""
    return status >= 400 and re.search(rf"status of {status}\b", text) is not None


def _describe(violation) -> list[str]:
    nodes = violation["nodes"]
    targets = "; ".join(" ".join(node["target"]) for node in nodes[:5])
    more = f" (+{len(nodes) - 5} more)" if len(nodes) > 5 else ""
    return [
        f"axe {violation['id']} [{violation['impact']}]: {violation['help']}",
        f"    at {targets}{more}",
        f"    {nodes[0]['failureSummary'].splitlines()[-1].strip()}" if nodes else "",
        f"    {violation['helpUrl']}",
    ]


def _check(page, entry, rows) -> list[str]:
    """Every finding for one entry, as readable lines (empty when it passes)."""
    page.console_errors.clear()
    findings = []
    url = entry.url(rows)
    response = page.goto(page.base_url + url)
    _wait_idle(page)
    if entry.ready:
        page.locator(entry.ready).first.wait_for()
    if response is None or response.status != entry.status:
        findings.append(f"status {response and response.status}, expected {entry.status}")
    expected = {entry.status}
    if entry.action is not None:
        expected.add(getattr(entry.action, "status", 200))
        try:
            status = _act(page, entry.action)
        except Exception as error:  # a failed interaction is a finding, not the end of the run
            findings.append(f"interaction {entry.action} failed: {str(error).splitlines()[0]}")
        else:
            if isinstance(entry.action, Submit) and status != entry.action.status:
                findings.append(
                    f"after submitting: status {status}, expected {entry.action.status}"
                )
    findings += [f"CSP: {v}" for v in page.evaluate("window.__cspViolations || []")]
    findings += [
        f"console: {text}"
        for text in page.console_errors
        if not any(_expected_console_error(text, status) for status in expected)
    ]
    for name, script in BROWSER_CHECKS.items():
        findings += [f"{name}: {finding}" for finding in page.evaluate(script)]
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    for violation in violations:
        findings += [line for line in _describe(violation) if line]
    return [f"{entry.label} {url}", *(f"  {line}" for line in findings)] if findings else []


# One test per role, so the suite's processes share the longest check in the suite.
@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role_passes_axe_without_console_or_csp_errors(
    role, page, officer, centre_staff, institute_staff, sector_viewer, no_membership_user
):
    users = {
        ANONYMOUS: None,
        "officer": officer,
        "centre_staff": centre_staff,
        "institute_staff": institute_staff,
        "sector_viewer": sector_viewer,
        "no_membership_user": no_membership_user,
    }
    # A11Y_ONLY=backlog: checks only the entries whose label contains it, while fixing a page.
    selected = [
        entry
        for entry in ENTRIES
        if entry.role == role and os.environ.get("A11Y_ONLY", "") in entry.label
    ]
    page.context.add_init_script(script=CSP_RECORDER)
    # axe-core as shipped inside axe-playwright-python (offline), loaded into every page.
    page.context.add_init_script(path=AXE_FILE_PATH)
    report = []
    checked = 0
    rows = None
    for empty_pass in (True, False):
        entries = [e for e in selected if e.empty == empty_pass]
        if not entries:
            continue
        if not empty_pass:
            rows = seed.build(**{name: user for name, user in users.items() if user})
        sign_in(page, users[role])
        for entry in entries:
            report += _check(page, entry, rows)
            checked += 1
    assert checked == len(selected)
    assert report == [], f"{checked} pages checked; problems found:\n" + "\n".join(report)
