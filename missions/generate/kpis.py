"""KPIs and check-ins: a few KPIs per mission (some contributing to one of the parent
mission's), their check-ins rendered straight into ``COPY`` lines (the bulk of the rows), and
the stored figures the check-in service would have written (by the same functions).

The check-ins go in first, while worker processes compute each KPI's figures from them
(``forecasts``); the KPIs follow, a batch as soon as its figures are back, with their figures
and roll-ups in the same rows, so no KPI is written twice. Their foreign keys are checked
once, after both loads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from measures import forecast
from measures.calibrating import Learner, in_sample
from measures.figures import FIGURE_FIELDS, ROLLUP_FIELDS, calibrated, rollup_of
from measures.models import CheckIn, Kpi
from missions.generate.forecasts import Batch, Forecaster, Reading
from missions.generate.tables import TableWriter, allocate_ids
from missions.generate.vocabulary import COMMENTS, METRICS, TREND

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

FORECAST_BATCH = 2_000  # KPIs per batch a worker forecasts
DIRECTIONS = forecast.DIRECTIONS  # drawn by index: increase, decrease, range
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
    "id",
    "kpi_id",
    "value",
    "confidence",
    "comment",
    "recorded_on",
    "author_id",
    "created_at",
]


def draw_kpis(gen: Generator, build: Build) -> None:
    """Draw the KPIs; they are written after their check-ins (``write_kpis``)."""
    rng, plan, actor = gen.rng, build.plan, build.actor
    n = len(build.mission_ids)
    kpm = gen.options["kpis_per_mission"]
    per_mission = [max(0, kpm + rng.choice((-1, 0, 1))) if kpm >= 2 else kpm for _ in range(n)]
    kpi_ids = allocate_ids(Kpi, sum(per_mission))
    kpis = build.kpi_table_rows  # written with their figures, after their check-ins
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
            kpis.append(
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
    build.written["kpis"] = len(kpi_ids)


@dataclass
class PendingFigures:
    """The KPIs' figures, being computed by the workers; the progress of each KPI (known from
    its latest check-in, so the roll-ups need not wait for the figures) and what the
    calibration learnt."""

    forecaster: Forecaster
    learner: Learner
    progress: list[float] = field(default_factory=list)

    def close(self) -> None:
        self.forecaster.close()


def write_check_ins(gen: Generator, build: Build) -> PendingFigures:
    """Write the check-ins (their KPIs are not written yet: the caller drops the foreign
    keys for the load); their KPIs' figures are computed meanwhile, for ``write_kpis``."""
    rng, now, today = gen.rng, gen.now, gen.today
    year_start, year_end = build.year_start, build.year_end
    per_kpi = gen.options["checkins_per_kpi"]
    total = len(build.kpi_rows) * per_kpi
    check_ins = TableWriter(gen, CheckIn, CHECK_IN_COLUMNS, total, "check-ins")
    # Ids up front, as for the other tables: the database need not draw one per row.
    next_id = allocate_ids(CheckIn, total).start if total else 0
    copy = check_ins.copy
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
    # The calibration the nightly refresh would learn from these histories (same sample).
    learner, kpis = Learner(), len(build.kpi_rows)
    pending = PendingFigures(Forecaster(gen.workers, days, year_end), learner)
    forecaster, progress = pending.forecaster, pending.progress
    batch: Batch = []
    lines: list[str] = []  # check-ins rendered for COPY, handed over a batch at a time
    try:
        for kpi_id, direction, baseline, target, high, cadence, author in build.kpi_rows:
            if not per_kpi:
                break
            values: list[float] = []
            confidences: list[int] = []
            step = max(1, min(cadence, elapsed_days // per_kpi))
            offset = rng.randrange(step)
            if random_() < 0.08:  # a stale KPI: nobody has checked in for a while
                offset += 3 * cadence
            # Oldest first: how many days before today each check-in was recorded.
            backs = [min(offset + j * step, days_back) for j in range(per_kpi - 1, -1, -1)]
            trend = TREND[rng.randrange(len(TREND))]
            confidence = 30 + int(45 * max(0.0, min(1.0, trend)))
            # Each value: where the KPI stands that day, give or take some noise (a range KPI
            # wanders about its middle; the others go from the baseline at their pace).
            if direction == 2:
                trendline = [(baseline + target + high) / 3] * per_kpi
                noise, spread = 1.0, high - target
            else:
                rise = (target - baseline) * trend  # over the whole period
                trendline = [baseline + rise * ((elapsed_days - b) / period_days) for b in backs]
                noise, spread = 0.1, abs(target - baseline)
            ids = range(next_id, next_id + per_kpi)
            next_id += per_kpi
            head, tail = f"\t{kpi_id}\t", f"\t{author}\t"
            for check_in_id, back, level in zip(ids, backs, trendline, strict=True):
                value = level + (random_() - 0.5) * noise * spread
                comment = COMMENTS[int(random_() * len(COMMENTS))] if random_() < 0.08 else ""
                conf = confidence + int(random_() * 20) - 10
                if copy:
                    lines.append(
                        f"{check_in_id}{head}{value:.2f}\t{conf}\t{comment}\t{day_text[back]}"
                        f"{tail}{stamp_text[back]}"
                    )
                else:
                    shown = f"{value:.2f}"
                    day, stamp = days[back], stamps[back]
                    check_ins.add((check_in_id, kpi_id, shown, conf, comment, day, author, stamp))
                values.append(round(value, 2))
                confidences.append(conf)
            # The figures the check-in service would have written, by the same function, from
            # the KPI's values as stored (two decimals).
            upper = round(high, 2) if high else None
            goal = (direction, round(baseline, 2), round(target, 2), upper)
            batch.append((*goal, backs, values, confidences))
            if len(batch) >= FORECAST_BATCH:
                forecaster.add(batch)
                batch = []
            if len(lines) >= check_ins.batch_size:
                check_ins.add_lines(lines)
                lines = []
            # The progress kpi_figures stores (that of the latest value), for the roll-ups.
            aim = forecast.Target(DIRECTIONS[direction], *goal[1:])
            progress.append(forecast.progress(aim, values[-1]))
            if in_sample(kpi_id, kpis):
                readings = [
                    Reading(days[b], v, c)
                    for b, v, c in zip(backs, values, confidences, strict=True)
                ]
                learner.add(aim, forecast.points_from(readings), year_end)
        forecaster.add(batch)
        if lines:
            check_ins.add_lines(lines)
        check_ins.close()
    except BaseException:
        forecaster.close()
        raise
    build.written["check_ins"] = check_ins.written
    return pending


def _calibrated_row(row: tuple[Any, ...], calibration: forecast.Calibration) -> tuple[Any, ...]:
    """A KPI's figures with the forecast calibrated as the service would store it."""
    figures = calibrated(dict(zip(FIGURE_FIELDS, row, strict=True)), calibration)
    return tuple(figures[name] for name in FIGURE_FIELDS)


PARENT_KPI, WEIGHT = COLUMNS.index("parent_kpi_id"), COLUMNS.index("weight")
PROGRESS = FIGURE_FIELDS.index("progress")


def write_kpis(gen: Generator, build: Build, pending: PendingFigures) -> None:
    """The KPIs with their stored figures (the model's defaults for a KPI without check-ins)
    and their roll-ups: ``rollup_of`` the (weight, progress) of the KPIs contributing to each,
    in id order, as the nightly refresh rolls them up (``kpi_refresh_all_rollups``). Every
    generated KPI is active.

    Each batch of KPIs is written as soon as the workers hand its figures back, calibrated as
    the nightly refresh would (the calibration is learnt from the check-ins, before any
    figure): only the last batch waits for the last forecast."""
    rows = build.kpi_table_rows
    calibration = pending.learner.store(build.org_id)
    if pending.progress:
        figures: Iterable[tuple[Any, ...]] = (
            _calibrated_row(row, calibration) for row in pending.forecaster.results()
        )
        progress = pending.progress
    else:  # no check-ins
        fields = [Kpi._meta.get_field(name) for name in FIGURE_FIELDS]
        default = tuple(field.get_default() for field in fields)  # type: ignore[union-attr]
        figures, progress = [default] * len(rows), [default[PROGRESS]] * len(rows)
    children: defaultdict[int, list[tuple[Any, float]]] = defaultdict(list)
    for row, share in zip(rows, progress, strict=True):
        if row[PARENT_KPI] is not None:
            children[row[PARENT_KPI]].append((row[WEIGHT], share))
    kpis = TableWriter(gen, Kpi, [*COLUMNS, *FIGURE_FIELDS, *ROLLUP_FIELDS], len(rows), "KPIs")
    for row, figure, share in zip(rows, figures, progress, strict=True):
        if figure[PROGRESS] != share:
            raise RuntimeError(f"KPI {row[0]}: its roll-up's progress is not kpi_figures'.")
        kpis.add((*row, *figure, rollup_of(children.get(row[0], ()))))
    kpis.close()
    gen.timings.append(("waiting for forecasts", len(rows), pending.forecaster.waited))
