"""Writes for the missions app: one function per use case, each atomic and attributed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import tree
from .audit import apply_changes, audit_record
from .models import Mission, Organisation, Team, Vision

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

MISSION_FIELDS = (
    "level", "title", "statement", "intent", "parent", "owner_team", "owner_user",
    "period_start", "period_end", "deadline", "scope", "budget", "headcount", "constraints",
    "decision_rights", "review_cadence_days",
)  # fmt: skip
VISION_FIELDS = ("purpose", "vision", "horizon", "success_picture", "ceo_intent")


@transaction.atomic
def team_create(
    *, organisation: Organisation, name: str, parent: Team | None = None, leader: Any = None
) -> Team:
    """Create a team under ``parent`` (or a top team)."""
    team = Team(organisation=organisation, name=name, parent=parent, leader=leader)
    team.path = tree.child_path(parent.path, parent.pk) if parent else ""
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def vision_update(*, organisation: Organisation, data: dict[str, Any], by: User) -> Vision:
    """Write the organisation's vision and CEO's intent (creating it on first write)."""
    vision, _ = Vision.objects.select_for_update().get_or_create(organisation=organisation)
    changes = apply_changes(vision, data, VISION_FIELDS)
    vision.updated_by = by
    vision.full_clean()
    vision.save()
    if changes:
        audit_record(obj=vision, organisation=organisation, verb="updated", by=by, changes=changes)
    return vision


def _check_parent(mission: Mission) -> None:
    """Invariants of a mission and its parent that the database cannot express directly."""
    parent = mission.parent
    if parent is None:
        return
    errors: dict[str, str] = {}
    if parent.organisation_id != mission.organisation_id:
        errors["parent"] = "The parent mission belongs to another organisation."
    elif mission.pk is not None and (
        parent.pk == mission.pk or mission.pk in tree.ancestor_ids(parent.path)
    ):
        errors["parent"] = "A mission cannot sit under itself or its own descendants."
    elif tree.depth(parent.path) + 1 >= tree.MAX_DEPTH:
        errors["parent"] = f"The cascade is at most {tree.MAX_DEPTH} levels deep."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mission_create(*, organisation: Organisation, data: dict[str, Any], by: User | None) -> Mission:
    """Write a new mission, as a draft, at its place in the cascade."""
    mission = Mission(organisation=organisation, created_by=by, updated_by=by)
    apply_changes(mission, data, MISSION_FIELDS)
    _check_parent(mission)
    mission.path = tree.child_path(mission.parent.path, mission.parent.pk) if mission.parent else ""
    mission.full_clean()
    mission.save()
    audit_record(obj=mission, organisation=organisation, verb="created", by=by, mission=mission)
    return mission


@transaction.atomic
def mission_update(*, mission: Mission, data: dict[str, Any], by: User) -> Mission:
    """Change a mission; a new parent moves its whole subtree in one UPDATE."""
    old_path, old_parent_id = mission.path, mission.parent_id
    changes = apply_changes(mission, data, MISSION_FIELDS)
    if not changes:
        return mission
    _check_parent(mission)
    if mission.parent_id != old_parent_id:
        mission.path = (
            tree.child_path(mission.parent.path, mission.parent.pk) if mission.parent else ""
        )
    mission.updated_by = by
    mission.full_clean()
    mission.save()
    if mission.path != old_path:
        _move_descendants(mission, old_path)
    audit_record(
        obj=mission, organisation=mission.organisation, verb="updated", by=by,
        mission=mission, changes=changes,
    )  # fmt: skip
    return mission


def _move_descendants(mission: Mission, old_path: str) -> None:
    """Rewrite the path prefix of every descendant: one set-based UPDATE."""
    old_prefix = tree.child_path(old_path, mission.pk)
    new_prefix = tree.child_path(mission.path, mission.pk)
    Mission.objects.filter(path__startswith=old_prefix).update(
        path=models.functions.Concat(
            models.Value(new_prefix),
            models.functions.Substr("path", len(old_prefix) + 1),
            output_field=models.CharField(),
        )
    )


@transaction.atomic
def mission_archive(*, mission: Mission, by: User) -> Mission:
    """Archive a mission; nothing is deleted."""
    if mission.status == Mission.Status.ARCHIVED:
        return mission
    old = mission.status
    mission.status = Mission.Status.ARCHIVED
    mission.updated_by = by
    mission.save(update_fields=["status", "updated_by", "updated_at"])
    audit_record(
        obj=mission, organisation=mission.organisation, verb="archived", by=by,
        mission=mission, changes={"status": [old, mission.status]},
    )  # fmt: skip
    return mission


def _set_alignment(mission: Mission, status: str, *, by: User, verb: str, comment: str) -> Mission:
    old = mission.alignment_status
    mission.alignment_status = status
    mission.updated_by = by
    now = timezone.now()
    fields = ["alignment_status", "updated_by", "updated_at"]
    if status == Mission.AlignmentStatus.PROPOSED:
        mission.proposed_at = now
        fields.append("proposed_at")
    elif status == Mission.AlignmentStatus.ALIGNED:
        mission.aligned_at, mission.aligned_by = now, by
        fields += ["aligned_at", "aligned_by"]
    mission.save(update_fields=fields)
    audit_record(
        obj=mission, organisation=mission.organisation, verb=verb, by=by, mission=mission,
        changes={"alignment_status": [old, status]}, comment=comment,
    )  # fmt: skip
    return mission


@transaction.atomic
def mission_propose(*, mission: Mission, by: User, comment: str = "") -> Mission:
    """The owner puts the mission forward for alignment with the mission above."""
    if mission.parent_id is None:
        raise ValidationError("A top-level mission has no mission above it to align with.")
    if mission.alignment_status == Mission.AlignmentStatus.ALIGNED:
        raise ValidationError("The mission is already aligned.")
    return _set_alignment(mission, "proposed", by=by, verb="proposed", comment=comment)


@transaction.atomic
def mission_align(*, mission: Mission, by: User, comment: str = "") -> Mission:
    """The parent mission's owner approves the mission as aligned."""
    if mission.alignment_status != Mission.AlignmentStatus.PROPOSED:
        raise ValidationError("Only a proposed mission can be aligned.")
    return _set_alignment(mission, "aligned", by=by, verb="aligned", comment=comment)


@transaction.atomic
def mission_send_back(*, mission: Mission, by: User, comment: str) -> Mission:
    """The parent mission's owner sends the mission back, saying why."""
    if mission.alignment_status != Mission.AlignmentStatus.PROPOSED:
        raise ValidationError("Only a proposed mission can be sent back.")
    if not comment.strip():
        raise ValidationError({"comment": "Say what needs to change."})
    return _set_alignment(mission, "sent_back", by=by, verb="sent_back", comment=comment)


@transaction.atomic
def mission_reopen_alignment(*, mission: Mission, by: User, comment: str) -> Mission:
    """Put an aligned mission back to "proposed", e.g. when a review finds it has drifted."""
    if mission.parent_id is None or mission.alignment_status == Mission.AlignmentStatus.PROPOSED:
        return mission
    return _set_alignment(mission, "proposed", by=by, verb="proposed", comment=comment)
