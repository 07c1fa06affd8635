"""What waits for the actor: notifications, missions proposed to them for alignment, support
asked of their missions, and their key tasks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kernel.models import Notification
from kernel.querysets import owned_by_person

from ..models import Interdependency, KeyTask, Mission

if TYPE_CHECKING:
    from kernel.permissions import Actor


def notifications_for(*, actor: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(
        recipient=actor.user, organisation=actor.organisation
    ).select_related("mission")


def unread_count(*, actor: Actor) -> int:
    """For the navigation badge: served by the partial index on unread notifications."""
    return notifications_for(actor=actor).filter(read_at__isnull=True).count()


def _owned_by_actor(actor: Actor, prefix: str) -> Q:
    """Missions (reached through ``prefix``) the actor owns in person or through a led team."""
    return owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids, prefix=prefix)


def missions_awaiting_alignment(*, actor: Actor) -> QuerySet[Mission]:
    """Missions proposed under the actor's own missions: they wait for the actor to align them
    or send them back (the seed's step one, seen from the boss)."""
    return (
        Mission.objects.filter(
            _owned_by_actor(actor, "parent__"),
            organisation=actor.organisation,
            alignment_status=Mission.AlignmentStatus.PROPOSED,
        )
        .exclude(status=Mission.Status.ARCHIVED)
        .with_owner()
        .select_related("parent")
        .order_by("proposed_at", "id")
    )


def support_requests_awaiting(*, actor: Actor) -> QuerySet[Interdependency]:
    """Interdependencies still proposed to the actor's missions: they wait for an answer."""
    return (
        Interdependency.objects.filter(
            _owned_by_actor(actor, "to_mission__"),
            organisation=actor.organisation,
            status=Interdependency.Status.PROPOSED,
        )
        .select_related("to_mission", "from_mission__owner_user", "from_mission__owner_team")
        .order_by("created_at", "id")
    )


RECENTLY_DONE_DAYS = 30


def key_tasks_of_actor(*, actor: Actor, mission_ids: list[int]) -> QuerySet[KeyTask]:
    """Key tasks the actor owns anywhere, or that deliver the given missions (theirs): the open
    ones and those done in the last ``RECENTLY_DONE_DAYS`` days. One query."""
    recently = timezone.now() - dt.timedelta(days=RECENTLY_DONE_DAYS)
    open_statuses = [KeyTask.Status.TODO, KeyTask.Status.IN_PROGRESS, KeyTask.Status.BLOCKED]
    return (
        KeyTask.objects.filter(mission__organisation=actor.organisation)
        .filter(Q(owner=actor.user) | Q(mission_id__in=mission_ids))
        .filter(
            Q(status__in=open_statuses) | Q(status=KeyTask.Status.DONE, completed_at__gte=recently)
        )
        .exclude(mission__status=Mission.Status.ARCHIVED)
        .select_related("owner", "mission__parent")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )
