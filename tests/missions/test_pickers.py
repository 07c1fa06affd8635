"""The type-ahead pickers: what their suggestions offer (one's own organisation only, what one
may choose, the likely choice first, in a constant number of queries), and the forms that
receive a choice typed by hand (an exact title or number; anything else is refused on its
field, with everything else typed kept)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Kpi
from missions.models import Interdependency, KeyTask, Mission
from tests.measures.factories import KpiFactory
from tests.missions.factories import MembershipFactory, MissionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

PICK_MISSIONS = "/o/acme/pick/missions/"
PICK_PEOPLE = "/o/acme/pick/people/"


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


def _values(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-value="([^"]*)"', response.content.decode())


@pytest.fixture
def neighbours(world: Any) -> dict[str, Mission]:
    """Around ``staff_mission`` (individual, under Operations' mission): a sibling under the
    same mission, a mission of a peer team (Finance, beside Operations under the Board), and
    one further away (a team under Finance). Titles sort the other way round from their rank."""
    finance = TeamFactory(organisation=world.organisation, name="Finance", parent=world.top_team)
    audit = TeamFactory(organisation=world.organisation, name="Audit", parent=finance)
    peer = MissionFactory(
        parent=world.org_mission,
        level=Mission.Level.TEAM,
        owner_team=finance,
        title="Community middle peer",
    )
    return {
        "sibling": MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.lead,
            title="Community zeta sibling",
        ),
        "peer": peer,
        "far": MissionFactory(
            parent=peer, level=Mission.Level.TEAM, owner_team=audit, title="Community alpha far"
        ),
    }


def test_mission_suggestions_put_siblings_then_peer_teams_first(world, neighbours, client):
    MissionFactory(organisation=world.other_organisation, title="Community other org")
    client.force_login(world.staff)
    response = client.get(PICK_MISSIONS, {"q": "community", "for": world.staff_mission.pk})
    # "Community wards" (the mission above) is Operations': of a team under the Board too.
    assert _titles(response) == [
        "Community zeta sibling",
        "Community middle peer",
        "Community wards",
        "Community alpha far",
    ]
    assert 'role="option"' in response.content.decode()


def test_mission_suggestions_never_offer_the_mission_itself_or_another_organisation(world, client):
    client.force_login(world.staff)
    titles = _titles(client.get(PICK_MISSIONS, {"q": "", "for": world.staff_mission.pk}))
    assert world.staff_mission.title not in titles
    assert world.other_mission.title not in titles
    assert set(titles) == {world.org_mission.title, world.team_mission.title}
    # A mission of another organisation named in ?for= is no one's here.
    assert client.get(PICK_MISSIONS, {"for": world.other_mission.pk}).status_code == 404
    # An outsider learns nothing of the organisation.
    client.force_login(world.outsider)
    assert client.get(PICK_MISSIONS, {"q": "c"}).status_code == 404
    assert client.get(PICK_PEOPLE, {"for": world.team_mission.pk}).status_code == 404


def test_a_move_is_offered_only_the_missions_one_may_edit(world, neighbours, client):
    client.force_login(world.staff)
    assert _titles(client.get(PICK_MISSIONS, {"purpose": "move"})) == [world.staff_mission.title]
    client.force_login(world.lead)  # owns the team mission, so edits the missions under it
    assert set(_titles(client.get(PICK_MISSIONS, {"purpose": "move"}))) == {
        world.team_mission.title,
        world.staff_mission.title,
        "Community zeta sibling",
    }
    client.force_login(world.coach)  # coaches read; they move nothing
    assert _titles(client.get(PICK_MISSIONS, {"purpose": "move"})) == []


def test_mission_suggestions_cost_the_same_queries_for_3_missions_or_40(world, client):
    client.force_login(world.lead)
    params = {"q": "", "for": world.staff_mission.pk}

    def queries() -> int:
        with CaptureQueriesContext(connection) as ran:
            assert client.get(PICK_MISSIONS, params).status_code == 200
        return len(ran)

    few = queries()
    for n in range(40):
        MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_user=UserFactory(),
            title=f"Extra {n}",
        )
    assert queries() == few
    assert len(_titles(client.get(PICK_MISSIONS, params))) == 10


def test_key_task_owners_offered_are_the_missions_owner_team_not_the_parents(world, client):
    nurse = UserFactory(username="nurse", first_name="Nia", last_name="Nurse")
    MembershipFactory(organisation=world.organisation, user=nurse, team=world.team)
    client.force_login(world.lead)
    # Operations' mission: its people, not the Board's (the CEO).
    assert set(_values(client.get(PICK_PEOPLE, {"for": world.team_mission.pk}))) == {
        "lead",
        "staff",
        "nurse",
    }
    assert _values(client.get(PICK_PEOPLE, {"for": world.team_mission.pk, "q": "nia"})) == ["nurse"]
    # An individual mission: its owner only. A mission being written: its owner team's.
    assert _values(client.get(PICK_PEOPLE, {"for": world.staff_mission.pk})) == ["staff"]
    assert _values(client.get(PICK_PEOPLE, {"team": world.top_team.pk})) == ["ceo"]
    assert _values(client.get(PICK_PEOPLE, {})) == []


def _link_post(client: Any, mission: Mission, to_mission: str) -> Any:
    return client.post(
        f"/o/acme/missions/{mission.pk}/links/new/",
        {
            "link-kind": "depends_on",
            "link-to_mission": to_mission,
            "link-description": "Two nurses for the pilot weeks, please.",
        },
    )


def test_an_unknown_mission_is_refused_on_its_field_and_the_description_kept(world, client):
    client.force_login(world.staff)
    response = _link_post(client, world.staff_mission, "Nonexistent mission")
    assert response.status_code == 400
    form = response.context["link_form"]
    assert form.errors == {
        "to_mission": ["No mission of this organisation has that title or number."]
    }
    page = response.content.decode()
    assert "Two nurses for the pilot weeks, please." in page
    assert 'value="Nonexistent mission"' in page
    # Another organisation's mission, by its number, is no mission here either.
    assert _link_post(client, world.staff_mission, str(world.other_mission.pk)).status_code == 400
    assert not Interdependency.objects.exists()


def test_without_javascript_an_exact_title_or_number_names_the_mission(world, client):
    client.force_login(world.staff)
    response = _link_post(client, world.staff_mission, "  care CLOSER to home ")
    assert response.status_code == 302
    assert _link_post(client, world.staff_mission, f"#{world.team_mission.pk}").status_code == 302
    assert set(Interdependency.objects.values_list("to_mission", flat=True)) == {
        world.org_mission.pk,
        world.team_mission.pk,
    }


def test_a_title_two_missions_share_asks_to_choose_from_the_list(world, client):
    twin = TeamFactory(organisation=world.organisation, name="Twin", parent=world.top_team)
    MissionFactory(parent=world.org_mission, owner_team=twin, title="Care closer to home")
    client.force_login(world.staff)
    response = _link_post(client, world.staff_mission, "Care closer to home")
    assert response.status_code == 400
    assert response.context["link_form"].errors["to_mission"] == [
        "Several missions have that title: choose one from the list."
    ]


def test_a_key_task_owner_outside_the_owner_team_is_refused_and_the_title_kept(world, client):
    client.force_login(world.lead)
    url = f"/o/acme/missions/{world.team_mission.pk}/key-tasks/new/"
    task = {"task-title": "Book the pilot ward", "task-status": "todo"}
    response = client.post(url, {**task, "task-owner": "ceo"})
    assert response.status_code == 400
    assert 'value="Book the pilot ward"' in response.content.decode()
    assert response.context["task_form"].errors["owner"] == [
        "Choose the mission's owner or a person of its owner team."
    ]
    response = client.post(url, {**task, "task-owner": "staff"})
    assert response.status_code == 302
    assert KeyTask.objects.get(title="Book the pilot ward").owner == world.staff


def test_a_kpi_moves_to_a_mission_named_by_its_title(world, client):
    kpi = KpiFactory(mission=world.staff_mission)
    client.force_login(world.lead)
    response = client.post(
        f"/o/acme/missions/{world.staff_mission.pk}/move/",
        {"kind": "kpi", "item": kpi.pk, "to_mission": "Community wards"},
    )
    assert response.status_code == 302
    assert Kpi.objects.get(pk=kpi.pk).mission == world.team_mission


def test_a_key_task_moves_with_the_picker_of_its_row(world, client):
    task = KeyTask.objects.create(mission=world.staff_mission, title="Order the kit")
    client.force_login(world.lead)
    page = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert f'id="move-task-{task.pk}"' in page and 'role="combobox"' in page
    response = client.post(
        f"/o/acme/missions/{world.staff_mission.pk}/move/",
        {"kind": "task", "item": task.pk, "to_mission": str(world.team_mission.pk)},
    )
    assert response.status_code == 302
    assert KeyTask.objects.get(pk=task.pk).mission == world.team_mission
