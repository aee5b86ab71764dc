// Starts GOV.UK Frontend's components. Loaded as a module, so it runs only in browsers that
// GOV.UK Frontend supports; every page works without it.
import { initAll } from "/assets/govuk/govuk-frontend.min.js";

initAll();

// htmx swaps new markup in: start GOV.UK components inside it too.
document.body.addEventListener("htmx:afterSettle", (event) => {
  initAll({ scope: event.detail.elt });
});
