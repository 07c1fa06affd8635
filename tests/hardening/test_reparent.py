"""Who may move a mission to another place in the cascade, and what a move does to its
alignment (hardening item 5): the rule lives in ``kernel.permissions`` and
``services.mission_update``, so the API, the browser and the admin obey the same one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from kernel.models import AuditEvent, Notification
from kernel.permissions import actor_for, can_move
from missions import services
from missions.models import Mission
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _aligned(mission: Mission) -> Mission:
    Mission.objects.filter(pk=mission.pk).update(alignment_status="aligned")
    mission.refresh_from_db()
    return mission


@pytest.fixture
def second_team_mission(world) -> Mission:
    """Another mission of lead's team under the organisation mission."""
    return MissionFactory(
        parent=world.org_mission, level=Mission.Level.TEAM, owner_team=world.team, title="Beds"
    )


def test_staff_cannot_lift_their_mission_out_of_the_cascade(world) -> None:
    mission = _aligned(world.staff_mission)
    url = f"/api/v1/missions/{mission.pk}/"
    response = client_for(world.staff).patch(url, {"parent": None}, format="json")
    assert response.status_code == 403
    mission.refresh_from_db()
    assert mission.parent_id == world.team_mission.pk
    assert mission.alignment_status == "aligned"
    # Their boss still reads and edits it.
    assert client_for(world.lead).get(url).status_code == 200
    assert (
        client_for(world.lead).patch(url, {"title": "Two wards"}, format="json").status_code == 200
    )


def test_staff_cannot_move_their_mission_under_another_of_their_own(world) -> None:
    own = MissionFactory(
        parent=world.team_mission, level=Mission.Level.INDIVIDUAL, owner_user=world.staff
    )
    response = client_for(world.staff).patch(
        f"/api/v1/missions/{world.staff_mission.pk}/", {"parent": own.pk}, format="json"
    )
    assert response.status_code == 403
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.parent_id == world.team_mission.pk


def test_the_service_refuses_it_whoever_calls_it(world) -> None:
    with pytest.raises(PermissionDenied):
        services.mission_update(mission=world.staff_mission, data={"parent": None}, by=world.staff)
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.parent_id == world.team_mission.pk


def test_the_boss_moves_it_and_it_goes_back_for_alignment(world, second_team_mission) -> None:
    mission = _aligned(world.staff_mission)
    response = client_for(world.lead).patch(
        f"/api/v1/missions/{mission.pk}/", {"parent": second_team_mission.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["alignment_status"] == "proposed"
    mission.refresh_from_db()
    assert mission.parent_id == second_team_mission.pk
    assert mission.alignment_status == "proposed" and mission.proposed_at is not None
    event = AuditEvent.objects.get(mission=mission, verb="updated")
    assert event.changes["parent"] == [world.team_mission.pk, second_team_mission.pk]
    assert event.changes["alignment_status"] == ["aligned", "proposed"]


def test_a_move_tells_the_new_boss(world) -> None:
    ceo_mission = MissionFactory(
        parent=world.org_mission, level=Mission.Level.TEAM, owner_team=world.top_team
    )
    mission = _aligned(world.staff_mission)
    services.mission_update(mission=mission, data={"parent": ceo_mission}, by=world.leader)
    assert (
        Notification.objects.filter(
            recipient=world.leader, mission=mission, kind="alignment_requested"
        ).count()
        == 0
    )  # the mover is not told about their own move
    services.mission_update(mission=mission, data={"parent": world.team_mission}, by=world.leader)
    assert Notification.objects.filter(
        recipient=world.lead, mission=mission, kind="alignment_requested"
    ).exists()


def test_to_the_top_only_for_who_writes_top_missions(world) -> None:
    mission = _aligned(world.team_mission)
    url = f"/api/v1/missions/{world.staff_mission.pk}/"
    assert client_for(world.lead).patch(url, {"parent": None}, format="json").status_code == 403
    response = client_for(world.org_admin).patch(url, {"parent": None}, format="json")
    assert response.status_code == 200
    assert response.json()["alignment_status"] == "draft"
    assert mission.alignment_status == "aligned"  # its parent is untouched


def test_who_may_move_a_mission(world, second_team_mission) -> None:
    staff_mission, team_mission = world.staff_mission, world.team_mission

    def may(user, mission, new_parent) -> bool:
        return can_move(actor_for(user, world.organisation), mission, new_parent)

    # staff owns the mission but not its place in the cascade
    assert not may(world.staff, staff_mission, None)
    assert not may(world.staff, staff_mission, second_team_mission)
    # the boss moves it under another mission they may write under, not to the top
    assert may(world.lead, staff_mission, second_team_mission)
    assert not may(world.lead, staff_mission, None)
    assert not may(world.lead, team_mission, second_team_mission)  # lead's own: the CEO's call
    # the boss's boss too, and to the top (they write top missions)
    assert may(world.leader, staff_mission, second_team_mission)
    assert may(world.leader, team_mission, None)
    # admins anything, coaches and outsiders nothing
    assert may(world.org_admin, team_mission, None)
    assert not may(world.coach, staff_mission, second_team_mission)
    assert not may(world.outsider, staff_mission, second_team_mission)
    # never into another organisation
    assert not may(world.org_admin, staff_mission, world.other_mission)
