"""Mission templates: an organisation's own, written (from a mission, usually) and removed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kernel.audit import apply_changes, audit_record
from kernel.models import AuditEvent

from ..models import MissionTemplate

if TYPE_CHECKING:
    from kernel.models import Organisation
    from kernel.types import User

TEMPLATE_FIELDS = (
    "name",
    "description",
    "title",
    "statement",
    "intent",
    "scope",
    "constraints",
    "decision_rights",
    "review_cadence_days",
    "kpis",
    "key_tasks",
)


@transaction.atomic
def mission_template_create(
    *, organisation: Organisation, data: dict[str, Any], by: User | None
) -> MissionTemplate:
    """Store a template of the organisation's own; a name it uses already is refused."""
    template = MissionTemplate(organisation=organisation, created_by=by)
    apply_changes(template, data, TEMPLATE_FIELDS)
    # Said beside the name (the constraint's own message would go above the form); the
    # constraint has the last word under concurrent writes.
    if MissionTemplate.objects.filter(organisation=organisation, name=template.name).exists():
        raise ValidationError({"name": "Your organisation has a template of that name already."})
    template.full_clean()
    template.save()
    audit_record(obj=template, organisation=organisation, verb=AuditEvent.Verb.CREATED, by=by)
    return template


@transaction.atomic
def mission_template_delete(*, template: MissionTemplate, by: User | None) -> None:
    """Remove a template; the missions written from it keep what they took from it."""
    audit_record(
        obj=template, organisation=template.organisation, verb=AuditEvent.Verb.REMOVED, by=by
    )
    template.delete()
