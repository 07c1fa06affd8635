"""Reusable, side-effect-free filters for the missions app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from . import tree

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Organisation


class TreeQuerySet(models.QuerySet):  # type: ignore[type-arg]
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


class MissionQuerySet(TreeQuerySet):
    def in_organisation(self, organisation: Organisation) -> MissionQuerySet:
        return self.filter(organisation=organisation)  # type: ignore[return-value]

    def active(self) -> MissionQuerySet:
        return self.filter(status="active")  # type: ignore[return-value]

    def owned_by(self, user: AbstractBaseUser | AnonymousUser) -> MissionQuerySet:
        """Missions the user owns in person or through a team they lead."""
        return self.filter(Q(owner_user=user) | Q(owner_team__leader=user))  # type: ignore[return-value]

    def with_owner(self) -> MissionQuerySet:
        return self.select_related("owner_user", "owner_team", "owner_team__leader")  # type: ignore[return-value]
