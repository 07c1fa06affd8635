"""A support request names the key task of the asking mission that needs it (``for_task``), on
the mission page's form and in the API; a task of another mission, or of another
organisation, is refused with an error on that field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from missions.models import Interdependency, KeyTask
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db
DUE = timezone.localdate() + dt.timedelta(days=10)


@pytest.fixture
def setting(world):
    peer = MissionFactory(
        parent=world.org_mission,
        owner_team=TeamFactory(organisation=world.organisation, leader=world.org_admin),
        title="Patient transport",
    )
    return {
        "peer": peer,
        "task": KeyTask.objects.create(mission=world.team_mission, title="Open ward", due_date=DUE),
        "done": KeyTask.objects.create(
            mission=world.team_mission,
            title="Already done",
            status="done",
            completed_at=timezone.now(),
        ),
        "elsewhere": KeyTask.objects.create(mission=world.staff_mission, title="Not ours"),
        "abroad": KeyTask.objects.create(mission=world.other_mission, title="Other org's"),
    }


def _post(client, world, setting, task) -> object:
    return client.post(
        f"/o/acme/missions/{world.team_mission.pk}/links/new/",
        {
            "link-kind": "depends_on",
            "link-to_mission": setting["peer"].pk,
            "link-description": "Lifts home",
            "link-for_task": task.pk if task else "",
        },
    )


def test_the_form_offers_the_missions_open_key_tasks(world, setting, client) -> None:
    client.force_login(world.lead)
    html = client.get(f"/o/acme/missions/{world.team_mission.pk}/").content.decode()
    select = re.search(r'<select name="link-for_task".*?</select>', html, re.S)
    assert select is not None
    values = re.findall(r'<option value="(\d*)"', select.group(0))
    assert values == ["", str(setting["task"].pk)]
    assert "Open ward (due" in select.group(0)


def test_the_form_records_the_task(world, setting, client) -> None:
    client.force_login(world.lead)
    response = _post(client, world, setting, setting["task"])
    assert response.status_code == 302
    assert Interdependency.objects.get().for_task == setting["task"]


def test_the_task_is_optional(world, setting, client) -> None:
    client.force_login(world.lead)
    assert _post(client, world, setting, None).status_code == 302
    assert Interdependency.objects.get().for_task is None


@pytest.mark.parametrize("which", ["elsewhere", "abroad", "done"])
def test_the_form_refuses_a_task_not_of_the_mission(world, setting, client, which) -> None:
    client.force_login(world.lead)
    response = _post(client, world, setting, setting[which])
    assert response.status_code == 400
    assert "for_task" in response.context["link_form"].errors
    assert not Interdependency.objects.exists()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _api_post(world, setting, task) -> object:
    return _api(world.lead).post(
        "/api/v1/interdependencies/",
        {
            "from_mission": world.team_mission.pk,
            "to_mission": setting["peer"].pk,
            "kind": "depends_on",
            "description": "We need your transport.",
            "for_task": task.pk if task else None,
        },
        format="json",
    )


def test_the_api_records_and_returns_the_task(world, setting) -> None:
    response = _api_post(world, setting, setting["task"])
    assert response.status_code == 201, response.json()
    assert response.json()["for_task"] == setting["task"].pk
    link = _api(world.lead).get(f"/api/v1/interdependencies/{response.json()['id']}/").json()
    assert link["for_task"] == setting["task"].pk


@pytest.mark.parametrize("which", ["elsewhere", "abroad"])
def test_the_api_refuses_a_task_not_of_the_mission(world, setting, which) -> None:
    response = _api_post(world, setting, setting[which])
    assert response.status_code == 400
    assert set(response.json()) == {"for_task"}
    assert not Interdependency.objects.exists()


def test_the_model_refuses_a_task_of_another_mission(world, setting) -> None:
    from django.core.exceptions import ValidationError

    link = Interdependency(
        organisation=world.organisation,
        from_mission=world.team_mission,
        to_mission=setting["peer"],
        kind="depends_on",
        for_task=setting["elsewhere"],
    )
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert set(error.value.message_dict) == {"for_task"}
