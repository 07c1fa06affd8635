"""Rows the agreement tests build: KPIs with their readings, and what the checks found.

Readings go through ``measures.services.kpi_record_value``, the way every page and the API
record them, so a KPI's stored columns are what the service writes, not what a test wished.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from measures.models import Kpi
from measures.services import kpi_record_value
from reviews.checks import run_checks
from reviews.models import Finding
from tests.measures.factories import KpiFactory


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    """The date ``n`` days from today (negative: in the past)."""
    return today() + dt.timedelta(days=n)


@dataclass(frozen=True)
class Reading:
    """A check-in ``days_ago`` days before today; ``corrects``: the index of the earlier
    reading of the same KPI it supersedes."""

    days_ago: int
    value: float
    corrects: int | None = None


@dataclass(frozen=True)
class KpiSpec:
    """A KPI as a case states it; due 90 days from today unless told."""

    readings: tuple[Reading, ...] = ()
    direction: str = "increase"
    baseline: float = 10
    target: float = 50
    target_max: float | None = None
    weight: float = 1
    status: str = "active"
    cadence_days: int = 30
    due_in_days: int = 90


# The KPIs of the cases: due in 90 days, from a baseline of 10 to a target of 50.
ON_PACE = KpiSpec(readings=(Reading(60, 20), Reading(30, 30), Reading(0, 40)))
TOO_SLOW = KpiSpec(readings=(Reading(60, 11), Reading(30, 12)))
NEARLY = KpiSpec(readings=(Reading(60, 10), Reading(0, 24)))  # 45 at the due date: 87.5 %
MET_AT_ONCE = KpiSpec(readings=(Reading(10, 55),))
ONE_READING_SHORT = KpiSpec(readings=(Reading(10, 30),))
NO_READING = KpiSpec()


def make_kpi(mission, spec: KpiSpec, *, by) -> Kpi:
    """The KPI of ``spec`` on ``mission``, its readings recorded (corrections included), then
    archived if the spec says so."""
    kpi = KpiFactory(
        mission=mission,
        direction=spec.direction,
        baseline=Decimal(str(spec.baseline)),
        target=Decimal(str(spec.target)),
        target_max=None if spec.target_max is None else Decimal(str(spec.target_max)),
        weight=Decimal(str(spec.weight)),
        cadence_days=spec.cadence_days,
        due_date=days(spec.due_in_days),
    )
    recorded = []
    for reading in spec.readings:
        recorded.append(
            kpi_record_value(
                kpi=kpi,
                value=Decimal(str(reading.value)),
                by=by,
                recorded_on=days(-reading.days_ago),
                supersedes=None if reading.corrects is None else recorded[reading.corrects],
            )
        )
    if spec.status != Kpi.Status.ACTIVE:
        Kpi.objects.filter(pk=kpi.pk).update(status=spec.status)
    kpi.refresh_from_db()
    return kpi


def checked(organisation) -> None:
    """Run the alignment checks over the whole organisation."""
    run_checks(organisation=organisation)


def found(kind: str, *, organisation, subject: str | None = None) -> set[int]:
    """Ids of the missions with an open finding of ``kind`` (and ``subject``, if given)."""
    findings = Finding.objects.filter(
        organisation=organisation, kind=kind, resolved_at__isnull=True
    )
    if subject is not None:
        findings = findings.filter(subject=subject)
    return set(findings.values_list("mission_id", flat=True))
