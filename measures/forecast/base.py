"""What a forecast is about: a KPI's aim (``Target``), its forecast (``Forecast``), its
progress, and the history a forecast reads (``series``, ``points_from``), with the first
method (least squares over the latest check-ins), which the backtest keeps as a baseline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

WINDOW = 8
AT_RISK_SHARE = 0.8
REACH_HORIZON_DAYS = 20 * 365  # a pace that needs longer than this never reaches the target
Direction = Literal["increase", "decrease", "range"]
Status = Literal["on_track", "at_risk", "off_track", "unknown"]
# The values of ``Kpi.Direction`` and ``ForecastStatus``, as this module's types.
DIRECTIONS: tuple[Direction, ...] = ("increase", "decrease", "range")
STATUSES: tuple[Status, ...] = ("on_track", "at_risk", "off_track", "unknown")


def direction_of(value: str) -> Direction:
    """A stored direction as a ``Direction`` (the database allows no other value)."""
    for direction in DIRECTIONS:
        if value == direction:
            return direction
    raise ValueError(f"Not a KPI direction: {value!r}")


def status_of(value: str) -> Status:
    """A stored forecast status as a ``Status`` (the field's choices are these)."""
    for status in STATUSES:
        if value == status:
            return status
    raise ValueError(f"Not a forecast status: {value!r}")


class Aim(Protocol):
    """What a target is read from: a ``Kpi``, or a KPI row being generated."""

    @property
    def direction(self) -> str: ...
    @property
    def baseline(self) -> Decimal | float: ...
    @property
    def target(self) -> Decimal | float: ...
    @property
    def target_max(self) -> Decimal | float | None: ...


class Dated(Protocol):
    """What a forecast reads of a check-in: the date and the value."""

    @property
    def recorded_on(self) -> dt.date: ...
    @property
    def value(self) -> Decimal | float: ...


@dataclass(frozen=True)
class Target:
    """What a KPI aims at."""

    direction: Direction
    baseline: float
    target: float
    target_max: float | None = None

    @classmethod
    def of(cls, kpi: Aim) -> Target:
        def num(value: Decimal | float | None) -> float | None:
            return None if value is None else float(value)

        return cls(
            direction=direction_of(kpi.direction),
            baseline=float(kpi.baseline),
            target=float(kpi.target),
            target_max=num(kpi.target_max),
        )

    def met_by(self, value: float) -> bool:
        if self.direction == "increase":
            return value >= self.target
        if self.direction == "decrease":
            return value <= self.target
        upper = self.target_max if self.target_max is not None else self.target
        return self.target <= value <= upper


@dataclass(frozen=True)
class Forecast:
    value_at_due: float | None
    status: Status
    reach_date: dt.date | None
    # The likely pace per day at the latest check-in: how the forecast runs, not what it
    # says, and not stored: a forecast read back from a KPI's stored columns equals the one
    # computed from its check-ins.
    slope_per_day: float | None = field(default=None, compare=False)
    # The chance (0–1) of meeting the target at the due date, the 80% interval of the value
    # then, and the method that gave them. Stored with the rest (``measures.figures``); left
    # out of equality, which says whether two forecasts make the same call.
    probability: float | None = field(default=None, compare=False)
    low: float | None = field(default=None, compare=False)
    high: float | None = field(default=None, compare=False)
    method: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, object]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "value_at_due": rounded(self.value_at_due),
            "status": self.status,
            "reach_date": self.reach_date,
            "probability": rounded(self.probability),
            "low": rounded(self.low),
            "high": rounded(self.high),
            "method": self.method,
        }


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def progress(goal: Target, value: float | None) -> float:
    """How far ``value`` has come from the baseline to the target, 0–1."""
    if value is None:
        return 0.0
    if goal.met_by(value):
        return 1.0
    if goal.direction == "range":
        upper = goal.target_max if goal.target_max is not None else goal.target
        bound = goal.target if value < goal.target else upper
        start = abs(goal.baseline - bound)
        if goal.target <= goal.baseline <= upper or start == 0:
            return 0.0
        # Only movement toward the range counts; overshooting to the other side does not.
        same_side = (goal.baseline < goal.target) == (value < goal.target)
        return _clamp(1 - abs(value - bound) / start) if same_side else 0.0
    span = goal.target - goal.baseline
    if span == 0:
        return 0.0  # not met (checked above) and nothing to divide by
    return _clamp((value - goal.baseline) / span)


def series(points: Sequence[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    """One value per date (the last recorded wins), oldest first."""
    by_date: dict[dt.date, float] = {}
    for day, value in points:
        by_date[day] = value
    return sorted(by_date.items())


def least_squares(points: Sequence[tuple[dt.date, float]]) -> tuple[float, float]:
    """Slope per day and intercept (at day 0 = the first point's date)."""
    origin = points[0][0]
    xs = [(day - origin).days for day, _ in points]
    ys = [value for _, value in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x


def recent_line(
    goal: Target, points: Sequence[tuple[dt.date, float]], due_date: dt.date
) -> Forecast:
    """The first forecast (v1): a least-squares line through the last ``WINDOW`` check-ins,
    read at the due date. Kept for the backtest, which compares v2 with it."""
    recent = series(points)[-WINDOW:]
    if len(recent) < 2:
        if recent and goal.met_by(recent[-1][1]):
            return Forecast(recent[-1][1], "on_track", recent[-1][0])
        return Forecast(None, "unknown", None)
    slope, intercept = least_squares(recent)
    origin = recent[0][0]
    value_at_due = intercept + slope * (due_date - origin).days
    share = progress(goal, value_at_due)
    if goal.met_by(value_at_due):
        status: Status = "on_track"
    elif share >= AT_RISK_SHARE:
        status = "at_risk"
    else:
        status = "off_track"
    return Forecast(
        value_at_due, status, _line_reach_date(goal, slope, intercept, origin, recent), slope
    )


def _line_reach_date(
    goal: Target,
    slope: float,
    intercept: float,
    origin: dt.date,
    recent: list[tuple[dt.date, float]],
) -> dt.date | None:
    last_day, last_value = recent[-1]
    if goal.met_by(last_value):
        return last_day
    if slope == 0:
        return None
    aim = goal.target
    if goal.direction == "range" and last_value > goal.target:
        aim = goal.target_max if goal.target_max is not None else goal.target
    days = (aim - intercept) / slope
    if not 0 <= days <= REACH_HORIZON_DAYS:
        return None  # moving away from the target, or not within any useful horizon
    try:
        reach = origin + dt.timedelta(days=days)
    except OverflowError:
        return None  # after 9999-12-31: check-ins stored before the date bounds
    return reach if reach >= last_day else None


def points_from(check_ins: Iterable[Dated]) -> list[tuple[dt.date, float]]:
    """(date, value) pairs of a KPI's standing check-ins, oldest first.

    Which check-ins stand (a correction replaces what it supersedes) is decided in one place,
    ``CheckIn.objects.standing()``; these are its rows.
    """
    return series([(c.recorded_on, float(c.value)) for c in check_ins])
