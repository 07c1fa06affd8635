"""Progress and forecast of a KPI: computed here and nowhere else.

Pure functions over plain numbers and dates, so the pages, the API, the dashboards and the
alignment checks all agree, and the edge cases are tested in one place.

**Progress** (0–1) is how far the latest value has come from the baseline to the target:
- *increase*: ``(value − baseline) / (target − baseline)``;
- *decrease*: ``(baseline − value) / (baseline − target)``;
- *range* (stay within ``[target, target_max]``): 1 inside the range; outside it, the share of
  the way from the baseline to the nearest bound (0 if the baseline itself was inside);
clamped to [0, 1]. When the baseline already equals the target, progress is 1 if the value
meets the target and 0 otherwise, never a division by zero.

**Forecast** (the method's reasons and its backtest: docs/forecasting.md). Three simple
methods, each sound where another fails, are combined over the last ``MAX_POINTS`` check-ins:
- the *recent level*: the median of the last ``LEVEL_POINTS`` values, each carried to the
  latest date at the local pace (one wild reading does not move it);
- the *robust line*: Theil–Sen, the median of the slopes between every two check-ins, through
  the median of what it leaves (outliers and an old shift move it little);
- the *damped trend*: the recent level plus the local pace (Theil–Sen over the last
  ``LOCAL_POINTS``), fading over ``DAMPING`` history spans, so a climb that slows down is not
  carried on at full pace for ever.
Each is fitted to the first check-ins of the history and forecasts the later ones; it weighs
the inverse of its squared error on the latest check-in (equal weights with two check-ins).
When the history spans a year and an F-test finds a yearly swing, the swing is taken out
first and put back. The value at the due date follows a Student-t around the combination:
its spread pools the combination's own errors with the noise about the robust line, and grows
with the horizon (the line's uncertainty, and a drift per check-in step); its 80% interval is
``low``–``high``, and ``probability`` is the share of it that meets the target.
- *on track*: meeting the target is at least as likely as not (``ON_TRACK_PROBABILITY``;
  for an increase or a decrease, exactly when the likely value meets it);
- *at risk*: a chance of at least ``AT_RISK_PROBABILITY``;
- *off track*: less than that;
- *unknown*: fewer than two dated values (unless the one value already meets the target).
A due date already past is read from the check-ins (probability 1 or 0). ``reach_date`` is
the first day the likely value meets the target (the latest date if the latest value already
does), or None if it does not within ``REACH_HORIZON_DAYS``. ``recent_line`` keeps the first
method (least squares over the last ``WINDOW``), which the backtest compares.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from . import distributions

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


# --- the forecast ----------------------------------------------------------------------------

MAX_POINTS = 30  # the latest check-ins a forecast reads
LEVEL_POINTS = 3  # the recent level is the median of these, carried to the latest date
LOCAL_POINTS = 6  # the local pace is the robust slope over these
DAMPING = 2  # the damped trend's pace fades with a time constant of this many history spans
ORIGINS = 6  # the most cut-offs from which each method forecasts the later check-ins
FEW_POINTS_NOISE = 0.01  # the least noise, as a share of the level, of three check-ins or fewer
PRIOR_DOF = 2  # how many errors' worth the noise of the history's own line counts for
DRIFT_PER_STEP = 2.0  # the spread's growth per check-in step ahead, in noise variances
SEASON_MIN_POINTS = 8
SEASON_MIN_DAYS = 365
SEASON_P = 0.001  # a yearly season is used only when an F-test finds it this clearly
YEAR_DAYS = 365.25
INTERVAL = 0.8  # low and high bound this share of the likely values at the due date
ON_TRACK_PROBABILITY = 0.5
AT_RISK_PROBABILITY = 0.2
COMBINED, SEASONAL, OBSERVED, SINGLE = (
    "combined",
    "combined with a yearly season",
    "observed",
    "single value",
)


def status_for(probability: float) -> Status:
    """On track when meeting the target is at least as likely as not (for an increase or a
    decrease: when the likely value meets it); at risk from one chance in five; off track
    below."""
    if probability >= ON_TRACK_PROBABILITY:
        return "on_track"
    if probability >= AT_RISK_PROBABILITY:
        return "at_risk"
    return "off_track"


def forecast(
    goal: Target,
    points: Sequence[tuple[dt.date, float]],
    due_date: dt.date,
    *,
    calibration: Calibration | None = None,
) -> Forecast:
    """Where the KPI will likely be at ``due_date``, the chance that meets the target, and
    the 80% interval of the value then.

    ``points`` are (date, value) pairs with corrections already applied (see ``series``);
    ``calibration`` maps the probability to what the organisation's own history taught.
    """
    history = series(points)[-MAX_POINTS:]
    if len(history) < 2:
        # No trend from one reading; a target already met stays met at the current level.
        if history and goal.met_by(history[-1][1]):
            day, value = history[-1]
            return Forecast(value, "on_track", day, method=SINGLE)
        return Forecast(None, "unknown", None)
    origin, last_day = history[0][0], history[-1][0]
    ts = [float((day - origin).days) for day, _ in history]
    ys = [value for _, value in history]
    outlook = _outlook(ts, ys)
    reach = _reach_date(goal, outlook, last_day, ys[-1])
    if due_date <= last_day:
        # Due already: the check-ins say what the value was that day.
        value = _interpolate(ts, ys, float((due_date - origin).days))
        met = goal.met_by(value)
        return Forecast(
            value,
            "on_track" if met else "off_track",
            reach,
            outlook.pace,
            1.0 if met else 0.0,
            value,
            value,
            OBSERVED,
        )
    h = float((due_date - last_day).days)
    centre, spread = outlook.centre(h), outlook.spread(h)
    half = distributions.t_quantile((1 + INTERVAL) / 2, outlook.dof) * spread
    probability = _probability(goal, centre, spread, outlook.dof)
    if calibration is not None:
        probability = calibration(probability)
    return Forecast(
        centre,
        status_for(probability),
        reach,
        outlook.pace,
        probability,
        centre - half,
        centre + half,
        COMBINED if outlook.season is None else SEASONAL,
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class _Slopes:
    """The slope between every two check-ins, computed once: the robust (Theil–Sen) slope of
    any run of them is the median of theirs."""

    def __init__(self, ts: list[float], ys: list[float]) -> None:
        self.rows = [[(ys[j] - ys[i]) / (ts[j] - ts[i]) for i in range(j)] for j in range(len(ts))]

    def median(self, start: int, stop: int) -> float:
        """The robust slope of check-ins ``start`` to ``stop`` (excluded)."""
        return _median([s for row in self.rows[start + 1 : stop] for s in row[start:]])


@dataclass(frozen=True)
class _Fit:
    """The three methods fitted to the first check-ins of a history, each giving a value
    ``h`` days after the latest of them."""

    level: float  # the recent level
    line: float  # the robust line, at the latest check-in
    slope: float  # the robust line's slope, per day
    pace: float  # the local pace, per day
    span: float  # days from the first check-in to the latest (the damping scales with it)

    def fading(self, h: float) -> float:
        """The days' worth of pace the damped trend adds ``h`` days ahead: ``h`` at first,
        never more than its time constant, ``DAMPING`` spans."""
        tau = DAMPING * self.span
        return tau * (1 - math.exp(-h / tau))

    def values(self, h: float) -> tuple[float, float, float]:
        return (
            self.level,
            self.line + self.slope * h,
            self.level + self.pace * self.fading(h),
        )


def _fit(ts: list[float], ys: list[float], slopes: _Slopes, k: int) -> _Fit:
    """The methods fitted to the first ``k`` check-ins."""
    slope = slopes.median(0, k)
    intercept = _median([ys[i] - slope * ts[i] for i in range(k)])
    pace = slope if k <= LOCAL_POINTS else slopes.median(k - LOCAL_POINTS, k)
    last = ts[k - 1]
    recent = range(max(0, k - LEVEL_POINTS), k)
    level = _median([ys[i] + pace * (last - ts[i]) for i in recent])
    return _Fit(level, intercept + slope * last, slope, pace, last - ts[0])


@dataclass(frozen=True)
class _Spacing:
    """When the check-ins of a history fell: how much wider than the noise a forecast
    ``h`` days after the latest is. The least-squares line's prediction factor (the noise,
    the level's and the slope's uncertainty, which grows with the square of the distance
    from the history's middle) plus a drift that grows with each check-in step ahead."""

    count: int
    mean: float
    stt: float
    last: float
    step: float

    @classmethod
    def of(cls, ts: Sequence[float]) -> _Spacing:
        count = len(ts)
        mean = sum(ts) / count
        stt = sum((t - mean) ** 2 for t in ts)
        return cls(count, mean, stt, ts[-1], (ts[-1] - ts[0]) / (count - 1))

    def factor(self, h: float) -> float:
        return (
            1
            + 1 / self.count
            + (self.last + h - self.mean) ** 2 / self.stt
            + DRIFT_PER_STEP * h / self.step
        )


@dataclass(frozen=True)
class _Outlook:
    """The likely values ``h`` days after the latest check-in: a Student-t around the
    combined centre, its spread growing with ``h``."""

    fit: _Fit
    weights: tuple[float, float, float]
    season: tuple[float, float] | None
    spacing: _Spacing
    scale: float  # the noise's deviation, which the spread factor widens
    dof: int

    def centre(self, h: float) -> float:
        # The weighted sum of the fit's three values, gathered: called often by _reach_date.
        fit, (level, line, damped) = self.fit, self.weights
        value = (
            (level + damped) * fit.level
            + line * (fit.line + fit.slope * h)
            + damped * fit.pace * fit.fading(h)
        )
        if self.season is None:
            return value
        return value + _swing(self.season, self.spacing.last + h)

    def spread(self, h: float) -> float:
        return self.scale * math.sqrt(self.spacing.factor(h))

    @property
    def pace(self) -> float:
        """The centre's change per day at the latest check-in."""
        return self.weights[1] * self.fit.slope + self.weights[2] * self.fit.pace


def _outlook(ts: list[float], ys: list[float]) -> _Outlook:
    """The forecast of check-ins of values ``ys`` on days ``ts`` (two at least, the first on
    day 0): the season, the three methods and their weights, and the spread."""
    n = len(ts)
    slopes = _Slopes(ts, ys)
    fit = _fit(ts, ys, slopes, n)
    season = _season(ts, ys, fit)
    if season is not None:
        ys = [y - _swing(season, t) for t, y in zip(ts, ys, strict=True)]
        slopes = _Slopes(ts, ys)
        fit = _fit(ts, ys, slopes, n)
    size = max(1.0, *(abs(y) for y in ys))
    # Each method, fitted to the first k check-ins, forecasts the later ones (k from half
    # the history, and from the last ``ORIGINS`` cut-offs at most).
    trials: list[tuple[list[float], float]] = []  # (each method's error, spread factor)
    latest: list[list[float]] = []  # each method's error on the latest check-in
    cuts = range(max(2, n - ORIGINS, math.ceil(n / 2)), n)
    for k in cuts:
        early, spacing = _fit(ts, ys, slopes, k), _Spacing.of(ts[:k])
        for j in range(k, n):
            h = ts[j] - ts[k - 1]
            trials.append(([ys[j] - v for v in early.values(h)], spacing.factor(h)))
        latest.append(trials[-1][0])
    if latest:
        # Bates & Granger: each method weighs the inverse of its mean squared error on the
        # latest check-in (the longest of the history's own horizons). A method that was
        # exact takes all the weight, so a straight line is read exactly.
        inverse = [
            1 / (sum(errors[m] ** 2 for errors in latest) / len(latest) + (1e-15 * size) ** 2)
            for m in range(3)
        ]
    else:
        inverse = [1.0, 1.0, 1.0]  # two check-ins: nothing to tell the methods apart
    total = sum(inverse)
    weights = (inverse[0] / total, inverse[1] / total, inverse[2] / total)
    # The spread: the combination's own errors, each per unit of its spread factor, pooled
    # with the noise about the robust line (``PRIOR_DOF`` errors' worth).
    squares = sum(
        sum(w * e for w, e in zip(weights, errors, strict=True)) ** 2 / factor
        for errors, factor in trials
    )
    noise = _noise(ts, ys, fit, 1e-9 * size)  # a billionth of their size at least: never 0
    scale = math.sqrt((squares + PRIOR_DOF * noise * noise) / (len(trials) + PRIOR_DOF))
    return _Outlook(fit, weights, season, _Spacing.of(ts), scale, len(cuts) + PRIOR_DOF)


def _noise(ts: list[float], ys: list[float], fit: _Fit, floor: float) -> float:
    """The deviation of the check-ins about the robust line (robust: 1.4826 × the median
    absolute residual). Three check-ins or fewer say little of it: then at least half their
    median step, and ``FEW_POINTS_NOISE`` of their level (two equal readings are no proof
    that the KPI never moves)."""
    n = len(ts)
    residuals = [abs(y - fit.line - fit.slope * (t - ts[-1])) for t, y in zip(ts, ys, strict=True)]
    noise = 1.4826 * _median(residuals) * math.sqrt(n / (n - 2)) if n > 2 else 0.0
    if n <= 3:
        steps = [abs(b - a) for a, b in zip(ys, ys[1:], strict=False)]
        level = sum(abs(y) for y in ys) / n
        noise = max(noise, 0.5 * _median(steps), FEW_POINTS_NOISE * level)
    return max(noise, floor)


def _season(ts: list[float], ys: list[float], fit: _Fit) -> tuple[float, float] | None:
    """The yearly swing (its sine and cosine coefficients) in what the robust line ``fit``
    leaves of a history that spans a year, if an F-test finds it clearly; None otherwise."""
    n = len(ts)
    if n < SEASON_MIN_POINTS or ts[-1] - ts[0] < SEASON_MIN_DAYS:
        return None
    # Least squares of the residuals on (1, sine, cosine): the normal equations' sums.
    sums = [0.0] * 9  # s, c, ss, sc, cc, r, sr, cr, rr
    for t, y in zip(ts, ys, strict=True):
        s, c = _harmonics(t)
        r = y - fit.line - fit.slope * (t - ts[-1])
        for i, term in enumerate((s, c, s * s, s * c, c * c, r, s * r, c * r, r * r)):
            sums[i] += term
    s, c, ss, sc, cc, r, sr, cr, rr = sums
    moments = [r, sr, cr]
    coefficients = _solve([[n, s, c], [s, ss, sc], [c, sc, cc]], moments)
    if coefficients is None:
        return None
    before = rr - r * r / n  # about the mean
    after = rr - sum(k * m for k, m in zip(coefficients, moments, strict=True))
    if before <= 0:
        return None
    if after <= 1e-12 * before or after / (n - 5) == 0:
        return coefficients[1], coefficients[2]  # an exact swing
    statistic = (before - after) / 2 / (after / (n - 5))
    if distributions.f_survival(statistic, 2, n - 5) >= SEASON_P:
        return None
    return coefficients[1], coefficients[2]


def _harmonics(t: float) -> tuple[float, float]:
    angle = 2 * math.pi * t / YEAR_DAYS
    return math.sin(angle), math.cos(angle)


def _swing(season: tuple[float, float] | None, t: float) -> float:
    if season is None:
        return 0.0
    sine, cosine = _harmonics(t)
    return season[0] * sine + season[1] * cosine


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """x with matrix · x = vector (Gauss–Jordan with partial pivoting); None if singular."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        if abs(rows[pivot][col]) < 1e-12:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def _probability(goal: Target, centre: float, spread: float, dof: float) -> float:
    """The chance a value drawn from the forecast's Student-t meets the target."""

    def below(bound: float) -> float:
        return distributions.t_cdf((bound - centre) / spread, dof)

    if goal.direction == "increase":
        return 1 - below(goal.target)
    if goal.direction == "decrease":
        return below(goal.target)
    upper = goal.target_max if goal.target_max is not None else goal.target
    return max(0.0, below(upper) - below(goal.target))


def _interpolate(ts: list[float], ys: list[float], t: float) -> float:
    """The value on day ``t`` read from the check-ins, straight between two of them."""
    if t <= ts[0]:
        return ys[0]
    for i in range(1, len(ts)):
        if t <= ts[i]:
            if t == ts[i]:
                return ys[i]
            return ys[i - 1] + (ys[i] - ys[i - 1]) * (t - ts[i - 1]) / (ts[i] - ts[i - 1])
    return ys[-1]


# Days after the latest check-in on which the reach date is looked for: monthly for two
# years, then yearly; the first day is then found by halving the step it lies in.
REACH_GRID = (*range(0, 731, 30), *range(1095, REACH_HORIZON_DAYS + 1, 365))


def _reach_date(
    goal: Target, outlook: _Outlook, last_day: dt.date, last_value: float
) -> dt.date | None:
    """The first day the likely value meets the target (the latest check-in's day if it
    already does), or None if it does not within ``REACH_HORIZON_DAYS``."""
    upper = goal.target_max if goal.target_max is not None else goal.target
    bounds = (goal.target, upper) if goal.direction == "range" else (goal.target,)
    tolerance = 1e-9 * max(1.0, *(abs(bound) for bound in bounds))  # rounding's worth

    def meets(day: int) -> bool:
        value = outlook.centre(float(day))
        return goal.met_by(value) or any(abs(value - bound) <= tolerance for bound in bounds)

    if goal.met_by(last_value) or meets(0):
        return last_day
    before = outlook.centre(0.0)
    for low, high in itertools.pairwise(REACH_GRID):
        value = outlook.centre(float(high))
        if not meets(high):
            if not any((before - bound) * (value - bound) < 0 for bound in bounds):
                before = value
                continue
            # Into a range and out again between two days of the grid: a day inside, if any.
            inside = next((day for day in range(low + 1, high) if meets(day)), None)
            if inside is None:
                before = value
                continue
            high = inside
        while high - low > 1:  # the first day met lies in (low, high]
            middle = (low + high) // 2
            if meets(middle):
                high = middle
            else:
                low = middle
        try:
            return last_day + dt.timedelta(days=high)
        except OverflowError:
            return None  # after 9999-12-31
    return None


# --- calibration -----------------------------------------------------------------------------

CALIBRATION_PRIOR = 50  # how many outcomes' worth of trust the raw probability keeps


@dataclass(frozen=True)
class Calibration:
    """Raw probabilities to calibrated ones: the line through ``knots`` (raw, calibrated),
    from (0, 0) to (1, 1), never decreasing. No knots: the identity."""

    knots: tuple[tuple[float, float], ...] = ()

    def __call__(self, probability: float) -> float:
        points = ((0.0, 0.0), *self.knots, (1.0, 1.0))
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if probability <= x1:
                if x1 == x0:
                    return y1
                return y0 + (y1 - y0) * (max(probability, x0) - x0) / (x1 - x0)
        return 1.0


def calibration_from(
    history: Iterable[tuple[float, bool]], prior: float = CALIBRATION_PRIOR
) -> Calibration:
    """What an organisation's own history teaches of its forecasts' probabilities: from
    (probability said, target met) pairs, the isotonic regression of the outcome on the
    probability (pool adjacent violators: the best non-decreasing fit), shrunk toward the
    identity by ``prior`` / (``prior`` + outcomes). With little history the raw probability
    stands; with much, what happened."""
    tallies: dict[float, list[float]] = {}  # probability -> [hits, outcomes]: ties pooled
    for probability, hit in history:
        tally = tallies.setdefault(min(1.0, max(0.0, probability)), [0.0, 0.0])
        tally[0] += hit
        tally[1] += 1
    blocks: list[list[float]] = []  # [sum of probabilities said, hits, outcomes]
    for probability, (hits, count) in sorted(tallies.items()):
        blocks.append([probability * count, hits, count])
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][2] >= blocks[-1][1] * blocks[-2][2]:
            said, hits, count = blocks.pop()
            blocks[-1][0] += said
            blocks[-1][1] += hits
            blocks[-1][2] += count
    total = sum(count for _, _, count in blocks)
    trust = total / (total + prior)
    return Calibration(
        tuple(
            (said / count, trust * hits / count + (1 - trust) * said / count)
            for said, hits, count in blocks
        )
    )


def points_from(check_ins: Iterable[Dated]) -> list[tuple[dt.date, float]]:
    """(date, value) pairs of a KPI's standing check-ins, oldest first.

    Which check-ins stand (a correction replaces what it supersedes) is decided in one place,
    ``CheckIn.objects.standing()``; these are its rows.
    """
    return series([(c.recorded_on, float(c.value)) for c in check_ins])
