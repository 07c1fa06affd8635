"""Which team a mission belongs to, in SQL and with the ORM.

A mission belongs to the team that owns it, or to the team of the person who owns it in the
mission's organisation; a person in no team there gives a mission of no team.

SQL: ``reviews.checks.OWNER_TEAM`` with ``MEMBERSHIP_JOIN``, by which the checks' team
snapshots and the dashboards' live figures group. ORM: ``missions.querysets.owned_by_teams``
(the team dashboard's missions, the API's ``?team=``) and the cascade's team filter
(``missions.selectors.cascade_search``). Each case builds one mission; every spelling must
put it in the same team, and the dashboards must count it there.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from kernel.models import Membership, Team
from kernel.permissions import actor_for
from measures.models import Kpi
from missions.models import Mission
from missions.querysets import owned_by_teams
from missions.selectors import cascade_search
from reviews.checks import MEMBERSHIP_JOIN, OWNER_TEAM
from reviews.dashboards import figures_by_team
from reviews.models import AlignmentSnapshot
from tests.agreement.builders import checked
from tests.measures.factories import KpiFactory
from tests.missions.factories import MembershipFactory, MissionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _individual(world, owner, **extra) -> Mission:
    return MissionFactory(parent=world.team_mission, level="individual", owner_user=owner, **extra)


def _traveller(world, *, team_there: bool) -> Mission:
    """Someone of Operations who is also a member of the other organisation, there in its
    board or in no team, and owns a mission there."""
    traveller = UserFactory(username="traveller")
    MembershipFactory(organisation=world.organisation, user=traveller, team=world.team)
    other_team = Team.objects.get(organisation=world.other_organisation)
    MembershipFactory(
        organisation=world.other_organisation,
        user=traveller,
        team=other_team if team_there else None,
    )
    return MissionFactory(parent=world.other_mission, level="individual", owner_user=traveller)


def _clinics(world) -> Team:
    """A team under Operations, led by ``staff`` (who is a member of Operations)."""
    return TeamFactory(
        organisation=world.organisation, name="Clinics", parent=world.team, leader=world.staff
    )


# label: (build the mission, the name of the team it belongs to, or None)
CASES = {
    "a team's own mission": (lambda w: w.team_mission, "Operations"),
    "the mission of a person in a team": (lambda w: w.staff_mission, "Operations"),
    "a team leader's own mission": (lambda w: _individual(w, w.lead), "Operations"),
    "the chief executive's own mission": (lambda w: _individual(w, w.leader), "Board"),
    "the mission of a team led by a person of another team": (
        lambda w: MissionFactory(parent=w.team_mission, level="team", owner_team=_clinics(w)),
        "Clinics",
    ),
    "the own mission of a team's leader who belongs to another team": (
        lambda w: (_clinics(w), _individual(w, w.staff))[1],
        "Operations",
    ),
    "the mission of a person in no team": (lambda w: _individual(w, w.coach), None),
    "the mission of a person who has left the organisation": (
        lambda w: _individual(w, UserFactory(username="leaver")),
        None,
    ),
    "an archived mission of a team": (
        lambda w: MissionFactory(
            parent=w.org_mission, level="team", owner_team=w.team, status="archived"
        ),
        "Operations",
    ),
    "a completed mission of a person in a team": (
        lambda w: _individual(w, w.staff, status="completed"),
        "Operations",
    ),
    "the mission, in another organisation, of a person of this team who is in a team there": (
        lambda w: _traveller(w, team_there=True),
        "Other board",
    ),
    "the mission, in another organisation, of a person of this team who is in no team there": (
        lambda w: _traveller(w, team_there=False),
        None,
    ),
}


def team_by_sql(mission: Mission) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {OWNER_TEAM} FROM missions_mission m {MEMBERSHIP_JOIN} WHERE m.id = %s",
            [mission.pk],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, "a mission belongs to one team at most"
    return rows[0][0]


def teams_by_orm(mission: Mission) -> set[int]:
    return {
        team.pk
        for team in Team.objects.all()
        if Mission.objects.filter(owned_by_teams([team.pk]), pk=mission.pk).exists()
    }


def teams_by_orm_through_a_kpi(mission: Mission) -> set[int]:
    """The same, for what belongs to a mission (the API's ``?team=`` on KPIs, reviews…)."""
    kpi = KpiFactory(mission=mission)
    return {
        team.pk
        for team in Team.objects.all()
        if Kpi.objects.filter(owned_by_teams([team.pk], "mission__"), pk=kpi.pk).exists()
    }


def teams_by_cascade_search(mission: Mission) -> set[int]:
    boss = mission.organisation.teams.get(parent=None).leader
    actor = actor_for(boss, mission.organisation)
    return {
        team.pk
        for team in Team.objects.filter(organisation=mission.organisation)
        if cascade_search(actor=actor, team=team.name).filter(pk=mission.pk).exists()
    }


@pytest.mark.parametrize(("build", "team_name"), CASES.values(), ids=CASES.keys())
def test_every_spelling_puts_a_mission_in_the_same_team(world, build, team_name) -> None:
    mission = build(world)
    expected = None if team_name is None else Team.objects.get(name=team_name).pk

    assert team_by_sql(mission) == expected
    assert teams_by_orm(mission) == ({expected} if expected else set())
    assert teams_by_orm_through_a_kpi(mission) == ({expected} if expected else set())
    if mission.status != Mission.Status.ARCHIVED:  # the cascade leaves archived missions out
        assert teams_by_cascade_search(mission) == ({expected} if expected else set())


@pytest.mark.parametrize(("build", "team_name"), CASES.values(), ids=CASES.keys())
def test_the_dashboards_count_each_teams_active_missions_as_the_orm_finds_them(
    world, build, team_name
) -> None:
    organisation = build(world).organisation
    active = Mission.objects.filter(organisation=organisation, status=Mission.Status.ACTIVE)
    teams = Team.objects.filter(organisation=organisation)
    by_orm = Counter({team.pk: active.filter(owned_by_teams([team.pk])).count() for team in teams})
    by_orm[None] = active.count() - sum(by_orm.values())

    live = figures_by_team(organisation=organisation, scope=None)
    assert +Counter({team: figures.missions for team, figures in live.items()}) == +by_orm

    checked(organisation)
    snapshots = AlignmentSnapshot.objects.filter(organisation=organisation, team__isnull=False)
    assert +Counter(dict(snapshots.values_list("team_id", "missions"))) == +Counter(
        {team: n for team, n in by_orm.items() if team is not None}
    )


def test_a_team_filter_in_the_api_lists_no_mission_of_another_organisation(world) -> None:
    """Someone in two organisations lists missions by their team in one of them: their own
    mission in the other organisation is not that team's."""
    elsewhere = _traveller(world, team_there=False)
    client = APIClient()
    client.force_authenticate(elsewhere.owner_user)
    listed = client.get(f"/api/v1/missions/?team={world.team.pk}")
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()["results"]} == {
        world.team_mission.pk,
        world.staff_mission.pk,
    }
