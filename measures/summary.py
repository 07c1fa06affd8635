"""KPI figures for a set of missions: progress, forecast and a health colour, in two queries.

The cascade, the mission page and the dashboards show these for whatever missions are on the
screen; the numbers themselves come from ``measures.forecast``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from . import forecast
from .models import Kpi
from .selectors import check_ins_in_order


@dataclass
class KpiFigures:
    kpi: Kpi
    latest_value: float | None
    latest_on: dt.date | None
    progress: float
    forecast: forecast.Forecast
    history: list[tuple[dt.date, float]]

    @property
    def update_due(self) -> bool:
        """No check-in within the KPI's cadence."""
        if self.latest_on is None:
            return True
        return (timezone.localdate() - self.latest_on).days > self.kpi.cadence_days


@dataclass
class MissionFigures:
    kpis: list[KpiFigures] = field(default_factory=list)

    @property
    def progress(self) -> float | None:
        """Weighted mean progress of the mission's KPIs, or None without KPIs."""
        total = sum(float(f.kpi.weight) for f in self.kpis)
        if not self.kpis or total == 0:
            return None
        return sum(f.progress * float(f.kpi.weight) for f in self.kpis) / total

    @property
    def health(self) -> str:
        """good / watch / poor from the KPIs' forecasts; unknown without KPIs."""
        statuses = {f.forecast.status for f in self.kpis}
        if not statuses:
            return "unknown"
        if "off_track" in statuses:
            return "poor"
        if "at_risk" in statuses or statuses == {"unknown"}:
            return "watch"
        return "good"


def figures_for(kpi: Kpi) -> KpiFigures:
    """Figures of one KPI whose check-ins are prefetched in date order."""
    points = forecast.points_from(list(kpi.check_ins.all()))
    goal = forecast.Target.of(kpi)
    latest = points[-1] if points else None
    return KpiFigures(
        kpi=kpi,
        latest_value=latest[1] if latest else None,
        latest_on=latest[0] if latest else None,
        progress=forecast.progress(goal, latest[1] if latest else None),
        forecast=forecast.forecast(goal, points, kpi.due_date),
        history=points,
    )


def mission_figures(mission_ids: Iterable[int]) -> dict[int, MissionFigures]:
    """Figures of the active KPIs of these missions: one query for KPIs, one for check-ins."""
    ids = list(mission_ids)
    result = {pk: MissionFigures() for pk in ids}
    kpis = (
        Kpi.objects.filter(mission_id__in=ids, status=Kpi.Status.ACTIVE)
        .select_related("parent_kpi")
        .prefetch_related(Prefetch("check_ins", queryset=check_ins_in_order()))
        .order_by("mission_id", "id")
    )
    for kpi in kpis:
        result[kpi.mission_id].kpis.append(figures_for(kpi))
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
    """The parent KPI's progress as its children deliver it: their progress, weighted.

    Each child's progress is already the share of its own way from baseline to target, so
    children in unlike units (beds, %, days) add up; a plain average of their values would
    not. None without children, or when every child weighs nothing.
    """
    parts = contributions(parent_figures, child_figures)
    if not parts or not any(p.share for p in parts):
        return None
    return sum(p.weighted for p in parts)


def contribution_figures(kpi: Kpi) -> list[KpiFigures]:
    """Figures of the active KPIs that contribute to ``kpi``: two queries."""
    children = (
        Kpi.objects.filter(parent_kpi=kpi, status=Kpi.Status.ACTIVE)
        .select_related("mission__owner_user", "mission__owner_team")
        .prefetch_related(Prefetch("check_ins", queryset=check_ins_in_order()))
        .order_by("mission_id", "id")
    )
    return [figures_for(child) for child in children]
