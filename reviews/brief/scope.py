"""The leader's part of the cascade: the missions they own in person or through a team they
lead, and every mission below those (the materialized path, ``kernel.tree``).

The CEO owns the organisation missions through the top team, so theirs is the whole
organisation; a team leader's is their team's missions and everything under them; a person's
is their own missions and what they cascaded from them. A coach or an administrator who owns
nothing has an empty part, and the brief says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from kernel import tree
from kernel.permissions import Actor
from kernel.querysets import owned_by_person
from missions.models import Mission


@dataclass(frozen=True)
class Scope:
    """The roots of a leader's part (the missions they own, not under another they own) as a
    filter over missions: ``missions(prefix)`` for a query that reaches a mission through
    ``prefix`` (``"mission__"`` for KPIs and findings)."""

    roots: tuple[tuple[int, str], ...]  # (id, path) of each root, by path

    @property
    def empty(self) -> bool:
        return not self.roots

    def missions(self, prefix: str = "") -> Q:
        """The missions of the part, reached through ``prefix``: each root and, by a prefix
        scan of the path index, everything under it."""
        if self.empty:
            return Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        ids = [pk for pk, _ in self.roots]
        below = (
            Q(**{f"{prefix}path__startswith": tree.child_path(path, pk)}) for pk, path in self.roots
        )
        return reduce(or_, below, Q(**{f"{prefix}pk__in": ids}))


def scope_of(actor: Actor) -> Scope:
    """The missions ``actor`` owns or leads that are not archived, less those under another of
    them (their subtree is already in): one query."""
    own = sorted(
        Mission.objects.filter(
            owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids),
            organisation=actor.organisation,
        )
        .exclude(status=Mission.Status.ARCHIVED)
        .values_list("pk", "path"),
        key=lambda row: (len(row[1]), row[1], row[0]),
    )
    roots: list[tuple[int, str]] = []
    prefixes: list[str] = []
    for pk, path in own:
        if not any(path.startswith(prefix) for prefix in prefixes):
            roots.append((pk, path))
            prefixes.append(tree.child_path(path, pk))
    return Scope(tuple(sorted(roots, key=lambda row: (row[1], row[0]))))
