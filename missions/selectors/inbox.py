"""The actor's key tasks, for My work. (What waits for the actor is their inbox:
kernel.notifications.open_items.)"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kernel.querysets import owned_by_person

from ..models import KeyTask, Mission

if TYPE_CHECKING:
    from kernel.permissions import Actor


RECENTLY_DONE_DAYS = 30


def key_tasks_of_actor(*, actor: Actor, mission_ids: list[int]) -> QuerySet[KeyTask]:
    """Key tasks that deliver the given missions (the actor's, or a page of them), and those
    the actor owns on missions that are not theirs: the open ones and those done in the last
    ``RECENTLY_DONE_DAYS`` days. One query. (Their key tasks on their own missions of another
    page are on that page.)"""
    recently = timezone.now() - dt.timedelta(days=RECENTLY_DONE_DAYS)
    open_statuses = [KeyTask.Status.TODO, KeyTask.Status.IN_PROGRESS, KeyTask.Status.BLOCKED]
    theirs = owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids, prefix="mission__")
    return (
        KeyTask.objects.filter(mission__organisation=actor.organisation)
        .filter(Q(mission_id__in=mission_ids) | (Q(owner=actor.user) & ~theirs))
        .filter(
            Q(status__in=open_statuses) | Q(status=KeyTask.Status.DONE, completed_at__gte=recently)
        )
        .exclude(mission__status=Mission.Status.ARCHIVED)
        .select_related("owner", "mission__parent")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )
