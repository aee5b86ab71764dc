// Starts GOV.UK Frontend's components. Loaded as a module, so it runs only in browsers that
// GOV.UK Frontend supports; every page works without it.
import { initAll } from "/assets/govuk/govuk-frontend.min.js";

initAll();

// htmx swaps new markup in: start GOV.UK components inside it too.
document.body.addEventListener("htmx:afterSettle", (event) => {
  initAll({ scope: event.detail.elt });
});

// Screen readers announce a change to a live region that was already on the page, but not
// reliably one that arrives inside new markup, and htmx replaces regions whole. So the result
// counts (role="status") a swap brings are read out from base.html's #app-announcer, which
// stays put, and the new markup's own live-region roles are dropped so nothing is read twice.
const announcer = document.getElementById("app-announcer");
let focusWasInTarget = false;
let targetId = "";

document.body.addEventListener("htmx:beforeSwap", (event) => {
  focusWasInTarget = Boolean(event.detail.target?.contains(document.activeElement));
  targetId = event.detail.target?.id || "";
});

document.body.addEventListener("htmx:afterSwap", (event) => {
  const swapped = event.detail.elt;
  if (!(swapped instanceof Element)) return;
  const live = [swapped, ...swapped.querySelectorAll("[role='status'], [aria-live]")];
  const statuses = live.filter((element) => element.getAttribute("role") === "status");
  for (const element of live) {
    if (element.getAttribute("role") === "status") element.removeAttribute("role");
    element.removeAttribute("aria-live");
  }
  if (announcer && statuses.length) {
    const text = statuses.map((element) => element.textContent.replace(/\s+/g, " ").trim());
    announcer.textContent = "";
    // A fresh text node a moment later, so the same words twice are still announced.
    setTimeout(() => {
      announcer.textContent = text.join(" ");
    }, 100);
  }
  // The swap replaced the control that had focus (a vote button, say): keep focus in the
  // region rather than letting it fall back to the top of the page. Every swap here replaces
  // its target whole (outerHTML), so the region is the new element with the target's id; the
  // out-of-band updates that come with it (a problem's demand elsewhere on the page) are not.
  if (targetId && swapped.id !== targetId) return;
  if (focusWasInTarget && (!document.activeElement || document.activeElement === document.body)) {
    swapped.querySelector("button, a[href], input:not([type='hidden']), select, textarea")?.focus();
  }
  focusWasInTarget = false;
});

// On a phone, a list's filters wait behind a "Show filters" button (static/css/app.css); the
// link it replaces is what works without JavaScript.
for (const link of document.querySelectorAll("[data-filter-toggle]")) {
  const id = link.getAttribute("aria-controls");
  const list = document.getElementById(id)?.closest(".app-filtered-list");
  if (!list) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
  button.setAttribute("aria-controls", id);
  button.setAttribute("aria-expanded", "false");
  button.textContent = "Show filters";
  link.replaceWith(button);
  list.classList.add("app-filtered-list--collapsed");
  button.addEventListener("click", () => {
    const open = list.classList.toggle("app-filtered-list--collapsed") === false;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Hide filters" : "Show filters";
  });
}
