"""Calibrating an organisation's forecasts on its own history: the probabilities the forecast
stated of KPIs' held-out check-ins beside what happened (``measures.backtest``'s cases),
taught to ``forecast.calibration_from`` and stored, so that every probability the forecast
then states for the organisation (a check-in's, the nightly refresh's) is calibrated.

With too little history the calibration is the identity: the raw probability stands. A large
organisation learns from a sample of its KPIs (``MAX_OUTCOMES``, chosen by id, the same on
every run), which is plenty for a curve of a few knots and keeps the nightly cost flat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from . import backtest, forecast
from .forecast import Calibration, Target
from .models import CheckIn, ForecastCalibration, Kpi
from .querysets import ORDER

MIN_OUTCOMES = 30  # held-out cases below which an organisation's history teaches nothing yet
MAX_OUTCOMES = 5_000  # the most KPIs a calibration learns from

Point = tuple[dt.date, float]


# A KPI's place in the sample: its id scrambled (Knuth's multiplicative hash) into [0, 2³²).
SCRAMBLE, BUCKETS = 2_654_435_761, 2**32


def in_sample(kpi_id: int, kpis: int) -> bool:
    """Whether the KPI is among those a calibration of ``kpis`` KPIs learns from: all of a
    small organisation's, a fixed pseudo-random share of a large one's (by id)."""
    return (kpi_id * SCRAMBLE) % BUCKETS < _sample_bound(kpis)


def _sample_bound(kpis: int) -> float:
    return BUCKETS * min(1.0, MAX_OUTCOMES / max(kpis, 1))


@dataclass
class Learner:
    """Gathers (probability said, target met) for KPIs' held-out check-ins, then the
    calibration they teach."""

    pairs: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, aim: forecast.Aim, points: Sequence[Point], due_date: dt.date) -> None:
        for case in backtest.organisation_cases([(Target.of(aim), points, due_date)]):
            said = forecast.forecast(case.goal, case.history, case.due_date).probability
            if said is not None:
                self.pairs.append((said, case.hit))

    def calibration(self) -> Calibration:
        if len(self.pairs) < MIN_OUTCOMES:
            return Calibration()
        return forecast.calibration_from(self.pairs)

    def store(self, organisation_id: int) -> Calibration:
        """Store what was learnt as the organisation's calibration, and return it."""
        learnt = self.calibration()
        ForecastCalibration.objects.update_or_create(
            organisation_id=organisation_id,
            defaults={
                "knots": [list(knot) for knot in learnt.knots],
                "outcomes": len(self.pairs),
                "learnt_at": timezone.now(),
            },
        )
        return learnt


def kpi_histories(
    organisation_id: int, *, sample: bool = False
) -> Iterator[tuple[int, Target, list[Point], dt.date]]:
    """Each KPI's id, target, standing check-ins oldest first, and due date (with
    ``sample``, of the KPIs ``in_sample`` only): two queries, check-ins streamed, whatever
    the organisation's size."""
    kpis = Kpi.objects.filter(organisation_id=organisation_id)
    readings = CheckIn.objects.standing().filter(kpi__organisation_id=organisation_id)
    if sample:
        bound = _sample_bound(kpis.count())
        kpis = kpis.alias(bucket=F("id") * SCRAMBLE % BUCKETS).filter(bucket__lt=bound)
        readings = readings.alias(bucket=F("kpi_id") * SCRAMBLE % BUCKETS).filter(bucket__lt=bound)
    targets = {kpi.pk: (Target.of(kpi), kpi.due_date) for kpi in kpis}
    rows = readings.order_by("kpi_id", *ORDER).values_list("kpi_id", "recorded_on", "value")
    current: int | None = None
    points: list[Point] = []
    for kpi_id, recorded_on, value in rows.iterator(chunk_size=5_000):
        if kpi_id != current:
            if current is not None:
                yield current, targets[current][0], points, targets[current][1]
            current, points = kpi_id, []
        points.append((recorded_on, float(value)))
    if current is not None:
        yield current, targets[current][0], points, targets[current][1]


def learn_calibration(organisation_id: int) -> Calibration:
    """Learn and store the organisation's calibration from its KPIs' held-out check-ins."""
    learner = Learner()
    for _, goal, points, due_date in kpi_histories(organisation_id, sample=True):
        learner.add(goal, points, due_date)
    return learner.store(organisation_id)


def calibration_of(organisation_id: int) -> Calibration:
    """The organisation's stored calibration (one query); the identity if none is stored."""
    knots = (
        ForecastCalibration.objects.filter(organisation_id=organisation_id)
        .values_list("knots", flat=True)
        .first()
    )
    return Calibration(tuple((float(x), float(y)) for x, y in knots or ()))
