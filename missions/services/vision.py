"""The organisation's vision and CEO's intent: the top of the cascade, which every mission
aligns to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from kernel.audit import apply_changes, audit_record
from kernel.models import AuditEvent, Organisation

from ..models import Vision

if TYPE_CHECKING:
    from kernel.types import User


VISION_FIELDS = ("purpose", "vision", "horizon", "success_picture", "ceo_intent")


@transaction.atomic
def vision_update(*, organisation: Organisation, data: dict[str, Any], by: User) -> Vision:
    """Write the organisation's vision and CEO's intent (creating it on first write)."""
    vision, created = Vision.objects.select_for_update().get_or_create(organisation=organisation)
    changes = apply_changes(vision, data, VISION_FIELDS)
    if not changes and not created:
        return vision  # nothing changed: no save, no new "last changed by"
    vision.updated_by = by
    vision.full_clean()
    vision.save()
    if changes:
        audit_record(
            obj=vision,
            organisation=organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=by,
            changes=changes,
        )
    return vision
