"""Progress and forecast for every direction and the edge cases."""

from __future__ import annotations

import datetime as dt

import pytest

from measures.forecast import Target, forecast, points_from, progress, series

D = dt.date
UP = Target("increase", baseline=10, target=50)
DOWN = Target("decrease", baseline=100, target=60)
RANGE = Target("range", baseline=80, target=90, target_max=95)


@pytest.mark.parametrize(
    ("goal", "value", "expected"),
    [
        (UP, None, 0.0),
        (UP, 10, 0.0),
        (UP, 30, 0.5),
        (UP, 50, 1.0),
        (UP, 70, 1.0),  # clamped
        (UP, 0, 0.0),  # below the baseline: clamped, never negative
        (DOWN, 100, 0.0),
        (DOWN, 80, 0.5),
        (DOWN, 60, 1.0),
        (DOWN, 40, 1.0),
        (DOWN, 120, 0.0),
        (RANGE, 80, 0.0),
        (RANGE, 85, 0.5),
        (RANGE, 90, 1.0),
        (RANGE, 93, 1.0),
        (RANGE, 95, 1.0),
        (RANGE, 97, 0.0),  # overshot to the other side of the range
        (Target("range", baseline=92, target=90, target_max=95), 97, 0.0),  # baseline inside
        (Target("range", baseline=100, target=90, target_max=95), 97.5, 0.5),  # from above
        (Target("increase", baseline=5, target=5), 5, 1.0),  # baseline equals target
        (Target("increase", baseline=5, target=5), 4, 0.0),
        (Target("decrease", baseline=5, target=5), 6, 0.0),
        (Target("range", baseline=5, target=5, target_max=5), 5, 1.0),
    ],
)
def test_progress(goal, value, expected) -> None:
    assert progress(goal, value) == pytest.approx(expected)


def test_no_check_ins_is_unknown() -> None:
    result = forecast(UP, [], D(2026, 12, 31))
    assert (result.status, result.value_at_due, result.reach_date) == ("unknown", None, None)


def test_one_check_in_is_unknown_unless_the_target_is_met() -> None:
    assert forecast(UP, [(D(2026, 1, 1), 20)], D(2026, 12, 31)).status == "unknown"
    met = forecast(UP, [(D(2026, 1, 1), 60)], D(2026, 12, 31))
    assert (met.status, met.reach_date) == ("on_track", D(2026, 1, 1))


def test_a_steady_rise_is_on_track_with_a_reach_date() -> None:
    # +1 a day from 10 on 1 January: 50 is reached on 10 February.
    points = [(D(2026, 1, 1) + dt.timedelta(days=d), 10 + d) for d in (0, 10, 20, 30)]
    result = forecast(UP, points, D(2026, 3, 1))
    assert result.status == "on_track"
    assert result.value_at_due == pytest.approx(69)
    assert result.reach_date == D(2026, 2, 10)


def test_a_slow_rise_is_at_risk_and_a_flat_line_off_track() -> None:
    points = [(D(2026, 1, 1), 10), (D(2026, 1, 31), 13)]  # 0.1 a day
    slow = forecast(UP, points, D(2026, 12, 27))  # 360 days: 10 + 36 = 46, 90% of the way
    assert slow.status == "at_risk"
    flat = forecast(UP, [(D(2026, 1, 1), 10), (D(2026, 2, 1), 10)], D(2026, 12, 31))
    assert (flat.status, flat.reach_date) == ("off_track", None)


def test_moving_away_from_the_target_has_no_reach_date() -> None:
    points = [(D(2026, 1, 1), 90), (D(2026, 2, 1), 95)]
    result = forecast(DOWN, points, D(2026, 12, 31))
    assert (result.status, result.reach_date) == ("off_track", None)


def test_a_falling_kpi_reaches_its_target() -> None:
    # −0.5 a day: 60 on 22 March. Three check-ins, as two are always on a line: the forecast
    # reads a line exactly only once a third check-in shows it is one.
    points = [(D(2026, 1, 1), 100), (D(2026, 1, 11), 95), (D(2026, 1, 21), 90)]
    result = forecast(DOWN, points, D(2026, 6, 30))
    assert result.status == "on_track" and result.reach_date == D(2026, 3, 22)


def test_a_range_kpi_is_on_track_when_the_line_lands_inside() -> None:
    points = [(D(2026, 1, 1) + dt.timedelta(days=10 * i), 80 + i) for i in range(4)]  # +0.1/day
    assert forecast(RANGE, points, D(2026, 5, 1)).status == "on_track"  # 92
    assert forecast(RANGE, points, D(2026, 12, 31)).status == "off_track"  # far above 95


def test_the_last_value_of_a_day_wins_and_the_window_is_recent() -> None:
    assert series([(D(2026, 1, 2), 5), (D(2026, 1, 1), 1), (D(2026, 1, 2), 7)]) == [
        (D(2026, 1, 1), 1),
        (D(2026, 1, 2), 7),
    ]
    # An old slump outside the window of eight does not drag the forecast down.
    old = [(D(2025, 1, 1) + dt.timedelta(days=d), 0) for d in range(5)]
    recent = [(D(2026, 1, 1) + dt.timedelta(days=10 * d), 10 + 10 * d) for d in range(8)]
    assert forecast(UP, old + recent, D(2026, 6, 1)).status == "on_track"


def test_corrections_replace_what_they_supersede() -> None:
    class C:
        def __init__(self, pk, day, value, supersedes_id=None):
            self.pk, self.recorded_on, self.value, self.supersedes_id = (
                pk,
                day,
                value,
                supersedes_id,
            )

    check_ins = [C(1, D(2026, 1, 1), 10), C(2, D(2026, 2, 1), 99), C(3, D(2026, 2, 1), 20, 2)]
    assert points_from(check_ins) == [(D(2026, 1, 1), 10.0), (D(2026, 2, 1), 20.0)]


def test_an_almost_flat_line_has_no_reach_date() -> None:
    points = [(D(2026, 1, 1), 10.0), (D(2026, 2, 1), 10.0000001)]
    result = forecast(UP, points, D(2026, 12, 31))
    assert (result.status, result.reach_date) == ("off_track", None)
