"""The stored figures of the generated KPIs, computed by ``measures.figures.kpi_figures`` (the
function the check-in service stores from) in worker processes while the check-ins are drawn
and written: the forecast is most of the generator's arithmetic, and it needs nothing but the
readings.

Batches go out in KPI order and come back in the same order, so the figures do not depend on
how many workers computed them. The workers are forked and touch no database connection;
with one worker (or none to fork) the same function runs in this process.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, NamedTuple

from measures.figures import FIGURE_FIELDS, kpi_figures
from measures.forecast import DIRECTIONS

WORKER_NICENESS = 10

# A KPI as a worker receives it: (direction index, baseline, target, upper bound or None, the
# days back of its check-ins (indexes into the days), their values and confidences), oldest
# check-in first. Plain numbers: a fraction of the cost of pickling dates and named tuples.
Batch = list[tuple[int, float, float, float | None, list[int], list[float], list[int]]]


class Goal(NamedTuple):
    """What ``measures.figures.kpi_figures`` reads of a KPI, as the KPI row stores it."""

    direction: str
    baseline: float
    target: float
    target_max: float | None
    due_date: dt.date


class Reading(NamedTuple):
    """What ``measures.figures.kpi_figures`` reads of a check-in. The generator writes no
    corrections: every reading stands."""

    recorded_on: dt.date
    value: float
    confidence: int


_days: Sequence[dt.date] = ()
_due: dt.date = dt.date.min


def _start(days: Sequence[dt.date], due: dt.date) -> None:
    global _days, _due
    _days, _due = days, due


def _start_worker(days: Sequence[dt.date], due: dt.date) -> None:
    _start(days, due)
    # The writing (this process's parent and its database server) is the longest chain of
    # work: the forecasts, which have time to spare until the KPIs are written, take the CPU
    # it leaves. Only among this command's processes where the scheduler groups them by
    # session (Linux's autogroup); elsewhere behind every other process as well.
    os.nice(WORKER_NICENESS)


def figures_of(batch: Batch) -> list[tuple[Any, ...]]:
    """Each KPI's figures, in ``FIGURE_FIELDS`` order (uncalibrated: the calibration is learnt
    from all the histories afterwards)."""
    days, due, rows = _days, _due, []
    for direction, baseline, target, high, backs, values, confidences in batch:
        goal = Goal(DIRECTIONS[direction], baseline, target, high, due)
        readings = [
            Reading(days[back], value, confidence)
            for back, value, confidence in zip(backs, values, confidences, strict=True)
        ]
        stored = kpi_figures(goal, readings)
        rows.append(tuple(stored[name] for name in FIGURE_FIELDS))
    return rows


class Forecaster:
    """Figures of batches of KPIs, in the order the batches were given."""

    def __init__(self, workers: int, days: Sequence[dt.date], due: dt.date) -> None:
        _start(days, due)
        self.pool: Pool | None = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(workers, initializer=_start_worker, initargs=(days, due))
        self.pending: list[AsyncResult[list[tuple[Any, ...]]] | list[tuple[Any, ...]]] = []
        self.waited = 0.0  # seconds spent waiting for the workers

    def add(self, batch: Batch) -> None:
        if not batch:
            return
        if self.pool is None:
            self.pending.append(figures_of(batch))
        else:
            self.pending.append(self.pool.apply_async(figures_of, (batch,)))

    def results(self) -> Iterator[tuple[Any, ...]]:
        """Every KPI's figures, in order, each batch as soon as it is computed; then the
        workers stop."""
        try:
            for part in self.pending:
                if not isinstance(part, list):
                    started = time.monotonic()
                    part = part.get()
                    self.waited += time.monotonic() - started
                yield from part
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
