"""The stored figures of a KPI: computed here, from its standing check-ins, and nowhere else.

``measures.services`` stores what these functions return on the KPI row (after every check-in,
correction, change, archive or move, and in ``kpi_refresh_all``); ``missions.generate`` writes
the same for synthetic organisations. Every page, the API and the dashboards read the stored
columns. The arithmetic of progress and forecast is ``measures.forecast``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from . import forecast

# The columns kpi_figures fills, and the one rollup_of fills.
FIGURE_FIELDS = (
    "latest_value",
    "latest_on",
    "latest_confidence",
    "progress",
    "forecast_status",
    "forecast_value",
    "forecast_reach_date",
    "forecast_probability",
    "forecast_low",
    "forecast_high",
    "forecast_method",
)
ROLLUP_FIELDS = ("rollup_progress",)


class Reading(Protocol):
    """What the figures need of a check-in (a ``CheckIn``, or a row being generated)."""

    @property
    def recorded_on(self) -> dt.date: ...
    @property
    def value(self) -> Decimal | float: ...
    @property
    def confidence(self) -> int: ...


class Goal(forecast.Aim, Protocol):
    """What the figures need of a KPI (a ``Kpi``, or a row being generated): its target and
    its due date."""

    @property
    def due_date(self) -> dt.date: ...


def kpi_figures(
    kpi: Goal, standing: Sequence[Reading], calibration: forecast.Calibration | None = None
) -> dict[str, Any]:
    """The figures of ``kpi`` (anything with direction, baseline, target, target_max and
    due_date) from its standing check-ins, oldest first: ``check_ins.standing().in_order()``;
    the forecast's probability calibrated by its organisation's ``calibration``, if any.

    The latest value, its date and its confidence are those of the last of them (the current
    check-in); progress is that value's, the forecast that of their trend.
    """
    goal = forecast.Target.of(kpi)
    current = standing[-1] if standing else None
    latest = None if current is None else float(current.value)
    outlook = forecast.forecast(
        goal, forecast.points_from(standing), kpi.due_date, calibration=calibration
    )
    return {
        "latest_value": None if current is None else Decimal(str(current.value)),
        "latest_on": None if current is None else current.recorded_on,
        "latest_confidence": None if current is None else current.confidence,
        "progress": forecast.progress(goal, latest),
        "forecast_status": outlook.status,
        "forecast_value": outlook.value_at_due,
        "forecast_reach_date": outlook.reach_date,
        "forecast_probability": outlook.probability,
        "forecast_low": outlook.low,
        "forecast_high": outlook.high,
        "forecast_method": outlook.method,
    }


def calibrated(figures: dict[str, Any], calibration: forecast.Calibration) -> dict[str, Any]:
    """``kpi_figures``' figures as they would be under ``calibration``, for a writer that
    learns the calibration only after it forecast (the generator): the probability and the
    status ``forecast.forecast`` would have given with it."""
    if figures["forecast_method"] not in forecast.CALIBRATED_METHODS:
        return figures
    probability = calibration(figures["forecast_probability"])
    return {
        **figures,
        "forecast_probability": probability,
        "forecast_status": forecast.status_for(probability),
    }


def rollup_of(children: Iterable[tuple[Decimal | float, float]]) -> float | None:
    """A parent KPI's progress as the KPIs contributing to it deliver it: the (weight,
    progress) of each active child, their progress weighted.

    Each child's progress is already the share of its own way from baseline to target, so
    children in unlike units (beds, %, days) add up; a plain average of their values would
    not. None without children, or when every child weighs nothing.
    """
    parts = [(float(weight), progress) for weight, progress in children]
    total = sum(weight for weight, _ in parts)
    if not total:
        return None
    return sum(weight * progress for weight, progress in parts) / total
