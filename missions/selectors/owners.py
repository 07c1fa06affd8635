"""Who may own what: the teams and people the browser form offers as a mission's or a key
task's owner, and the API accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from kernel import tree
from kernel.models import Team

from ..models import Mission

if TYPE_CHECKING:
    from kernel.permissions import Actor


def mission_owner_teams(
    *, actor: Actor, parent: Mission | None, current: Mission | None = None
) -> QuerySet[Team]:
    """The teams that may own a mission the actor writes under ``parent``: the teams the actor
    leads, the parent's team and the teams under it, and the mission's current owner team.
    The browser form and the API offer and accept the same owners."""
    anchor = parent.owner_team if parent is not None and parent.owner_team_id else None
    allowed = Q(pk__in=actor.led_team_ids)
    if anchor is not None:
        allowed |= Q(pk=anchor.pk) | Q(path__startswith=tree.child_path(anchor.path, anchor.pk))
    if current is not None and current.owner_team_id:
        allowed |= Q(pk=current.owner_team_id)
    return Team.objects.filter(allowed, organisation=actor.organisation).order_by("name")


def mission_owner_people(
    *, actor: Actor, parent: Mission | None, current: Mission | None = None
) -> QuerySet[Any]:
    """The people who may own an individual mission the actor writes under ``parent``: the
    actor, the people of the parent's team, the parent's owner, and the current owner."""
    allowed = Q(pk=actor.user.pk)
    if parent is not None and parent.owner_team_id:
        allowed |= Q(
            memberships__team_id=parent.owner_team_id,
            memberships__organisation=actor.organisation,
        )
    if parent is not None and parent.owner_user_id:
        allowed |= Q(pk=parent.owner_user_id)
    if current is not None and current.owner_user_id:
        allowed |= Q(pk=current.owner_user_id)
    return get_user_model().objects.filter(allowed).distinct().order_by("first_name", "username")


def key_task_owner_people(*, mission: Mission) -> QuerySet[Any]:
    """Who may own a key task of the mission: its owner, or the people of its owner team."""
    if mission.owner_user_id:
        people = Q(pk=mission.owner_user_id)
    else:
        people = Q(
            memberships__team_id=mission.owner_team_id,
            memberships__organisation_id=mission.organisation_id,
        )
    return get_user_model().objects.filter(people).distinct()
