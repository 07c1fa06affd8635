"""The forecast's backtest: a synthetic suite of KPI histories with known futures, the
methods it compares, and the figures it scores them by. Pure functions, no database: the
``forecast_backtest`` command adds an organisation's own history.

**The suite.** Several hundred KPI histories of monthly-ish check-ins, ten kinds in equal
numbers: a trend, a saturating climb, a level shift, a yearly season, a flat line, a noisy
trend, few points, irregular dates, outliers, and a random walk with drift. Each history is
cut: the forecast sees the earlier check-ins and predicts the value of the last one (its date
is the due date); the target is drawn near where the KPI truly heads, so that about half are
met and many calls are close. One seed gives one suite, the same on every machine: the method
is tuned on the tuning seed's suite and reported on the reporting seed's.

**The figures**, for each method:
- *MASE*: the absolute error at the due date over the history's mean absolute change from one
  check-in to the next (Hyndman & Koehler, 2006), averaged over the histories; below 1 beats
  the history's own step-to-step noise;
- *right calls*: the share of histories where "will it meet the target?" was answered right
  (a point forecast's call is whether it meets the target; v2's is a probability of ½ or more);
- *Brier score*: the mean squared difference between the probability of meeting the target
  and what happened (0 or 1); a method without a probability counts its call as 0 or 1;
- *calibration*: per tenth of probability, how often the target was met;
- *coverage*: how often the value fell inside the 80% interval.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from . import forecast
from .forecast import Forecast, Target

TUNING_SEED = 1
REPORTING_SEED = 2
SUITE_SIZE = 1000
KINDS = (
    "trend",
    "saturating",
    "level shift",
    "seasonal",
    "flat",
    "noisy",
    "few points",
    "irregular dates",
    "outliers",
    "random walk",
)
START = dt.date(2022, 1, 1)
MONTH = 30.44  # days


@dataclass(frozen=True)
class Case:
    """One KPI history cut in two: what the forecast sees, and what then happened."""

    kind: str
    goal: Target
    history: tuple[tuple[dt.date, float], ...]
    due_date: dt.date
    actual: float  # the value checked in on the due date

    @property
    def hit(self) -> bool:
        return self.goal.met_by(self.actual)


# --- the synthetic suite ---------------------------------------------------------------------


def synthetic_suite(seed: int = REPORTING_SEED, size: int = SUITE_SIZE) -> list[Case]:
    """``size`` KPI histories, the kinds in turn, each from its own generator seeded by
    (``seed``, its number): the same suite on every run and machine."""
    return [_case(KINDS[i % len(KINDS)], random.Random(f"{seed}:{i}")) for i in range(size)]


def _case(kind: str, rng: random.Random) -> Case:
    unit = 10 ** rng.uniform(-1, 3)  # KPIs count in tenths or in thousands alike
    start = START + dt.timedelta(days=rng.randrange(365))
    level = unit * rng.uniform(0, 50)
    total = rng.randint(14, 30) if kind == "seasonal" else rng.randint(5, 30)
    held_out = 1 + min(rng.randrange(6), total // 2 - 1)
    if kind == "few points":
        held_out = rng.randint(1, 4)
        total = rng.randint(2, 3) + held_out
    days = _days(rng, total, irregular=kind == "irregular dates")
    path, plan, noise = _path(kind, rng, unit, level, [d / MONTH for d in days], total - held_out)
    values = [p + rng.gauss(0, noise) for p in path] if kind != "random walk" else path
    if kind == "outliers":
        for i in rng.sample(range(total - held_out), k=min(2, total - held_out - 1)):
            values[i] += rng.choice((-1, 1)) * noise * rng.uniform(6, 12)
    dates = [start + dt.timedelta(days=d) for d in days]
    return Case(
        kind=kind,
        goal=_goal(rng, level, plan, noise),
        history=tuple(zip(dates[:-held_out], values[:-held_out], strict=True)),
        due_date=dates[-1],
        actual=values[-1],
    )


def _days(rng: random.Random, total: int, *, irregular: bool) -> list[int]:
    """Check-in days from the first: monthly give or take a few days, or, irregular, any of
    a week to a quarter apart."""
    days, day = [], 0
    for _ in range(total):
        days.append(day)
        if irregular:
            day += rng.choice((7, 14, 21, 30, 30, 45, 60, 90))
        else:
            day += max(20, min(40, round(MONTH + rng.gauss(0, 4))))
    return days


def _path(
    kind: str, rng: random.Random, unit: float, level: float, months: list[float], seen: int
) -> tuple[list[float], float, float]:
    """The KPI's true path at each check-in (noise aside), the value its owner planned for
    the due date (what was known when the target was set: no shift, season or walk), and the
    noise's deviation."""
    noise = unit * rng.uniform(0.2, 1.5)
    pace = unit * rng.uniform(-1, 2)  # per month; most KPIs move the way they should
    end = months[-1]
    if kind == "saturating" or (kind == "irregular dates" and rng.random() < 0.5):
        rise = unit * rng.uniform(5, 25) * rng.choice((-1, 1, 1))
        tau = rng.uniform(1.5, 8)
        path = [level + rise * (1 - math.exp(-m / tau)) for m in months]
        return path, path[-1], noise
    if kind == "level shift":
        at = months[rng.randint(1, seen - 1)]  # a check-in the forecast sees is after it
        step = rng.choice((-1, 1)) * unit * rng.uniform(3, 10)
        pace /= 2
        return (
            [level + pace * m + (step if m >= at else 0) for m in months],
            level + pace * end,
            noise,
        )
    if kind == "seasonal":
        swing, phase = unit * rng.uniform(2, 6), rng.uniform(0, 2 * math.pi)
        pace /= 2
        path = [level + pace * m + swing * math.sin(2 * math.pi * m / 12 + phase) for m in months]
        return path, level + pace * end, noise
    if kind == "flat":
        return [level for _ in months], level, unit * rng.uniform(0.2, 2)
    if kind == "noisy":
        return [level + pace * m for m in months], level + pace * end, unit * rng.uniform(2, 5)
    if kind == "random walk":
        walk, steps = [level], unit * rng.uniform(0.5, 2)
        for before, m in zip(months, months[1:], strict=False):
            walk.append(
                walk[-1] + pace / 2 * (m - before) + rng.gauss(0, steps * math.sqrt(m - before))
            )
        return walk, level + pace / 2 * end, steps
    return [level + pace * m for m in months], level + pace * end, noise


def _goal(rng: random.Random, baseline: float, plan: float, noise: float) -> Target:
    """The target its owner set: the planned change, more or less ambitious, give or take
    the noise; one in five a range around the plan. Never the future itself, so a forecast
    learns nothing of the outcome from the target."""
    aim = baseline + (plan - baseline) * rng.uniform(0.6, 1.4) + rng.gauss(0, noise)
    if rng.random() < 0.2:
        half = noise * rng.uniform(0.5, 2)
        return Target("range", baseline=baseline, target=aim - half, target_max=aim + half)
    return Target("increase" if aim >= baseline else "decrease", baseline=baseline, target=aim)


# --- an organisation's own history ----------------------------------------------------------


def organisation_cases(
    kpis: Iterable[tuple[Target, Sequence[tuple[dt.date, float]], dt.date]],
) -> list[Case]:
    """Cases from KPIs' own histories: (target, standing check-ins oldest first, due date)
    each. The later third of a KPI's check-ins (one at least) is held out; the forecast sees
    the rest and predicts the last, on its date. A KPI needs three check-ins to be a case.

    The question a case asks is whether the KPI will be on plan that day: where the straight
    way from its first check-in to its target on its due date has got to by then (a range
    keeps its range). The KPI's own target lies months after its latest check-in, so asked
    of the target itself, every method would call every case right and the calls would
    tell the methods nothing."""
    cases = []
    for goal, points, due in kpis:
        history = forecast.series(points)
        if len(history) < 3:
            continue
        seen = len(history) - max(1, len(history) // 3)
        day, actual = history[-1]
        cases.append(
            Case(
                "organisation",
                on_plan(goal, history[0], due, day),
                tuple(history[:seen]),
                day,
                actual,
            )
        )
    return cases


def on_plan(goal: Target, start: tuple[dt.date, float], due: dt.date, day: dt.date) -> Target:
    """Where ``goal``'s plan is on ``day``: the straight way from the ``start`` check-in (day,
    value) to the target on ``due``, never beyond the target."""
    if goal.direction == "range" or due <= start[0]:
        return goal
    share = min(1.0, max(0.0, (day - start[0]).days / (due - start[0]).days))
    return replace(goal, target=start[1] + (goal.target - start[1]) * share)


# --- the methods -----------------------------------------------------------------------------

Method = Callable[[Target, Sequence[tuple[dt.date, float]], dt.date], Forecast]


def last_value(goal: Target, points: Sequence[tuple[dt.date, float]], due: dt.date) -> Forecast:
    """Baseline: the last value, carried forward."""
    value = points[-1][1]
    return Forecast(value, "on_track" if goal.met_by(value) else "off_track", None)


def whole_line(goal: Target, points: Sequence[tuple[dt.date, float]], due: dt.date) -> Forecast:
    """Baseline: the least-squares line through the whole history, read at the due date."""
    history = forecast.series(points)
    slope, intercept = forecast.least_squares(history)
    value = intercept + slope * (due - history[0][0]).days
    return Forecast(value, "on_track" if goal.met_by(value) else "off_track", None)


V2 = "v2"
CALIBRATED = "v2 calibrated"
BASELINES = ("last value", "least squares")
METHODS: dict[str, Method] = {
    "last value": last_value,
    "least squares": whole_line,
    "v1 (recent line)": forecast.recent_line,
    V2: forecast.forecast,
}


# --- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one method said of one case, beside what happened."""

    value: float
    probability: float  # of meeting the target; a method's mere call counts as 0 or 1
    low: float | None  # the 80% interval, if the method gives one
    high: float | None
    actual: float
    hit: bool
    scale: float  # the history's mean absolute change per check-in (MASE's denominator)
    kind: str


def outcome(method: Method, case: Case) -> Outcome:
    result = method(case.goal, case.history, case.due_date)
    if result.value_at_due is None:
        raise ValueError("A case's history has two check-ins at least.")
    probability = result.probability
    if probability is None:
        probability = 1.0 if result.status == "on_track" else 0.0
    values = [value for _, value in case.history]
    return Outcome(
        value=result.value_at_due,
        probability=probability,
        low=result.low,
        high=result.high,
        actual=case.actual,
        hit=case.hit,
        scale=statistics.fmean(abs(b - a) for a, b in itertools.pairwise(values)),
        kind=case.kind,
    )


@dataclass(frozen=True)
class Band:
    """A tenth of probability: the cases said to be in it, and how often they hit."""

    label: str
    cases: int
    said: float | None  # the mean probability said
    hit_rate: float | None


@dataclass(frozen=True)
class Score:
    """One method's figures over a set of cases (None: nothing to measure)."""

    cases: int
    mase: float | None
    mase_median: float | None
    right_calls: float | None
    brier: float | None
    coverage: float | None  # of the 80% interval; None for a method that gives none
    calibration: tuple[Band, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "mase": _rounded(self.mase),
            "mase_median": _rounded(self.mase_median),
            "right_calls": _rounded(self.right_calls),
            "brier": _rounded(self.brier),
            "coverage_80": _rounded(self.coverage),
            "calibration": [
                {
                    "probability": band.label,
                    "cases": band.cases,
                    "said": _rounded(band.said),
                    "hit_rate": _rounded(band.hit_rate),
                }
                for band in self.calibration
            ],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return statistics.fmean(items) if items else None


def score(outcomes: Sequence[Outcome]) -> Score:
    """MASE (mean and median), right calls, Brier score, 80% coverage and calibration.

    A history whose check-ins never changed has no scale: it counts in every figure but MASE.
    """
    scaled = [abs(o.value - o.actual) / o.scale for o in outcomes if o.scale > 0]
    return Score(
        cases=len(outcomes),
        mase=_mean(scaled),
        mase_median=statistics.median(scaled) if scaled else None,
        right_calls=_mean(float((o.probability >= 0.5) == o.hit) for o in outcomes),
        brier=_mean((o.probability - o.hit) ** 2 for o in outcomes),
        coverage=_mean(
            float(o.low <= o.actual <= o.high)
            for o in outcomes
            if o.low is not None and o.high is not None
        ),
        calibration=calibration_table(outcomes),
    )


def calibration_table(outcomes: Iterable[Outcome]) -> tuple[Band, ...]:
    """Per tenth of probability (0–10%, …, 90–100%): the cases said to be in it, the mean
    probability said, and how often they hit."""
    bands: list[list[Outcome]] = [[] for _ in range(10)]
    for o in outcomes:
        bands[min(9, int(o.probability * 10))].append(o)
    return tuple(
        Band(
            f"{10 * i}–{10 * (i + 1)}%",
            len(band),
            _mean(o.probability for o in band),
            _mean(float(o.hit) for o in band),
        )
        for i, band in enumerate(bands)
    )


def cross_calibrated(outcomes: Sequence[Outcome], folds: int = 5) -> list[Outcome]:
    """v2's outcomes with their probabilities calibrated as an organisation would calibrate
    them: each fifth by what the other four fifths taught (``forecast.calibration_from``),
    never by its own outcomes."""
    calibrated = []
    for fold in range(folds):
        others = [o for i, o in enumerate(outcomes) if i % folds != fold]
        learnt = forecast.calibration_from((o.probability, o.hit) for o in others)
        calibrated += [
            replace(o, probability=learnt(o.probability))
            for i, o in enumerate(outcomes)
            if i % folds == fold
        ]
    return calibrated


Progress = Callable[[str, int, int], None]  # (method, cases done, cases)


def run(
    cases: Sequence[Case], methods: dict[str, Method] = METHODS, progress: Progress | None = None
) -> dict[str, list[Outcome]]:
    """Every method's outcome on every case; ``progress(method, done, total)`` now and then."""
    results: dict[str, list[Outcome]] = {}
    step = max(1, len(cases) // 4)
    for name, method in methods.items():
        results[name] = []
        for done, case in enumerate(cases, start=1):
            results[name].append(outcome(method, case))
            if progress is not None and (done % step == 0 or done == len(cases)):
                progress(name, done, len(cases))
    return results


def acceptance(scores: dict[str, Score]) -> dict[str, bool]:
    """What v2 must do on the synthetic suite: beat both baselines on MASE and on right calls,
    score a lower Brier than the least-squares call, and cover 75–85% with its 80% interval."""
    v2 = scores[V2]
    baselines = [scores[name] for name in BASELINES]

    def below(value: float | None, bound: float | None) -> bool:
        return value is not None and bound is not None and value < bound

    def above(value: float | None, bound: float | None) -> bool:
        return value is not None and bound is not None and value > bound

    return {
        "MASE below both baselines'": all(below(v2.mase, b.mase) for b in baselines),
        "more right calls than both baselines": all(
            above(v2.right_calls, b.right_calls) for b in baselines
        ),
        "Brier score below the least-squares call's": below(
            v2.brier, scores["least squares"].brier
        ),
        "80% interval covers 75–85%": v2.coverage is not None and 0.75 <= v2.coverage <= 0.85,
    }


def cost(cases: Sequence[Case], methods: dict[str, Method], runs: int = 5) -> dict[str, float]:
    """Microseconds one forecast takes with each method: the median over ``runs`` runs of the
    mean over ``cases``, the methods taking turns within each run so that a busy machine
    slows them alike."""
    timings: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(runs):
        for name, method in methods.items():
            start = time.perf_counter()
            for case in cases:
                method(case.goal, case.history, case.due_date)
            timings[name].append((time.perf_counter() - start) / len(cases) * 1e6)
    return {name: statistics.median(values) for name, values in timings.items()}
