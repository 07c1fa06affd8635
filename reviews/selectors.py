"""Reads for reviews."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Review

if TYPE_CHECKING:
    from missions.permissions import Actor


def reviews_due_for(*, actor: Actor, within_days: int = 14) -> QuerySet[Review]:
    """Scheduled reviews of the actor's own missions, overdue or due within ``within_days``."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    return (
        Review.objects.filter(
            mission__organisation=actor.organisation,
            status=Review.Status.SCHEDULED,
            due_date__lte=horizon,
        )
        .filter(Q(mission__owner_user=actor.user) | Q(mission__owner_team__in=actor.led_team_ids))
        .select_related("mission")
        .order_by("due_date")
    )


def reviews_for_member(*, user: object) -> QuerySet[Review]:
    """Reviews of the user's organisations (the API's list)."""
    return (
        Review.objects.filter(mission__organisation__memberships__user=user)
        .select_related("mission__organisation", "mission__parent")
        .order_by("id")
    )
