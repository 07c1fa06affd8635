"""Briefs prepared ahead for the leaders of large parts of the cascade.

A brief reads its part of the cascade whole: what moved this week is ranked over every KPI
checked in during it, so a chief executive's, over 100,000 missions and 150,000 KPIs checked
in that week, takes seconds to read. After the nightly checks of an organisation, a worker
prepares the briefs of the leaders whose part is large (a team they lead holds at least
``PREPARE_FROM`` active missions with its sub-teams, as the check's ``SubtreeSnapshot`` counts
them) and keeps each in the cache for the day. The page and the API serve a prepared brief,
saying when it was prepared, and read everyone else's now, or anyone's when asked to.

A prepared brief is the leader's as they stood when it was prepared: it is kept under their
role and the teams they lead, so a leader whose standing changes gets a brief read now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from contextlib import suppress

from django.core.cache import cache
from django.utils import timezone

from kernel.models import Organisation
from kernel.permissions import Actor, actor_for
from missionlead.throttling import CACHE_ERRORS

from ..models import SubtreeSnapshot
from .compose import brief_for
from .sections import Brief

log = logging.getLogger(__name__)

PREPARE_FROM = 5_000  # active missions in a team with its sub-teams
KEEP_SECONDS = 26 * 3600  # the day it was prepared for, whatever the hour of the checks


def _key(actor: Actor, day: dt.date) -> str:
    """The cache key of the actor's brief of ``day``: their standing is part of it."""
    teams = ",".join(str(pk) for pk in sorted(actor.led_team_ids))
    return (
        f"brief:{actor.organisation.pk}:{actor.user.pk}:{day.isoformat()}:"
        f"{actor.role}:{actor.team_id}:{teams}"
    )


def prepared_brief(actor: Actor) -> Brief | None:
    """The actor's brief prepared today, or None (none was, or the cache is unreachable)."""
    with suppress(*CACHE_ERRORS):
        found = cache.get(_key(actor, timezone.localdate()))
        if isinstance(found, Brief):
            return found
    return None


def brief_to_show(actor: Actor, *, live: bool = False) -> Brief:
    """The actor's brief prepared today, or one read now (always with ``live``)."""
    return (None if live else prepared_brief(actor)) or brief_for(actor=actor)


def leaders_of_large_parts(organisation: Organisation) -> list[int]:
    """The ids of the people who lead a team holding at least ``PREPARE_FROM`` active
    missions with its sub-teams, on the day of the latest check: one query."""
    latest = (
        SubtreeSnapshot.objects.filter(organisation=organisation)
        .order_by("-run_date")
        .values_list("run_date", flat=True)[:1]
    )
    return list(
        SubtreeSnapshot.objects.filter(
            organisation=organisation,
            run_date__in=latest,
            missions__gte=PREPARE_FROM,
            team__leader__isnull=False,
        )
        .values_list("team__leader_id", flat=True)
        .distinct()
    )


def prepare_briefs(organisation: Organisation) -> int:
    """Read the briefs of the leaders of large parts now and keep them for the day; returns
    how many were kept. One leader's failure is logged and the others' are still kept."""
    kept = 0
    users = organisation.memberships.filter(user_id__in=leaders_of_large_parts(organisation))
    for membership in users.select_related("user"):
        actor = actor_for(membership.user, organisation)
        if actor is None:
            continue
        try:
            brief = brief_for(actor=actor)
        except Exception:
            log.exception("The brief of user %s could not be prepared", membership.user_id)
            continue
        brief = dataclasses.replace(brief, prepared_at=timezone.now())
        with suppress(*CACHE_ERRORS):
            cache.set(_key(actor, brief.today), brief, KEEP_SECONDS)
            kept += 1
    return kept
