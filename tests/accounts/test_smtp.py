"""One invitation through a real SMTP server that the test starts on 127.0.0.1."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import get_connection

from kernel import services as kernel_services
from kernel.models import Membership

pytestmark = pytest.mark.django_db


class Mailbox:
    """An SMTP handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def test_an_invitation_arrives_through_smtp_with_its_link(
    world, settings, smtp_server, client, django_capture_on_commit_callbacks
) -> None:
    mailbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "http://127.0.0.1:8123"
    assert get_connection().__class__.__name__ == "EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        kernel_services.invitation_create(
            organisation=world.organisation,
            email="nia@example.org",
            role=Membership.Role.STAFF,
            team=world.team,
            by=world.org_admin,
        )
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "nia@example.org"
    assert "Acme Health" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = next(word for word in text.split() if word.startswith("http://127.0.0.1:8123/"))
    assert link in html
    # The link from the wire opens the invitation.
    page = client.get(link.removeprefix("http://127.0.0.1:8123"))
    assert page.status_code == 200 and "Join Acme Health" in page.content.decode()
