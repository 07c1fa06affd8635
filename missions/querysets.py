"""Reusable, side-effect-free filters for the missions app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kernel.querysets import TreeQuerySet, owned_by_person

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from kernel.models import Organisation


class MissionQuerySet(TreeQuerySet):
    def in_organisation(self, organisation: Organisation) -> MissionQuerySet:
        return self.filter(organisation=organisation)

    def active(self) -> MissionQuerySet:
        return self.filter(status="active")

    def owned_by(self, user: AbstractBaseUser | AnonymousUser) -> MissionQuerySet:
        """Missions the user owns in person or through a team they lead."""
        if user.pk is None:  # nobody: no mission (a filter on NULL would match team missions)
            return self.none()
        return self.filter(owned_by_person(user.pk))

    def with_owner(self) -> MissionQuerySet:
        return self.select_related("owner_user", "owner_team", "owner_team__leader")
