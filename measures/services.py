"""Writes for KPIs and check-ins: atomic, validated, attributed."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kernel.audit import apply_changes, audit_record
from kernel.errors import StateConflict
from kernel.models import AuditEvent

from .models import CheckIn, Kpi

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from missions.models import Mission

logger = logging.getLogger(__name__)
KPI_FIELDS = (
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_max",
    "due_date",
    "cadence_days",
    "weight",
    "parent_kpi",
)


def _check_parent_kpi(kpi: Kpi) -> None:
    parent = kpi.parent_kpi
    if parent is None:
        return
    if parent.organisation_id != kpi.organisation_id:
        raise ValidationError({"parent_kpi": "That KPI belongs to another organisation."})
    if kpi.mission.parent_id is not None and parent.mission_id != kpi.mission.parent_id:
        raise ValidationError({"parent_kpi": "Link a KPI of the parent mission."})


@transaction.atomic
def kpi_create(*, mission: Mission, data: dict[str, Any], by: AbstractBaseUser | None) -> Kpi:
    """Add a measure of success to a mission."""
    kpi = Kpi(mission=mission, organisation_id=mission.organisation_id, created_by=by)
    apply_changes(kpi, data, KPI_FIELDS)
    _check_parent_kpi(kpi)
    kpi.full_clean()
    kpi.save()
    audit_record(
        obj=kpi,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        mission=mission,
    )
    return kpi


@transaction.atomic
def kpi_update(*, kpi: Kpi, data: dict[str, Any], by: AbstractBaseUser) -> Kpi:
    """Change a KPI's definition; its check-ins stay as they are.

    The changes apply to the stored row, read again under a row lock (as ``mission_update``
    does): saving the caller's copy would write back every other field as it was read, undoing
    a change made in the meantime. Callers use the returned KPI.
    """
    kpi = (
        Kpi.objects.select_for_update(of=("self",))
        .select_related("mission__organisation")
        .get(pk=kpi.pk)
    )
    changes = apply_changes(kpi, data, KPI_FIELDS)
    if not changes:
        return kpi
    _check_parent_kpi(kpi)
    kpi.full_clean()
    kpi.save()
    kpi_refresh_figures(kpi=kpi)  # a new target or due date changes progress and forecast
    audit_record(
        obj=kpi,
        organisation=kpi.mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=kpi.mission,
        changes=changes,
    )
    return kpi


@transaction.atomic
def kpi_record_value(
    *,
    kpi: Kpi,
    value: Decimal,
    by: AbstractBaseUser,
    confidence: int = 70,
    comment: str = "",
    recorded_on: dt.date | None = None,
    supersedes: CheckIn | None = None,
) -> CheckIn:
    """Append a check-in. A correction is a new check-in that supersedes an earlier one."""
    today = timezone.localdate()
    recorded_on = recorded_on or today
    if kpi.status != Kpi.Status.ACTIVE:
        raise StateConflict("This KPI is archived; it takes no more check-ins.")
    if recorded_on > today:
        raise ValidationError({"recorded_on": "The date cannot be in the future."})
    if supersedes is not None and supersedes.kpi_id != kpi.pk:
        raise ValidationError({"supersedes": "That check-in belongs to another KPI."})
    check_in = CheckIn(
        kpi=kpi,
        value=value,
        confidence=confidence,
        comment=comment,
        recorded_on=recorded_on,
        author=by,
        supersedes=supersedes,
    )
    check_in.full_clean()
    check_in.save()
    # Lock the KPI row after the insert: concurrent check-ins of one KPI then refresh the
    # figures one after the other, each seeing the check-ins committed before it.
    locked = kpi_refresh_figures(kpi=Kpi.objects.select_for_update().get(pk=kpi.pk))
    for name in FIGURE_FIELDS:
        setattr(kpi, name, getattr(locked, name))
    # The whole reading, not the value alone: a late or back-dated check-in, or a drop in
    # confidence, is visible in the history too.
    changes: dict[str, list[Any]] = {
        "value": [None, str(value)],
        "confidence": [None, confidence],
        "recorded_on": [None, recorded_on.isoformat()],
    }
    if supersedes is not None:
        changes["supersedes"] = [None, supersedes.pk]
    audit_record(
        obj=check_in,
        organisation=kpi.mission.organisation,
        verb=AuditEvent.Verb.CHECKED_IN,
        by=by,
        mission=kpi.mission,
        changes=changes,
        comment=comment,
    )
    return check_in


@transaction.atomic
def kpi_archive(*, kpi: Kpi, by: AbstractBaseUser) -> Kpi:
    """Retire a KPI: it keeps its history and takes no more check-ins."""
    if kpi.status == Kpi.Status.ARCHIVED:
        return kpi
    kpi.status = Kpi.Status.ARCHIVED
    kpi.save(update_fields=["status", "updated_at"])
    audit_record(
        obj=kpi,
        organisation=kpi.mission.organisation,
        verb=AuditEvent.Verb.ARCHIVED,
        by=by,
        mission=kpi.mission,
        changes={"status": ["active", "archived"]},
    )
    return kpi


@transaction.atomic
def kpi_move(*, kpi: Kpi, to_mission: Mission, by: AbstractBaseUser) -> Kpi:
    """Move a KPI (with its history) to another mission of the same organisation.

    A link to a parent KPI that is not on the new parent mission no longer holds and is cut.
    """
    if to_mission.organisation_id != kpi.organisation_id:
        raise ValidationError({"mission": "That mission belongs to another organisation."})
    old = kpi.mission
    kpi.mission = to_mission
    changes: dict[str, list[Any]] = {"mission": [old.pk, to_mission.pk]}
    if kpi.parent_kpi_id and kpi.parent_kpi.mission_id != to_mission.parent_id:
        changes["parent_kpi"] = [kpi.parent_kpi_id, None]
        kpi.parent_kpi = None
    kpi.save(update_fields=["mission", "parent_kpi", "updated_at"])
    for mission in (old, to_mission):
        audit_record(
            obj=kpi,
            organisation=mission.organisation,
            verb=AuditEvent.Verb.MOVED,
            by=by,
            mission=mission,
            changes=changes,
        )
    return kpi


@transaction.atomic
def kpi_carry_over(
    *, kpi: Kpi, to_mission: Mission, due_date: dt.date, by: AbstractBaseUser
) -> Kpi:
    """A copy of the KPI for the next period, starting from its latest value."""
    from .forecast import points_from

    points = points_from(list(kpi.check_ins.order_by("recorded_on", "created_at", "id")))
    data = {name: getattr(kpi, name) for name in KPI_FIELDS}
    data.update(due_date=due_date, parent_kpi=None)
    if points:
        data["baseline"] = Decimal(str(points[-1][1]))
    return kpi_create(mission=to_mission, data=data, by=by)


def _figures(kpi: Kpi, check_ins: list[CheckIn]) -> dict[str, Any]:
    """The stored figures of a KPI from its check-ins (in date order), via measures.forecast."""
    from .forecast import Target, forecast, points_from, progress

    points = points_from(check_ins)
    goal = Target.of(kpi)
    latest = points[-1] if points else None
    outlook = forecast(goal, points, kpi.due_date)
    superseded = {c.supersedes_id for c in check_ins if c.supersedes_id}
    current = [c for c in check_ins if c.pk not in superseded]
    return {
        "latest_value": Decimal(str(latest[1])) if latest else None,
        "latest_on": latest[0] if latest else None,
        "latest_confidence": current[-1].confidence if current else None,
        "progress": progress(goal, latest[1] if latest else None),
        "forecast_status": outlook.status,
        "forecast_value": outlook.value_at_due,
        "forecast_reach_date": outlook.reach_date,
    }


FIGURE_FIELDS = (
    "latest_value",
    "latest_on",
    "latest_confidence",
    "progress",
    "forecast_status",
    "forecast_value",
    "forecast_reach_date",
)


def kpi_refresh_figures(*, kpi: Kpi) -> Kpi:
    """Recompute a KPI's stored progress and forecast from its check-ins (one query)."""
    check_ins = list(kpi.check_ins.order_by("recorded_on", "created_at", "id"))
    for name, value in _figures(kpi, check_ins).items():
        setattr(kpi, name, value)
    Kpi.objects.filter(pk=kpi.pk).update(**{name: getattr(kpi, name) for name in FIGURE_FIELDS})
    return kpi


def kpi_refresh_all(*, organisation_id: int | None = None, batch: int = 2000) -> int:
    """Recompute the stored figures of every KPI (of one organisation), streaming check-ins
    in KPI order so memory stays bounded. For backfills and synthetic data; returns the count.
    A KPI whose figures cannot be computed is logged with its id and skipped."""
    kpis = Kpi.objects.order_by("id")
    if organisation_id is not None:
        kpis = kpis.filter(organisation_id=organisation_id)
    done, last_id = 0, 0
    while True:
        chunk = list(kpis.filter(pk__gt=last_id)[:batch])
        if not chunk:
            return done
        by_kpi: dict[int, list[CheckIn]] = {k.pk: [] for k in chunk}
        rows = (
            CheckIn.objects.filter(kpi_id__in=by_kpi)
            .order_by("kpi_id", "recorded_on", "created_at", "id")
            .only("id", "kpi_id", "value", "confidence", "recorded_on", "supersedes_id")
        )
        for check_in in rows.iterator(chunk_size=10000):
            by_kpi[check_in.kpi_id].append(check_in)
        for kpi in chunk:
            try:
                figures = _figures(kpi, by_kpi[kpi.pk])
            except Exception:
                # One KPI whose check-ins break the arithmetic keeps its old figures; the
                # others are refreshed.
                logger.exception("KPI figures refresh: skipped KPI %s.", kpi.pk)
                continue
            for name, value in figures.items():
                setattr(kpi, name, value)
        Kpi.objects.bulk_update(chunk, FIGURE_FIELDS)
        done += len(chunk)
        last_id = chunk[-1].pk
