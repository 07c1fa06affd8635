"""Removing an organisation (or synthetic users) and every row that hangs off it, one DELETE per
table: faster than Django's collector for an organisation of 100,000 missions, and able to
remove the append-only check-ins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import connection, models

DELETING: tuple[Callable[..., Any], ...] = (models.CASCADE, models.PROTECT, models.RESTRICT)


def dependants(root: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Every model whose rows hang off ``root`` rows through deleting foreign keys, with the
    lookup from it to ``root``; children before parents, so each DELETE leaves no row behind
    that still points at a deleted one (some same-organisation keys are checked at once)."""
    lookups: dict[type[models.Model], str] = {root: "pk"}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            for f in model._meta.concrete_fields:
                if not isinstance(f, models.ForeignKey):
                    continue
                target = f.related_model
                if target not in lookups or model is target:
                    continue
                if f.remote_field.on_delete not in DELETING:
                    continue
                hop = lookups[target]
                lookup = f.name if hop == "pk" else f"{f.name}__{hop}"
                if model not in lookups or lookup.count("__") < lookups[model].count("__"):
                    lookups[model] = lookup
                    changed = True
    order: list[type[models.Model]] = []
    remaining = set(lookups)
    while remaining:
        ready = [
            m
            for m in remaining
            if not any(
                isinstance(f, models.ForeignKey) and f.related_model is m and other is not m
                for other in remaining
                for f in other._meta.concrete_fields
            )
        ]
        if not ready:  # a cycle: the rest go in any order (their keys are deferred)
            ready = sorted(remaining, key=lambda m: m._meta.label)
        for model in sorted(ready, key=lambda m: m._meta.label):
            order.append(model)
            remaining.discard(model)
    return [(model, lookups[model]) for model in order]


def _doomed(
    model: type[models.Model], lookups: dict[type[models.Model], str], roots: models.QuerySet
) -> models.Q:
    """The rows of ``model`` that hang off the roots through ANY of its deleting foreign keys:
    its shortest way (``lookups``) is its own organisation, but a row may also point at a row
    of the organisation being removed from another one (a partner's coalition link to one of
    its contributions)."""
    ways = {lookups[model]}
    for f in model._meta.concrete_fields:
        target = f.related_model
        if not isinstance(f, models.ForeignKey) or target is model or target not in lookups:
            continue
        if f.remote_field.on_delete in DELETING:
            hop = lookups[target]
            ways.add(f.name if hop == "pk" else f"{f.name}__{hop}")
    doomed = models.Q()
    for way in sorted(ways, key=lambda w: (w.count("__"), w)):  # its own way first
        doomed |= models.Q(**{f"{way}__in": roots})
    return doomed


def purge(root: type[models.Model], root_rows: models.QuerySet) -> dict[str, int]:
    """Delete ``root_rows`` and everything that hangs off them, one DELETE per table; links from
    other rows that are set to NULL on delete are cleared first. Runs in the caller's
    transaction; on PostgreSQL it opens the append-only check-ins for deletion meanwhile."""
    counts: dict[str, int] = {}
    order = dependants(root)
    lookups = dict(order)
    roots = root_rows.values("pk")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL missionlead.purge = 'on'")
        for model in apps.get_models(include_auto_created=True):
            for f in model._meta.concrete_fields:
                if not isinstance(f, models.ForeignKey):
                    continue
                target = f.related_model
                if target not in lookups or f.remote_field.on_delete is not models.SET_NULL:
                    continue
                doomed = target._base_manager.filter(**{f"{lookups[target]}__in": roots})
                pointing = model._base_manager.filter(**{f"{f.name}__in": doomed.values("pk")})
                if model in lookups:  # rows deleted anyway need no update
                    pointing = pointing.exclude(**{f"{lookups[model]}__in": roots})
                pointing.update(**{f.name: None})
        for model, _lookup in order:
            rows = model._base_manager.filter(_doomed(model, lookups, roots))
            deleted = rows._raw_delete(connection.alias)
            if deleted:
                counts[model._meta.label] = deleted
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL missionlead.purge = 'off'")
    return counts
