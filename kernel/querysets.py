"""Reusable, side-effect-free filters over trees and over what people own."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from . import tree


def owned_by_person(user_id: int, *, led_team_ids: Any = None, prefix: str = "") -> Q:
    """Rows with an owner (a mission, reached through ``prefix``, e.g. ``"mission__"``) that
    belong to a person: owned by them in person, or owned by a team they lead.

    The ownership rule in SQL, written once; ``Actor.owns`` is the same rule for one mission
    in memory, and the ownership tests gives both the same cases.
    ``led_team_ids``: the teams they lead, when known already (an ``Actor``'s), instead of
    a join to the team's leader.
    """
    by_team = (
        {f"{prefix}owner_team__leader_id": user_id}
        if led_team_ids is None
        else {f"{prefix}owner_team_id__in": led_team_ids}
    )
    return Q(**{f"{prefix}owner_user_id": user_id}) | Q(
        **{f"{prefix}owner_user__isnull": True}, **by_team
    )


def owner_person(prefix: str = "") -> Coalesce:
    """The person a mission (reached through ``prefix``) belongs to, as an expression: its
    owner, or the leader of its owning team (``kernel.notifications.mission_owners`` in
    memory)."""
    return Coalesce(F(f"{prefix}owner_user_id"), F(f"{prefix}owner_team__leader_id"))


class TreeQuerySet(models.QuerySet):
    """Subtree and ancestor look-ups over the materialized ``path``; each is one query."""

    def descendants_of(self, node: Any, *, include_self: bool = False) -> TreeQuerySet:
        condition = Q(path__startswith=tree.child_path(node.path, node.pk))
        if include_self:
            condition |= Q(pk=node.pk)
        return self.filter(condition)

    def ancestors_of(self, node: Any) -> TreeQuerySet:
        return self.filter(pk__in=tree.ancestor_ids(node.path))

    def roots(self) -> TreeQuerySet:
        return self.filter(path="")
