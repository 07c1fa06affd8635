"""Key tasks from the browser: adding one on the mission page and changing its status (on the
mission page or My work) keep every field: database, API, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from missions.models import KeyTask
from missions.services import key_task_create, key_task_update

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


def test_it_keeps_every_field_of_a_new_key_task(world, client) -> None:
    mission = world.team_mission
    action = f"/o/acme/missions/{mission.pk}/key-tasks/new/"
    client.force_login(world.lead)
    page = client.get(f"/o/acme/missions/{mission.pk}/")
    changes = {
        "task-title": "Agree the discharge checklist",
        "task-owner": str(world.staff.pk),
        "task-due_date": "2026-12-20",
        "task-status": "blocked",
    }
    assert_changes_every_field(html_form(page, action).fields, changes)
    response = client.post(action, {**form_data(page, "task_form"), **changes})
    assert response.status_code == 302
    assert messages_of(response) == ["The key task is added."]

    task = KeyTask.objects.get(mission=mission)
    assert task.title == changes["task-title"]
    assert task.owner == world.staff
    assert task.due_date == dt.date(2026, 12, 20)
    assert task.status == KeyTask.Status.BLOCKED
    assert task.completed_at is None
    assert task.created_by == world.lead

    api = api_get(world.staff, f"/api/v1/key-tasks/{task.pk}/")
    assert api["mission"] == mission.pk
    assert api["title"] == changes["task-title"]
    assert api["owner"] == world.staff.pk
    assert api["due_date"] == "2026-12-20"
    assert api["status"] == "blocked"

    (created,) = audit_events(task)
    assert (created.verb, created.actor, created.mission) == ("created", world.lead, mission)
    page = client.get(f"/o/acme/missions/{mission.pk}/").content.decode()
    assert f"{world.lead.get_full_name()}</strong> created “Agree the discharge checklist”" in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_keeps_a_status_change_from_my_work(world, client, htmx) -> None:
    task = key_task_create(
        mission=world.staff_mission, data={"title": "Recruit two nurses"}, by=world.staff
    )
    action = f"/o/acme/key-tasks/{task.pk}/"
    client.force_login(world.staff)
    form = html_form(client.get("/o/acme/me/"), action)
    assert form.data == {"status": "todo"}
    changes = {"status": "done"}
    assert_changes_every_field(form.fields, changes)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(action, {**form.data, **changes}, headers=headers)

    if htmx:
        # The row that comes back shows what is stored.
        assert response.status_code == 200
        row = html_form(response, action)
        assert row.data == {"status": "done"}
        assert "key-task__title--done" in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == f"/o/acme/missions/{world.staff_mission.pk}/"
    stored = KeyTask.objects.get(pk=task.pk)
    assert stored.status == KeyTask.Status.DONE
    assert stored.completed_at is not None
    assert stored.completed_at <= timezone.now()

    api = api_get(world.lead, f"/api/v1/key-tasks/{task.pk}/")
    assert api["status"] == "done"
    assert api["completed_at"] is not None

    assert history_changes(stored) == {"status": ["todo", "done"]}
    updated = audit_events(stored)[-1]
    assert (updated.verb, updated.actor, updated.mission) == (
        "updated",
        world.staff,
        world.staff_mission,
    )


def test_a_status_change_keeps_what_another_request_changed_meanwhile(world) -> None:
    """The status change of one request must not write back the rest of the task as that
    request read it: a title changed in the meantime (through the API, say) stays."""
    task = key_task_create(mission=world.staff_mission, data={"title": "Recruit"}, by=world.staff)
    read_by_the_page = KeyTask.objects.select_related("mission__organisation").get(pk=task.pk)
    key_task_update(
        task=KeyTask.objects.select_related("mission__organisation").get(pk=task.pk),
        data={"title": "Recruit two nurses"},
        by=world.lead,
    )

    returned = key_task_update(task=read_by_the_page, data={"status": "done"}, by=world.staff)

    stored = KeyTask.objects.get(pk=task.pk)
    assert (stored.title, stored.status) == ("Recruit two nurses", "done")
    assert (returned.title, returned.status) == ("Recruit two nurses", "done")
    assert history_changes(stored) == {
        "title": ["Recruit", "Recruit two nurses"],
        "status": ["todo", "done"],
    }


def test_it_keeps_every_field_edited_on_the_key_task_page(world, client) -> None:
    task = key_task_create(
        mission=world.team_mission,
        data={"title": "Recruit", "owner": world.staff, "due_date": dt.date(2026, 9, 1)},
        by=world.staff,
    )
    url = f"/o/acme/key-tasks/{task.pk}/edit/"
    client.force_login(world.lead)
    form = html_form(client.get(url), "")
    changes = {
        "title": "Recruit two nurses",
        "description": "Band 5, for the night rota.",
        "owner": str(world.lead.pk),  # the picker posts the chosen person's number
        "due_date": "2026-10-15",
        "status": "in_progress",
    }
    assert_changes_every_field(form.fields, changes)
    response = client.post(url, {**form.data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == f"/o/acme/missions/{world.team_mission.pk}/#key-task-{task.pk}"
    assert messages_of(response) == ["The key task is saved."]

    stored = KeyTask.objects.get(pk=task.pk)
    assert (stored.title, stored.description) == (changes["title"], changes["description"])
    assert (stored.owner, stored.due_date) == (world.lead, dt.date(2026, 10, 15))
    assert stored.status == KeyTask.Status.IN_PROGRESS

    api = api_get(world.staff, f"/api/v1/key-tasks/{task.pk}/")
    assert {key: api[key] for key in ("title", "description", "due_date", "status")} == {
        "title": changes["title"],
        "description": changes["description"],
        "due_date": "2026-10-15",
        "status": "in_progress",
    }
    assert api["owner"] == world.lead.pk

    assert history_changes(stored) == {
        "title": ["Recruit", "Recruit two nurses"],
        "description": ["", "Band 5, for the night rota."],
        "owner": [world.staff.pk, world.lead.pk],
        "due_date": ["2026-09-01", "2026-10-15"],
        "status": ["todo", "in_progress"],
    }
    updated = audit_events(stored)[-1]
    assert (updated.verb, updated.actor, updated.mission) == (
        "updated",
        world.lead,
        world.team_mission,
    )
    # The form opened again shows what is stored, the owner by name.
    again = html_form(client.get(url), "").data
    assert {key: again[key] for key in changes} == {**changes, "owner": world.lead.get_username()}
