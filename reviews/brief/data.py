"""What the brief reads, in set-based queries whose number does not grow with the organisation:
each section is one query over the leader's part of the cascade (``scope``), ranked and cut
in SQL, with its full count beside it (a window over the same rows).

- moved: the KPIs checked in over the last ``WEEK`` days, by how far their value went (as a
  share of the way from the baseline to the target) since the value standing the day the
  week began, with the week's check-in comments (one query more, for the shown KPIs only);
- at risk: the KPIs least likely to meet their target (the stored, calibrated forecast
  probability below ``AT_RISK_BELOW``), and the open predicted findings, soonest expected first;
- needs a decision: the leader's open inbox items that ask them to decide (an alignment, a
  support request, a sent-back mission of theirs);
- preceded: what moved the dial (``measures.dial.moves_for``) on the KPIs of the
  ``MOVES_MISSIONS`` missions whose key tasks were completed last, within ``MOVES_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils import timezone

from kernel.models import Notification
from kernel.notifications import OPEN
from kernel.permissions import Actor
from kernel.replica import reading_connection
from measures.dial import Move, moves_for
from measures.forecast import Target
from measures.models import CheckIn, Kpi
from missions.models import KeyTask, Mission

from ..models import PREDICTED_KINDS, Finding
from .scope import Scope, scope_of

WEEK = 7  # days: what moved
MOVES_DAYS = 28  # days: key tasks completed since, for what preceded movement
AT_RISK_BELOW = 0.5  # a KPI is at risk below this probability of meeting its target
MOVES_MISSIONS = 100  # the most missions whose KPIs' moves are sought (latest tasks first)
LIMIT = 5  # items shown in each part; the rest is counted
DECISION_KINDS = (
    Notification.Kind.ALIGNMENT_REQUESTED,
    Notification.Kind.SUPPORT_REQUESTED,
    Notification.Kind.SENT_BACK,
    Notification.Kind.CHALLENGE_RAISED,
)


@dataclass(frozen=True)
class Comment:
    text: str
    author: str
    recorded_on: dt.date


@dataclass
class Change:
    """A KPI whose value moved this week."""

    kpi_id: int
    name: str
    unit: str
    mission_id: int
    mission_title: str
    before: float  # the value standing when the week began (the baseline if none)
    first: bool  # no check-in before the week: ``before`` is the baseline
    after: float  # the latest value
    on: dt.date  # the latest check-in's date
    share: float  # after - before, as a share of the way from baseline to target (signed)
    comments: list[Comment] = field(default_factory=list)


@dataclass(frozen=True)
class Risk:
    """A KPI unlikely to meet its target."""

    kpi_id: int
    name: str
    unit: str
    mission_id: int
    mission_title: str
    probability: float
    target: float
    due_date: dt.date


@dataclass(frozen=True)
class Predicted:
    """An open predicted finding."""

    finding_id: int
    mission_id: int
    mission_title: str
    kind: str
    message: str
    severity: str
    expected_on: dt.date | None


@dataclass(frozen=True)
class Decision:
    """An open inbox item that asks the leader to decide."""

    kind: str
    message: str
    url: str
    mission_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Preceded:
    """A completed key task followed by a change in a KPI's trend."""

    kpi_id: int
    kpi_name: str
    mission_id: int
    mission_title: str
    move: Move


@dataclass
class Part:
    """The items shown of one part, and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class BriefData:
    scope: Scope
    today: dt.date
    moved: Part
    at_risk: Part
    predicted: Part
    decisions: Part
    preceded: Part


def _missions_of(scope: Scope) -> Any:
    """The ids of the part's missions, as a subquery: the planner starts from them (a prefix
    scan of the path index per root) rather than from every KPI of the organisation."""
    return Mission.objects.filter(scope.missions()).values("pk")


def _date(value: Any) -> dt.date:
    """A date column as the database gives it (SQLite: text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _in_play_kpis(actor: Actor, scope: Scope) -> Q:
    return Q(
        mission_id__in=_missions_of(scope),
        organisation=actor.organisation,
        status=Kpi.Status.ACTIVE,
        mission__status=Mission.Status.ACTIVE,
    )


def _rows_and_total(queryset: object, limit: int) -> tuple[list, int]:
    """The first ``limit`` rows of a query annotated with ``total`` (a window count)."""
    rows = list(queryset[:limit])  # type: ignore[index]
    return rows, (rows[0]["total"] if rows else 0)


def _moved(actor: Actor, scope: Scope, today: dt.date) -> Part:
    """The KPIs checked in this week, by how far they went: one query, and one for the
    comments of those shown.

    The value standing when the week began is a correlated subquery per KPI; the ranking reads
    it three times (the value before, the change, the filter), so on PostgreSQL the candidates
    are read in a subquery the planner may not flatten (``OFFSET 0``), and it runs once each.
    """
    since = today - dt.timedelta(days=WEEK)
    prior = (
        CheckIn.objects.standing()
        .filter(kpi=OuterRef("pk"), recorded_on__lt=since)
        .newest_first()
        .values("value")[:1]
    )
    candidates = (
        Kpi.objects.filter(_in_play_kpis(actor, scope), latest_on__gte=since, latest_on__lte=today)
        .annotate(prior=Subquery(prior), mission_title=F("mission__title"))
        .order_by()
        .values(
            "name",
            "unit",
            "mission_id",
            "mission_title",
            "baseline",
            "target",
            "latest_value",
            "latest_on",
            "prior",
            kpi_id=F("pk"),
        )
    )
    inner, params = candidates.query.sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = f"""
        SELECT m.*, COUNT(*) OVER () AS total FROM (
            SELECT k.*, COALESCE(k.prior, k.baseline) AS before,
                CAST((k.latest_value - COALESCE(k.prior, k.baseline))
                    / NULLIF(k.target - k.baseline, 0) AS double precision) AS share
            FROM ({inner}{fence}) k
        ) m
        WHERE m.latest_value <> m.before
        ORDER BY ABS(m.share) DESC NULLS LAST, m.name, m.kpi_id
        LIMIT %s
    """  # noqa: S608 (the inner query is Django's, with its parameters)
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, [*params, LIMIT])
        names = [column[0] for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    total = found[0]["total"] if found else 0
    changes = [
        Change(
            kpi_id=row["kpi_id"],
            name=row["name"],
            unit=row["unit"],
            mission_id=row["mission_id"],
            mission_title=row["mission_title"],
            before=float(row["before"]),
            first=row["prior"] is None,
            after=float(row["latest_value"]),
            on=_date(row["latest_on"]),
            share=float(row["share"] or 0.0),
        )
        for row in found
    ]
    if changes:
        comments: defaultdict[int, list[Comment]] = defaultdict(list)
        said = (
            CheckIn.objects.standing()
            .filter(kpi_id__in=[c.kpi_id for c in changes], recorded_on__gte=since)
            .exclude(comment="")
            .newest_first()
            .values_list(
                "kpi_id",
                "comment",
                "author__first_name",
                "author__last_name",
                "author__username",
                "recorded_on",
            )
        )
        for kpi_id, text, first, last, username, recorded_on in said:
            author = f"{first} {last}".strip() or username
            comments[kpi_id].append(Comment(text, author, recorded_on))
        for change in changes:
            change.comments = comments[change.kpi_id][:3]
    return Part(changes, total)


def _at_risk(actor: Actor, scope: Scope) -> Part:
    """The KPIs least likely to meet their target: two queries, the count and the first
    ``LIMIT`` (a window count would join every one of them to its mission for a title; at
    30,000 missions the CEO's took 362 ms, the two queries 185 ms)."""
    at_risk = Kpi.objects.filter(
        _in_play_kpis(actor, scope),
        forecast_probability__isnull=False,
        forecast_probability__lt=AT_RISK_BELOW,
    )
    rows = at_risk.order_by("forecast_probability", "due_date", "pk").values(
        "pk",
        "name",
        "unit",
        "mission_id",
        "mission__title",
        "forecast_probability",
        "target",
        "due_date",
    )[:LIMIT]
    found = list(rows)
    total = len(found) if len(found) < LIMIT else at_risk.count()
    return Part(
        [
            Risk(
                kpi_id=row["pk"],
                name=row["name"],
                unit=row["unit"],
                mission_id=row["mission_id"],
                mission_title=row["mission__title"],
                probability=row["forecast_probability"] or 0.0,  # not null: filtered
                target=float(row["target"]),
                due_date=row["due_date"],
            )
            for row in found
        ],
        total,
    )


SEVERITY_RANK = Case(
    When(severity=Finding.Severity.CRITICAL, then=Value(0)),
    When(severity=Finding.Severity.WARNING, then=Value(1)),
    default=Value(2),
)


def _predicted(actor: Actor, scope: Scope) -> Part:
    """The open predicted findings, soonest expected first: one query."""
    rows = (
        Finding.objects.filter(
            mission_id__in=_missions_of(scope),
            organisation=actor.organisation,
            resolved_at__isnull=True,
            kind__in=PREDICTED_KINDS,
            mission__status=Mission.Status.ACTIVE,
        )
        .annotate(total=Window(Count("pk")), rank=SEVERITY_RANK)
        .order_by(F("expected_on").asc(nulls_last=True), "rank", "pk")
        .values(
            "pk",
            "mission_id",
            "mission__title",
            "kind",
            "message",
            "severity",
            "expected_on",
            "total",
        )
    )
    found, total = _rows_and_total(rows, LIMIT)
    return Part(
        [
            Predicted(
                finding_id=row["pk"],
                mission_id=row["mission_id"],
                mission_title=row["mission__title"],
                kind=row["kind"],
                message=row["message"],
                severity=row["severity"],
                expected_on=row["expected_on"],
            )
            for row in found
        ],
        total,
    )


def _decisions(actor: Actor) -> Part:
    """The leader's open inbox items that ask for a decision, oldest first: one query."""
    rows = (
        Notification.objects.filter(
            OPEN,
            recipient=actor.user,
            organisation=actor.organisation,
            kind__in=DECISION_KINDS,
        )
        .annotate(total=Window(Count("pk")))
        .order_by("created_at", "pk")
        .values("kind", "message", "url", "mission_id", "created_at", "total")
    )
    found, total = _rows_and_total(rows, LIMIT)
    return Part(
        [
            Decision(
                kind=row["kind"],
                message=row["message"],
                url=row["url"],
                mission_id=row["mission_id"],
                created_at=row["created_at"],
            )
            for row in found
        ],
        total,
    )


def _preceded(actor: Actor, scope: Scope, today: dt.date) -> Part:
    """Moves on the KPIs whose mission had a key task completed in the last ``MOVES_DAYS``:
    one query for the missions, one for their KPIs, two for their moves (``moves_for``)."""
    since = today - dt.timedelta(days=MOVES_DAYS)
    done = KeyTask.objects.filter(
        mission_id=OuterRef("mission_id"),
        status=KeyTask.Status.DONE,
        completed_at__date__gte=since,
    )
    # The missions of the most recently completed tasks, at most ``MOVES_MISSIONS``: the
    # method fits lines to each KPI's check-ins, which a whole organisation's cannot afford in
    # a page; a leader of thousands of missions hears of the latest actions' moves.
    recent = list(
        KeyTask.objects.filter(
            mission_id__in=_missions_of(scope),
            status=KeyTask.Status.DONE,
            completed_at__date__gte=since,
        )
        .values("mission_id")
        .annotate(last=Max("completed_at"))
        .order_by("-last", "mission_id")
        .values_list("mission_id", flat=True)[:MOVES_MISSIONS]
    )
    kpis = list(
        Kpi.objects.filter(_in_play_kpis(actor, scope), Exists(done), mission_id__in=recent)
        .annotate(mission_title=F("mission__title"))
        .order_by("pk")
        .only(
            "pk",
            "name",
            "unit",
            "mission_id",
            "direction",
            "baseline",
            "target",
            "target_max",
        )
    )
    if not kpis:
        return Part([], 0)
    moves = moves_for(kpis, since=since)
    found = []
    for kpi in kpis:
        span = abs(Target.of(kpi).target - Target.of(kpi).baseline) or 1.0
        for move in moves.get(kpi.pk, []):
            found.append(
                (
                    abs(move.change) / span,
                    Preceded(
                        kpi_id=kpi.pk,
                        kpi_name=kpi.name,
                        mission_id=kpi.mission_id,
                        mission_title=kpi.mission_title,
                        move=move,
                    ),
                )
            )
    found.sort(key=lambda pair: (-pair[0], pair[1].move.completed_on, pair[1].kpi_id))
    return Part([item for _, item in found[:LIMIT]], len(found))


def _without_jit() -> None:
    """Turn PostgreSQL's JIT compilation off for the rest of this transaction.

    The planner prices a correlated subquery per row (the value a week ago, what moved the
    dial's tasks) far above its real cost, which passes ``jit_above_cost``: measured on a
    30,000-mission organisation, compiling took 0.44 s for a query that ran in 0.15 s. Pages
    run in one transaction each (``org_view``, the API's tenant scope), so this reaches no
    other request; outside a transaction it does nothing."""
    reading = reading_connection()  # where the brief's reads run: the replica, or here
    if reading.vendor == "postgresql" and reading.in_atomic_block:
        with reading.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', 'off', true)")


def brief_data(*, actor: Actor, today: dt.date | None = None) -> BriefData:
    """Everything the brief of ``actor`` tells, in a fixed number of queries."""
    today = today or timezone.localdate()
    _without_jit()
    scope = scope_of(actor)
    if scope.empty:
        empty = Part([], 0)
        return BriefData(scope, today, empty, empty, empty, _decisions(actor), empty)
    return BriefData(
        scope=scope,
        today=today,
        moved=_moved(actor, scope, today),
        at_risk=_at_risk(actor, scope),
        predicted=_predicted(actor, scope),
        decisions=_decisions(actor),
        preceded=_preceded(actor, scope, today),
    )
