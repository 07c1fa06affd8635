"""A mission's health where its open findings are known: in memory for the pages that show
a few missions (``health_figures``), and in SQL for the dashboards and the heat map
(``with_health``, ``health_counts``). The rule is ``measures.health``; this is its SQL twin,
and ``tests/agreement/test_one_health.py`` gives both the same cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When

from measures.health import KNOWN_FORECASTS, NOT_ALIGNED_YET, Health
from measures.models import ForecastStatus, Kpi
from measures.summary import MissionFigures, mission_figures
from missions.models import Mission

from .models import Finding

M = TypeVar("M", bound=QuerySet[Mission])


def _kpi(*statuses: str) -> Exists:
    return Exists(
        Kpi.objects.filter(
            mission=OuterRef("pk"), status=Kpi.Status.ACTIVE, forecast_status__in=statuses
        )
    )


def _finding(severity: str) -> Exists:
    return Exists(
        Finding.objects.filter(mission=OuterRef("pk"), resolved_at__isnull=True, severity=severity)
    )


def health_expression() -> Case:
    """``measures.health.health_of`` in SQL, over a mission row: the same steps in order."""
    critical, warning = _finding(Finding.Severity.CRITICAL), _finding(Finding.Severity.WARNING)
    return Case(
        When(
            Q(alignment_status=Mission.AlignmentStatus.DRAFT, parent__isnull=False),
            then=Value(Health.NOT_STARTED.value),
        ),
        When(Q(_kpi(ForecastStatus.OFF_TRACK)) | Q(critical), then=Value(Health.OFF_TRACK.value)),
        When(~Q(_kpi(*KNOWN_FORECASTS)) & ~Q(warning), then=Value(Health.NOT_STARTED.value)),
        When(
            Q(_kpi(ForecastStatus.AT_RISK)) | Q(warning) | Q(alignment_status__in=NOT_ALIGNED_YET),
            then=Value(Health.WATCH.value),
        ),
        default=Value(Health.ON_TRACK.value),
        output_field=CharField(),
    )


def with_health(missions: M) -> M:
    """These missions, each annotated with its ``health`` (computed in the query)."""
    return missions.annotate(health=health_expression())


def health_counts(missions: QuerySet[Mission]) -> dict[str, int]:
    """How many of these missions are in each state, every state listed: one query."""
    annotated = missions.order_by().annotate(health=health_expression())
    rows = annotated.values("health").annotate(n=Count("id"))
    counts = {state.value: 0 for state in Health}
    for row in rows:
        counts[row["health"]] = row["n"]
    return counts


def open_severities(mission_ids: Iterable[int]) -> dict[int, list[str]]:
    """The severities of each mission's open findings: one query."""
    out: defaultdict[int, list[str]] = defaultdict(list)
    rows = Finding.objects.filter(mission_id__in=list(mission_ids), resolved_at__isnull=True)
    for mission_id, severity in rows.values_list("mission_id", "severity"):
        out[mission_id].append(severity)
    return out


def health_figures(missions: Iterable[Mission], **options: Any) -> dict[int, MissionFigures]:
    """Each mission's KPI figures with its open findings, so that ``.health`` is the whole
    rule: two queries (three with history)."""
    given = list(missions)
    figures = mission_figures(given, **options)
    for pk, severities in open_severities(figures).items():
        figures[pk].findings = severities
    return figures
