"""Celery tasks of the measures app: thin wrappers that take ids and call the services.

Every check-in, correction or change of a KPI stores its figures at once. The nightly refresh
recomputes every KPI's stored figures and roll-ups anyway, before the alignment checks read
them: after an upgrade of the forecast (a new method, new columns such as its probability,
a calibration) every KPI carries the new figures by the next morning, and a figure a past
refresh could not compute, or a roll-up a crash left behind, is repaired.
"""

from __future__ import annotations

from celery import chord, shared_task

from kernel.models import Organisation
from kernel.tasks import TASK_OPTIONS

from . import services
from .calibrating import learn_calibration

NIGHTLY_CHUNK = 20_000  # KPIs per task: a large organisation's refresh shares out to workers


@shared_task(**TASK_OPTIONS)
def kpi_refresh_organisation(organisation_id: int) -> int:
    """Learn the organisation's calibration, then refresh its KPIs' figures in chunks of
    ``NIGHTLY_CHUNK``, one task each, so that several workers share a large organisation;
    once every chunk is done, its roll-ups. Returns how many chunks it sent."""
    learn_calibration(organisation_id)
    ranges = services.kpi_id_ranges(organisation_id=organisation_id, size=NIGHTLY_CHUNK)
    if ranges:
        chord(kpi_refresh_range.si(organisation_id, first, last) for first, last in ranges)(
            kpi_refresh_rollups.si(organisation_id)
        )
    return len(ranges)


@shared_task(**TASK_OPTIONS)
def kpi_refresh_range(organisation_id: int, first_id: int, last_id: int) -> int:
    """Refresh one chunk of an organisation's KPIs, a batch at a time (each batch its own
    transaction, skipping KPIs a check-in holds: it stores their figures itself)."""
    return services.kpi_refresh_range(
        organisation_id=organisation_id, first_id=first_id, last_id=last_id
    )


@shared_task(**TASK_OPTIONS)
def kpi_refresh_rollups(organisation_id: int) -> int:
    """Every roll-up of the organisation from the freshly stored figures."""
    return services.kpi_refresh_all_rollups(organisation_id=organisation_id)


@shared_task(**TASK_OPTIONS)
def kpi_refresh_nightly() -> int:
    """Fan out one refresh per organisation, so several workers share the night's work."""
    ids = list(Organisation.objects.values_list("id", flat=True))
    for organisation_id in ids:
        kpi_refresh_organisation.delay(organisation_id)
    return len(ids)
