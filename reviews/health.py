"""A mission's health where its open findings are known: in memory for the pages that show
a few missions (``health_figures``), and in SQL for the dashboards and the heat map
(``with_health``, ``health_counts``) and for the checks' snapshot (``health_sql``). The rule
is ``measures.health``; this is its SQL twin, written once (``_health_case``), and
``tests/agreement/test_one_health.py`` gives all of them the same cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

from measures.health import KNOWN_FORECASTS, NOT_ALIGNED_YET, Health
from measures.models import ForecastStatus, Kpi
from measures.summary import MissionFigures, mission_figures
from missions.models import Mission

from .models import Finding

M = TypeVar("M", bound=QuerySet[Mission])


# The facts of a mission beyond its own row that its health is judged by: its active KPIs'
# forecasts and its open findings' severities.
FACTS = ("off_track_kpi", "known_kpi", "at_risk_kpi", "critical", "warning")


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


def _health_case(facts: dict[str, Any]) -> Case:
    """``measures.health.health_of`` in SQL, over a mission row and ``facts`` (``FACTS``, each
    a condition): the same steps in order."""
    warning = Q(facts["warning"])
    return Case(
        When(
            Q(alignment_status=Mission.AlignmentStatus.DRAFT, parent__isnull=False),
            then=Value(Health.NOT_STARTED.value),
        ),
        When(Q(facts["off_track_kpi"]) | Q(facts["critical"]), then=Value(Health.OFF_TRACK.value)),
        When(~Q(facts["known_kpi"]) & ~warning, then=Value(Health.NOT_STARTED.value)),
        When(
            Q(facts["at_risk_kpi"]) | warning | Q(alignment_status__in=NOT_ALIGNED_YET),
            then=Value(Health.WATCH.value),
        ),
        default=Value(Health.ON_TRACK.value),
        output_field=CharField(),
    )


def health_expression() -> Case:
    """The health of each mission of a query, its facts probed mission by mission (indexes
    serve a page's few missions)."""
    return _health_case(
        {
            "off_track_kpi": _kpi(ForecastStatus.OFF_TRACK),
            "known_kpi": _kpi(*KNOWN_FORECASTS),
            "at_risk_kpi": _kpi(ForecastStatus.AT_RISK),
            "critical": _finding(Finding.Severity.CRITICAL),
            "warning": _finding(Finding.Severity.WARNING),
        }
    )


def health_sql(*, alias: str, **facts: str) -> tuple[str, list[Any]]:
    """The same rule as SQL text and its parameters, over a row of missions' columns named
    ``alias`` and ``facts`` given as SQL conditions (``FACTS``): for a statement that counts
    the facts of all its missions in one pass each, as the checks' snapshot does, which
    keeps the KPIs' counts for the teams' figures too."""
    query = Query(Mission)
    case = _health_case(
        {name: RawSQL(facts[name], (), output_field=BooleanField()) for name in FACTS}
    ).resolve_expression(query)
    case = case.relabeled_clone({query.get_initial_alias(): alias})
    return query.get_compiler(connection=connection).compile(case)


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
