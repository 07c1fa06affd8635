"""The demo's dates and history, drawn from the data and the day the demo is built.

Pure functions, no database: a mission's period, a KPI's check-ins up to today and a mission's
reviews. Randomness comes from generators seeded by the names involved (never Python's hash
seed), and dates sit on the fixed calendar grid of story.toml, so two builds on the same day are
identical.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from decimal import Decimal

from missions.demo.data import Kpi, Mission, ReviewNote, Story

RANGE = "range"


def stable(*parts: object) -> int:
    """A number that depends only on ``parts`` (not on Python's hash seed)."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def seeded(*parts: object) -> random.Random:
    return random.Random("|".join(map(str, parts)))


def add_months(first_of_month: dt.date, months: int) -> dt.date:
    month = first_of_month.month - 1 + months
    return dt.date(first_of_month.year + month // 12, month % 12 + 1, 1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def plan_year_start(today: dt.date) -> dt.date:
    """The plan year started on the first of the month six months ago."""
    return add_months(today.replace(day=1), -6)


def period(year_start: dt.date, mission: Mission) -> tuple[dt.date, dt.date]:
    first, last = mission.period_months
    start = add_months(year_start, first)
    end = add_months(year_start, last) - dt.timedelta(days=1)
    return start, end


def grid(story: Story, start: dt.date, end: dt.date, step: int, phase: int) -> list[dt.date]:
    """The dates ``grid_epoch + phase + k * step`` in ``[start, end]``."""
    first = story.grid_epoch + dt.timedelta(days=phase)
    k = -((first - start).days // step)  # ceil((start - first) / step)
    day = first + dt.timedelta(days=k * step)
    dates = []
    while day <= end:
        dates.append(day)
        day += dt.timedelta(days=step)
    return dates


# --- check-ins -----------------------------------------------------------------------------------


def readings(
    story: Story, year_start: dt.date, today: dt.date, mission: Mission, kpi: Kpi
) -> list[tuple[dt.date, Decimal, int, str]]:
    """The KPI's check-ins up to today: (date, value, confidence, comment)."""
    start, due = period(year_start, mission)
    step = story.grid_step_days.get(kpi.cadence_days, kpi.cadence_days)
    first = max(start + dt.timedelta(days=1), today - dt.timedelta(days=story.history_days))
    last = today - dt.timedelta(days=63) if kpi.stale else today
    dates = grid(story, first, last, step, stable(mission.key, kpi.name) % step)
    trend = story.trends[kpi.trend]
    baseline, target = float(kpi.baseline), float(kpi.target)
    span = (due - start).days
    out = []
    for i, day in enumerate(dates):
        rng = seeded(mission.key, kpi.name, day.isoformat())
        t = (day - start).days / span
        if kpi.direction == RANGE:
            value = _range_value(kpi, t, rng)
        else:
            assert trend.rate is not None, f"{kpi.trend} is a trend of range KPIs"
            value = baseline + (target - baseline) * trend.rate * t
            value += rng.gauss(0, 0.035) * abs(target - baseline)
        if kpi.unit == "%":
            value = min(max(value, 0.0), 100.0)
        elif min(baseline, target) >= 0:
            value = max(value, 0.0)
        confidence = trend.confidence + rng.randint(-8, 8)
        latest = i == len(dates) - 1
        comment = ""
        if latest or rng.random() < 0.2:
            comment = rng.choice(trend.comments)
        quantum = Decimal(1).scaleb(-kpi.decimals)
        out.append((day, Decimal(repr(value)).quantize(quantum), confidence, comment))
    return out


def _range_value(kpi: Kpi, t: float, rng: random.Random) -> float:
    assert kpi.target_max is not None
    low, high, baseline = float(kpi.target), float(kpi.target_max), float(kpi.baseline)
    middle, width = (low + high) / 2, high - low
    if kpi.trend == "into":  # still converging: reaches the band around the due date
        value = baseline + (middle - baseline) * min(1.0, t / 0.75)
    elif kpi.trend == "drift":  # in the band, then drifting out over the last months
        value = middle + max(0.0, t - 0.3) * width * 3.5 * (1 if baseline > high else -1)
        value = baseline + (value - baseline) * min(1.0, t / 0.1)
    else:  # "in": quickly inside the band and staying there
        value = baseline + (middle - baseline) * min(1.0, t / 0.2)
    return value + rng.gauss(0, 0.12) * width


def check_in_author_index(mission: Mission, kpi: Kpi, day: dt.date, team_size: int) -> int | None:
    """Which of the owner team's staff wrote the check-in of ``day`` (None: the owner); it
    depends on the date only, so it is the same person on every build."""
    if team_size and stable(mission.key, kpi.name, day) % 3 == 0:
        return stable(day) % team_size
    return None


def check_in_written_at(mission: Mission, kpi: Kpi, day: dt.date, now: dt.datetime) -> dt.datetime:
    """In the afternoon of its day, and never after now."""
    return min(at(day, 16, stable(mission.key, kpi.name, day) % 60), now)


# --- reviews -------------------------------------------------------------------------------------


def review_plan(
    story: Story, year_start: dt.date, today: dt.date, mission: Mission
) -> list[tuple[dt.date, bool]]:
    """(due date, held?) of the mission's reviews in the last six months and the next one."""
    start, _end = period(year_start, mission)
    step = story.review_step_days
    first = max(start + dt.timedelta(days=7), today - dt.timedelta(days=story.history_days))
    phase = stable("review", mission.key) % step
    due_dates = grid(story, first, today + dt.timedelta(days=step), step, phase)
    if mission.review == "overdue":
        # The last review fell due at least three days ago and has not been held.
        past = [d for d in due_dates if d <= today - dt.timedelta(days=3)]
        return [(d, True) for d in past[:-1]] + [(past[-1], False)] if past else []
    past = [d for d in due_dates if d < today]
    upcoming = [d for d in due_dates if d >= today][:1]
    return [(d, True) for d in past] + [(d, False) for d in upcoming]


def review_notes(story: Story, mission: Mission, due: dt.date) -> ReviewNote:
    return story.review_notes[stable(mission.key, due) % len(story.review_notes)]


def held_on(due: dt.date) -> dt.date:
    """A held review took place on its due date or up to two days before."""
    return due - dt.timedelta(stable(due) % 3)
