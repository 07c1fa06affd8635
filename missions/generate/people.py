"""People and teams: the synthetic users, the team hierarchy with its leaders, everyone's
membership, and the two coaches (one for the whole organisation, one for the first
directorate)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from kernel import tree
from kernel.models import CoachAssignment, Membership, Team
from missions.generate.tables import TableWriter

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

# Synthetic people's addresses are <username>@<slug>.synthetic.example: a --replace of that slug
# removes only its own people.
EMAIL_DOMAIN = "synthetic.example"
USER_COLUMNS = [
    "id",
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
]


def write_people(gen: Generator, build: Build) -> None:
    """The users: ``<slug>-u000123``, with an address under the slug's own domain so a later
    ``--replace`` finds them; no one can log in unless ``--password`` is given."""
    password = make_password(gen.options["password"])  # once: hashing is slow by design
    user_ids = build.user_ids
    users = TableWriter(gen, get_user_model(), USER_COLUMNS, len(user_ids), "users")
    domain = f"{gen.slug}.{EMAIL_DOMAIN}"
    for i, (first, last) in enumerate(build.plan.user_name):
        username = f"{gen.user_prefix}{i:06d}"
        email = f"{username}@{domain}"
        users.add(
            (user_ids[i], password, False, username, first, last, email, False, True, gen.now)
        )
    users.close()


def write_teams(gen: Generator, build: Build) -> None:
    plan, team_ids = build.plan, build.team_ids
    teams = TableWriter(
        gen,
        Team,
        ["id", "organisation_id", "name", "parent_id", "path", "leader_id"],
        len(team_ids),
        "teams",
    )
    team_paths: list[str] = []
    for i, parent in enumerate(plan.team_parent):
        path = tree.child_path(team_paths[parent], team_ids[parent]) if parent >= 0 else ""
        team_paths.append(path)
        parent_id = team_ids[parent] if parent >= 0 else None
        leader = build.user_ids[plan.team_leader[i]]
        teams.add((team_ids[i], build.org_id, plan.team_name[i], parent_id, path, leader))
    teams.close()


def write_memberships(gen: Generator, build: Build) -> None:
    plan, team_ids, user_ids = build.plan, build.team_ids, build.user_ids
    memberships = TableWriter(
        gen,
        Membership,
        ["organisation_id", "user_id", "role", "team_id", "job_title"],
        len(user_ids),
        "memberships",
    )
    for i, team in enumerate(plan.user_team):
        team_id = team_ids[team] if team >= 0 else None
        memberships.add((build.org_id, user_ids[i], plan.user_role[i], team_id, plan.user_title[i]))
    memberships.close()
    organisation = build.organisation
    CoachAssignment.objects.create(organisation=organisation, coach_id=user_ids[plan.coaches[0]])
    if len(team_ids) > 1:
        CoachAssignment.objects.create(
            organisation=organisation, coach_id=user_ids[plan.coaches[1]], team_id=team_ids[1]
        )
