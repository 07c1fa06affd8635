"""The organisation's planning periods: defined by its admins (one at a time, or a year and
its four quarters at once), and the period that follows one, where carry-over moves to."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kernel.audit import apply_changes, audit_record
from kernel.models import AuditEvent, Organisation

from ..models import Period

if TYPE_CHECKING:
    from kernel.types import User


PERIOD_FIELDS = ("name", "parent", "starts_on", "ends_on")


@transaction.atomic
def period_create(*, organisation: Organisation, data: dict[str, Any], by: User | None) -> Period:
    """Define one planning period of the organisation."""
    period = Period(organisation=organisation)
    apply_changes(period, data, PERIOD_FIELDS)
    period.full_clean()
    period.save()
    audit_record(obj=period, organisation=organisation, verb=AuditEvent.Verb.CREATED, by=by)
    return period


@transaction.atomic
def period_update(*, period: Period, data: dict[str, Any], by: User | None) -> Period:
    """Rename a period or change its dates; its missions' dates follow (``Mission.clean``)."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    changes = apply_changes(period, data, PERIOD_FIELDS)
    if not changes:
        return period
    period.full_clean()
    period.save()
    if "starts_on" in changes or "ends_on" in changes:
        # The missions in the period run for it: one UPDATE, however many.
        period.missions.update(period_start=period.starts_on, period_end=period.ends_on)
    audit_record(
        obj=period,
        organisation=period.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes=changes,
    )
    return period


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def fiscal_year_name(*, first_month: int, start_year: int) -> str:
    """A fiscal year is named after the calendar year it ends in (FY2027 runs from April 2026
    to March 2027); one that starts in January after its own."""
    return f"FY{start_year if first_month == 1 else start_year + 1}"


@transaction.atomic
def periods_generate_year(
    *,
    organisation: Organisation,
    start_year: int,
    first_month: int,
    by: User | None,
    name: str = "",
) -> Period:
    """The fiscal year that starts on the first of ``first_month`` of ``start_year``, and its
    four quarters ("Q1 FY2027" …): five periods, each audited. A name already taken refuses
    the whole year, nothing half made."""
    if not 1 <= first_month <= 12:
        raise ValidationError({"first_month": "Choose a month."})
    starts_on = dt.date(start_year, first_month, 1)
    ends_on = _add_months(starts_on, 12) - dt.timedelta(days=1)
    name = name.strip() or fiscal_year_name(first_month=first_month, start_year=start_year)
    taken = Period.objects.filter(
        organisation=organisation, name__in=[name, *(f"Q{n} {name}" for n in range(1, 5))]
    ).values_list("name", flat=True)
    if taken:
        raise ValidationError({"name": f"The organisation has {', '.join(sorted(taken))} already."})
    year = period_create(
        organisation=organisation,
        data={"name": name, "starts_on": starts_on, "ends_on": ends_on},
        by=by,
    )
    for quarter in range(4):
        first = _add_months(starts_on, 3 * quarter)
        period_create(
            organisation=organisation,
            data={
                "name": f"Q{quarter + 1} {name}",
                "parent": year,
                "starts_on": first,
                "ends_on": _add_months(first, 3) - dt.timedelta(days=1),
            },
            by=by,
        )
    return year


def period_next(period: Period) -> Period | None:
    """The period after this one, of its kind: the next year after a year, the next quarter
    after a quarter (the next year's first one after a Q4). None when none is defined yet."""
    return (
        Period.objects.filter(
            organisation_id=period.organisation_id,
            parent__isnull=period.parent_id is None,
            starts_on__gt=period.starts_on,
        )
        .order_by("starts_on", "id")
        .first()
    )
