"""What the SmartHQ sign-in pages show: forms, the CSRF token, MFA choices and the alert text.

GE renders its sign-in service as plain HTML forms, so the client reads them the way a
browser would and keeps nothing but the facts the sign-in steps need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Final

CSRF_FIELD: Final = "_csrf"
ALERT_PANE_ID: Final = "alert_pane"
MFA_BUTTON_SUFFIX: Final = "_btn"


@dataclass(frozen=True, slots=True)
class HtmlForm:
    """One ``<form>``: its id, its action and every ``<input>`` name with its value."""

    form_id: str | None
    action: str | None
    inputs: MappingProxyType[str, str]

    def values(self) -> dict[str, str]:
        """A fresh, editable copy of the inputs, ready to be posted back."""
        return dict(self.inputs)


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """The parts of a sign-in page the client acts on.

    ``source`` keeps the raw text, because GE's pages are recognised by markers
    (paths, form ids) that may sit anywhere in it, scripts included.
    """

    source: str = field(repr=False)
    title: str
    forms: tuple[HtmlForm, ...]
    meta_csrf: str | None
    mfa_methods: tuple[str, ...]
    alert_text: str | None

    def form(self, form_id: str) -> HtmlForm | None:
        """The first form with this id, if the page has one."""
        return next((form for form in self.forms if form.form_id == form_id), None)

    @property
    def csrf(self) -> str | None:
        """The page's CSRF token: a hidden ``_csrf`` input first, else the meta tag."""
        for form in self.forms:
            token = form.inputs.get(CSRF_FIELD)
            if token:
                return token
        return self.meta_csrf or None

    @property
    def has_alert(self) -> bool:
        """Whether the page carries the ``alert_pane`` box GE uses for sign-in errors."""
        return self.alert_text is not None

    def mentions(self, *markers: str) -> bool:
        """Whether any of the markers occurs anywhere in the raw page."""
        return any(marker in self.source for marker in markers)


def parse_page(text: str) -> HtmlPage:
    """Read a page; any text at all gives a page, broken markup just yields less of it."""
    reader = _PageReader()
    try:
        reader.feed(text)
        reader.close()
    except AssertionError:
        # The standard parser gives up on a few malformed ``<!`` declarations this way;
        # what was read before that point is still right.
        pass
    return reader.page(text)


def _squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


class _FormBuilder:
    def __init__(self, form_id: str | None, action: str | None) -> None:
        self.form_id = form_id
        self.action = action
        self.inputs: dict[str, str] = {}

    def build(self) -> HtmlForm:
        return HtmlForm(self.form_id, self.action, MappingProxyType(self.inputs))


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._forms: list[HtmlForm] = []
        self._open_form: _FormBuilder | None = None
        self._title_parts: list[str] = []
        self._in_title = False
        self._title_done = False
        self._meta_csrf: str | None = None
        self._methods: list[str] = []
        self._alert_parts: list[str] | None = None
        self._alert_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title" and not self._title_done:
            self._in_title = True
        elif tag == "meta":
            if attributes.get("name") == CSRF_FIELD and self._meta_csrf is None:
                self._meta_csrf = attributes.get("content", "")
        elif tag == "form":
            self._close_form()
            self._open_form = _FormBuilder(attributes.get("id"), attributes.get("action"))
        elif tag == "input":
            name = attributes.get("name")
            if self._open_form is not None and name:
                self._open_form.inputs[name] = attributes.get("value", "")
        elif tag == "button":
            name = attributes.get("name", "")
            method = attributes.get("value", "").strip()
            if name.endswith(MFA_BUTTON_SUFFIX) and method and method not in self._methods:
                self._methods.append(method)
        elif tag == "div":
            if self._alert_depth:
                self._alert_depth += 1
            elif attributes.get("id") == ALERT_PANE_ID and self._alert_parts is None:
                self._alert_parts = []
                self._alert_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._title_done = True
        elif tag == "form":
            self._close_form()
        elif tag == "div" and self._alert_depth:
            self._alert_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        if self._alert_depth and self._alert_parts is not None:
            self._alert_parts.append(data)

    def _close_form(self) -> None:
        if self._open_form is not None:
            self._forms.append(self._open_form.build())
            self._open_form = None

    def page(self, source: str) -> HtmlPage:
        self._close_form()
        return HtmlPage(
            source=source,
            title=_squash(self._title_parts),
            forms=tuple(self._forms),
            meta_csrf=self._meta_csrf,
            mfa_methods=tuple(self._methods),
            alert_text=None if self._alert_parts is None else _squash(self._alert_parts),
        )
