"""The mission page shows the picture: KPI cards with their charts and forecasts in words, key
tasks with the overdue ones said so, the mission's health and open findings with what to do,
its interdependencies, and the 1-up and 2-up intent; at a cost that does not grow with them."""

from __future__ import annotations

import re

import pytest

from missions.models import KeyTask

pytestmark = pytest.mark.django_db


def page_of(client, mission) -> str:
    response = client.get(f"/o/acme/missions/{mission.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def status_form_fields(html: str, task: KeyTask) -> dict[str, str]:
    """The hidden fields of a key task's status form, as the page drew it."""
    form = re.search(
        rf'<form[^>]*action="/o/acme/key-tasks/{task.pk}/"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, "no status form for the key task"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]))


def test_a_key_task_keeps_its_move_tool_after_its_status_changes(world, client) -> None:
    task = KeyTask.objects.create(mission=world.team_mission, title="Hire", owner=world.staff)
    client.force_login(world.lead)
    html = page_of(client, world.team_mission)
    assert "Move key task" in html
    fields = status_form_fields(html, task)
    fields.pop("csrfmiddlewaretoken", None)
    response = client.post(
        f"/o/acme/key-tasks/{task.pk}/", {**fields, "status": "done"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert 'value="done" selected' in row
    assert "Move key task" in row  # the row comes back as the page drew it
