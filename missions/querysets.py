"""Reusable, side-effect-free filters for the missions app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from kernel.querysets import TreeQuerySet, owned_by_person

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from kernel.models import Organisation

# A child mission joins the cascade when it is put to the mission above: proposed, then
# aligned. A draft is still being written and a sent-back one rewritten, so a 30-day review
# of either would review nothing the organisation has agreed to.
IN_PLAY_ALIGNMENT = ("proposed", "aligned")


def in_play(prefix: str = "") -> Q:
    """Missions (reached through ``prefix``, e.g. ``"mission__"`` from reviews) in play: active,
    and the top of their cascade or proposed or aligned. Only these have 30-day reviews
    scheduled, listed as due and reminded.

    The rule in SQL, written once; ``is_in_play`` below is the same rule in memory (for
    ``Mission.in_play``), the checks' ``review_overdue`` its copy in their SQL, and
    tests/agreement/test_in_play.py gives all of them the same cases.
    """
    return Q(**{f"{prefix}status": "active"}) & (
        Q(**{f"{prefix}parent__isnull": True})
        | Q(**{f"{prefix}alignment_status__in": IN_PLAY_ALIGNMENT})
    )


def is_in_play(*, status: str, top: bool, alignment_status: str) -> bool:
    """``in_play`` for one mission's values in memory (``Mission.in_play``, and the generator
    before its rows exist); ``top``: it has no parent."""
    return status == "active" and (top or alignment_status in IN_PLAY_ALIGNMENT)


class MissionQuerySet(TreeQuerySet):
    def in_organisation(self, organisation: Organisation) -> MissionQuerySet:
        return self.filter(organisation=organisation)

    def active(self) -> MissionQuerySet:
        return self.filter(status="active")

    def in_play(self) -> MissionQuerySet:
        return self.filter(in_play())

    def owned_by(self, user: AbstractBaseUser | AnonymousUser) -> MissionQuerySet:
        """Missions the user owns in person or through a team they lead."""
        if user.pk is None:  # nobody: no mission (a filter on NULL would match team missions)
            return self.none()
        return self.filter(owned_by_person(user.pk))

    def with_owner(self) -> MissionQuerySet:
        return self.select_related("owner_user", "owner_team", "owner_team__leader")
