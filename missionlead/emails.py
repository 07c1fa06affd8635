"""Email from templates: a subject, a plain-text body and an HTML body per message.

Every message is rendered from ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and
``<name>.html`` with ``site_url`` (the ``SITE_URL`` setting) and ``organisation`` in its context,
so links follow the address the site is served at and every message names its organisation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    """``path`` (``/o/demo/…``) on the address people reach the site at."""
    return f"{settings.SITE_URL}{path}"


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject (one line, whatever the data holds), text and HTML of email ``name``."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    # A header holds one line: a title with a line break must not break the message.
    subject = " ".join(subject.split())[:200]
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def send_email(*, name: str, to: list[str], context: dict[str, Any]) -> int:
    """Render email ``name`` and send it; the number of messages sent (0 or 1)."""
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    return message.send()
