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

from kernel.formats import day, number, quantity
from missions.models import Mission

from . import forecast
from .figures import rollup_of
from .health import TONE, Health, health_of
from .models import CheckIn, ForecastStatus, Kpi, check_in_due

# The colour each forecast borrows from the score bands' palette (CSS modifiers).
FORECAST_TONE = {
    ForecastStatus.ON_TRACK: "good",
    ForecastStatus.AT_RISK: "watch",
    ForecastStatus.OFF_TRACK: "poor",
    ForecastStatus.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class Outlook:
    """A KPI's forecast said to a person: its status in a word and its colour, and a sentence
    that starts with that word where there is a forecast ("On track: likely 94.9 by 14 May
    2027 against a target of 90") and says why not where there is none ("No check-ins yet")."""

    status: str
    label: str  # "On track"
    tone: str  # the CSS modifier of its colour
    said: str  # what follows the label: "likely 94.9 by 14 May 2027 against a target of 90"
    forecast_known: bool = True

    @property
    def sentence(self) -> str:
        return f"{self.label}: {self.said}" if self.forecast_known else self.said


def _aim(kpi: Kpi) -> str:
    """The target as a sentence ends with it: "a target of 90", "a target range of 80–90%"."""
    if kpi.direction == Kpi.Direction.RANGE and kpi.target_max is not None:
        return f"a target range of {number(kpi.target)}–{quantity(kpi.target_max, kpi.unit)}"
    return f"a target of {quantity(kpi.target, kpi.unit)}"


# How a forecast that misses says so, by the KPI's direction.
MISSES = {
    Kpi.Direction.INCREASE: "short of",
    Kpi.Direction.DECREASE: "above",
    Kpi.Direction.RANGE: "outside",
}


def outlook_of(figures: KpiFigures) -> Outlook:
    """The one way a KPI's stored forecast is said in words (the mission page's cards, the
    forecast partial): where it is likely to be on its due date against what it aims at."""
    kpi, outlook = figures.kpi, figures.forecast
    status = ForecastStatus(outlook.status)
    label, tone = str(status.label), FORECAST_TONE[status]
    if outlook.value_at_due is None:
        if not figures.history and figures.latest_value is None:
            return Outlook(status, label, tone, "No check-ins yet", forecast_known=False)
        why = "Not enough check-ins to forecast: it needs two, on two days"
        return Outlook(status, label, tone, why, forecast_known=False)
    likely = f"likely {quantity(outlook.value_at_due, kpi.unit)} by {day(kpi.due_date)}"
    if status == ForecastStatus.ON_TRACK:
        return Outlook(status, label, tone, f"{likely} against {_aim(kpi)}")
    said = f"{likely}, {MISSES[Kpi.Direction(kpi.direction)]} {_aim(kpi)}"
    if outlook.reach_date is not None and outlook.reach_date > kpi.due_date:
        said += f"; at this pace it gets there on {day(outlook.reach_date)}"
    return Outlook(status, label, tone, said)


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
    def outlook(self) -> Outlook:
        """The forecast in words (``outlook_of``)."""
        return outlook_of(self)

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


def stored_forecast(kpi: Kpi) -> forecast.Forecast:
    """The forecast as stored on the KPI (``measures.figures``): no regression per read."""
    return forecast.Forecast(
        kpi.forecast_value,
        forecast.status_of(kpi.forecast_status),
        kpi.forecast_reach_date,
        probability=kpi.forecast_probability,
        low=kpi.forecast_low,
        high=kpi.forecast_high,
        method=kpi.forecast_method,
    )


def figures_for(kpi: Kpi, standing: Iterable[CheckIn] | None = None) -> KpiFigures:
    """The stored figures of one KPI, with its history from ``standing``: its standing
    check-ins oldest first, by default those prefetched as ``check_ins``
    (``standing_check_ins()``). No query."""
    readings = list(kpi.check_ins.all() if standing is None else standing)
    return KpiFigures(
        kpi=kpi,
        latest_value=None if kpi.latest_value is None else float(kpi.latest_value),
        latest_on=kpi.latest_on,
        progress=kpi.progress,
        forecast=stored_forecast(kpi),
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
