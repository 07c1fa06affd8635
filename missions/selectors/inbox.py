"""The actor's key tasks, for My work. (What waits for the actor is their inbox:
kernel.notifications.open_items.)"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..models import KeyTask, Mission

if TYPE_CHECKING:
    from kernel.permissions import Actor


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
