"""KPIs and check-ins: a few KPIs per mission (some contributing to one of the parent
mission's), their check-ins rendered straight into ``COPY`` lines (the bulk of the rows), and
the stored figures the check-in service would have written (by the same functions)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

from measures import forecast
from measures.calibrating import Learner, in_sample
from measures.figures import FIGURE_FIELDS, calibrated, kpi_figures
from measures.models import CheckIn, Kpi
from measures.services import kpi_refresh_all_rollups, store_figure_rows
from missions.generate.tables import Progress, TableWriter, allocate_ids
from missions.generate.vocabulary import COMMENTS, METRICS, TREND

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

FIGURES_PER_WRITE = 20_000  # KPI figure rows per UPDATE
DIRECTIONS = ("increase", "decrease", "range")
COLUMNS = [
    "id",
    "organisation_id",
    "mission_id",
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_max",
    "due_date",
    "cadence_days",
    "weight",
    "parent_kpi_id",
    "status",
    "created_by_id",
]
CHECK_IN_COLUMNS = [
    "kpi_id",
    "value",
    "confidence",
    "comment",
    "recorded_on",
    "author_id",
    "created_at",
]


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


def write_kpis(gen: Generator, build: Build) -> None:
    rng, plan, actor = gen.rng, build.plan, build.actor
    n = len(build.mission_ids)
    kpm = gen.options["kpis_per_mission"]
    per_mission = [max(0, kpm + rng.choice((-1, 0, 1))) if kpm >= 2 else kpm for _ in range(n)]
    kpi_ids = allocate_ids(Kpi, sum(per_mission))
    kpis = TableWriter(gen, Kpi, COLUMNS, len(kpi_ids), "KPIs")
    mission_kpis: list[list[int]] = [[] for _ in range(n)]
    next_kpi = 0
    for i in range(n):
        parent = plan.mission_parent[i]
        for _ in range(per_mission[i]):
            kpi_id = kpi_ids[next_kpi]
            next_kpi += 1
            metric, unit = METRICS[rng.randrange(len(METRICS))]
            roll = rng.random()
            high = None
            if roll < 0.5:
                direction, baseline = 0, rng.uniform(10, 60)
                target = baseline * rng.uniform(1.2, 2.0)
            elif roll < 0.85:
                direction, baseline = 1, rng.uniform(20, 100)
                target = baseline * rng.uniform(0.4, 0.8)
            else:
                direction, target = 2, rng.uniform(40, 80)
                high = target + rng.uniform(5, 15)
                baseline = target + rng.uniform(-10, 25)
            cadence = (7, 14, 14, 30, 30, 30)[rng.randrange(6)]
            parent_kpi = None
            if parent >= 0 and mission_kpis[parent] and rng.random() < 0.6:
                above = mission_kpis[parent]
                parent_kpi = above[rng.randrange(len(above))]
            mission_kpis[i].append(kpi_id)
            kpis.add(
                (
                    kpi_id,
                    build.org_id,
                    build.mission_ids[i],
                    metric,
                    unit,
                    DIRECTIONS[direction],
                    f"{baseline:.2f}",
                    f"{target:.2f}",
                    f"{high:.2f}" if high is not None else None,
                    build.year_end,
                    cadence,
                    1,
                    parent_kpi,
                    "active",
                    actor[i],
                )
            )
            build.kpi_rows.append(
                (kpi_id, direction, baseline, target, high or 0.0, cadence, actor[i])
            )
    kpis.close()
    build.written["kpis"] = len(kpi_ids)


def write_check_ins(gen: Generator, build: Build) -> None:
    rng, now, today = gen.rng, gen.now, gen.today
    year_start, year_end = build.year_start, build.year_end
    per_kpi = gen.options["checkins_per_kpi"]
    check_ins = TableWriter(
        gen, CheckIn, CHECK_IN_COLUMNS, len(build.kpi_rows) * per_kpi, "check-ins"
    )
    elapsed_days = max(1, (today - year_start).days)
    period_days = (year_end - year_start).days
    days_back = elapsed_days + 400
    days = [today - dt.timedelta(days=d) for d in range(days_back + 1)]
    day_text = [d.isoformat() for d in days]
    # Written at 17:00 UTC on the day, today's not later than now. Rows carry the time on
    # both paths: created_at is NOT NULL and has no database default.
    stamps = [min(dt.datetime.combine(d, dt.time(17), tzinfo=dt.UTC), now) for d in days]
    stamp_text = [s.isoformat() for s in stamps]
    random_ = rng.random
    figures: list[tuple[Any, ...]] = []
    # The calibration the nightly refresh would learn from these histories (same sample).
    learner, kpis = Learner(), len(build.kpi_rows)
    for kpi_id, direction, baseline, target, high, cadence, author in build.kpi_rows:
        if not per_kpi:
            break
        readings: list[Reading] = []
        step = max(1, min(cadence, elapsed_days // per_kpi))
        offset = rng.randrange(step)
        if random_() < 0.08:  # a stale KPI: nobody has checked in for a while
            offset += 3 * cadence
        trend = TREND[rng.randrange(len(TREND))]
        confidence = 30 + int(45 * max(0.0, min(1.0, trend)))
        if direction == 2:
            middle, spread = (baseline + target + high) / 3, high - target
        else:
            middle, spread = 0.0, abs(target - baseline)
        for j in range(per_kpi - 1, -1, -1):
            back = min(offset + j * step, days_back)
            t = (elapsed_days - back) / period_days
            if direction == 2:
                value = middle + (random_() - 0.5) * spread
            else:
                value = baseline + (target - baseline) * trend * t
                value += (random_() - 0.5) * 0.1 * spread
            comment = COMMENTS[int(random_() * len(COMMENTS))] if random_() < 0.08 else ""
            conf = confidence + int(random_() * 20) - 10
            check_ins.add_line(
                f"{kpi_id}\t{value:.2f}\t{conf}\t{comment}\t{day_text[back]}\t{author}\t"
                f"{stamp_text[back]}",
                (kpi_id, f"{value:.2f}", conf, comment, days[back], author, stamps[back]),
            )
            readings.append(Reading(days[back], round(value, 2), conf))
        # The stored figures the check-in service would have written, by the same function,
        # from the KPI's values as stored (two decimals).
        goal = Goal(
            DIRECTIONS[direction],
            round(baseline, 2),
            round(target, 2),
            round(high, 2) if high else None,
            year_end,
        )
        stored = kpi_figures(goal, readings)
        figures.append((kpi_id, *(stored[name] for name in FIGURE_FIELDS)))
        if in_sample(kpi_id, kpis):
            learner.add(goal, forecast.points_from(readings), year_end)
    check_ins.close()
    build.written["check_ins"] = check_ins.written
    calibration = learner.store(build.org_id)
    write_kpi_figures(
        gen,
        [
            (
                row[0],
                *calibrated(dict(zip(FIGURE_FIELDS, row[1:], strict=True)), calibration).values(),
            )
            for row in figures
        ],
    )
    write_kpi_rollups(gen, build)


def _calibrated_row(row: tuple[Any, ...], calibration: forecast.Calibration) -> tuple[Any, ...]:
    """A (KPI id, *figures) row with the forecast calibrated as the service would store it."""
    figures = calibrated(dict(zip(FIGURE_FIELDS, row[1:], strict=True)), calibration)
    return (row[0], *(figures[name] for name in FIGURE_FIELDS))


def write_kpi_figures(gen: Generator, figures: list[tuple[Any, ...]]) -> None:
    """Set the KPIs' stored progress and forecast, as the refresh stores them."""
    progress = Progress(gen.progress_stream, "KPI figures", len(figures), gen.show_progress)
    for start in range(0, len(figures), FIGURES_PER_WRITE):
        rows = figures[start : start + FIGURES_PER_WRITE]
        store_figure_rows(rows)
        progress.add(len(rows))
    gen.timings.append((progress.label, len(figures), progress.finish()))


def write_kpi_rollups(gen: Generator, build: Build) -> None:
    """Roll the figures just written up into the KPIs others contribute to (the service the
    nightly refresh runs: a batch of KPIs per query)."""
    progress = Progress(gen.progress_stream, "KPI roll-ups", len(build.kpi_rows), gen.show_progress)
    kpi_refresh_all_rollups(organisation_id=build.org_id)
    progress.add(len(build.kpi_rows))
    gen.timings.append((progress.label, len(build.kpi_rows), progress.finish()))
