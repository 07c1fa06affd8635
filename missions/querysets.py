"""Reusable, side-effect-free filters for the missions app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

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


def team_mission_ids(team_ids: Any, missions: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The ids of the missions (of ``missions``, by default all) that belong to teams: owned
    by one of them, or owned in person by someone who is in one of them in the mission's
    organisation (a person's team elsewhere does not count), as the alignment checks'
    ``OWNER_TEAM`` has it. ``team_ids``: ids, or a subquery of them.

    A ``UNION`` of the two ways in, each served by its own index (owner team; owner person
    and their membership), not an ``OR`` across a join; ``missions``' own filters go into
    both. At 100,000 missions the largest directorate's 21,437 missions are found in about
    80 ms instead of 500."""
    if missions is None:
        from .models import Mission  # the models import this module

        missions = Mission.objects.all()
    from kernel.models import Membership, Team

    missions = missions.order_by()
    owned = missions.filter(owner_team_id__in=team_ids)
    # The teams' organisation, for the person's membership and their mission alike.
    organisations = Team.objects.filter(pk__in=team_ids).values("organisation_id")
    members = Membership.objects.filter(team_id__in=team_ids, organisation_id__in=organisations)
    by_member = missions.filter(
        owner_team__isnull=True,
        owner_user_id__in=members.values("user_id"),
        organisation_id__in=organisations,
    )
    return owned.values("pk").union(by_member.values("pk"), all=True)


def owned_by_teams(team_ids: Any, prefix: str = "") -> Q:
    """Rows whose mission (reached through ``prefix``) belongs to teams (``team_mission_ids``)."""
    return Q(**{f"{prefix}pk__in": team_mission_ids(team_ids)})


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
