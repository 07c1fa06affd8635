"""Email from templates: a subject, a plain-text body and an HTML body per message.

Every message is rendered from ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and
``<name>.html`` with ``site_url`` (the ``SITE_URL`` setting) and ``organisation`` in its context,
so links follow the address the site is served at and every message names its organisation.

A message sent to a person about what they may stop getting (a notification, the digest) has
``unsubscribe_url`` in its context: its footer shows the link, and the same link goes into the
``List-Unsubscribe`` header with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC
8058), so a mail client's own "unsubscribe" button posts to it directly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

logger = logging.getLogger(__name__)


class EmailedNotRecorded(Exception):
    """An email went out, but the transaction recording it did not commit (the database went
    away between the two): the caller's retry records it without emailing again. One class
    per thing emailed (a reminder, a notification, a digest) names it."""

    what = "Email"

    def __init__(self, pk: int) -> None:
        super().__init__(f"{self.what} {pk} was emailed, but its record was not stored.")
        self.pk = pk


def absolute_url(path: str) -> str:
    """``path`` (``/o/demo/…``) on the address people reach the site at."""
    return f"{settings.SITE_URL}{path}"


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject (one line, whatever the data holds), text and HTML of email ``name``."""
    subject, text, html = _render(name, context)
    return _one_line(subject), text, html


def _render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    if context.get("unsubscribe_url"):
        context.setdefault("preferences_url", absolute_url(reverse("accounts:email-preferences")))
    subject: str = render_to_string(f"emails/{name}_subject.txt", context)
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def _one_line(subject: str) -> str:
    # A header holds one line: a title with a line break must not break the message.
    return " ".join(subject.split())[:200]


# A value's place in a stencil: a marker the template engine passes through unchanged, except
# that HTML escaping turns its "&" into "&amp;", which tells where the template escapes the
# value. Mixed case, so that a filter changing case (lower, upper, title, capfirst) changes
# the marker too, and the stencil sees the template does more than show the value.
_MARKER = "mLq{}x&Zv"
_PLACE = re.compile(r"mLq(\d+)x(&amp;|&)Zv")
_TOUCHED = re.compile(r"mlq\d+x", re.IGNORECASE)
_Part = str | tuple[int, bool]  # text of the template, or (value's index, escaped)


def _places(rendered: str) -> list[_Part] | None:
    """The rendered text cut at its markers; None when a marker came out changed."""
    parts: list[_Part] = []
    at = 0
    for place in _PLACE.finditer(rendered):
        parts += [rendered[at : place.start()], (int(place.group(1)), place.group(2) != "&")]
        at = place.end()
    parts.append(rendered[at:])
    if any(isinstance(part, str) and _TOUCHED.search(part) for part in parts):
        return None
    return parts


class Stencil:
    """Email ``name`` for many messages that differ only in a few plain values (a batch of
    review reminders): its three templates rendered once, with a marker where each value goes,
    then filled in per message, each value escaped where the template escapes it. The same
    subject, text and HTML as ``render_email`` gives, without running the template engine for
    every message (most of the cost of a batch of emails).

    ``context(values)`` builds the templates' context from the values, a mapping of ``fields``
    to strings (None for an absent object, e.g. no mission). The templates must show each value
    as ``{{ value }}`` does, escaped in HTML and as it is under ``autoescape off``. What the
    stencil cannot fill the same way is rendered the ordinary way: every message, when a
    template changed a marker (a filter on the value); a message with an empty value (an
    ``{% if %}`` may test it). And the first message filled is compared with its ordinary
    rendering: should they differ, every message is rendered the ordinary way, and it is logged.
    """

    def __init__(
        self,
        name: str,
        context: Callable[[Mapping[str, str | None]], dict[str, Any]],
        fields: Sequence[str],
    ) -> None:
        self.name, self.context, self.fields = name, context, tuple(fields)
        marked = _render(name, context({f: _MARKER.format(i) for i, f in enumerate(self.fields)}))
        places = [_places(rendered) for rendered in marked]
        self.places: list[list[_Part]] | None = None if None in places else places  # type: ignore[assignment]
        self.checked = False

    def render(self, values: Mapping[str, str | None]) -> tuple[str, str, str]:
        """The subject, text and HTML of one message, as ``render_email`` gives them."""
        given = [values[field] for field in self.fields]
        if self.places is None or not all(given):
            return render_email(self.name, self.context(values))
        raw = [str(value) for value in given]
        escaped = [escape(value) for value in raw]
        subject, text, html = (
            "".join(
                part if isinstance(part, str) else (escaped[part[0]] if part[1] else raw[part[0]])
                for part in parts
            )
            for parts in self.places
        )
        filled = (_one_line(subject), text, html)
        if not self.checked:
            self.checked = True
            ordinary = render_email(self.name, self.context(values))
            if filled != ordinary:
                logger.warning("The %s email cannot be stencilled: rendered one by one.", self.name)
                self.places = None
                return ordinary
        return filled


def message_id(key: str) -> str:
    """A Message-ID that is the same every time one message is sent: ``key`` names what it is
    about (``reminder-42``), the domain is the site's.

    Email is delivered at least once: a sender that dies after the mail server accepted the
    message, and before it recorded that, sends it again when its task is redelivered, and no
    sender can avoid that window. Sent again with the same Message-ID, the copy is the same
    message to the receiving side (RFC 5322: a Message-ID names one message), and mail services
    and clients show it once.
    """
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{key}@{domain}>"


def send_email(
    *,
    name: str,
    to: list[str],
    context: dict[str, Any],
    key: str | None = None,
    connection: BaseEmailBackend | None = None,
    rendered: tuple[str, str, str] | None = None,
    invitation: tuple[str, str] | None = None,
) -> int:
    """Render email ``name`` and send it; the number of messages sent (0 or 1). ``key``: what
    the message is about, for a Message-ID that a second sending of it repeats
    (``message_id``); without it each sending gets a new one. ``connection``: an open one to
    share between the messages of a batch (one SMTP session instead of one per message).
    ``rendered``: its subject, text and HTML, rendered already from ``context`` (a batch's
    ``Stencil``); ``context`` then gives only the headers. ``invitation``: an iCalendar
    ``(method, text)`` (``REQUEST`` or ``CANCEL``) that goes with the message twice, as mail
    clients look for it: a ``text/calendar; method=…`` part beside the text and HTML (what
    Outlook and Gmail offer to add to the calendar) and an ``invite.ics`` file."""
    subject, text, html = rendered or render_email(name, context)
    headers = {"Message-ID": message_id(key)} if key else {}
    if context.get("unsubscribe_url"):
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers=headers, connection=connection
    )
    message.attach_alternative(html, "text/html")
    if invitation is not None:
        method, ics = invitation
        message.attach_alternative(ics, f"text/calendar; method={method}")
        message.attach("invite.ics", ics.encode(), "application/ics")
    return message.send()
