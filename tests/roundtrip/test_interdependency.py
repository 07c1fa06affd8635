"""Interdependencies from the browser: asking another mission for support (or offering it),
and the other side's answer (acknowledge, decline, resolve). Database, API, history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kernel.models import Notification
from missions.models import Interdependency, KeyTask
from missions.services import interdependency_create, interdependency_respond

from .helpers import (
    api_get,
    assert_changes_every_field,
    audit_events,
    form_data,
    history_changes,
    html_form,
    messages_of,
)

pytestmark = pytest.mark.django_db


def test_it_keeps_every_field_of_a_new_link(world, client) -> None:
    mission, other = world.staff_mission, world.team_mission
    action = f"/o/acme/missions/{mission.pk}/links/new/"
    client.force_login(world.staff)
    task = KeyTask.objects.create(mission=mission, title="Staff the weekend rota")
    page = client.get(f"/o/acme/missions/{mission.pk}/")
    changes = {
        "link-kind": "supports",
        "link-to_mission": str(other.pk),
        "link-description": "Two nurses for the weekend rota.",
        "link-for_task": str(task.pk),
    }
    assert_changes_every_field(html_form(page, action).fields, changes)
    response = client.post(action, {**form_data(page, "link_form"), **changes})
    assert response.status_code == 302
    assert messages_of(response) == ["The link is proposed; the other side is notified."]

    link = Interdependency.objects.get()
    assert (link.from_mission, link.to_mission) == (mission, other)
    assert link.kind == Interdependency.Kind.SUPPORTS
    assert link.description == changes["link-description"]
    assert link.for_task == task
    assert link.status == Interdependency.Status.PROPOSED
    assert (link.organisation, link.created_by) == (world.organisation, world.staff)

    api = api_get(world.lead, f"/api/v1/interdependencies/{link.pk}/")
    assert (api["from_mission"], api["to_mission"]) == (mission.pk, other.pk)
    assert (api["kind"], api["status"]) == ("supports", "proposed")
    assert api["description"] == changes["link-description"]
    assert api["for_task"] == task.pk

    events = audit_events(link)
    assert [(e.verb, e.actor, e.mission) for e in events] == [
        ("created", world.staff, mission),
        ("created", world.staff, other),
    ]
    assert Notification.objects.filter(recipient=world.lead, mission=other).exists()


@pytest.fixture
def asked(world) -> Interdependency:
    """The staff member's mission asks the team mission for support."""
    return interdependency_create(
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        description="Transport for the home visits.",
        by=world.staff,
    )


def _answer(client, link: Interdependency, status: str) -> None:
    """Press the answer's button on the asked mission's page, as its owner."""
    action = f"/o/acme/links/{link.pk}/respond/"
    form = html_form(client.get(f"/o/acme/missions/{link.to_mission_id}/"), action)
    assert ("status", status) in form.buttons, form.buttons
    response = client.post(action, {**form.data, "status": status})
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/missions/{link.to_mission_id}/"
    assert messages_of(response) == []


def _assert_answered(world, link: Interdependency, status: str, changes: list[list[str]]) -> None:
    stored = Interdependency.objects.get(pk=link.pk)
    assert stored.status == status
    assert stored.responded_by == world.lead
    assert stored.responded_at is not None
    api = api_get(world.staff, f"/api/v1/interdependencies/{link.pk}/")
    assert api["status"] == status
    assert api["responded_at"] is not None
    updates = [e for e in audit_events(stored) if e.verb == "updated"]
    # Each answer is in the history of both missions, with who gave it.
    assert [(e.changes, e.actor, e.mission) for e in updates] == [
        ({"status": change}, world.lead, mission)
        for change in changes
        for mission in (world.staff_mission, world.team_mission)
    ]
    assert history_changes(stored)["status"] == changes[-1]


def test_it_keeps_an_acknowledgement_then_the_resolution(world, asked, client) -> None:
    client.force_login(world.lead)
    _answer(client, asked, "acknowledged")
    _assert_answered(world, asked, "acknowledged", [["proposed", "acknowledged"]])
    _answer(client, asked, "resolved")
    _assert_answered(
        world, asked, "resolved", [["proposed", "acknowledged"], ["acknowledged", "resolved"]]
    )
    page = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert "Status: Acknowledged → Resolved" in page


def test_it_keeps_a_decline(world, asked, client) -> None:
    client.force_login(world.lead)
    _answer(client, asked, "declined")
    _assert_answered(world, asked, "declined", [["proposed", "declined"]])


def test_a_stale_answer_cannot_reopen_a_declined_link(world, asked) -> None:
    """Two answers at once: the second is judged against the link as stored, not as it was
    when its page was read."""
    read_by_the_page = Interdependency.objects.get(pk=asked.pk)
    interdependency_respond(
        link=Interdependency.objects.get(pk=asked.pk), status="declined", by=world.lead
    )

    with pytest.raises(ValidationError):
        interdependency_respond(link=read_by_the_page, status="acknowledged", by=world.lead)

    assert Interdependency.objects.get(pk=asked.pk).status == "declined"
    assert history_changes(asked)["status"] == ["proposed", "declined"]
