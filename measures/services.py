"""Writes for KPIs and check-ins: atomic, validated, attributed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from missions.audit import apply_changes, audit_record

from .models import CheckIn, Kpi

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from missions.models import Mission

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
    audit_record(obj=kpi, organisation=mission.organisation, verb="created", by=by, mission=mission)
    return kpi


@transaction.atomic
def kpi_update(*, kpi: Kpi, data: dict[str, Any], by: AbstractBaseUser) -> Kpi:
    """Change a KPI's definition; its check-ins stay as they are."""
    changes = apply_changes(kpi, data, KPI_FIELDS)
    if not changes:
        return kpi
    _check_parent_kpi(kpi)
    kpi.full_clean()
    kpi.save()
    audit_record(
        obj=kpi,
        organisation=kpi.mission.organisation,
        verb="updated",
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
        raise ValidationError("This KPI is archived; it takes no more check-ins.")
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
    audit_record(
        obj=check_in,
        organisation=kpi.mission.organisation,
        verb="checked_in",
        by=by,
        mission=kpi.mission,
        changes={"value": [None, str(value)]},
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
        verb="archived",
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
            verb="moved",
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
