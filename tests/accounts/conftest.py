"""Mail as people get it: the outbox, and the link each message carries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

LINK = re.compile(r"https?://\S+")


def links_in(message: Any) -> list[str]:
    return LINK.findall(message.body)


def last_link_to(address: str, *, containing: str) -> str:
    """The link in the newest message to ``address`` whose URL contains ``containing``."""
    for message in reversed(mail.outbox):
        if address in message.to:
            for link in links_in(message):
                if containing in link:
                    return link
    raise AssertionError(f"no message to {address} with a link containing {containing!r}")


@pytest.fixture
def site_url(settings: Any) -> str:
    settings.SITE_URL = "http://missions.example.test:8123"
    return str(settings.SITE_URL)
