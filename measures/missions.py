"""The use cases of a mission that reach its KPIs: writing a mission with its first KPI and key
task, and carrying a mission over into the next period with its KPIs.

They live here, a layer above the cascade's services, because measures build on missions and
never the reverse: each calls the missions app's service, then the KPI services, in one
transaction, so a refusal of any part keeps nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from missions import services as mission_services
from missions.models import Mission, Period

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
    by: User,
) -> Mission:
    """A new mission, with its first KPI and its first key task when given."""
    mission = mission_services.mission_create(organisation=organisation, data=data, by=by)
    if first_kpi is not None:
        kpi_create(mission=mission, data=first_kpi, by=by)
    if first_task is not None:
        mission_services.key_task_create(mission=mission, data=first_task, by=by)
    return mission


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
