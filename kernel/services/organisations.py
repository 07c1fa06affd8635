"""An organisation's own settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from ..audit import apply_changes, audit_record
from ..models import AuditEvent, Organisation

if TYPE_CHECKING:
    from ..types import User

ORGANISATION_SETTINGS = (
    "name",
    "review_cadence_days",
    "max_active_missions",
    "likely_miss_below",
    "staff_see_dashboard",
    "currency",
    "time_zone",
)


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, data: dict[str, Any], by: User
) -> Organisation:
    """Change the organisation's settings; the stored row is re-read under a lock."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changes = apply_changes(organisation, data, ORGANISATION_SETTINGS)
    if not changes:
        return organisation
    organisation.full_clean()
    organisation.save()
    audit_record(
        obj=organisation,
        organisation=organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        changes=changes,
    )
    return organisation
