"""The database itself rejects bad rows: every constraint is tested by bypassing Django's
validation (``objects.create`` / ``update`` go straight to SQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kernel.models import CoachAssignment, Membership, Organisation, Team
from missions.models import Interdependency, KeyTask, Mission
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _rejected(constraint: str):
    """Expect the statement to fail on the named database constraint."""
    return pytest.raises(IntegrityError, match=constraint)


def _mission_data(world, **overrides):
    data = {
        "organisation": world.organisation,
        "level": Mission.Level.TEAM,
        "title": "A mission",
        "parent": world.org_mission,
        "path": "",
        "owner_team": world.team,
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"period_end": dt.date(2026, 1, 1)}, "period_ends_after_start"),
        ({"period_end": dt.date(2025, 6, 1)}, "period_ends_after_start"),
        ({"level": "individual"}, "owner_matches_level"),  # individual with a team owner
        ({"level": "team", "owner_team": None}, "owner_matches_level"),
        ({"level": "organisation", "parent": None, "owner_team": None}, "owner_matches_level"),
        ({"level": "organisation"}, "organisation_level_is_top"),
        ({"status": "paused"}, "status_valid"),
        ({"alignment_status": "maybe"}, "alignment_status_valid"),
        ({"budget": -1}, "budget_not_negative"),
        ({"review_cadence_days": 0}, "review_cadence_positive"),
    ],
)
def test_it_rejects_a_bad_mission(world, overrides, constraint) -> None:
    with _rejected(constraint):
        Mission.objects.create(**_mission_data(world, **overrides))


def test_it_rejects_an_individual_mission_without_an_owner_person(world) -> None:
    with _rejected("owner_matches_level"):
        Mission.objects.create(**_mission_data(world, level="individual", owner_team=None))


def test_it_accepts_a_good_mission(world) -> None:
    mission = Mission.objects.create(**_mission_data(world))
    assert mission.pk


def test_a_mission_cannot_be_its_own_parent(world) -> None:
    with _rejected("not_own_parent"):
        Mission.objects.filter(pk=world.team_mission.pk).update(parent=world.team_mission)


def test_a_mission_parent_must_be_in_the_same_organisation(world) -> None:
    with _rejected("parent_same_org"):
        Mission.objects.create(**_mission_data(world, parent=world.other_mission))


def test_a_mission_owner_team_must_be_in_the_same_organisation(world) -> None:
    foreign_team = Team.objects.get(organisation=world.other_organisation)
    with _rejected("owner_team_same_org"):
        Mission.objects.create(**_mission_data(world, owner_team=foreign_team))


def test_a_mission_cannot_be_deleted_while_it_has_children(world) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        world.team_mission.delete()


def test_team_rules(world) -> None:
    with transaction.atomic(), _rejected("not_own_parent"):
        Team.objects.filter(pk=world.team.pk).update(parent=world.team)
    with transaction.atomic(), _rejected("unique_name"):
        Team.objects.create(organisation=world.organisation, name="Operations")
    foreign_team = Team.objects.get(organisation=world.other_organisation)
    with transaction.atomic(), _rejected("parent_same_org"):
        Team.objects.create(organisation=world.organisation, name="Rogue", parent=foreign_team)
    # The same name in another organisation is fine.
    Team.objects.create(organisation=world.other_organisation, name="Operations")


def test_membership_rules(world) -> None:
    with transaction.atomic(), _rejected("one_per_org"):
        Membership.objects.create(organisation=world.organisation, user=world.staff)
    with transaction.atomic(), _rejected("role_valid"):
        Membership.objects.create(
            organisation=world.other_organisation, user=world.staff, role="god"
        )
    with transaction.atomic(), _rejected("team_same_org"):
        Membership.objects.create(
            organisation=world.other_organisation, user=world.staff, team=world.team
        )


def test_coach_assignment_is_unique_for_the_whole_organisation_and_per_team(world) -> None:
    with transaction.atomic(), _rejected("unique_whole_org"):
        CoachAssignment.objects.create(organisation=world.organisation, coach=world.coach)
    CoachAssignment.objects.create(
        organisation=world.organisation, coach=world.coach, team=world.team
    )
    with transaction.atomic(), _rejected("unique_team"):
        CoachAssignment.objects.create(
            organisation=world.organisation, coach=world.coach, team=world.team
        )


def test_organisation_settings_must_be_positive() -> None:
    with transaction.atomic(), _rejected("review_cadence_positive"):
        Organisation.objects.create(name="X", slug="x", review_cadence_days=0)
    with transaction.atomic(), _rejected("max_active_missions_positive"):
        Organisation.objects.create(name="Y", slug="y", max_active_missions=0)


def test_key_task_rules(world) -> None:
    with transaction.atomic(), _rejected("status_valid"):
        KeyTask.objects.create(mission=world.team_mission, title="x", status="someday")
    with transaction.atomic(), _rejected("done_has_completion_time"):
        KeyTask.objects.create(mission=world.team_mission, title="x", status="done")


def test_interdependency_rules(world) -> None:
    sibling = MissionFactory(
        parent=world.org_mission, owner_team=TeamFactory(organisation=world.organisation)
    )
    link = {
        "organisation": world.organisation,
        "from_mission": world.team_mission,
        "to_mission": sibling,
        "kind": "depends_on",
    }
    with transaction.atomic(), _rejected("not_self"):
        Interdependency.objects.create(**{**link, "to_mission": world.team_mission})
    with transaction.atomic(), _rejected("kind_valid"):
        Interdependency.objects.create(**{**link, "kind": "hates"})
    with transaction.atomic(), _rejected("status_valid"):
        Interdependency.objects.create(**{**link, "status": "ignored"})
    with transaction.atomic(), _rejected("to_mission_same_org"):
        Interdependency.objects.create(**{**link, "to_mission": world.other_mission})
    first = Interdependency.objects.create(**link)
    with transaction.atomic(), _rejected("one_open"):
        Interdependency.objects.create(**link)
    # Once the first is closed, the same link may be asked again.
    Interdependency.objects.filter(pk=first.pk).update(status="declined")
    Interdependency.objects.create(**link)
