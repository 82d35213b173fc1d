"""Read a Wagtail admin form out of a response, so a test can post it back changed, the way
a browser would (every hidden input, inline formset and checkbox as rendered)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.depth = 0
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._option_value: str | None = None
        self._option_text: list[str] | None = None
        self._option_selected = False
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.in_form = True
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._select_first = name, None, None
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            self._option_text = []
            self._option_selected = "selected" in a
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option_text is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else "".join(self._option_text or [])
            if self._select_first is None:
                self._select_first = value
            if self._option_selected:
                if self._multiple:
                    self.data.append((self._select, value))
                else:
                    self._select_value = value
            self._option_text = None
        elif tag == "select" and self._select:
            if self._multiple:
                self._select = None
                return
            value = self._select_value if self._select_value is not None else (self._select_first or "")
            self.data.append((self._select, value))
            self._select = None


def form_data(response, form_id: str = "page-edit-form") -> dict:
    """The form's fields as a dict (a list for names that repeat)."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    result: dict = {}
    for name, value in parser.data:
        if name in result:
            existing = result[name]
            result[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[name] = value
    assert result, f"no form with id {form_id!r} in the response"
    return result
