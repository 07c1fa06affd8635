"""Carry-over, the cascade's part: a mission copied into the next period with its open key
tasks, the original completed. Its KPIs follow in ``measures.missions.mission_carry_over``, the
use case people call: the cascade's services never reach up into measures."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kernel.audit import ago, audit_record, name_of
from kernel.errors import StateConflict
from kernel.formats import day
from kernel.models import AuditEvent
from kernel.validators import LAST_DATE

from ..models import KeyTask, Mission, Period
from .checks import request_alignment_check
from .missions import MISSION_FIELDS, mission_create
from .periods import period_next
from .work import KEY_TASK_FIELDS, key_task_create

if TYPE_CHECKING:
    from kernel.types import User


def mission_next_planning_period(mission: Mission) -> Period | None:
    """The organisation's period after the mission's, of its kind (a quarter after a quarter):
    where a carry-over moves a mission that is in one. None for a mission with free dates, or
    when the next period is not defined yet."""
    period = mission.period if mission.period_id is not None else None
    return period_next(period) if period is not None else None


def mission_next_period(mission: Mission) -> tuple[dt.date, dt.date] | None:
    """The period after the mission's and as long, within the dates plans may take: what a
    carry-over suggests. None when the mission already ends on the last of them (a row stored
    before the bounds may end on 31 Dec 9999)."""
    if mission.period_end >= LAST_DATE:
        return None
    start = mission.period_end + dt.timedelta(days=1)
    length = mission.period_end - mission.period_start
    end = LAST_DATE if LAST_DATE - start < length else start + length
    return start, end


@transaction.atomic
def mission_copy_forward(
    *,
    mission: Mission,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    period: Period | None = None,
    by: User,
) -> Mission:
    """Copy a mission into the next period with its open key tasks: one of the
    organisation's periods (``period``, whose dates it takes), or free dates.

    The copy links back to the original (``carried_over_from``). The original is marked
    completed, nothing is deleted.
    """
    if period is not None:
        if period.organisation_id != mission.organisation_id:
            raise ValidationError({"period": "That period belongs to another organisation."})
        period_start, period_end = period.starts_on, period.ends_on
    if period_start is None or period_end is None:
        raise ValidationError({"period": "Choose the next period, or give its dates."})
    # Two carry-overs of one mission at the same moment take turns on its row; the second finds
    # the first one's copy and is refused, rather than making a second copy.
    mission = (
        Mission.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=mission.pk)
    )
    earlier = (
        Mission.objects.filter(carried_over_from=mission)
        .exclude(status=Mission.Status.ARCHIVED)
        .select_related("created_by")
        .first()
    )
    if earlier is not None:
        raise StateConflict(
            f"{name_of(earlier.created_by)} carried it over {ago(earlier.created_at)}, "
            f"into “{earlier.title}” ({day(earlier.period_start)} – "
            f"{day(earlier.period_end)})."
        )
    data = {name: getattr(mission, name) for name in MISSION_FIELDS}
    data.update(period=period, period_start=period_start, period_end=period_end, deadline=None)
    copy = mission_create(organisation=mission.organisation, data=data, by=by)
    copy.carried_over_from = mission
    copy.save(update_fields=["carried_over_from"])
    open_tasks = mission.key_tasks.exclude(
        status__in=[KeyTask.Status.DONE, KeyTask.Status.CANCELLED]
    )
    for task in open_tasks:
        key_task_create(mission=copy, data={f: getattr(task, f) for f in KEY_TASK_FIELDS}, by=by)
    changes: dict[str, list[Any]] = {"carried_over_to": [None, copy.pk]}
    if mission.status == Mission.Status.ACTIVE:
        mission.status = Mission.Status.COMPLETED
        mission.updated_by = by
        mission.save(update_fields=["status", "updated_by", "updated_at"])
        changes["status"] = [Mission.Status.ACTIVE, Mission.Status.COMPLETED]
    audit_record(
        obj=mission,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=mission,
        changes=changes,
    )
    request_alignment_check(mission)
    return copy
