"""Reads for the missions app: querysets that already carry visibility and prefetching."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import AuditEvent, Mission, Organisation, Vision

if TYPE_CHECKING:
    from .permissions import Actor


def organisations_of(*, user: object) -> QuerySet[Organisation]:
    """The organisations the user is a member of."""
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def vision_of(*, organisation: Organisation) -> Vision | None:
    return Vision.objects.filter(organisation=organisation).first()


def mission_list_visible_to(*, actor: Actor) -> QuerySet[Mission]:
    """Every mission of the actor's organisation (members read the whole cascade)."""
    return Mission.objects.filter(organisation=actor.organisation).with_owner()


def top_missions(*, actor: Actor) -> QuerySet[Mission]:
    """The organisation-level missions, tied to the vision."""
    return (
        mission_list_visible_to(actor=actor)
        .filter(level=Mission.Level.ORGANISATION)
        .exclude(status=Mission.Status.ARCHIVED)
        .order_by("title")
    )


def missions_owned_by(*, actor: Actor) -> QuerySet[Mission]:
    """The actor's own missions: in person, or through a team they lead."""
    return (
        mission_list_visible_to(actor=actor)
        .owned_by(actor.user)
        .exclude(status=Mission.Status.ARCHIVED)
        .order_by("level", "title")
    )


def mission_subtree(*, mission: Mission) -> QuerySet[Mission]:
    """The mission and all its descendants: one query, a prefix scan of the path index."""
    return Mission.objects.descendants_of(mission, include_self=True).order_by("path", "id")


def mission_ancestors(*, mission: Mission) -> QuerySet[Mission]:
    """The missions above this one, root first: one query by primary key."""
    return Mission.objects.ancestors_of(mission).order_by("path")


def mission_history(*, mission: Mission) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(mission=mission).select_related("actor")
