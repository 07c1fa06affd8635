"""An SMTP server inside the harness: the workers send their email to it, as to a real relay.

Every message accepted is kept (its recipients, its Message-ID and its text), so the harness
counts what left the application, not what the application believes it sent. It runs in the
harness, which no fault touches, and answers 250 only once the message is stored — as a
relay queues a message before it confirms it. ``hold_next`` keeps that confirmation back for
one message, so a fault can strike while a worker waits for it: the message is on its way to
the person, and the worker's transaction is still open.
"""

from __future__ import annotations

import asyncio
import email
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from .processes import free_port


@dataclass(frozen=True)
class Received:
    recipients: tuple[str, ...]
    message_id: str
    text: str
    at: float  # time.monotonic() when stored, before the 250


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content)
        self.mailbox.add(
            Received(
                recipients=tuple(address.lower() for address in envelope.rcpt_tos),
                message_id=str(parsed.get("Message-ID", "")),
                text=_text(parsed),
                at=time.monotonic(),
            )
        )
        hold = self.mailbox.take_hold()
        if hold is not None:
            held, release = hold
            held.set()
            await asyncio.get_running_loop().run_in_executor(None, release.wait, 60)
        return "250 Message accepted for delivery"


def _text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""


class Mailbox:
    """``with Mailbox() as mailbox:`` an SMTP server on 127.0.0.1:``mailbox.port``."""

    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self._hold: tuple[threading.Event, threading.Event] | None = None
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        """The ``EMAIL_URL`` that points Django's SMTP backend here."""
        return f"smtp://127.0.0.1:{self.port}"

    def add(self, message: Received) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    @contextmanager
    def hold_next(self) -> Iterator[threading.Event]:
        """The next message is stored, then its 250 waits until the block ends; the event
        yielded is set once a message is held."""
        held, release = threading.Event(), threading.Event()
        with self._lock:
            self._hold = (held, release)
        try:
            yield held
        finally:
            with self._lock:
                self._hold = None
            release.set()

    def take_hold(self) -> tuple[threading.Event, threading.Event] | None:
        with self._lock:
            hold, self._hold = self._hold, None
            return hold

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
