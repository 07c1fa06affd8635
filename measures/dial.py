"""What moved the dial: the completed key tasks that a change in a KPI's trend followed.

A KPI and its key tasks meet through the KPI's mission (a key task names no KPI). For each
key task of that mission completed on day *c*, the KPI's standing check-ins are split into
those of the ``WINDOW_DAYS`` up to *c* (a check-in of day *c* itself is before: a task done
that day has had no time to show) and those of the ``WINDOW_DAYS`` after it. A robust line
(Theil–Sen, ``measures.forecast.theil_sen``) is fitted to each side; the change is the
slope after less the slope before. It is a *move* when the data supports it:

- at least ``MIN_POINTS`` check-ins on each side;
- the change is large against the noise: the residuals about the two lines give the noise
  (their root mean square, with the four fitted numbers taken from the degrees of freedom),
  the noise gives the change's standard error (``noise × √(1/Sₜₜ before + 1/Sₜₜ after)``,
  Sₜₜ the spread of a side's dates), and the change must exceed that error times Student's t
  at ``1 − ALPHA/2`` (a steady line with noise alone passes about once in 500 tries);
- and it is worth telling: over a window the change adds or takes at least ``MIN_SHARE`` of
  the way from the baseline to the target.

Each task is tested on its own, so tasks completed near the same change are all listed:
what the data shows is a sequence (the task, then the change), never which task caused it.
Moves are sorted by the size of the change. ``moves_in`` is the method on plain numbers;
``moves_for`` reads many KPIs in two queries; ``dial_of`` is the KPI page's, with the reason
when there is no move. The method's reasons: docs/forecasting.md, "What moved the dial".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from kernel.formats import day, number
from missions.models import KeyTask

from .charts import Mark
from .distributions import t_quantile
from .forecast import Target, points_from, series, theil_sen
from .models import CheckIn, Kpi

WINDOW_DAYS = 90  # the check-ins read on each side of a completion
MIN_POINTS = 3  # the fewest check-ins on each side
ALPHA = 0.002  # the chance that noise alone shows a change as large
MIN_SHARE = 0.05  # the least change over a window, as a share of the way to the target
MONTH_DAYS = 30  # slopes are said per this many days

Points = Sequence[tuple[dt.date, float]]


@dataclass(frozen=True)
class Completed:
    """A completed key task, as the method reads it."""

    task_id: int
    title: str
    completed_on: dt.date


@dataclass(frozen=True)
class Move:
    """A completed key task followed by a change in its KPI's trend."""

    kpi_id: int
    task_id: int
    task_title: str
    completed_on: dt.date
    slope_before: float  # KPI units per 30 days, over the check-ins before completed_on
    slope_after: float  # KPI units per 30 days, over the check-ins after
    change: float  # slope_after - slope_before
    favourable: bool  # the change goes the KPI's way (direction)
    points_before: int
    points_after: int
    unit: str = ""  # the KPI's, for the sentence

    @property
    def sentence(self) -> str:
        """The move in words, as a sequence and never a cause: "“Open the second clinic” was
        completed on 3 Mar 2027, followed by the trend rising from +1.2 to +4.8 patients a
        month"."""
        places = _places(max(abs(self.slope_before), abs(self.slope_after)))
        before, after = _signed(self.slope_before, places), _signed(self.slope_after, places)
        unit = {"": "", "%": " percentage points"}.get(self.unit, f" {self.unit}")
        way = "rising" if self.change > 0 else "falling"
        return (
            f"“{self.task_title}” was completed on {day(self.completed_on)}, followed by the "
            f"trend {way} from {before} to {after}{unit} a month."
        )


def _places(largest: float) -> int:
    """Decimals that show two significant figures of the larger slope (at most four)."""
    if largest == 0:
        return 1
    return max(0, min(4, 1 - math.floor(math.log10(largest))))


def _signed(value: float, places: int) -> str:
    text = number(value, places=places)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _spread(points: Points) -> float:
    """The sum of squared distances of the dates from their mean, in days²."""
    ts = [float(when.toordinal()) for when, _ in points]
    mean = sum(ts) / len(ts)
    return sum((t - mean) ** 2 for t in ts)


@dataclass(frozen=True)
class _Line:
    """The Theil–Sen line of one side's check-ins."""

    origin: dt.date
    slope: float  # per day
    intercept: float  # at ``origin``
    residuals: list[float]  # what it leaves of each value

    @classmethod
    def of(cls, points: Points) -> _Line:
        slope, intercept = theil_sen(points)
        origin = points[0][0]
        left = [v - intercept - slope * (when - origin).days for when, v in points]
        return cls(origin, slope, intercept, left)

    def at(self, when: dt.date) -> float:
        return self.intercept + self.slope * (when - self.origin).days


def _span(goal: Target) -> float:
    """The way from the baseline to the target (a range's middle; its width if the baseline
    is the middle): what ``MIN_SHARE`` is a share of. 0 when there is none."""
    if goal.direction != "range" or goal.target_max is None:
        return abs(goal.target - goal.baseline)
    middle = (goal.target + goal.target_max) / 2
    return abs(middle - goal.baseline) or goal.target_max - goal.target


def _toward(goal: Target, level: float) -> int:
    """Which way is good from ``level``: up (1), down (-1); a range's is to its middle."""
    if goal.direction == "increase":
        return 1
    if goal.direction == "decrease":
        return -1
    upper = goal.target if goal.target_max is None else goal.target_max
    middle = (goal.target + upper) / 2
    return (level < middle) - (level > middle)


def _sides(points: Points, on: dt.date) -> tuple[Points, Points]:
    """The check-ins of the window up to ``on`` (included) and of the window after it."""
    window = dt.timedelta(days=WINDOW_DAYS)
    before = [p for p in points if on - window <= p[0] <= on]
    after = [p for p in points if on < p[0] <= on + window]
    return before, after


def _move(points: Points, task: Completed, goal: Target, kpi_id: int, unit: str) -> Move | None:
    """The move that followed ``task``, or None where the data does not support one."""
    before, after = _sides(points, task.completed_on)
    if len(before) < MIN_POINTS or len(after) < MIN_POINTS:
        return None
    early, late = _Line.of(before), _Line.of(after)
    residuals = early.residuals + late.residuals
    dof = len(residuals) - 4  # two lines, two numbers each
    size = max(1.0, *(abs(v) for _, v in (*before, *after)))
    # A billionth of the values' size at least: an exact line has no noise, but rounding.
    noise = max(math.sqrt(sum(r * r for r in residuals) / dof), 1e-9 * size)
    error = noise * math.sqrt(1 / _spread(before) + 1 / _spread(after))
    change = late.slope - early.slope
    if abs(change) <= t_quantile(1 - ALPHA / 2, dof) * error:
        return None
    if abs(change) * WINDOW_DAYS < MIN_SHARE * _span(goal):
        return None
    return Move(
        kpi_id=kpi_id,
        task_id=task.task_id,
        task_title=task.title,
        completed_on=task.completed_on,
        slope_before=early.slope * MONTH_DAYS,
        slope_after=late.slope * MONTH_DAYS,
        change=change * MONTH_DAYS,
        favourable=change * _toward(goal, early.at(task.completed_on)) > 0,
        points_before=len(before),
        points_after=len(after),
        unit=unit,
    )


@dataclass(frozen=True)
class Dial:
    """What a KPI page says of its completed key tasks: the moves, or why there is none."""

    moves: list[Move]
    completed: int  # key tasks of the KPI's mission completed
    testable: int  # of which with ``MIN_POINTS`` check-ins on each side

    @property
    def marks(self) -> list[Mark]:
        """The moves' days, to mark on the KPI's chart."""
        return [
            Mark(m.completed_on, f"“{m.task_title}” completed on {day(m.completed_on)}")
            for m in self.moves
        ]

    @property
    def reason(self) -> str:
        if self.moves:
            return ""
        if not self.completed:
            return "No key task of this mission has been completed yet."
        if not self.testable:
            return (
                "Not enough check-ins either side of a completed key task to tell: it takes "
                f"{MIN_POINTS} within {WINDOW_DAYS} days before its completion and {MIN_POINTS} "
                "after."
            )
        return "No change in trend followed a completed key task."


def dial_in(
    points: Points, tasks: Sequence[Completed], goal: Target, *, kpi_id: int = 0, unit: str = ""
) -> Dial:
    """The method on plain numbers: the moves of a KPI of ``goal`` whose standing check-ins
    are ``points`` (date, value), after ``tasks``, the largest change first."""
    history = series(points)
    testable = [
        t for t in tasks if all(len(s) >= MIN_POINTS for s in _sides(history, t.completed_on))
    ]
    found = (_move(history, t, goal, kpi_id, unit) for t in testable)
    moves = sorted((m for m in found if m is not None), key=lambda m: (-abs(m.change), m.task_id))
    return Dial(moves, len(tasks), len(testable))


def moves_in(
    points: Points, tasks: Sequence[Completed], goal: Target, *, kpi_id: int = 0, unit: str = ""
) -> list[Move]:
    """The moves of ``dial_in``."""
    return dial_in(points, tasks, goal, kpi_id=kpi_id, unit=unit).moves


def _completed(mission_ids: set[int], since: dt.date | None) -> dict[int, list[Completed]]:
    """The completed key tasks of these missions, by mission: one query."""
    tasks = KeyTask.objects.filter(
        mission_id__in=mission_ids, status=KeyTask.Status.DONE, completed_at__isnull=False
    )
    if since is not None:
        tasks = tasks.filter(completed_at__date__gte=since)  # the day where the reader is
    by_mission: defaultdict[int, list[Completed]] = defaultdict(list)
    rows = tasks.order_by("completed_at", "id").values_list(
        "id", "mission_id", "title", "completed_at"
    )
    for pk, mission_id, title, completed_at in rows:
        by_mission[mission_id].append(Completed(pk, title, timezone.localdate(completed_at)))
    return by_mission


def _dials(
    kpis: Sequence[Kpi], *, since: dt.date | None, history: dict[int, Points] | None = None
) -> dict[int, Dial]:
    """The dial of each KPI: its mission's completed key tasks in one query; its standing
    check-ins in one more, unless ``history`` gives them (only of the KPIs whose mission has
    a completed task; none if none has)."""
    tasks = _completed({k.mission_id for k in kpis}, since)
    if history is None:
        history = {k.pk: [] for k in kpis}
        wanted = [k.pk for k in kpis if tasks.get(k.mission_id)]  # the others have no move
        if wanted:
            readings: defaultdict[int, list[CheckIn]] = defaultdict(list)
            rows = CheckIn.objects.standing().filter(kpi_id__in=wanted).in_order()
            if since is not None:
                rows = rows.filter(recorded_on__gte=since - dt.timedelta(days=WINDOW_DAYS))
            for check_in in rows.only("kpi_id", "recorded_on", "value"):
                readings[check_in.kpi_id].append(check_in)
            history = {pk: points_from(readings[pk]) for pk in history}
    return {
        k.pk: dial_in(
            history[k.pk], tasks.get(k.mission_id, []), Target.of(k), kpi_id=k.pk, unit=k.unit
        )
        for k in kpis
    }


def moves_for(kpis: Sequence[Kpi], *, since: dt.date | None = None) -> dict[int, list[Move]]:
    """Moves for many KPIs in a fixed number of queries (no per-KPI query): the check-ins of all
    of them in one query, the completed key tasks of their missions in one query. ``since``
    keeps only moves whose task was completed on or after that day."""
    return {pk: dial.moves for pk, dial in _dials(list(kpis), since=since).items()}


def dial_of(kpi: Kpi, *, history: Points | None = None) -> Dial:
    """The KPI page's: its moves, or why there is none. ``history``, the KPI's standing
    check-ins as (date, value) when the page has read them already (``KpiFigures.history``),
    saves their query: then one query."""
    given = None if history is None else {kpi.pk: history}
    return _dials([kpi], since=None, history=given)[kpi.pk]


def moves_of(kpi: Kpi) -> list[Move]:
    """The moves of one KPI: two queries (the KPI page, which has read the check-ins, asks
    ``dial_of`` with them, and for the reason when there is none)."""
    return dial_of(kpi).moves
