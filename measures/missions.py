"""The use cases of a mission that reach its KPIs: writing a mission with its first KPI and key
task (or a template's), carrying a mission over into the next period with its KPIs, and
saving a mission as a template with its KPIs.

They live here, a layer above the cascade's services, because measures build on missions and
never the reverse: each calls the missions app's service, then the KPI services, in one
transaction, so a refusal of any part keeps nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from missions import services as mission_services
from missions.models import KeyTask, Mission, MissionTemplate, Period

from .models import Kpi
from .services import kpi_carry_over, kpi_create

if TYPE_CHECKING:
    from kernel.models import Organisation
    from kernel.types import User


@transaction.atomic
def mission_create_with_first_steps(
    *,
    organisation: Organisation,
    data: dict[str, Any],
    first_kpi: dict[str, Any] | None = None,
    first_task: dict[str, Any] | None = None,
    more_kpis: Sequence[dict[str, Any]] = (),
    more_tasks: Sequence[dict[str, Any]] = (),
    template: MissionTemplate | None = None,
    by: User,
) -> Mission:
    """A new mission, with its first KPI and its first key task when given, and the further
    ones of the template it is written from; its history names the template."""
    note = f"Written from the template “{template.name}”." if template is not None else ""
    mission = mission_services.mission_create(
        organisation=organisation, data=data, by=by, note=note
    )
    for kpi in [first_kpi, *more_kpis]:
        if kpi is not None:
            kpi_create(mission=mission, data=kpi, by=by)
    for task in [first_task, *more_tasks]:
        if task is not None:
            mission_services.key_task_create(mission=mission, data=task, by=by)
    return mission


def kpi_template_of(kpi: Kpi) -> dict[str, Any]:
    """A KPI as a template holds it: what it measures and where it must get, not its dates."""
    figures = {"baseline": kpi.baseline, "target": kpi.target, "target_max": kpi.target_max}
    return {
        "name": kpi.name,
        "unit": kpi.unit,
        "direction": kpi.direction,
        **{name: f"{value.normalize():f}" for name, value in figures.items() if value is not None},
        "cadence_days": kpi.cadence_days,
    }


@transaction.atomic
def mission_save_as_template(
    *, mission: Mission, name: str, description: str, by: User
) -> MissionTemplate:
    """A template of the organisation's own from ``mission``: its words, its operating space
    (not its figures of time, money and people, which belong to its parent's), its active
    KPIs and the titles of its key tasks that are not cancelled (at most a template's share
    of each, the first ones)."""
    kpis = mission.kpis.filter(status=Kpi.Status.ACTIVE).order_by("id")[: MissionTemplate.MAX_KPIS]
    tasks = mission.key_tasks.exclude(status=KeyTask.Status.CANCELLED).order_by("id")
    data = {
        "name": name,
        "description": description,
        **{
            field: getattr(mission, field)
            for field in (
                "title",
                "statement",
                "intent",
                "scope",
                "constraints",
                "decision_rights",
                "review_cadence_days",
            )
        },
        "kpis": [kpi_template_of(kpi) for kpi in kpis],
        "key_tasks": list(tasks.values_list("title", flat=True)[: MissionTemplate.MAX_TASKS]),
    }
    return mission_services.mission_template_create(
        organisation=mission.organisation, data=data, by=by
    )


@transaction.atomic
def mission_carry_over(
    *,
    mission: Mission,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    period: Period | None = None,
    by: User,
) -> Mission:
    """Copy a mission into the next period (one of the organisation's, or free dates) with its
    active KPIs and open key tasks.

    The copy links back to the original; each KPI starts from the original's latest value and
    is due at the end of the new period. The original is completed, nothing is deleted.
    """
    copy = mission_services.mission_copy_forward(
        mission=mission, period_start=period_start, period_end=period_end, period=period, by=by
    )
    for kpi in mission.kpis.filter(status=Kpi.Status.ACTIVE):
        kpi_carry_over(kpi=kpi, to_mission=copy, due_date=copy.period_end, by=by)
    return copy
