"""The append-only audit log: who changed what, when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.timesince import timesince

from .errors import EditConflict
from .history import person_name
from .models import AuditEvent

if TYPE_CHECKING:
    from .models import Organisation
    from .types import User


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the audit log."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def audit_record(
    *,
    obj: models.Model,
    organisation: Organisation,
    verb: AuditEvent.Verb,
    by: User | None,
    mission: models.Model | None = None,
    changes: dict[str, list[Any]] | None = None,
    comment: str = "",
) -> AuditEvent:
    """Append one entry to the audit log, in the caller's transaction. ``mission``: the mission
    the change belongs to, so that it shows in the mission's history (by its id: the kernel
    does not know the missions app's model)."""
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=by,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        mission_id=None if mission is None else mission.pk,
        changes=changes or {},
        comment=comment,
    )


def apply_changes(
    obj: models.Model, data: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, list]:
    """Set the given fields and return what changed as ``{field: [old, new]}``."""
    changes = {}
    for name in fields:
        if name not in data:
            continue
        old, new = getattr(obj, name), data[name]
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(obj, name, new)
    return changes


def last_changed_by(obj: models.Model) -> Any:
    """Who made the object's latest recorded change (None if no one is recorded): for a
    refusal that says who got there first, on an object that keeps no ``updated_by``."""
    event = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event is not None else None


def name_of(user: Any) -> str:
    """How a refusal names who got there first: as the history does."""
    return person_name(user) if user is not None else "Someone"


def ago(moment: dt.datetime) -> str:
    """How a refusal says when: "a moment ago", "3 days ago"."""
    if timezone.now() - moment < dt.timedelta(minutes=1):
        return "a moment ago"
    return f"{timesince(moment)} ago"


def refuse_if_changed_since(
    obj: Any,
    *,
    read_at: dt.datetime | None,
    noun: str,
    changed_by: Any = None,
    error: type[EditConflict] = EditConflict,
) -> None:
    """The rule of every versioned edit, in one place: a write made on the version read at
    ``read_at`` (an edit page's) is refused once the stored object (locked by the caller) is
    newer, naming who changed it (``changed_by``, else the audit log's latest actor) and when.
    Without ``read_at`` (the API's writes) nothing is refused."""
    if read_at is None or obj.updated_at == read_at:
        return
    who = changed_by if changed_by is not None else last_changed_by(obj)
    raise error(f"{name_of(who)} changed this {noun} {ago(obj.updated_at)}.", current=obj)
