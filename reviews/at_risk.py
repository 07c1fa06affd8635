"""What is at risk in a person's part of the cascade: the KPIs forecast off track or at risk,
the open findings (those that hold now, then the predicted ones) and the reviews overdue.

The part is the brief's (``reviews.brief.scope``): the missions the person owns in person or
through a team they lead, and everything below them. Each list is one query, read in the
order the team dashboard reads its own (worst forecast first, critical findings first, the
oldest overdue review first) and cut at ``limit`` in SQL, with its count beside it only when
it is full: the tens of thousands of KPIs of a large part are never all read. Read by the
assistants' ``at_risk`` tool.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from kernel.permissions import Actor
from measures.models import WORST_FORECAST_FIRST, ForecastStatus, Kpi
from missions.models import Mission
from missions.querysets import in_play

from .brief.scope import scope_of
from .models import FORESEEN, SEVERITY_RANK, Finding, Review

LIMIT = 10  # items of each list, unless the caller asks for fewer or more
MAX_LIMIT = 50


@dataclass
class Listed:
    """The first items of a list and how many there are in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class AtRisk:
    owns_nothing: bool
    kpis: Listed  # Kpi rows, their mission selected
    findings: Listed  # open Finding rows that hold now, critical first
    predicted: Listed  # open predicted Finding rows, soonest expected first
    overdue_reviews: Listed  # scheduled Review rows past their due date


def _listed(queryset: QuerySet[Any], limit: int) -> Listed:
    """The first ``limit`` rows, and the count of all of them only when there are more."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Listed(rows, len(rows))
    return Listed(rows[:limit], queryset.count())


def at_risk_of(*, actor: Actor, limit: int = LIMIT, today: dt.date | None = None) -> AtRisk:
    """The actor's part of the cascade, what is at risk in it: five queries (the part, and one
    per list), two more for each list that is longer than ``limit``."""
    limit = max(1, min(limit, MAX_LIMIT))
    today = today or timezone.localdate()
    scope = scope_of(actor)
    part = Mission.objects.filter(scope.missions()).values("pk")
    kpis = (
        Kpi.objects.filter(
            organisation=actor.organisation,
            status=Kpi.Status.ACTIVE,
            mission__status=Mission.Status.ACTIVE,
            mission_id__in=part,
            forecast_status__in=[ForecastStatus.OFF_TRACK, ForecastStatus.AT_RISK],
        )
        .select_related("mission")
        .order_by(WORST_FORECAST_FIRST, F("forecast_probability").asc(nulls_last=True), "id")
    )
    open_findings = (
        Finding.objects.filter(
            organisation=actor.organisation,
            resolved_at__isnull=True,
            mission_id__in=part,
            mission__status=Mission.Status.ACTIVE,
        )
        .alias(foreseen=FORESEEN)
        .select_related("mission")
        .order_by(SEVERITY_RANK, F("expected_on").asc(nulls_last=True), F("opened_at").desc())
    )
    reviews = (
        Review.objects.filter(
            in_play("mission__"),
            organisation=actor.organisation,
            mission_id__in=part,
            status=Review.Status.SCHEDULED,
            due_date__lt=today,
        )
        .select_related("mission")
        .order_by("due_date", "id")
    )
    return AtRisk(
        owns_nothing=scope.empty,
        kpis=_listed(kpis, limit),
        findings=_listed(open_findings.filter(foreseen=0), limit),
        predicted=_listed(open_findings.filter(foreseen=1), limit),
        overdue_reviews=_listed(reviews, limit),
    )
