"""Reads for a person's calendar feed: the feed a token names, and what it shows.

The feed shows what is the person's to do in that organisation, as the permission module
sees them (``kernel.permissions.actor_for``: no member any more, no feed): the reviews of the
missions in play they own, in person or through a team they lead (``owned_by_person``, the
rule ``Actor.owns`` holds in memory), and the next check-in of each active KPI of those
missions. A window bounds it: from ``PAST_DAYS`` ago to ``AHEAD_DAYS`` ahead. A fixed number
of queries whatever the size of the organisation: the feed, the actor (two), the reviews,
the KPIs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kernel.permissions import Actor, actor_for
from kernel.querysets import owned_by_person
from measures.models import Kpi
from missionlead.emails import absolute_url
from missions.models import Mission
from missions.querysets import in_play

from . import calendar
from .models import CalendarFeed, Review
from .services.calendar import feed_digest

PAST_DAYS = 30
AHEAD_DAYS = 365


def calendar_feed_open(*, actor: Actor) -> CalendarFeed | None:
    """The actor's working feed in their organisation, if they made one."""
    return CalendarFeed.objects.filter(
        organisation=actor.organisation, user=actor.user, revoked_at=None
    ).first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The working feed ``token`` opens, its person and organisation loaded; None for a
    revoked or unknown token. Read across organisations: the token says whose it is."""
    return (
        CalendarFeed.objects.select_related("organisation", "user")
        .filter(digest=feed_digest(token), revoked_at=None, user__is_active=True)
        .first()
    )


@dataclass(frozen=True)
class FeedContent:
    reviews: list[calendar.ReviewEvent]
    check_ins: list[calendar.CheckInDue]


def feed_content(*, actor: Actor, today: dt.date | None = None) -> FeedContent:
    """The actor's reviews and check-ins due inside the window, soonest first."""
    today = today or timezone.localdate()
    start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=AHEAD_DAYS)
    slug = actor.organisation.slug
    mine = owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids, prefix="mission__")
    reviews = (
        Review.objects.filter(
            mine,
            in_play("mission__"),
            organisation=actor.organisation,
            status=Review.Status.SCHEDULED,
            due_date__range=(start, end),
        )
        .order_by("due_date", "id")
        .values_list("id", "due_date", "sequence", "mission__title")
    )
    kpis = (
        Kpi.objects.filter(
            mine,
            organisation=actor.organisation,
            status=Kpi.Status.ACTIVE,
            mission__status=Mission.Status.ACTIVE,
        )
        .order_by("id")
        .values_list("id", "name", "cadence_days", "latest_on", "created_at", "mission__title")
    )
    check_ins = []
    for kpi_id, name, cadence, latest_on, created_at, title in kpis:
        # Due once no check-in stands within its cadence (``measures.models.check_in_due``):
        # the day after the cadence ends, or, never checked in, since the KPI was written.
        due_on = (
            latest_on + dt.timedelta(days=cadence + 1)
            if latest_on is not None
            else timezone.localdate(created_at)
        )
        if start <= due_on <= end:
            check_ins.append(
                calendar.CheckInDue(
                    kpi_id=kpi_id,
                    due_on=due_on,
                    name=name,
                    mission_title=title,
                    url=absolute_url(f"/o/{slug}/kpis/{kpi_id}/"),
                )
            )
    check_ins.sort(key=lambda due: (due.due_on, due.kpi_id))
    return FeedContent(
        reviews=[
            calendar.ReviewEvent(
                review_id=review_id,
                due_date=due_date,
                sequence=sequence,
                title=title,
                url=absolute_url(f"/o/{slug}/reviews/{review_id}/"),
                organiser=None,
            )
            for review_id, due_date, sequence, title in reviews
        ],
        check_ins=check_ins,
    )


def feed_actor(feed: CalendarFeed) -> Actor | None:
    """The feed's person as their organisation sees them now; None once they have left it."""
    return actor_for(feed.user, feed.organisation)
