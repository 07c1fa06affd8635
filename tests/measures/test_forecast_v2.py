"""Forecast v2: its probability, interval and status for any history (hypothesis), the shapes
it is built to cope with, the calibration hook, and the backtest command's acceptance figures."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from measures import backtest
from measures.forecast import (
    Calibration,
    Forecast,
    Target,
    calibration_from,
    forecast,
    recent_line,
    status_for,
)
from tests.measures.factories import CheckInFactory, KpiFactory

D0 = dt.date(2026, 1, 1)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
gaps = st.integers(min_value=1, max_value=120)  # days between check-ins: irregular


@st.composite
def histories(draw: st.DrawFn, min_size: int = 2) -> list[tuple[dt.date, float]]:
    values = draw(st.lists(numbers, min_size=min_size, max_size=30))
    day, points = D0, []
    for value in values:
        points.append((day, value))
        day += dt.timedelta(days=draw(gaps))
    return points


@st.composite
def targets(draw: st.DrawFn) -> Target:
    direction = draw(st.sampled_from(["increase", "decrease", "range"]))
    baseline, target = draw(numbers), draw(numbers)
    upper = target + abs(draw(numbers)) if direction == "range" else None
    return Target(direction, baseline, target, upper)


def due(points: list[tuple[dt.date, float]], days: int) -> dt.date:
    return points[-1][0] + dt.timedelta(days=days)


@given(goal=targets(), points=histories(), ahead=st.integers(min_value=1, max_value=4000))
def test_it_gives_a_probability_between_0_and_1_and_the_status_it_implies(
    goal: Target, points: list[tuple[dt.date, float]], ahead: int
) -> None:
    result = forecast(goal, points, due(points, ahead))
    assert result.probability is not None and 0.0 <= result.probability <= 1.0
    assert result.status == status_for(result.probability)
    assert result.method


@given(points=histories(), ahead=st.integers(min_value=1, max_value=4000))
def test_the_interval_contains_the_likely_value(
    points: list[tuple[dt.date, float]], ahead: int
) -> None:
    result = forecast(Target("increase", 0, 1), points, due(points, ahead))
    assert result.low is not None and result.high is not None and result.value_at_due is not None
    assert result.low <= result.value_at_due <= result.high


@given(
    points=histories(),
    ahead=st.integers(min_value=1, max_value=4000),
    target=numbers,
    more=st.floats(min_value=0, max_value=1e6),
)
def test_a_higher_target_never_raises_the_chance_of_an_increase(
    points: list[tuple[dt.date, float]], ahead: int, target: float, more: float
) -> None:
    day = due(points, ahead)
    lower = forecast(Target("increase", 0, target), points, day).probability
    higher = forecast(Target("increase", 0, target + more), points, day).probability
    assert lower is not None and higher is not None
    assert higher <= lower
    # and, mirrored, a lower target never raises the chance of a decrease
    easier = forecast(Target("decrease", 0, target + more), points, day).probability
    harder = forecast(Target("decrease", 0, target), points, day).probability
    assert easier is not None and harder is not None
    assert harder <= easier


@settings(max_examples=200)
@given(
    start=st.floats(min_value=-1e4, max_value=1e4),
    slope=st.floats(min_value=-50, max_value=50),
    days=st.lists(gaps, min_size=2, max_size=29),
    ahead=st.integers(min_value=1, max_value=3650),
)
def test_a_noise_free_line_is_read_exactly(
    start: float, slope: float, days: list[int], ahead: int
) -> None:
    """Three check-ins or more on a line: the value at the due date is the line's, and the
    chance is all but certain for a target clearly on one side of it."""
    offsets = [0, *(sum(days[: i + 1]) for i in range(len(days)))]
    points = [(D0 + dt.timedelta(days=d), start + slope * d) for d in offsets]
    day = due(points, ahead)
    on_line = start + slope * (day - D0).days
    scale = max(1.0, abs(start), abs(on_line), abs(slope) * offsets[-1])
    result = forecast(Target("increase", start, on_line), points, day)
    assert result.value_at_due == pytest.approx(on_line, abs=1e-6 * scale)
    if len(points) >= 4:  # three points leave room for doubt about the noise
        below = forecast(Target("increase", start, on_line - 0.01 * scale), points, day)
        above = forecast(Target("increase", start, on_line + 0.01 * scale), points, day)
        assert below.probability is not None and below.probability > 0.99
        assert above.probability is not None and above.probability < 0.01


def test_a_line_crossing_the_target_is_reached_on_the_day_it_crosses() -> None:
    points = [(D0 + dt.timedelta(days=d), 10 + d) for d in (0, 10, 20, 30)]  # +1 a day
    result = forecast(Target("increase", 10, 50), points, D0 + dt.timedelta(days=59))
    assert (result.status, result.reach_date) == ("on_track", D0 + dt.timedelta(days=40))
    assert result.value_at_due == pytest.approx(69)


def test_two_check_ins_damp_the_pace_and_leave_room_for_doubt() -> None:
    """Two readings are always on a line; v2 carries their pace on, but damped, and is far
    from sure: an honest answer to a history that says so little."""
    points = [(D0, 10.0), (D0 + dt.timedelta(days=30), 13.0)]  # +0.1 a day
    day = D0 + dt.timedelta(days=360)
    result = forecast(Target("increase", 10, 46), points, day)
    line = recent_line(Target("increase", 10, 46), points, day).value_at_due
    assert result.value_at_due is not None and line is not None
    assert 13 < result.value_at_due < line
    assert result.probability is not None and 0.05 < result.probability < 0.5
    assert result.low is not None and result.high is not None
    assert result.low < 13 and result.high > line


def test_two_equal_check_ins_are_no_proof_that_nothing_moves() -> None:
    points = [(D0, 100.0), (D0 + dt.timedelta(days=30), 100.0)]
    result = forecast(Target("increase", 100, 101), points, D0 + dt.timedelta(days=365))
    assert result.value_at_due == pytest.approx(100)
    assert result.probability is not None and 0.05 < result.probability < 0.5
    assert result.status == "at_risk"


def test_one_check_in_gives_no_chance_and_no_interval() -> None:
    met = forecast(Target("increase", 0, 10), [(D0, 12.0)], D0 + dt.timedelta(days=90))
    assert (met.status, met.value_at_due, met.reach_date) == ("on_track", 12.0, D0)
    assert (met.probability, met.low, met.high) == (None, None, None)
    short = forecast(Target("increase", 0, 10), [(D0, 5.0)], D0 + dt.timedelta(days=90))
    assert short == Forecast(None, "unknown", None)
    assert short.probability is None


def test_a_due_date_already_past_is_read_from_the_check_ins() -> None:
    points = [(D0, 10.0), (D0 + dt.timedelta(days=10), 20.0), (D0 + dt.timedelta(days=20), 5)]
    result = forecast(Target("increase", 0, 14), points, D0 + dt.timedelta(days=5))
    assert (result.value_at_due, result.probability, result.low, result.high) == (15, 1, 15, 15)
    assert (result.status, result.method) == ("on_track", "observed")


def test_a_wild_last_reading_moves_the_forecast_little() -> None:
    """A typo of ten times the value as the latest check-in: the robust line and the median
    level hardly move, where least squares over the last eight is thrown far off."""
    points = [(D0 + dt.timedelta(days=30 * i), 100.0 + 2 * i) for i in range(10)]
    points[-1] = (points[-1][0], 1180.0)
    goal, day = Target("increase", 100, 130), D0 + dt.timedelta(days=30 * 15)
    result = forecast(goal, points, day)
    v1 = recent_line(goal, points, day)
    assert result.value_at_due is not None and v1.value_at_due is not None
    assert abs(result.value_at_due - 130) < 15 < abs(v1.value_at_due - 130)


def test_a_climb_that_levels_off_is_not_carried_on_at_full_pace() -> None:
    points = [(D0 + dt.timedelta(days=30 * i), 100 - 60 * math.exp(-i / 3)) for i in range(12)]
    goal, day = Target("increase", 40, 110), D0 + dt.timedelta(days=30 * 20)
    result = forecast(goal, points, day)
    v1 = recent_line(goal, points, day)
    assert result.value_at_due is not None and v1.value_at_due is not None
    assert abs(result.value_at_due - 100) < abs(v1.value_at_due - 100)
    assert result.status != "on_track" and v1.status == "on_track"


def test_a_yearly_season_is_found_and_carried_forward() -> None:
    rng = random.Random(5)
    points = [
        (
            D0 + dt.timedelta(days=30 * i),
            200 + 40 * math.sin(2 * math.pi * 30 * i / 365.25) + rng.gauss(0, 2),
        )
        for i in range(26)
    ]
    day = D0 + dt.timedelta(days=30 * 29)
    truth = 200 + 40 * math.sin(2 * math.pi * 30 * 29 / 365.25)
    result = forecast(Target("increase", 200, 230), points, day)
    assert result.method == "combined with a yearly season"
    assert result.value_at_due == pytest.approx(truth, abs=8)
    assert result.low is not None and result.high is not None
    assert result.low < truth < result.high


def test_a_flat_noisy_kpi_is_not_extrapolated() -> None:
    rng = random.Random(11)
    points = [(D0 + dt.timedelta(days=30 * i), 50 + rng.gauss(0, 3)) for i in range(12)]
    result = forecast(Target("increase", 50, 60), points, D0 + dt.timedelta(days=30 * 18))
    assert result.value_at_due == pytest.approx(50, abs=3)
    assert result.status == "off_track"


# --- calibration -----------------------------------------------------------------------------


def test_without_history_the_calibration_is_the_identity() -> None:
    identity = calibration_from([])
    assert identity == Calibration()
    assert [identity(p) for p in (0, 0.3, 0.5, 1)] == [0, 0.3, 0.5, 1]


@given(
    pairs=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.booleans()), min_size=0, max_size=300
    ),
    a=st.floats(min_value=0, max_value=1),
    b=st.floats(min_value=0, max_value=1),
)
def test_a_calibration_keeps_probabilities_in_order_and_in_0_1(
    pairs: list[tuple[float, bool]], a: float, b: float
) -> None:
    calibrated = calibration_from(pairs)
    low, high = sorted((a, b))
    assert 0 <= calibrated(low) <= calibrated(high) <= 1


def test_a_long_history_teaches_and_a_short_one_barely_moves_the_probability() -> None:
    """Forecasts that said 80% and hit half the time: after a thousand, 80% reads about 50%;
    after ten, it stays near 80%."""
    rng = random.Random(3)

    def history(size: int) -> list[tuple[float, bool]]:
        return [(p, rng.random() < p * 5 / 8) for p in (rng.random() for _ in range(size))]

    assert calibration_from(history(1000))(0.8) == pytest.approx(0.5, abs=0.08)
    assert calibration_from(history(10))(0.8) == pytest.approx(0.8, abs=0.12)


def test_a_calibration_pools_the_outcomes_of_one_probability_before_fitting() -> None:
    """A method that only calls yes or no (probability 1 or 0): its "no" hit one time in
    five, its "yes" seven times in ten, and the calibration says so."""
    calls = [(0.0, False)] * 80 + [(0.0, True)] * 20 + [(1.0, True)] * 70 + [(1.0, False)] * 30
    calibrated = calibration_from(calls, prior=0)
    assert calibrated(0.0) == pytest.approx(0.2)
    assert calibrated(1.0) == pytest.approx(0.7)


def test_the_forecast_applies_a_calibration_before_its_status() -> None:
    points = [(D0 + dt.timedelta(days=30 * i), 100.0 + 2 * i) for i in range(10)]
    goal, day = Target("increase", 100, 120), D0 + dt.timedelta(days=30 * 12)
    raw = forecast(goal, points, day)
    assert raw.status == "on_track" and raw.probability is not None
    halved = Calibration(((raw.probability, raw.probability / 2),))
    calibrated = forecast(goal, points, day, calibration=halved)
    assert calibrated.probability == pytest.approx(raw.probability / 2)
    assert calibrated.status == status_for(raw.probability / 2)
    assert calibrated.value_at_due == raw.value_at_due


# --- the backtest ----------------------------------------------------------------------------


def test_the_backtest_meets_its_acceptance_figures_on_the_reporting_suite() -> None:
    """The whole reporting half of the synthetic suite: v2 beats both baselines on MASE and on
    right calls, its Brier score is below the least-squares call's, and its 80% interval
    covers 75–85%. The same figures on every run."""
    out = StringIO()
    call_command("forecast_backtest", "--json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())["synthetic"]
    methods = report["methods"]
    assert report["half"] == "reporting" and methods["v2"]["cases"] == backtest.SUITE_SIZE
    assert all(report["acceptance"].values()), report["acceptance"]
    v2, naive, line = methods["v2"], methods["last value"], methods["least squares"]
    assert v2["mase"] < min(naive["mase"], line["mase"])
    assert v2["right_calls"] > max(naive["right_calls"], line["right_calls"])
    assert v2["brier"] < line["brier"]
    assert 0.75 <= v2["coverage_80"] <= 0.85
    again = StringIO()
    call_command("forecast_backtest", "--json", stdout=again, stderr=StringIO())
    assert again.getvalue() == out.getvalue()


def test_the_tuning_and_reporting_suites_are_different_histories() -> None:
    tuning = backtest.synthetic_suite(backtest.TUNING_SEED, 20)
    reporting = backtest.synthetic_suite(backtest.REPORTING_SEED, 20)
    assert not set(tuning) & set(reporting)
    assert backtest.synthetic_suite(backtest.REPORTING_SEED, 20) == reporting
    assert {case.kind for case in reporting} == set(backtest.KINDS)
    assert all(case.hit == case.goal.met_by(case.actual) for case in reporting)


@pytest.mark.django_db
def test_the_backtest_reads_an_organisations_own_history(world) -> None:
    """Each KPI with three check-ins or more is cut before the later third of them; one that
    has fewer is left out; the calibrated v2 is reported beside the others."""
    mission = world.staff_mission
    for k in range(6):
        kpi = KpiFactory(mission=mission, baseline=0, target=100 + 10 * k)
        for i in range(3 + k):
            day = D0 + dt.timedelta(days=30 * i)
            CheckInFactory(kpi=kpi, value=10 * i + k, recorded_on=day, author=world.staff)
    short = KpiFactory(mission=mission, baseline=0, target=50)
    CheckInFactory(kpi=short, value=5, recorded_on=D0, author=world.staff)
    out = StringIO()
    call_command(
        "forecast_backtest",
        "--organisation",
        world.organisation.slug,
        "--size",
        "0",
        "--json",
        stdout=out,
        stderr=StringIO(),
    )
    report = json.loads(out.getvalue())
    assert set(report) == {"organisation"}
    methods = report["organisation"]["methods"]
    assert list(methods) == [
        "last value",
        "least squares",
        "v1 (recent line)",
        "v2",
        "v2 calibrated",
    ]
    assert {figures["cases"] for figures in methods.values()} == {6}


@pytest.mark.django_db
def test_the_backtest_refuses_an_unknown_organisation() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation"):
        call_command("forecast_backtest", "--organisation", "nobody", "--size", "0")
