"""Reads for the missions app: querysets that already carry visibility and prefetching."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import AuditEvent, Interdependency, KeyTask, Mission, Organisation, Team, Vision

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


def _member_of(user: object) -> dict[str, object]:
    return {"organisation__memberships__user": user}


def missions_for_member(*, user: object) -> QuerySet[Mission]:
    """Missions of every organisation the user belongs to (the API's lists)."""
    return Mission.objects.filter(**_member_of(user)).order_by("id")


def teams_for_member(*, user: object) -> QuerySet[Team]:
    return Team.objects.filter(**_member_of(user)).order_by("id")


def visions_for_member(*, user: object) -> QuerySet[Vision]:
    return Vision.objects.filter(**_member_of(user)).order_by("id")


def key_tasks_for_member(*, user: object) -> QuerySet[KeyTask]:
    return KeyTask.objects.filter(mission__organisation__memberships__user=user).order_by("id")


def interdependencies_for_member(*, user: object) -> QuerySet[Interdependency]:
    return Interdependency.objects.filter(**_member_of(user)).order_by("id")


TREE_FIELDS = (
    "id", "parent_id", "level", "title", "owner_team_id", "owner_user_id", "status",
    "alignment_status", "period_start", "period_end",
)  # fmt: skip


def mission_tree(*, mission: Mission) -> dict[str, object]:
    """The mission and its descendants as nested dicts under ``children``: one query.

    Rows come as plain values, not model instances: a 10,000-node subtree would spend most of
    its time building objects and serializing them one by one.
    """
    nodes: dict[int, dict[str, object]] = {}
    for row in mission_subtree(mission=mission).values(*TREE_FIELDS):
        row["children"] = []
        nodes[row["id"]] = row
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])  # type: ignore[arg-type]
        if parent is not None and node["id"] != mission.pk:
            parent["children"].append(node)  # type: ignore[attr-defined]
    return nodes[mission.pk]
