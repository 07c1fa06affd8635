"""The shape of a synthetic organisation, drawn before anything is written: its teams, people
and the cascade of missions, as indexes into lists (ids come later)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kernel.models import Membership
from missions.generate.vocabulary import AREAS, FIRST, FUNCTIONS, LAST

ORG_LEVEL, TEAM_LEVEL, PERSON_LEVEL = 0, 1, 2
TEAM_MISSION_SHARE = 0.22  # the rest, beyond the organisation missions, are individual
MISSIONS_PER_MEMBER = 1.6


@dataclass
class Plan:
    """The shape of the organisation, as indexes into lists; ids come later."""

    team_parent: list[int] = field(default_factory=list)  # -1: the top team
    team_name: list[str] = field(default_factory=list)
    team_leader: list[int] = field(default_factory=list)  # user index
    team_missions: list[list[int]] = field(default_factory=list)
    user_name: list[tuple[str, str]] = field(default_factory=list)
    user_team: list[int] = field(default_factory=list)  # -1: none (admin, coaches)
    user_role: list[str] = field(default_factory=list)
    user_title: list[str] = field(default_factory=list)
    mission_parent: list[int] = field(default_factory=list)  # -1: organisation level
    mission_level: list[int] = field(default_factory=list)
    mission_team: list[int] = field(default_factory=list)  # owner team, or the member's team
    mission_user: list[int] = field(default_factory=list)  # individual owner, else -1
    coaches: list[int] = field(default_factory=list)
    admin: int = -1


def build_plan(n: int, rng: random.Random) -> Plan:
    plan = Plan()
    n_org = min(5, max(1, n // 60))
    rest = n - n_org
    n_team_missions = round(rest * TEAM_MISSION_SHARE)
    n_teams = (n_team_missions + 1) // 2
    n_individual = rest - n_team_missions

    # Teams: the top team, directorates (one three times the others' size), then sub-teams
    # breadth first under each directorate. Parents always come before their children.
    def add_team(parent: int, name: str) -> int:
        plan.team_parent.append(parent)
        plan.team_name.append(name)
        plan.team_missions.append([])
        return len(plan.team_parent) - 1

    add_team(-1, "Leadership Team")
    n_directorates = min(n_teams, len(FUNCTIONS), max(1, round(n_teams ** (1 / 3)) + 1))
    weights = [3.0] + [rng.uniform(0.6, 1.4) for _ in range(n_directorates - 1)]
    extra = n_teams - n_directorates
    sizes = [int(extra * w / sum(weights)) for w in weights][:n_directorates]
    for i in range(extra - sum(sizes)):
        sizes[i % len(sizes)] += 1
    for d, size in enumerate(sizes):
        function = FUNCTIONS[d]
        queue = [add_team(0, f"{function} Directorate")]
        head, made = 0, 0
        while made < size:
            parent = queue[head]
            head += 1
            for _ in range(min(rng.randint(2, 6), size - made)):
                index = len(plan.team_parent)
                area = AREAS[index % len(AREAS)]
                queue.append(add_team(parent, f"{function} {area} {index}"))
                made += 1
    total_teams = len(plan.team_parent)

    # People: a leader per team, members spread unevenly, an admin and two coaches.
    def add_user(team: int, role: str, title: str) -> int:
        index = len(plan.user_name)
        plan.user_name.append((FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]))
        plan.user_team.append(team)
        plan.user_role.append(role)
        plan.user_title.append(title)
        return index

    for team in range(total_teams):
        title = "Chief Executive" if team == 0 else f"Head of {plan.team_name[team]}"
        plan.team_leader.append(add_user(team, Membership.Role.LEADER, title))
    n_members = min(
        n_individual, max(1 if n_individual else 0, round(n_individual / MISSIONS_PER_MEMBER))
    )
    team_weights = [0.3] + [rng.uniform(0.5, 1.5) for _ in range(total_teams - 1)]
    members = [
        add_user(team, Membership.Role.STAFF, "Team member")
        for team in sorted(rng.choices(range(total_teams), team_weights, k=n_members))
    ]
    plan.admin = add_user(-1, Membership.Role.ADMIN, "Organisation admin")
    plan.coaches = [add_user(-1, Membership.Role.COACH, "Coach") for _ in range(2)]

    # Missions: organisation level, team level in team order, then individual ones.
    def add_mission(parent: int, level: int, team: int, user: int = -1) -> int:
        plan.mission_parent.append(parent)
        plan.mission_level.append(level)
        plan.mission_team.append(team)
        plan.mission_user.append(user)
        return len(plan.mission_parent) - 1

    for _ in range(n_org):
        plan.team_missions[0].append(add_mission(-1, ORG_LEVEL, 0))
    per_team = [1] * (total_teams - 1)
    for _ in range(n_team_missions - len(per_team)):
        per_team[rng.randrange(len(per_team))] += 1
    for team in range(1, total_teams):
        above = plan.team_missions[plan.team_parent[team]]
        for _ in range(per_team[team - 1]):
            parent = above[rng.randrange(len(above))]
            plan.team_missions[team].append(add_mission(parent, TEAM_LEVEL, team))
    per_member = [1] * len(members)
    for _ in range(n_individual - len(members)):
        per_member[rng.randrange(len(members))] += 1
    for member, count in zip(members, per_member, strict=True):
        team = plan.user_team[member]
        above = plan.team_missions[team]
        for _ in range(count):
            add_mission(above[rng.randrange(len(above))], PERSON_LEVEL, team, member)
    return plan
