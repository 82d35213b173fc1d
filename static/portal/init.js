// Starts GOV.UK Frontend's components. Loaded with <script type="module">, so only browsers
// that GOV.UK Frontend supports run it; every page also works without JavaScript.
//
// The import is relative, so it resolves from wherever this file is served: /static/portal/
// in development, or its hashed copy next to it after collectstatic (the unhashed
// govuk-frontend.min.js stays in STATIC_ROOT alongside its hashed copy).
import { initAll } from "../govuk/govuk-frontend.min.js";
import "./search-typeahead.js";

initAll();
