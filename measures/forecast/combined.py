"""The forecast itself: the recent level, a robust line, a damped and a local trend combined,
with the chance of meeting the target and an 80% interval (the method: ``measures.forecast``)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .. import distributions
from .base import REACH_HORIZON_DAYS, Forecast, Status, Target, series
from .calibration import Calibration

MAX_POINTS = 30  # the latest check-ins a forecast reads
LEVEL_POINTS = 3  # the recent level is the median of these, carried to the latest date
LOCAL_POINTS = 6  # the local pace is the robust slope over these
DAMPING = 2  # the damped trend's pace fades with a time constant of this many history spans
METHODS = 4
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

# The methods whose probability an organisation's calibration adjusts (a value observed at
# the due date, or a single reading, states a certainty, not a probability).
CALIBRATED_METHODS = frozenset({COMBINED, SEASONAL})


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


def theil_sen(points: Sequence[tuple[dt.date, float]]) -> tuple[float, float]:
    """The robust line through two or more (date, value) points on distinct dates: slope per
    day (the median of the slopes between every two points) and intercept at day 0 = the first
    point's date (the median of what the slope leaves), as ``least_squares`` gives them. The
    forecast's robust line; ``measures.dial`` fits it to either side of a key task."""
    origin = points[0][0]
    ts = [float((day - origin).days) for day, _ in points]
    ys = [value for _, value in points]
    slope = _Slopes(ts, ys).median(0, len(ts))
    return slope, _median([y - slope * t for t, y in zip(ts, ys, strict=True)])


@dataclass(frozen=True)
class _Fit:
    """The four methods fitted to the first check-ins of a history, each giving a value
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

    def values(self, h: float) -> tuple[float, float, float, float]:
        return (
            self.level,
            self.line + self.slope * h,
            self.level + self.pace * self.fading(h),
            self.level + self.pace * h,
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
    weights: tuple[float, float, float, float]
    season: tuple[float, float] | None
    spacing: _Spacing
    scale: float  # the noise's deviation, which the spread factor widens
    dof: int

    def centre(self, h: float) -> float:
        # The weighted sum of the fit's three values, gathered: called often by _reach_date.
        fit, (level, line, damped, local) = self.fit, self.weights
        value = (
            (level + damped + local) * fit.level
            + line * (fit.line + fit.slope * h)
            + fit.pace * (damped * fit.fading(h) + local * h)
        )
        if self.season is None:
            return value
        return value + _swing(self.season, self.spacing.last + h)

    def spread(self, h: float) -> float:
        return self.scale * math.sqrt(self.spacing.factor(h))

    @property
    def pace(self) -> float:
        """The centre's change per day at the latest check-in."""
        return (
            self.weights[1] * self.fit.slope + (self.weights[2] + self.weights[3]) * self.fit.pace
        )


def _outlook(ts: list[float], ys: list[float]) -> _Outlook:
    """The forecast of check-ins of values ``ys`` on days ``ts`` (two at least, the first on
    day 0): the season, the four methods and their weights, and the spread."""
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
            for m in range(METHODS)
        ]
    else:
        inverse = [1.0] * METHODS  # two check-ins: nothing to tell the methods apart
    total = sum(inverse)
    weights = (inverse[0] / total, inverse[1] / total, inverse[2] / total, inverse[3] / total)
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

    centre = outlook.centre

    def met(value: float) -> bool:
        return goal.met_by(value) or any(abs(value - bound) <= tolerance for bound in bounds)

    def meets(day: int) -> bool:
        return met(centre(float(day)))

    if goal.met_by(last_value) or meets(0):
        return last_day
    before = centre(0.0)
    for low, high in itertools.pairwise(REACH_GRID):
        value = centre(float(high))
        if not met(value):  # the grid's value, computed once (most forecasts try every day)
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
