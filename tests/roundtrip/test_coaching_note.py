"""A coaching note written in the browser is kept, and read by the coachee on their page; it
is private, so it stays out of the audit log and the API."""

from __future__ import annotations

import pytest

from kernel.models import AuditEvent, Membership
from reviews.models import CoachingNote

from .helpers import api_get, assert_changes_every_field, form_data, html_form, messages_of

pytestmark = pytest.mark.django_db

URL = "/o/acme/coaching/"


def test_it_keeps_every_field_of_a_coaching_note(world, client) -> None:
    coachee = Membership.objects.get(organisation=world.organisation, user=world.lead)
    client.force_login(world.coach)
    page = client.get(URL)
    changes = {
        "coachee": str(coachee.pk),
        "body": "Unsure about the weekend rota.\nTry asking the ward sisters first.",
    }
    assert_changes_every_field(html_form(page, "").fields, changes)
    events_before = AuditEvent.objects.count()
    response = client.post(URL, {**form_data(page), **changes})
    assert response.status_code == 302, response.context["form"].errors
    name = world.lead.get_full_name()
    assert messages_of(response) == [f"Note saved. Only you and {name} can read it."]

    note = CoachingNote.objects.get()
    assert (note.organisation, note.coach, note.coachee) == (
        world.organisation,
        world.coach,
        world.lead,
    )
    assert note.body == changes["body"]

    # Private: no entry in the audit log (read by bosses and admins), no API resource.
    assert AuditEvent.objects.count() == events_before
    assert not any("coaching" in name for name in api_get(world.coach, "/api/v1/"))

    # The coachee reads it on their page; their boss does not.
    client.force_login(world.lead)
    received = client.get(URL)
    assert [n.body for n in received.context["received"]] == [changes["body"]]
    assert "Try asking the ward sisters first." in received.content.decode()
    client.force_login(world.leader)
    assert "ward sisters" not in client.get(URL).content.decode()
