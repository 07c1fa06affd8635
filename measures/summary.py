"""KPI figures for a set of missions: progress, forecast and a health colour, in one query.

The cascade, the mission page, My work, the KPI page and the dashboards show these for
whatever missions are on the screen. They are the figures stored on each KPI row (computed by
``measures.figures`` whenever a check-in or the KPI changes), never recomputed per request;
only the history a chart draws is read from the check-ins, and only where a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from missions.models import Mission

from . import forecast
from .figures import rollup_of
from .health import TONE, Health, health_of
from .models import CheckIn, Kpi, check_in_due


@dataclass
class KpiFigures:
    kpi: Kpi
    latest_value: float | None
    latest_on: dt.date | None
    progress: float
    forecast: forecast.Forecast
    history: list[tuple[dt.date, float]]
    current: CheckIn | None = None  # the check-in it stands at, when its history was read

    @property
    def update_due(self) -> bool:
        """No check-in within the KPI's cadence."""
        return check_in_due(self.latest_on, self.kpi.cadence_days, timezone.localdate())


@dataclass
class MissionFigures:
    kpis: list[KpiFigures] = field(default_factory=list)
    # The mission's state, when the figures were read for a mission (not an id alone): the
    # health rule reads it. An id alone counts as aligned.
    alignment_status: str = Mission.AlignmentStatus.ALIGNED
    top: bool = True
    # Severities of the mission's open findings, when the caller read them
    # (``reviews.health.health_figures``).
    findings: list[str] = field(default_factory=list)

    @property
    def progress(self) -> float | None:
        """Weighted mean progress of the mission's KPIs, or None without KPIs."""
        total = sum(float(f.kpi.weight) for f in self.kpis)
        if not self.kpis or total == 0:
            return None
        return sum(f.progress * float(f.kpi.weight) for f in self.kpis) / total

    @property
    def health(self) -> Health:
        """The mission's health (``measures.health``): not started, on track, watch or off
        track, from its alignment state, its KPIs' forecasts and its open findings."""
        return health_of(
            alignment_status=self.alignment_status,
            top=self.top,
            forecasts=(f.forecast.status for f in self.kpis),
            findings=self.findings,
        )

    @property
    def tone(self) -> str:
        """The colour of the health (a CSS modifier shared with the score bands)."""
        return TONE[self.health]


def standing_check_ins() -> Prefetch:
    """Prefetch each KPI's standing check-ins, oldest first: the history of its chart."""
    return Prefetch("check_ins", queryset=CheckIn.objects.standing().in_order())


def figures_for(kpi: Kpi, standing: Iterable[CheckIn] | None = None) -> KpiFigures:
    """The stored figures of one KPI, with its history from ``standing``: its standing
    check-ins oldest first, by default those prefetched as ``check_ins``
    (``standing_check_ins()``). No query."""
    readings = list(kpi.check_ins.all() if standing is None else standing)
    outlook = forecast.Forecast(
        kpi.forecast_value,
        forecast.status_of(kpi.forecast_status),
        kpi.forecast_reach_date,
    )
    return KpiFigures(
        kpi=kpi,
        latest_value=None if kpi.latest_value is None else float(kpi.latest_value),
        latest_on=kpi.latest_on,
        progress=kpi.progress,
        forecast=outlook,
        history=forecast.points_from(readings),
        current=readings[-1] if readings else None,
    )


def mission_figures(
    missions: Iterable[Mission | int], *, history: bool = False
) -> dict[int, MissionFigures]:
    """Figures of the active KPIs of these missions (or ids): one query, two ``with history``
    (the check-ins of sparklines and of the last check-in beside a check-in form). Given
    missions, the figures carry their alignment state for the health rule."""
    given = list(missions)
    ids = [m.pk if isinstance(m, Mission) else m for m in given]
    result = {pk: MissionFigures() for pk in ids}
    for m in given:
        if isinstance(m, Mission):
            result[m.pk].alignment_status = m.alignment_status
            result[m.pk].top = m.parent_id is None
    kpis = (
        Kpi.objects.filter(mission_id__in=ids, status=Kpi.Status.ACTIVE)
        .select_related("parent_kpi")
        .order_by("mission_id", "id")
    )
    if history:
        kpis = kpis.prefetch_related(standing_check_ins())
    for kpi in kpis:
        result[kpi.mission_id].kpis.append(figures_for(kpi, None if history else ()))
    return result


@dataclass(frozen=True)
class Contribution:
    """One child KPI's part in its parent: its share of the children's weight."""

    figures: KpiFigures
    share: float  # this child's weight over all the children's weight, 0–1

    @property
    def weighted(self) -> float:
        """What this child adds to the parent's rolled-up progress (share × progress)."""
        return self.share * self.figures.progress


def contributions(
    parent_figures: KpiFigures, child_figures: Iterable[KpiFigures]
) -> list[Contribution]:
    """The children that contribute to ``parent_figures``' KPI, each with its weight share."""
    children = [f for f in child_figures if f.kpi.parent_kpi_id == parent_figures.kpi.pk]
    total = sum(float(f.kpi.weight) for f in children)
    return [Contribution(f, float(f.kpi.weight) / total if total else 0.0) for f in children]


def rollup(parent_figures: KpiFigures, child_figures: Iterable[KpiFigures]) -> float | None:
    """The roll-up of the contributions among ``child_figures``: ``rollup_of``, the function
    that computes the stored ``Kpi.rollup_progress``, applied to the figures at hand."""
    parts = contributions(parent_figures, child_figures)
    return rollup_of((p.figures.kpi.weight, p.figures.progress) for p in parts)


def contribution_figures(kpi: Kpi) -> list[KpiFigures]:
    """Stored figures of the active KPIs that contribute to ``kpi``: one query."""
    children = (
        Kpi.objects.filter(parent_kpi=kpi, status=Kpi.Status.ACTIVE)
        .select_related("mission__owner_user", "mission__owner_team")
        .order_by("mission_id", "id")
    )
    return [figures_for(child, ()) for child in children]
