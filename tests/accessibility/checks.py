"""Checks run in the browser on every page of the inventory, beside axe (test_axe.py), for what
axe does not report as certain failures:

- CONTRAST: the text of every control a person uses (links, buttons, form fields, summaries)
  against the background actually behind it, composed through the ancestors' colours: 4.5:1,
  or 3:1 for large text (WCAG 1.4.3). axe leaves controls it cannot be sure of "incomplete".
- ERROR_SUMMARY_LINKS: each in-page link of a GOV.UK error summary moves focus to a field.
- SCROLL_REGIONS: a box that scrolls sideways can be reached by keyboard (tabindex="0") and is
  named as a region, so a keyboard user can scroll it and a screen reader says what it is.

Each returns a list of findings (strings); an empty list passes.
"""

CONTRAST = """() => {
  const parse = (value) => {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (rgb) => {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  };
  const backdrop = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const describe = (element) => {
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "")
      .replace(/\\s+/g, " ").trim().slice(0, 40);
    const classes = [...element.classList].slice(0, 2).join(".");
    return `${element.tagName.toLowerCase()}${classes ? "." + classes : ""} "${text}"`;
  };
  const findings = [];
  const controls = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]"
  );
  for (const element of controls) {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue; // not shown, or visually hidden
    if (style.visibility !== "visible" || Number(style.opacity) === 0) continue;
    if (element.closest("[hidden], [aria-hidden=true]")) continue;
    const isField = ["INPUT", "SELECT", "TEXTAREA"].includes(element.tagName);
    const text = isField ? "x" : (element.innerText || "").trim();
    if (!text) continue; // an image or icon; axe checks its name
    const background = backdrop(element);
    const foreground = over(parse(style.color), background);
    const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio < needed) {
      findings.push(`contrast ${ratio.toFixed(2)}:1 (needs ${needed}:1): ${describe(element)}`);
    }
  }
  return findings;
}"""

ERROR_SUMMARY_LINKS = """() => {
  const findings = [];
  const fields = "input:not([type=hidden]), select, textarea, button, [tabindex]";
  // Links to a place on this page; a check-your-answers summary may link to other pages.
  for (const link of document.querySelectorAll(".govuk-error-summary a[href^='#']")) {
    const anchor = decodeURIComponent((link.getAttribute("href") || "").replace(/^#/, ""));
    const target = anchor ? document.getElementById(anchor) : null;
    const words = link.textContent.trim();
    if (!target) {
      findings.push(`link "${words}" goes to #${anchor}, which is not on the page`);
    } else if (!target.matches(fields) || target.disabled) {
      findings.push(`link "${words}" goes to a ${target.tagName.toLowerCase()}, not a field`);
    }
  }
  return findings;
}"""

SCROLL_REGIONS = """() => {
  const findings = [];
  for (const element of document.querySelectorAll("main *")) {
    const overflow = getComputedStyle(element).overflowX;
    if (overflow !== "auto" && overflow !== "scroll") continue;
    if (element.scrollWidth <= element.clientWidth + 1) continue; // nothing to scroll
    const named = element.getAttribute("aria-label") || element.getAttribute("aria-labelledby");
    if (element.tabIndex < 0 || element.getAttribute("role") !== "region" || !named) {
      const what = [element.tagName.toLowerCase(), ...element.classList].join(".");
      findings.push(`${what} scrolls sideways but is not a focusable, named region`);
    }
  }
  return findings;
}"""

BROWSER_CHECKS = {
    "contrast": CONTRAST,
    "error summary": ERROR_SUMMARY_LINKS,
    "scroll": SCROLL_REGIONS,
}
