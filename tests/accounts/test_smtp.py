"""One invitation through a real SMTP server that the test starts on 127.0.0.1."""

from __future__ import annotations

import pytest
from django.core.mail import get_connection

from kernel import services as kernel_services
from kernel.models import Membership
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.django_db


def test_an_invitation_arrives_through_smtp_with_its_link(
    world, settings, mailbox, client, django_capture_on_commit_callbacks
) -> None:
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
    text, html = text_of(message), html_of(message)
    link = next(word for word in text.split() if word.startswith("http://127.0.0.1:8123/"))
    assert link in html
    # The link from the wire opens the invitation.
    page = client.get(link.removeprefix("http://127.0.0.1:8123"))
    assert page.status_code == 200 and "Join Acme Health" in page.content.decode()
