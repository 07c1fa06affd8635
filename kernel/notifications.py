"""In-app notifications: who hears about a change, exactly once where it matters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import Notification
from .validators import parse_id

if TYPE_CHECKING:
    from .types import User


def mission_owners(mission: Any) -> list[Any]:
    """The people a mission belongs to: its owner, or the leader of its owning team."""
    if mission.owner_user_id:
        return [mission.owner_user]
    leader = mission.owner_team.leader if mission.owner_team_id else None
    return [leader] if leader is not None else []


def notify(
    *,
    recipients: list[Any],
    kind: str,
    message: str,
    mission: Any,
    by: User | None = None,
    dedupe_key: str | None = None,
    url: str | None = None,
) -> list[Notification]:
    """In-app notifications about a mission, never to the person who caused them: the one way
    every sender writes one (the alignment workflow, links, reviews, the review reminders).

    With ``dedupe_key`` each recipient gets it at most once, whoever sends it and however
    often: the unique constraint turns a second send into nothing. ``url``: where it leads
    (the mission's page unless given).
    """
    rows = [
        Notification(
            organisation_id=mission.organisation_id,
            recipient=user,
            kind=kind,
            message=message[:500],
            url=url or mission.get_absolute_url(),
            mission=mission,
            dedupe_key=dedupe_key,
        )
        for user in {u.pk: u for u in recipients if u is not None}.values()
        if by is None or user.pk != by.pk
    ]
    if dedupe_key is None:
        return Notification.objects.bulk_create(rows)
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)


def notifications_mark_read(*, actor: Any, ids: list[str] | None = None) -> int:
    """Mark the actor's notifications read: the given ones, or all when ``ids`` is empty."""
    unread = Notification.objects.filter(
        recipient=actor.user, organisation=actor.organisation, read_at__isnull=True
    )
    if ids:
        unread = unread.filter(pk__in=[pk for pk in map(parse_id, ids) if pk is not None])
    return unread.update(read_at=timezone.now())
