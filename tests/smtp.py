"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, keeping what it accepts.

Tests of email point Django's SMTP backend (or a worker's ``EMAIL_URL``) at it, so what they
count is what left the application over the wire, headers and all.
"""

from __future__ import annotations

import email
import socket
import threading
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    """``with Mailbox() as mailbox:`` an SMTP server on ``127.0.0.1:mailbox.port``."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append(message)  # type: ignore[arg-type]  # policy.default: EmailMessage
        return "250 OK"

    @property
    def url(self) -> str:
        """The ``EMAIL_URL`` that points a process's Django at this server."""
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())
