"""Celery tasks of the measures app: thin wrappers that take ids and call the services.

Every check-in, correction or change of a KPI stores its figures at once. The nightly refresh
recomputes every KPI's stored figures and roll-ups anyway, before the alignment checks read
them: after an upgrade of the forecast (a new method, new columns such as its probability,
a calibration) every KPI carries the new figures by the next morning, and a figure a past
refresh could not compute, or a roll-up a crash left behind, is repaired.
"""

from __future__ import annotations

from celery import shared_task

from kernel.models import Organisation
from kernel.tasks import TASK_OPTIONS

from . import services


@shared_task(**TASK_OPTIONS)
def kpi_refresh_organisation(organisation_id: int) -> int:
    """Recompute one organisation's KPI figures and roll-ups, a batch at a time (each batch
    its own transaction, skipping KPIs a check-in holds: it stores their figures itself);
    returns how many KPIs it refreshed."""
    return services.kpi_refresh_all(organisation_id=organisation_id)


@shared_task(**TASK_OPTIONS)
def kpi_refresh_nightly() -> int:
    """Fan out one refresh per organisation, so several workers share the night's work."""
    ids = list(Organisation.objects.values_list("id", flat=True))
    for organisation_id in ids:
        kpi_refresh_organisation.delay(organisation_id)
    return len(ids)
