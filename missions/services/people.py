"""Teams and people: the organisation chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import tree
from ..audit import apply_changes, audit_record
from ..models import Organisation, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser


@transaction.atomic
def team_create(
    *, organisation: Organisation, name: str, parent: Team | None = None, leader: Any = None
) -> Team:
    """Create a team under ``parent`` (or a top team)."""
    team = Team(organisation=organisation, name=name, parent=parent, leader=leader)
    team.path = tree.child_path(parent.path, parent.pk) if parent else ""
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_update(*, team: Team, data: dict[str, Any], by: User) -> Team:
    """Rename, re-parent or change the leader of a team; sub-teams move with it."""
    old_path = team.path
    changes = apply_changes(team, data, ("name", "parent", "leader"))
    if not changes:
        return team
    if team.parent is not None and (
        team.parent.pk == team.pk or team.pk in tree.ancestor_ids(team.parent.path)
    ):
        raise ValidationError({"parent": "A team cannot sit under itself or its own sub-teams."})
    team.path = tree.child_path(team.parent.path, team.parent.pk) if team.parent else ""
    team.full_clean()
    team.save()
    if team.path != old_path:
        tree.move_descendants(Team, team, old_path)
    audit_record(obj=team, organisation=team.organisation, verb="updated", by=by, changes=changes)
    return team
