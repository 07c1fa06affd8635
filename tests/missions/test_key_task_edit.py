"""Editing a key task on its own page (everything the API can change, through the same
service): stored and attributed; a save on an older version is refused with who changed it;
bad input comes back on its field with nothing written; only those who may edit the mission
see the link and the page; the page costs the same whatever the mission holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kernel.models import AuditEvent
from missions.models import KeyTask
from missions.services import key_task_create
from tests.roundtrip.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world: Any) -> KeyTask:
    return key_task_create(
        mission=world.staff_mission, data={"title": "Recruit", "owner": world.staff}, by=world.staff
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(task: KeyTask) -> str:
    return f"/o/acme/key-tasks/{task.pk}/edit/"


def test_the_lead_edits_a_key_task_and_it_is_attributed(world: Any, task: KeyTask) -> None:
    client = _client(world.lead)
    data = form_data(client.get(_url(task)))
    response = client.post(_url(task), {**data, "title": "Recruit two nurses"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Recruit two nurses"
    event = AuditEvent.objects.filter(object_id=task.pk, verb=AuditEvent.Verb.UPDATED).get()
    assert (event.actor, event.mission_id) == (world.lead, world.staff_mission.pk)
    assert event.changes == {"title": ["Recruit", "Recruit two nurses"]}
    page = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert "Title: Recruit → Recruit two nurses" in page


def test_a_save_on_an_older_version_is_refused_and_names_who_changed_it(
    world: Any, task: KeyTask
) -> None:
    staff, lead = _client(world.staff), _client(world.lead)
    read_by_staff = form_data(staff.get(_url(task)))
    read_by_lead = form_data(lead.get(_url(task)))
    assert lead.post(_url(task), {**read_by_lead, "due_date": "2026-11-02"}).status_code == 302

    response = staff.post(_url(task), {**read_by_staff, "title": "Recruit three"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Not saved:" in text and "changed this key task a moment ago" in text
    assert "Title" in response.context["conflict"]["fields"]
    task.refresh_from_db()
    assert (task.title, str(task.due_date)) == ("Recruit", "2026-11-02")  # the lead's kept

    # Saving again, knowing, stores the staff's form as it stands.
    again = form_data(response)
    assert again["title"] == "Recruit three"
    assert staff.post(_url(task), again).status_code == 302
    task.refresh_from_db()
    assert task.title == "Recruit three" and task.due_date is None


def test_a_status_change_on_the_mission_page_meanwhile_is_a_conflict_too(
    world: Any, task: KeyTask
) -> None:
    client = _client(world.staff)
    read = form_data(client.get(_url(task)))
    _client(world.lead).post(f"/o/acme/key-tasks/{task.pk}/", {"status": "done"})
    response = client.post(_url(task), {**read, "title": "Recruit three"})
    assert response.status_code == 409
    assert "Lead" in response.content.decode() or "lead" in response.content.decode()
    task.refresh_from_db()
    assert (task.title, task.status) == ("Recruit", "done")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"owner": "coach"}, "owner"),  # not of the mission's owner or its team
        ({"due_date": "1850-01-01"}, "due_date"),
        ({"status": "finished"}, "status"),
        ({"description": "x" * 5001}, "description"),
    ],
    ids=["empty title", "long title", "owner outside", "date out of range", "status", "long text"],
)
def test_bad_input_comes_back_on_its_field_and_nothing_is_written(
    world: Any, task: KeyTask, changes: dict[str, str], field: str
) -> None:
    client = _client(world.staff)
    data = form_data(client.get(_url(task)))
    response = client.post(_url(task), {**data, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    stored = KeyTask.objects.get(pk=task.pk)
    assert (stored.title, stored.owner, stored.status) == ("Recruit", world.staff, "todo")
    assert not AuditEvent.objects.filter(object_id=task.pk, verb=AuditEvent.Verb.UPDATED).exists()


def test_a_damaged_version_is_refused(world: Any, task: KeyTask) -> None:
    client = _client(world.staff)
    data = form_data(client.get(_url(task)))
    response = client.post(_url(task), {**data, "updated_at": "yesterday", "title": "X"})
    assert response.status_code == 400
    assert KeyTask.objects.get(pk=task.pk).title == "Recruit"


def test_only_those_who_may_edit_see_the_link_and_the_page(world: Any, task: KeyTask) -> None:
    mission_page = f"/o/acme/missions/{world.staff_mission.pk}/"
    link = f'href="{_url(task)}"'
    for user in (world.staff, world.lead, world.org_admin):
        assert link in _client(user).get(mission_page).content.decode()
    assert link in _client(world.staff).get("/o/acme/me/").content.decode()
    coach = _client(world.coach)
    assert link not in coach.get(mission_page).content.decode()
    assert coach.get(_url(task)).status_code == 403
    assert coach.post(_url(task), {"title": "Mine"}).status_code == 403
    assert _client(world.outsider).get(_url(task)).status_code == 404
    assert KeyTask.objects.get(pk=task.pk).title == "Recruit"


def test_the_status_row_that_htmx_swaps_in_keeps_the_edit_link(world: Any, task: KeyTask) -> None:
    response = _client(world.staff).post(
        f"/o/acme/key-tasks/{task.pk}/", {"status": "done"}, headers={"HX-Request": "true"}
    )
    assert f'href="{_url(task)}"' in response.content.decode()


@pytest.mark.parametrize("tasks", [1, 25])
def test_the_page_costs_the_same_whatever_the_mission_holds(
    world: Any, task: KeyTask, tasks: int, django_assert_max_num_queries: Any
) -> None:
    for n in range(tasks):
        KeyTask.objects.create(mission=world.staff_mission, title=f"Other {n}")
    client = _client(world.staff)
    data = form_data(client.get(_url(task)))
    with django_assert_max_num_queries(14):
        assert client.get(_url(task)).status_code == 200
    # The save: the task locked and read, the owner resolved, the model's checks, the
    # update, the inbox item, the history, and the savepoints around them.
    with django_assert_max_num_queries(31):
        assert client.post(_url(task), {**data, "title": "Recruit two"}).status_code == 302
