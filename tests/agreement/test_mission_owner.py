"""Who owns a mission, in the checks' SQL and in Python.

A mission is owned by the person who owns it, or else by the leader of the team that owns
it; a team without a leader gives a mission of nobody. ``reviews.checks`` counts a person's
active missions for ``too_many_missions`` with ``COALESCE(m.owner_user_id, t.leader_id)``;
``missions.querysets.owned_by_person`` (lists), ``Actor.owns`` (one mission in memory) and
``missions.services.mission_owners`` (who hears of a mission's news) say it in Python. With
at most one active mission each, every person with more has the finding on exactly the
active missions Python says are theirs.
"""

from __future__ import annotations

import pytest

from kernel.models import Organisation
from kernel.notifications import mission_owners
from kernel.permissions import actor_for
from kernel.querysets import owned_by_person
from missions.models import Mission
from reviews.models import Finding
from tests.agreement.builders import checked, found
from tests.missions.factories import MembershipFactory, MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db
LIMIT = 1


@pytest.fixture
def owned(world):
    """The world's missions (Board's, led by ``leader``; Operations', led by ``lead``;
    ``staff``'s own) and more, with a limit of one active mission per owner:

    - ``lead``: a second Operations mission and one of their own, and an archived one;
    - ``staff``: the mission of Clinics, a team they lead, and a completed mission of their own;
    - nobody: two missions of a team without a leader;
    - ``coach``: a mission of their own in the other organisation (counted there, not here).
    """
    Organisation.objects.filter(pk=world.organisation.pk).update(max_active_missions=LIMIT)
    world.organisation.refresh_from_db()
    under = world.team_mission

    def team_mission(team, **extra):
        return MissionFactory(parent=under, level="team", owner_team=team, **extra)

    def own_mission(person, **extra):
        return MissionFactory(parent=under, level="individual", owner_user=person, **extra)

    team_mission(world.team)
    own_mission(world.lead)
    team_mission(world.team, status="archived")
    clinics = TeamFactory(organisation=world.organisation, parent=world.team, leader=world.staff)
    team_mission(clinics)
    own_mission(world.staff, status="completed")
    leaderless = TeamFactory(organisation=world.organisation, parent=world.team, leader=None)
    team_mission(leaderless)
    team_mission(leaderless)
    MembershipFactory(organisation=world.other_organisation, user=world.coach)
    MissionFactory(parent=world.other_mission, level="individual", owner_user=world.coach)
    checked(world.organisation)
    return world


PEOPLE = {
    "a team leader: their team's missions and their own": ("lead", 3),
    "a person in a team who leads another: their own and that team's": ("staff", 2),
    "the chief executive, at the limit": ("leader", 1),
    "a coach whose only mission is in another organisation": ("coach", 0),
    "an admin who owns nothing": ("org_admin", 0),
}


@pytest.mark.parametrize(("who", "active_missions"), PEOPLE.values(), ids=PEOPLE.keys())
def test_the_check_counts_the_missions_python_says_a_person_owns(
    owned, who, active_missions
) -> None:
    person = getattr(owned, who)
    active = Mission.objects.filter(organisation=owned.organisation, status="active")
    actor = actor_for(person, owned.organisation)

    by_query = set(active.filter(owned_by_person(person.pk)).values_list("pk", flat=True))
    by_actor = {m.pk for m in active if actor.owns(m)}
    by_news = {m.pk for m in active.with_owner() if person in mission_owners(m)}
    flagged = found(
        Finding.Kind.TOO_MANY_MISSIONS,
        organisation=owned.organisation,
        subject=f"owner:{person.pk}",
    )

    assert by_query == by_actor == by_news
    assert len(by_query) == active_missions
    assert flagged == (by_query if len(by_query) > LIMIT else set())


def test_a_team_without_a_leader_gives_missions_of_nobody(owned) -> None:
    leaderless = Mission.objects.filter(
        organisation=owned.organisation, owner_team__isnull=False, owner_team__leader=None
    )
    assert leaderless.count() == 2
    assert all(mission_owners(m) == [] for m in leaderless)
    flagged = found(Finding.Kind.TOO_MANY_MISSIONS, organisation=owned.organisation)
    assert not flagged & set(leaderless.values_list("pk", flat=True))
