"""What the type-ahead pickers suggest, and what a typed choice names.

A picker's suggestions and the form that receives its choice read the same scope: a member
is offered only what the form would accept, so a choice from the list is never refused.
Each read is one query whatever the organisation's size (``PICK_LIMIT`` rows at most).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from kernel.permissions import editable_missions_q
from kernel.validators import parse_id

from ..models import Mission
from .owners import key_task_owner_people

if TYPE_CHECKING:
    from kernel.permissions import Actor

PICK_LIMIT = 10


def _pickable_missions(*, actor: Actor, editable: bool) -> QuerySet[Mission]:
    """The missions a picker of the actor may offer: those of their organisation still in
    use; for a move, only those the actor may edit."""
    missions = Mission.objects.filter(organisation=actor.organisation).exclude(
        status=Mission.Status.ARCHIVED
    )
    if editable:
        missions = missions.filter(editable_missions_q(actor))
    return missions


def mission_suggestions(
    *, actor: Actor, q: str, near: Mission | None, editable: bool = False
) -> list[Mission]:
    """Missions whose title holds ``q`` (or whose number is ``q``), the likely ones first:
    missions beside ``near`` (the same parent), then those of peer teams (teams under the
    same team as ``near``'s), then the rest, by title. ``near`` itself is never offered."""
    q = q.strip()
    pk = parse_id(q.lstrip("#"))
    matches = Q(title__icontains=q) | Q(pk=pk) if pk else Q(title__icontains=q)
    missions = _pickable_missions(actor=actor, editable=editable).filter(matches)
    rank: Any = Value(2)
    if near is not None:
        missions = missions.exclude(pk=near.pk)
        # An individual mission's team is the one that owns the mission above it.
        parent = near.parent if near.parent_id else None
        team = near.owner_team or (parent.owner_team if parent is not None else None)
        peers = (
            [When(owner_team__parent_id=team.parent_id, then=Value(1))]
            if team is not None and team.parent_id
            else []
        )
        rank = Case(
            When(parent_id=near.parent_id, then=Value(0)),
            *peers,
            default=Value(2),
            output_field=IntegerField(),
        )
    return list(
        missions.select_related("owner_team", "owner_user")
        .annotate(pick_rank=rank)
        .order_by("pick_rank", "title", "pk")[:PICK_LIMIT]
    )


def missions_named(*, actor: Actor, text: str, editable: bool = False) -> list[Mission]:
    """The missions a typed choice names: its number ("12" or "#12"), else its exact title
    (any case). At most two: one is the choice, two say the title is ambiguous."""
    text = text.strip()
    pk = parse_id(text.lstrip("#"))
    named = Q(pk=pk) if pk else Q(title__iexact=text)
    missions = _pickable_missions(actor=actor, editable=editable).filter(named)
    return list(missions.select_related("parent", "organisation").order_by("pk")[:2])


def person_suggestions(*, mission: Mission, q: str) -> list[Any]:
    """People who may own a key task of ``mission`` (its owner, or its owner team's members)
    whose name or username holds ``q``."""
    q = q.strip()
    people = key_task_owner_people(mission=mission)
    if q:
        people = people.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    return list(people.order_by("first_name", "last_name", "username")[:PICK_LIMIT])


def people_named(*, mission: Mission, text: str) -> list[Any]:
    """The people a typed owner names among those who may own a key task of ``mission``: a
    number, a username or a full name (any case). At most two, as ``missions_named``."""
    text = text.strip()
    pk = parse_id(text)
    if pk:
        named = Q(pk=pk)
    else:
        first, _, last = text.partition(" ")
        named = Q(username__iexact=text) | Q(first_name__iexact=first, last_name__iexact=last)
    people = key_task_owner_people(mission=mission).filter(named)
    return list(people.order_by("pk")[:2])
