"""What every round-trip test does: post a form as a person, then read the change back from
the database, from the API and from the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.db.models import Model
from rest_framework.test import APIClient

from kernel.models import AuditEvent


def form_data(response: Any, prefix: str = "") -> dict[str, Any]:
    """The values a form on ``response``'s page would post unchanged: its fields' initial
    values as the form renders them, so a test changes only what it means to change."""
    form = response.context["form"] if not prefix else response.context[prefix]
    data: dict[str, Any] = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        key = bound.html_name
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is True:
            data[key] = "on"
        elif isinstance(value, dt.date):
            data[key] = value.isoformat()
        elif isinstance(value, Model):
            data[key] = str(value.pk)
        else:
            data[key] = str(value)
    return data


def api_get(user: Any, url: str) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def history_changes(obj: Model) -> dict[str, list[Any]]:
    """Every field change the audit log holds for ``obj``, the newest value last."""
    merged: dict[str, list[Any]] = {}
    for event in AuditEvent.objects.filter(object_id=obj.pk).order_by("created_at", "pk"):
        if event.content_type.model_class() is type(obj):
            merged.update(event.changes)
    return merged


def plain(value: Any) -> Any:
    """How the audit log and the API spell a value."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def audit_events(obj: Model) -> list[AuditEvent]:
    """The audit log's entries about ``obj``, oldest first."""
    return [
        event
        for event in AuditEvent.objects.filter(object_id=obj.pk)
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
        if event.content_type.model_class() is type(obj)
    ]


def messages_of(response: Any) -> list[str]:
    """The messages a response leaves for the next page ("The mission is saved.", …)."""
    return [str(message) for message in response.wsgi_request._messages]


def assert_changes_every_field(fields: Iterable[str], changes: dict[str, Any]) -> None:
    """A round trip changes every field the form offers: a field added to the form later
    fails here until the test covers it too."""
    missing = sorted(set(fields) - set(changes))
    assert not missing, f"the test leaves these fields of the form unchanged: {missing}"


@dataclass
class HtmlForm:
    """A ``<form>`` as the browser sees it: what it would post unchanged, and its buttons."""

    action: str
    data: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        """The names a person fills in or picks (not hidden inputs, not the CSRF token)."""
        return set(self.data) - self.hidden


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = HtmlForm(action=a.get("action", ""))
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name", "")
        if form is None:
            return
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.data[name] = a.get("value", "on")
            elif kind in ("submit", "button"):
                form.buttons.append((name, a.get("value", "")))
            else:
                form.data[name] = a.get("value", "")
                if kind == "hidden":
                    form.hidden.add(name)
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                form.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            # A select with nothing selected posts its first option.
            self._form.data.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            text = self._form.data[self._textarea]
            if not text:
                data = data.removeprefix("\n")  # browsers drop a newline right after <textarea>
            self._form.data[self._textarea] = text + data


def html_form(response: Any, action: str, *, having: str = "") -> HtmlForm:
    """The form on ``response``'s page that posts to ``action`` (its path as rendered; "" for
    the page itself), and that has a field named ``having`` when several do."""
    parser = _FormParser()
    parser.feed(response.content.decode())
    matches = [
        form
        for form in parser.forms
        if form.action == action and (not having or having in form.data)
    ]
    assert len(matches) == 1, (action, [form.action for form in parser.forms])
    matches[0].data.pop("csrfmiddlewaretoken", None)
    matches[0].hidden.discard("csrfmiddlewaretoken")
    return matches[0]
