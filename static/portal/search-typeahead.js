// Typeahead for the family search box (progressive enhancement: the form works without it).
// Suggestions come from /services/suggest?q=… and are shown as a listbox under the input,
// following the ARIA combobox pattern: arrow keys move, Enter picks, Escape closes.

const MIN_CHARS = 2;
const DELAY_MS = 150;

function initTypeahead(wrapper) {
  const input = wrapper.querySelector("input");
  const url = wrapper.dataset.suggestUrl;
  if (!input || !url) return;

  const listId = `${input.id}-suggestions`;
  const list = document.createElement("ul");
  list.id = listId;
  list.className = "app-typeahead__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  wrapper.appendChild(list);

  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  wrapper.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");

  let timer = null;
  let active = -1;
  let controller = null;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0 && options[index]) input.setAttribute("aria-activedescendant", options[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(text) {
    input.value = text;
    close();
    input.form?.requestSubmit();
  }

  function show(suggestions) {
    list.replaceChildren();
    suggestions.forEach((text, i) => {
      const option = document.createElement("li");
      option.id = `${listId}-${i}`;
      option.className = "app-typeahead__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = text;
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(text);
      });
      list.appendChild(option);
    });
    const open = suggestions.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    status.textContent = open ? `${suggestions.length} suggestion${suggestions.length === 1 ? "" : "s"} available` : "";
    active = -1;
  }

  async function fetchSuggestions() {
    const q = input.value.trim();
    if (q.length < MIN_CHARS) {
      close();
      return;
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(q)}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const data = await response.json();
      if (input.value.trim() === q) show(data.suggestions || []);
    } catch {
      // Offline or aborted: the plain search still works.
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    const count = list.querySelectorAll("[role=option]").length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      highlight(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      choose(list.querySelectorAll("[role=option]")[active].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

export function initSearchTypeahead(root = document) {
  root.querySelectorAll('[data-module="app-typeahead"]').forEach(initTypeahead);
}

initSearchTypeahead();
