"""The audit log in words: what a page shows of it.

An ``AuditEvent`` stores a verb, the object's name, ``{field: [old, new]}`` with the values as
stored (codes of choices, ids of rows, ISO dates) and a comment. People read "Ann Lee sent it
back: “Bring the deadline to November.”" and "Owner team: Operations → Board", so every page
that shows history goes through ``history_in_words``: the one place that turns the stored
values into the words the pages use elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from .models import AuditEvent

# What each verb says, around the object it was done to: "it" on the object's own page,
# its name in quotes elsewhere. The alignment steps read as the conversation they are.
VERB_PHRASES: dict[str, str] = {
    AuditEvent.Verb.CREATED: "created {}",
    AuditEvent.Verb.UPDATED: "updated {}",
    AuditEvent.Verb.ARCHIVED: "archived {}",
    AuditEvent.Verb.PROPOSED: "proposed {} for alignment",
    AuditEvent.Verb.ALIGNED: "aligned {}",
    AuditEvent.Verb.SENT_BACK: "sent {} back",
    AuditEvent.Verb.CHECKED_IN: "checked in {}",
    AuditEvent.Verb.REVIEWED: "held {}",
    AuditEvent.Verb.MOVED: "moved {}",
    AuditEvent.Verb.CONTACTED: "logged a contact with {}",
    AuditEvent.Verb.REMOVED: "removed {}",
    AuditEvent.Verb.CHALLENGED: "challenged the priorities of {}",
    AuditEvent.Verb.ANSWERED: "answered a challenge to {}",
    AuditEvent.Verb.SHORTLISTED: "shortlisted {}",
    AuditEvent.Verb.ADOPTED: "took forward {}",
}
EMPTY = "—"
Field = models.Field | models.ForeignObjectRel  # any field's kind


def verb_phrase(verb: str, obj: str = "it") -> str:
    """``verb`` done to ``obj``, in words: "sent it back", "updated “Beds”"."""
    return VERB_PHRASES.get(verb, "{} " + verb).format(obj)


def person_name(user: Any) -> str:
    """How history names a person: their full name, else their username."""
    return str(user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of the audit log as a person reads it."""

    verb: str
    who: str  # "Ann Lee"; "System" for a change nobody signed
    sentence: str  # "sent it back", "updated “Hire two nurses”"
    changes: list[str]  # "Owner team: Operations → Board", "Decision rights changed"
    comment: str
    at: dt.datetime


def history_in_words(
    events: Iterable[AuditEvent], *, subject: models.Model | None = None
) -> list[HistoryEntry]:
    """``events`` (read with their ``actor``) in words, in their order. ``subject``: the
    object of the page they are shown on, said as "it".

    Each change carries its field's verbose name and its values as the pages show them: the
    label of a choice, a date as "30 Nov 2026", the name of a row an id points to. The rows the
    changes point to are read in one query per model (teams, people, missions), however many
    entries there are.
    """
    events = list(events)
    subject_key = (
        None if subject is None else (ContentType.objects.get_for_model(subject).pk, subject.pk)
    )
    fields = {event.pk: _fields_of(event) for event in events}
    names = _names_of_rows(
        (field, value)
        for event in events
        for name, values in event.changes.items()
        if (field := fields[event.pk].get(name)) is not None
        for value in values
    )
    return [
        HistoryEntry(
            verb=event.verb,
            who="System" if event.actor is None else person_name(event.actor),
            sentence=verb_phrase(
                event.verb,
                "it"
                if (event.content_type_id, event.object_id) == subject_key
                else f"“{event.object_repr}”",
            ),
            changes=[
                _change_in_words(name, fields[event.pk].get(name), old, new, names)
                for name, (old, new) in event.changes.items()
                # The verb already says a change to the state it names: "archived it", not
                # "archived it: Status: Active → Archived".
                if new != event.verb
            ],
            comment=event.comment,
            at=event.created_at,
        )
        for event in events
    ]


def _fields_of(event: AuditEvent) -> dict[str, Field]:
    """The model fields that ``event.changes`` names; a name that is no field of the model
    (a summary such as an invitation's) is absent."""
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    found: dict[str, Field] = {}
    if model is None:  # a model removed since
        return found
    for name in event.changes:
        try:
            found[name] = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return found


def _names_of_rows(values: Iterable[tuple[Field, Any]]) -> dict[tuple[type, Any], str]:
    """The names of the rows that relation values point to, by (model, id)."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for field, value in values:
        if field.is_relation and field.related_model is not None and isinstance(value, int):
            wanted[field.related_model].add(value)
    names: dict[tuple[type, Any], str] = {}
    for model, ids in wanted.items():
        # A row's name may be built from its parent's (a check-in's from its KPI's): joined.
        parents = [f.name for f in model._meta.concrete_fields if f.many_to_one and not f.null]
        for row in model._base_manager.filter(pk__in=ids).select_related(*parents):
            names[model, row.pk] = _name_of(row)
    return names


def _name_of(row: models.Model) -> str:
    return person_name(row) if hasattr(row, "get_full_name") else str(row)


def _change_in_words(
    name: str, field: Field | None, old: Any, new: Any, names: dict[tuple[type, Any], str]
) -> str:
    """One change in words: "Owner team: Operations → Board", or "Decision rights changed"
    for a structured value (lists of decision rights read badly in one line)."""
    if field is None or isinstance(field, models.ForeignObjectRel):
        label = capfirst(name.replace("_", " "))
    else:
        label = capfirst(str(field.verbose_name))
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return f"{label} changed"
    return f"{label}: {_shown(field, old, names)} → {_shown(field, new, names)}"


def _shown(field: Field | None, value: Any, names: dict[tuple[type, Any], str]) -> str:
    """A stored value as the pages show it."""
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if field.is_relation and field.related_model is not None:
        model = field.related_model
        return names.get((model, value)) or f"a removed {model._meta.verbose_name}"
    if isinstance(field, models.ForeignObjectRel):
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is None:
            return str(value)
        return date_format(
            timezone.localtime(moment) if timezone.is_aware(moment) else moment, "j M Y, H:i"
        )
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return date_format(day, "j M Y") if day else str(value)
    if isinstance(field, models.DecimalField):
        return str(floatformat(value, f"-{field.decimal_places}g"))
    return str(value)
