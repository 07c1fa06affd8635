"""Correcting what an open link says (its description, the key task it is for), on its own
page and through the API's PATCH, both through ``interdependency_update``: stored and in the
history of both missions; a save on an older version is refused with who changed it; bad
input comes back on its field with nothing written; an answered link is kept as it was; only
the asking side's editors see the link and the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from missions.models import Interdependency, KeyTask
from missions.services import interdependency_create, interdependency_respond
from tests.roundtrip.helpers import api_get, form_data

pytestmark = pytest.mark.django_db

SAID = "Transport for the home visits."


@pytest.fixture
def link(world: Any) -> Interdependency:
    return interdependency_create(
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        description=SAID,
        by=world.staff,
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(link: Interdependency) -> str:
    return f"/o/acme/links/{link.pk}/edit/"


def test_the_asking_side_corrects_a_link_in_both_histories(
    world: Any, link: Interdependency
) -> None:
    task = KeyTask.objects.create(mission=world.staff_mission, title="Start the visits")
    client = _client(world.staff)
    data = form_data(client.get(_url(link)))
    said = "Transport for the home visits, two days a week."
    response = client.post(_url(link), {**data, "description": said, "for_task": str(task.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/missions/{world.staff_mission.pk}/#link-{link.pk}"

    stored = Interdependency.objects.get(pk=link.pk)
    assert (stored.description, stored.for_task) == (said, task)
    api = api_get(world.lead, f"/api/v1/interdependencies/{link.pk}/")
    assert (api["description"], api["for_task"]) == (said, task.pk)
    events = AuditEvent.objects.filter(object_id=link.pk, verb=AuditEvent.Verb.UPDATED)
    assert {e.mission_id for e in events} == {world.staff_mission.pk, world.team_mission.pk}
    assert {e.actor for e in events} == {world.staff}
    assert events[0].changes == {"description": [SAID, said], "for_task": [None, task.pk]}
    # The other side reads the correction on its own mission's page and history.
    page = _client(world.lead).get(f"/o/acme/missions/{world.team_mission.pk}/").content.decode()
    assert said in page


def test_a_save_on_an_older_version_is_refused_and_names_who_changed_it(
    world: Any, link: Interdependency
) -> None:
    staff, lead = _client(world.staff), _client(world.lead)
    read_by_staff = form_data(staff.get(_url(link)))
    read_by_lead = form_data(lead.get(_url(link)))
    assert lead.post(_url(link), {**read_by_lead, "description": "By the lead."}).status_code == 302

    response = staff.post(_url(link), {**read_by_staff, "description": "By the staff."})
    assert response.status_code == 409
    assert "changed this link a moment ago" in response.content.decode()
    assert Interdependency.objects.get(pk=link.pk).description == "By the lead."
    assert staff.post(_url(link), form_data(response)).status_code == 302
    assert Interdependency.objects.get(pk=link.pk).description == "By the staff."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"for_task": "other"}, "for_task"),  # a key task of another mission
    ],
    ids=["empty", "too long", "task of another mission"],
)
def test_bad_input_comes_back_on_its_field_and_nothing_is_written(
    world: Any, link: Interdependency, changes: dict[str, str], field: str
) -> None:
    theirs = KeyTask.objects.create(mission=world.team_mission, title="Theirs")
    changes = {key: str(theirs.pk) if v == "other" else v for key, v in changes.items()}
    client = _client(world.staff)
    data = form_data(client.get(_url(link)))
    response = client.post(_url(link), {**data, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    stored = Interdependency.objects.get(pk=link.pk)
    assert (stored.description, stored.for_task_id) == (SAID, None)
    assert not AuditEvent.objects.filter(object_id=link.pk, verb=AuditEvent.Verb.UPDATED).exists()


def test_an_answered_link_is_kept_as_it_was_answered(world: Any, link: Interdependency) -> None:
    client = _client(world.staff)
    data = form_data(client.get(_url(link)))
    interdependency_respond(link=link, status="declined", by=world.lead)
    mission_page = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert f'href="{_url(link)}"' not in mission_page
    response = client.post(_url(link), {**data, "description": "Too late."})
    assert response.status_code in (400, 409)
    assert "kept as it was answered" in response.content.decode() or "changed this link" in (
        response.content.decode()
    )
    response = _api(world.staff).patch(
        f"/api/v1/interdependencies/{link.pk}/", {"description": "Too late."}, format="json"
    )
    assert response.status_code == 409
    assert Interdependency.objects.get(pk=link.pk).description == SAID


def test_only_the_asking_side_sees_the_link_and_the_page(world: Any, link: Interdependency) -> None:
    href = f'href="{_url(link)}"'
    for user in (world.staff, world.lead, world.org_admin):
        page = _client(user).get(f"/o/acme/missions/{world.staff_mission.pk}/")
        assert href in page.content.decode()
    for user in (world.leader, world.coach):
        page = _client(user).get(f"/o/acme/missions/{world.staff_mission.pk}/")
        assert href not in page.content.decode()
        assert _client(user).get(_url(link)).status_code == 403
    # The asked side answers on its page; it does not rewrite what it was asked.
    assert (
        href
        not in _client(world.lead)
        .get(f"/o/acme/missions/{world.team_mission.pk}/")
        .content.decode()
    )
    assert _client(world.outsider).get(_url(link)).status_code == 404


def test_the_api_patch_corrects_through_the_same_service(world: Any, link: Interdependency) -> None:
    task = KeyTask.objects.create(mission=world.staff_mission, title="Start the visits")
    url = f"/api/v1/interdependencies/{link.pk}/"
    refused = _api(world.leader).patch(url, {"description": "Mine."}, format="json")
    assert refused.status_code == 403
    bad = _api(world.staff).patch(url, {"description": "x" * 2001}, format="json")
    assert bad.status_code == 400 and "description" in bad.json()
    response = _api(world.staff).patch(
        url, {"description": "Two days a week.", "for_task": task.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["description"], response.json()["for_task"]) == (
        "Two days a week.",
        task.pk,
    )
    assert response.json()["kind"] == "depends_on"
    stored = Interdependency.objects.get(pk=link.pk)
    assert (stored.description, stored.for_task) == ("Two days a week.", task)
    event = AuditEvent.objects.filter(object_id=link.pk, verb=AuditEvent.Verb.UPDATED).first()
    assert event is not None and event.actor == world.staff
    # The page opened after shows what the API stored.
    shown = form_data(_client(world.staff).get(_url(link)))
    assert (shown["description"], shown["for_task"]) == ("Two days a week.", str(task.pk))


@pytest.mark.parametrize("tasks", [1, 25])
def test_the_page_costs_the_same_whatever_the_mission_holds(
    world: Any, link: Interdependency, tasks: int, django_assert_max_num_queries: Any
) -> None:
    for n in range(tasks):
        KeyTask.objects.create(mission=world.staff_mission, title=f"Task {n}")
    client = _client(world.staff)
    data = form_data(client.get(_url(link)))
    with django_assert_max_num_queries(14):
        assert client.get(_url(link)).status_code == 200
    # The save: the link locked and read, the model's checks and constraints (each in its
    # savepoint), the update, an entry in each mission's history.
    with django_assert_max_num_queries(32):
        assert client.post(_url(link), {**data, "description": "Again."}).status_code == 302
