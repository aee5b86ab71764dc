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

// --- The session timeout warning (GOV.UK timeout-warning pattern) ----------------------------
// Two minutes before a signed-in session ends, a modal dialog says so and offers "Stay signed
// in" (which asks the server to start the idle time again) or "Sign out". Escape stays signed
// in. If time runs out, what was typed on the page is kept in this tab's sessionStorage, and
// the sign-in page leads back here, where it is put back (only for the same signed-in tab). A form submitted after the session
// ended is kept by the server the same way (institute.security) and comes back as
// #app-kept-form.
const KEPT_PREFIX = "app-kept-form:";
const NOT_KEPT = new Set(["csrfmiddlewaretoken", "password", "password1", "password2"]);
const timeoutDialog = document.getElementById("app-timeout");

function formEntries(form) {
  const entries = [];
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && !NOT_KEPT.has(name)) entries.push([name, value]);
  }
  return entries;
}

function keepTypedText() {
  const forms = [...document.querySelectorAll("main form[method=post]")];
  const typed = forms.find((form) =>
    [...form.querySelectorAll("textarea, input[type=text], input:not([type])")].some(
      (field) => field.value !== field.defaultValue,
    ),
  );
  if (typed) {
    const kept = { user: timeoutDialog.dataset.user, entries: formEntries(typed) };
    sessionStorage.setItem(KEPT_PREFIX + location.pathname, JSON.stringify(kept));
  }
}

function putBack(entries) {
  const names = new Set(entries.map(([name]) => name));
  const form = [...document.querySelectorAll("main form[method=post]")].find((candidate) =>
    [...names].some((name) => candidate.elements.namedItem(name)),
  );
  if (!form) return;
  const seen = new Map();
  for (const [name, value] of entries) {
    const fields = [...form.elements].filter((field) => field.name === name);
    const choices = fields.filter((field) => field.type === "radio" || field.type === "checkbox");
    if (choices.length) {
      for (const choice of choices) if (choice.value === value) choice.checked = true;
      continue;
    }
    const index = seen.get(name) || 0;
    seen.set(name, index + 1);
    if (fields[index] && fields[index].type !== "hidden") fields[index].value = value;
  }
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", "app-kept-title");
  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement("h2");
  title.className = "govuk-notification-banner__title";
  title.id = "app-kept-title";
  title.textContent = "Important";
  header.append(title);
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  const heading = document.createElement("p");
  heading.className = "govuk-notification-banner__heading";
  heading.textContent =
    "You were signed out, so this was not saved. What you typed is shown again below: " +
    "check it, then save.";
  content.append(heading);
  banner.append(header, content);
  document.querySelector("main")?.prepend(banner);
}

if (timeoutDialog) {
  const kept = document.getElementById("app-kept-form");
  const stored = sessionStorage.getItem(KEPT_PREFIX + location.pathname);
  sessionStorage.removeItem(KEPT_PREFIX + location.pathname);
  const mine = stored ? JSON.parse(stored) : null; // only for the person who typed it
  const fromTab = mine && mine.user === timeoutDialog.dataset.user ? mine.entries : null;
  const entries = kept ? JSON.parse(kept.textContent) : fromTab;
  if (entries) putBack(entries);
}

if (timeoutDialog && typeof timeoutDialog.showModal === "function") {
  const data = timeoutDialog.dataset;
  const warnSeconds = Number(data.warnSeconds);
  const countdown = timeoutDialog.querySelector(".app-timeout-countdown");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  let endsAt = 0;
  let timers = [];

  const words = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    const rounded = Math.max(0, Math.ceil(seconds / 10) * 10);
    return `${rounded} seconds`;
  };
  // Time is up: keep what was typed and load the page again; the server, finding the session
  // ended, sends the sign-in page, which leads back here.
  const signOutNow = () => {
    keepTypedText();
    location.assign(location.href);
  };
  const show = () => {
    countdown.textContent = words((endsAt - Date.now()) / 1000);
    if (!timeoutDialog.open) timeoutDialog.showModal();
  };
  const schedule = (secondsLeft) => {
    timers.forEach(clearTimeout);
    endsAt = Date.now() + secondsLeft * 1000;
    const warnIn = Math.max(0, (secondsLeft - warnSeconds) * 1000);
    timers = [setTimeout(show, warnIn), setTimeout(signOutNow, secondsLeft * 1000)];
    // The countdown changes every 10 seconds while the warning is open.
    for (let at = warnIn + 10_000; at < secondsLeft * 1000; at += 10_000) {
      timers.push(setTimeout(() => timeoutDialog.open && show(), at));
    }
  };
  const stay = async () => {
    try {
      const response = await fetch(data.keepAlive, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || response.redirected) throw new Error("session ended");
      const answer = await response.json();
      timeoutDialog.close();
      schedule(answer.seconds_left);
    } catch {
      signOutNow();
    }
  };

  timeoutDialog.querySelector("[data-timeout-stay]").addEventListener("click", stay);
  timeoutDialog.querySelector("[data-timeout-leave]").addEventListener("click", () => {
    document.querySelector(".app-account-bar form")?.requestSubmit();
  });
  timeoutDialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  // Every request the page makes through htmx counts as activity; the server records it to
  // within a minute (institute.security), so count from a minute earlier.
  document.body.addEventListener("htmx:afterRequest", () => {
    if (!timeoutDialog.open) schedule(Number(data.idleSeconds) - 60);
  });
  schedule(Number(data.secondsLeft));
}

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
