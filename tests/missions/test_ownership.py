"""Who owns a mission is one rule with two spellings: ``Actor.owns`` (one mission, in memory)
and ``querysets.owned_by_person`` (SQL, for lists). Both, and ``mission_owners`` (the people a
mission's news goes to), give the same answer on every case."""

from __future__ import annotations

import pytest

from kernel.notifications import mission_owners
from kernel.permissions import actor_for
from kernel.querysets import owned_by_person
from missions.models import Mission
from missions.querysets import owned_by_teams
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_every_spelling_of_ownership_agrees(world) -> None:
    # A team without a leader, and a team mission whose team is led by staff.
    leaderless = TeamFactory(organisation=world.organisation, parent=world.team, leader=None)
    led_by_staff = TeamFactory(
        organisation=world.organisation, parent=world.team, leader=world.staff
    )
    MissionFactory(
        organisation=world.organisation,
        parent=world.team_mission,
        level="team",
        owner_team=leaderless,
    )
    MissionFactory(
        organisation=world.organisation,
        parent=world.team_mission,
        level="team",
        owner_team=led_by_staff,
    )
    missions = list(Mission.objects.filter(organisation=world.organisation).with_owner())
    people = [world.leader, world.lead, world.staff, world.coach, world.org_admin]
    disagreements = []
    for person in people:
        actor = actor_for(person, world.organisation)
        by_join = set(
            Mission.objects.filter(owned_by_person(person.pk)).values_list("pk", flat=True)
        )
        by_ids = set(
            Mission.objects.filter(
                owned_by_person(person.pk, led_team_ids=actor.led_team_ids)
            ).values_list("pk", flat=True)
        )
        listed = set(Mission.objects.owned_by(person).values_list("pk", flat=True))
        for mission in missions:
            answers = {
                "Actor.owns": actor.owns(mission),
                "owned_by_person (join)": mission.pk in by_join,
                "owned_by_person (led ids)": mission.pk in by_ids,
                "MissionQuerySet.owned_by": mission.pk in listed,
                "mission_owners": person in mission_owners(mission),
            }
            if len(set(answers.values())) != 1:
                disagreements.append((person.username, mission.title, answers))
    assert not disagreements
    assert any(actor_for(p, world.organisation).owns(m) for p in people for m in missions)


def test_a_teams_missions_are_its_own_and_its_peoples(world) -> None:
    owned = set(
        Mission.objects.filter(owned_by_teams([world.team.pk])).values_list("pk", flat=True)
    )
    # team_mission is owned by the team; staff_mission by staff, a person of the team.
    assert {world.team_mission.pk, world.staff_mission.pk} <= owned
    assert world.org_mission.pk not in owned
