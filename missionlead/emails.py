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

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse


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
    context = {"site_url": settings.SITE_URL, **context}
    if context.get("unsubscribe_url"):
        context.setdefault("preferences_url", absolute_url(reverse("accounts:email-preferences")))
    subject: str = render_to_string(f"emails/{name}_subject.txt", context)
    # A header holds one line: a title with a line break must not break the message.
    subject = " ".join(subject.split())[:200]
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


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
) -> int:
    """Render email ``name`` and send it; the number of messages sent (0 or 1). ``key``: what
    the message is about, for a Message-ID that a second sending of it repeats
    (``message_id``); without it each sending gets a new one. ``connection``: an open one to
    share between the messages of a batch (one SMTP session instead of one per message)."""
    subject, text, html = render_email(name, context)
    headers = {"Message-ID": message_id(key)} if key else {}
    if context.get("unsubscribe_url"):
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers=headers, connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message.send()
