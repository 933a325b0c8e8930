"""Reading a page's form as a browser would send it: shared by the capacity and soak locustfiles."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields of the first <form> whose action matches, as a browser would send them unchanged."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = re.compile(action)
        self.inside = self.found = False
        self.url = None
        self.fields: list[list[str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._textarea: list | None = None
        self.radios: dict[str, list[str]] = {}
        self.selected: dict[str, str] = {}  # what each <select> really holds ("" for a blank), as the page shows it

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (tag == "form" and not self.found and (a.get("method") or "").lower() == "post"
                and self.action.search(a.get("action") or "")):
            self.inside = self.found = True
            self.url = a.get("action") or None  # no action: the page's own address
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "radio":
                self.radios.setdefault(a["name"], []).append(a.get("value", ""))
                if "checked" in a:
                    self.fields.append([a["name"], a.get("value", "")])
            elif kind == "checkbox":
                if "checked" in a:
                    self.fields.append([a["name"], a.get("value", "on")])
            elif kind not in ("submit", "button", "file"):
                self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "select" and a.get("name"):
            self._select, self._first_option, self._chosen = a["name"], None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
            if "selected" in a:
                self.selected.setdefault(self._select, value)
            if "selected" in a and not self._chosen and value:  # a selected blank is what a person changes
                self.fields.append([self._select, value])
                self._chosen = True
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self._select:
            if not self._chosen:
                self.fields.append([self._select, self._first_option or ""])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(self._textarea)
            self._textarea = None
        elif tag == "form":
            self.inside = False
