"""Driving a page with the keyboard alone: Tab to a control, check its focus is visible, then
type or press Enter/Space. No clicks and no `fill`, as a keyboard or switch user would."""

from tests.factories import PASSWORD

# What has focus, what it is called, and whether a focus indicator is drawn. GOV.UK Frontend
# draws focus in its focus colour (#ffdd00): as a background, a box-shadow or an outline (a
# transparent outline alone is for Windows high contrast mode, so it does not count here).
# Buttons carry a box-shadow even when not focused, so the test is for the focus colour, not
# merely for a shadow. Radios and checkboxes draw it on their label's ::before.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const yellow = "rgb(255, 221, 0)";
  const visible = (style) =>
    style.backgroundColor === yellow
    || style.boxShadow.includes(yellow)
    || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && style.outlineColor === yellow);
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  let ring = visible(getComputedStyle(el));
  if (label && (el.type === "radio" || el.type === "checkbox")) {
    ring = ring || visible(getComputedStyle(label, "::before"));
  }
  const text = (label ? label.innerText : "") || el.getAttribute("aria-label")
    || el.innerText || el.value || "";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    type: el.type || "",
    field: el.getAttribute("name") || "",
    checked: !!el.checked,
    name: text.replace(/\\s+/g, " ").trim(),
    ring,
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def _describe(info) -> str:
    return "nothing" if info is None else f"<{info['tag']}> {info['name']!r}"


def tab_to(page, name: str, *, tag: str | None = None, field: str | None = None, limit=150):
    """Press Tab until a control whose name starts with `name` has focus; its focus must show."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        seen.append(_describe(info))
        if info is None:
            continue
        if tag and info["tag"] != tag:
            continue
        if field and info["field"] != field:
            continue
        if info["name"].startswith(name):
            assert info["ring"], f"no visible focus indicator on {_describe(info)}"
            return info
    raise AssertionError(f"Tab never reached {name!r}; focus went through: {seen[-40:]}")


def activate(page, name: str, *, tag: str | None = None, navigates: bool = True):
    """Tab to a link or button and press Enter (waiting for the page it leads to)."""
    tab_to(page, name, tag=tag)
    if not navigates:
        page.keyboard.press("Enter")
        return
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, label: str, text: str):
    tab_to(page, label)
    page.keyboard.type(text)


def choose(page, field: str, option: str):
    """Tab into a radio group (by its field name), arrow to the option, and select it."""
    info = tab_to(page, "", tag="input", field=field)
    for _ in range(12):
        if info["name"].startswith(option):
            assert info["ring"], f"no visible focus indicator on {_describe(info)}"
            if not info["checked"]:
                page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
        info = focused(page)
    raise AssertionError(f"no option {option!r} in the {field} radios")


def tick(page, label: str, *, field: str):
    """Tab to a checkbox and tick it with Space."""
    info = tab_to(page, label, tag="input", field=field)
    if not info["checked"]:
        page.keyboard.press("Space")


def skip_to_main(page):
    """The skip link is the first Tab stop, is visible when focused, and moves focus to main.

    Pages that open with a success banner or an error summary move focus there themselves
    (GOV.UK Frontend does, so a screen reader announces it); focus is then already in main."""
    if page.evaluate("() => !!document.activeElement.closest('#main-content')"):
        return
    page.keyboard.press("Tab")
    info = focused(page)
    assert info is not None and info["name"] == "Skip to main content", (
        f"the first Tab stop is {_describe(info)}, not the skip link"
    )
    assert info["ring"], "the skip link shows no focus indicator"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id")
    assert focused(page)["id"] == "main-content", "the skip link did not move focus to main"


def sign_in(page, user):
    """From the page shown: the header's Sign in link, then the form, by keyboard."""
    activate(page, "Sign in", tag="a")
    skip_to_main(page)
    type_into(page, "Email address", user.email)
    type_into(page, "Password", PASSWORD)
    with page.expect_navigation(url="**/account/"):
        page.keyboard.press("Enter")


def sign_out(page):
    """From the top of a page: Tab past the skip link to the header's Sign out button."""
    activate(page, "Sign out", tag="button")
