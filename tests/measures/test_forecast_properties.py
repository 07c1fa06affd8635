"""Properties of progress and forecast that hold for any KPI (hypothesis), the past due date,
and the forecast's error on synthetic noisy series."""

from __future__ import annotations

import datetime as dt
import random
import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from measures.forecast import Target, forecast, progress

D0 = dt.date(2026, 1, 1)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def targets(draw: st.DrawFn) -> Target:
    direction = draw(st.sampled_from(["increase", "decrease", "range"]))
    baseline, target = draw(numbers), draw(numbers)
    upper = target + abs(draw(numbers)) if direction == "range" else None
    return Target(direction, baseline, target, upper)


@given(goal=targets(), value=st.one_of(st.none(), numbers))
def test_progress_is_always_between_0_and_1(goal: Target, value: float | None) -> None:
    assert 0.0 <= progress(goal, value) <= 1.0


@given(goal=targets(), value=numbers)
def test_a_value_that_meets_the_target_is_full_progress(goal: Target, value: float) -> None:
    if goal.met_by(value):
        assert progress(goal, value) == 1.0


@given(
    goal=targets(),
    values=st.lists(numbers, min_size=0, max_size=12),
    due_in=st.integers(min_value=-400, max_value=4000),
)
def test_a_forecast_is_always_well_formed(goal: Target, values: list[float], due_in: int) -> None:
    points = [(D0 + dt.timedelta(days=7 * i), v) for i, v in enumerate(values)]
    result = forecast(goal, points, D0 + dt.timedelta(days=due_in))
    assert result.status in {"on_track", "at_risk", "off_track", "unknown"}
    if len(values) < 2:
        assert result.status in {"unknown", "on_track"}
    if result.reach_date is not None:
        assert result.reach_date >= points[-1][0] or goal.met_by(points[-1][1])


@settings(max_examples=50)
@given(
    start=st.floats(min_value=0, max_value=100),
    slope=st.floats(min_value=0.01, max_value=5),
    due_in=st.integers(min_value=30, max_value=365),
)
def test_an_exact_line_is_read_exactly(start: float, slope: float, due_in: int) -> None:
    points = [(D0 + dt.timedelta(days=d), start + slope * d) for d in (0, 10, 20, 30)]
    result = forecast(Target("increase", start, start + 1), points, D0 + dt.timedelta(days=due_in))
    assert abs(result.value_at_due - (start + slope * due_in)) < 1e-6 * max(
        1, start + slope * due_in
    )


def test_a_past_due_date_reads_the_line_back_in_time() -> None:
    """Due before the latest check-in: the verdict is about the value the line gave then."""
    points = [(D0 + dt.timedelta(days=d), 10 + d) for d in (0, 10, 20, 30)]
    past = forecast(Target("increase", 10, 25), points, D0 + dt.timedelta(days=20))
    assert past.value_at_due == 30 and past.status == "on_track"
    missed = forecast(Target("increase", 10, 100), points, D0 + dt.timedelta(days=20))
    assert missed.status == "off_track" and missed.reach_date is not None


def test_the_forecast_error_on_noisy_synthetic_series() -> None:
    """A KPI moving linearly with noise (σ = 5% of the distance to the target), 8 fortnightly
    check-ins, due 180 days after the first: the forecast's median absolute error is under a
    tenth of that distance, and its verdict matches the truth on clear cases.

    On a KPI that is exactly a line plus noise, the least-squares line is the best there is
    (about 5%); the forecast gives a little of that up (about 8%), as it also weighs the
    recent level and a damped trend, which the backtest shows win on the shapes KPIs take."""
    rng = random.Random(7)
    errors, verdicts = [], []
    for _ in range(400):
        baseline, target, due = 100.0, 200.0, D0 + dt.timedelta(days=180)
        pace = rng.uniform(0.2, 0.9)  # per day; 100 needs 0.56 a day to arrive on time
        points = [
            (D0 + dt.timedelta(days=14 * i), baseline + pace * 14 * i + rng.gauss(0, 5))
            for i in range(8)
        ]
        result = forecast(Target("increase", baseline, target), points, due)
        truth = baseline + pace * 180
        errors.append(abs(result.value_at_due - truth) / (target - baseline))
        if abs(truth - target) > 15:  # clear cases only
            verdicts.append((result.status == "on_track") == (truth >= target))
    assert statistics.median(errors) < 0.1
    assert sum(verdicts) / len(verdicts) > 0.95
