"""The demo's dates and history, drawn from the data and the day the demo is built.

Pure functions, no database: a mission's period, a KPI's check-ins up to today and a mission's
reviews. Randomness comes from generators seeded by the names involved (never Python's hash
seed), and dates sit on the fixed calendar grid of story.toml, so two builds on the same day are
identical.
"""

from __future__ import annotations

import datetime as dt
import itertools
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
    """The KPI's check-ins up to today: (date, value, confidence, comment).

    Each value follows the KPI's story (``Trend.shape``) from its baseline towards its target
    (the middle of a range), scattered by ``Story.noise`` of that way."""
    start, _due = period(year_start, mission)
    step = story.grid_step_days.get(kpi.cadence_days, kpi.cadence_days)
    first = max(start + dt.timedelta(days=1), today - dt.timedelta(days=story.history_days))
    last = today - dt.timedelta(days=63) if kpi.stale else today
    dates = grid(story, first, last, step, stable(mission.key, kpi.name) % step)
    trend = story.trends[kpi.trend]
    baseline = float(kpi.baseline)
    aim = float(kpi.target)
    if kpi.direction == RANGE:
        assert kpi.target_max is not None, "data._kpi: a range has an upper bound"
        aim = (aim + float(kpi.target_max)) / 2
    way = aim - baseline
    # A value stays on the side of 0 (and of 100%) where the KPI's figures all are.
    bounds = [baseline, float(kpi.target), aim]
    out = []
    for i, day in enumerate(dates):
        rng = seeded(mission.key, kpi.name, day.isoformat())
        share = along(trend.shape, story_time(day, today))
        value = baseline + way * share + rng.gauss(0, story.noise) * abs(way)
        if min(bounds) >= 0:
            value = max(value, 0.0)
        if kpi.unit == "%" and max(bounds) <= 100:
            value = min(value, 100.0)
        confidence = trend.confidence + rng.randint(-8, 8)
        latest = i == len(dates) - 1
        comment = ""
        if latest or rng.random() < 0.2:
            # The comments follow the story: the early ones early, the last ones lately.
            comment = trend.comments[i * len(trend.comments) // len(dates)]
        quantum = Decimal(1).scaleb(-kpi.decimals)
        out.append((day, Decimal(repr(value)).quantize(quantum), confidence, comment))
    return out


def story_time(day: dt.date, today: dt.date) -> float:
    """When ``day`` is in a KPI's story: 0.5 is the day the demo is built, and time runs in
    years, so 0 is six months before it and 1 six months after it (about the KPIs' due date).
    Counted from today rather than from the plan year's start (the first of a month), the turns
    of a story fall on the same days of the dashboards' 90-day window whatever the day."""
    return 0.5 + (day - today).days / 365


def along(shape: tuple[tuple[float, float], ...], t: float) -> float:
    """The share of the way made at story time ``t``: straight between the knots of ``shape``,
    and on at the last knot's pace beyond it."""
    for (t0, s0), (t1, s1) in itertools.pairwise(shape):
        if t <= t1:
            return s0 + (s1 - s0) * (t - t0) / (t1 - t0)
    if len(shape) == 1:
        return shape[0][1]
    (t0, s0), (t1, s1) = shape[-2], shape[-1]
    return s1 + (s1 - s0) * (t - t1) / (t1 - t0)


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


def held_on(mission: Mission, due: dt.date, today: dt.date) -> dt.date:
    """A held review took place on its due date or up to two days before; about one in twelve
    was held a few days late (by yesterday at the latest)."""
    draw = stable("held", mission.key, due)
    if draw % 12 == 0:
        return min(due + dt.timedelta(days=2 + draw % 4), today - dt.timedelta(days=1))
    return due - dt.timedelta(days=draw % 3)
