"""The forms of an HTML page as a browser would submit them, read with the standard library's
HTML parser: each form's method, action and the values its fields hold as the page opens."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs that carry no value a person typed or chose.
NOT_ENTERED = {"hidden", "submit", "button", "reset", "image", "file", "password"}


# HTML's value sanitisation: a browser empties a value its input type cannot hold (a date box
# given "01/06/2025" opens blank, and sends nothing).
_VALID = {
    "date": re.compile(r"\d{4,}-\d\d-\d\d"),
    "month": re.compile(r"\d{4,}-\d\d"),
    "time": re.compile(r"\d\d:\d\d(:\d\d(\.\d+)?)?"),
    "datetime-local": re.compile(r"\d{4,}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?"),
    "number": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?"),
}


def _sanitised(kind: str, value: str) -> str:
    pattern = _VALID.get(kind)
    return value if pattern is None or pattern.fullmatch(value) else ""


@dataclass
class Form:
    method: str
    action: str
    data: list[tuple[str, str]] = field(default_factory=list)  # what pressing submit sends
    prefilled: list[str] = field(default_factory=list)  # fields that open with a value
    visible: int = 0  # fields a person can change
    submit: tuple[str, str] | None = None  # the first button's name and value (Enter sends it)
    entered: set = field(default_factory=set)  # names of text boxes and text areas
    _buttons: int = 0

    def payload(self, *, empty: bool = False) -> dict:
        """What pressing its first button sends: as it opened, or with every text box and
        text area emptied (`empty`)."""
        data = {}
        pairs = [*self.data, *([self.submit] if self.submit else [])]
        for key, value in pairs:
            data.setdefault(key, []).append("" if empty and key in self.entered else value)
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._selected: list[str] = []
        self._first_option: str | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(method=a.get("method", "get").lower(), action=a.get("action", ""))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and a.get("type", "").lower() in {"submit", "image"}:
            self._button(form, name, a)
        elif tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"button", "reset", "file"}:
                return
            if kind in {"radio", "checkbox"}:
                form.visible += 1
                if "checked" in a:
                    form.data.append((name, a.get("value", "on")))
                    form.prefilled.append(name)
                return
            value = _sanitised(kind, a.get("value", ""))
            form.data.append((name, value))
            if kind not in NOT_ENTERED:
                form.visible += 1
                form.entered.add(name)
                if value:
                    form.prefilled.append(name)
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._button(form, name, a)
        elif tag == "textarea" and name:
            form.visible += 1
            form.entered.add(name)
            self._textarea = (name, [])
        elif tag == "select" and name:
            form.visible += 1
            self._select, self._selected, self._first_option = name, [], None
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": []}

    @staticmethod
    def _button(form, name, a):
        form._buttons += 1
        if form._buttons == 1 and name:
            form.submit = (name, a.get("value", ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and form is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # Browsers drop one newline straight after <textarea>.
            text = text[1:] if text.startswith("\n") else text
            form.data.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            if text:
                form.prefilled.append(name)
            self._textarea = None
        elif tag == "option" and self._option is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else "".join(option["text"])
            if self._first_option is None:
                self._first_option = value
            if option["selected"]:
                self._selected.append(value)
            self._option = None
        elif tag == "select" and self._select is not None and form is not None:
            chosen = self._selected or ([self._first_option] if self._first_option else [])
            for value in chosen:
                form.data.append((self._select, value))
            if any(self._selected) or (chosen and chosen[0]):
                form.prefilled.append(self._select)
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms
