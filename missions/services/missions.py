"""The cascade's write path: a mission written, changed (moved with its subtree) or archived,
and the invariants of its place under its parent."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kernel import tree, webhooks
from kernel.audit import apply_changes, audit_record, refuse_if_changed_since
from kernel.errors import EditConflict
from kernel.models import AuditEvent, Notification, Organisation
from kernel.notifications import cause_of, mission_owners, notifications_done, notify
from kernel.permissions import actor_for, can_move
from missionlead.emails import absolute_url

from ..models import Mission
from ..operating_space import space_left, space_refusals
from .checks import request_alignment_check

if TYPE_CHECKING:
    from kernel.types import User


MISSION_FIELDS = (
    "level",
    "title",
    "statement",
    "intent",
    "parent",
    "owner_team",
    "owner_user",
    "period",
    "period_start",
    "period_end",
    "deadline",
    "scope",
    "budget",
    "headcount",
    "constraints",
    "decision_rights",
    "review_cadence_days",
)


class ConflictError(EditConflict):
    """Someone changed the mission between the caller's read and this write, so the write is
    refused; the message says who did what, and when.

    A ``ValidationError``, so that a caller that knows nothing of conflicts still refuses
    cleanly. The API answers 409 (412 for a failed ``If-Match``); the pages say what happened.
    ``current`` is the mission as stored now.
    """

    current: Mission


def mission_check_parent(mission: Mission) -> None:
    """Invariants of a mission and its parent that the database cannot express directly
    (no cycles, depth) or only on PostgreSQL (same organisation), and the operating space.

    Runs inside the caller's transaction, and locks the parent row until it ends: children
    written under one parent at the same moment take turns, so each one's sum of its siblings'
    budgets includes the sibling stored a moment before. The parent's ancestors are locked
    against a move (``tree.lock_branch``), so a child never keeps a path its branch has left.
    ``mission.parent`` becomes the row read under that lock (its limits and path as stored now,
    not as the caller read them).
    """
    if mission.parent_id is None:
        return
    parent = mission.parent = tree.lock_branch(Mission, mission.parent_id)
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
    _check_operating_space(mission, parent)


def _check_operating_space(mission: Mission, parent: Mission) -> None:
    """A child's operating space fits in what its parent leaves (``missions.operating_space``).

    What the parent's other children take is only right while ``parent`` is locked
    (``mission_check_parent`` locks it).
    """
    errors = space_refusals(mission, space_left(parent, excluding=mission.pk))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mission_create(
    *, organisation: Organisation, data: dict[str, Any], by: User | None, note: str = ""
) -> Mission:
    """Write a new mission, as a draft, at its place in the cascade. ``note``: said with it
    in its history (the template it was written from)."""
    mission = Mission(organisation=organisation, created_by=by, updated_by=by)
    apply_changes(mission, data, MISSION_FIELDS)
    mission.follow_period()
    mission_check_parent(mission)
    mission.path = tree.child_path(mission.parent.path, mission.parent.pk) if mission.parent else ""
    mission.full_clean()
    mission.save()
    audit_record(
        obj=mission,
        organisation=organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        mission=mission,
        comment=note,
    )
    request_alignment_check(mission)
    return mission


@transaction.atomic
def mission_update(
    *, mission: Mission, data: dict[str, Any], by: User | None, read_at: dt.datetime | None = None
) -> Mission:
    """Change a mission; a new parent moves its whole subtree in one UPDATE.

    The changes apply to the stored row, read again under a row lock: what the caller holds
    may be stale (another request changed it since) or already carry the new values (a bound
    ``ModelForm`` copies them onto its instance), and comparing with either loses a write.

    ``read_at`` is the ``updated_at`` of the version the changes were made on (the edit form's,
    an ``If-Match``). A row changed since then is not overwritten with values that may be the
    old ones: ``ConflictError`` says who changed it and when. Without it (a PATCH sends only
    the fields it changes) the changes apply to whatever is stored.

    A new parent is its bosses' decision (``permissions.can_move``), and the moved mission is
    aligned with nobody yet: proposed to its new boss, or a draft at the top.
    """
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    refuse_if_changed_since(
        mission, read_at=read_at, noun="mission", changed_by=mission.updated_by, error=ConflictError
    )
    old_path, old_parent_id = mission.path, mission.parent_id
    if "parent" in data and getattr(data["parent"], "pk", None) != old_parent_id:
        _require_move(mission, data["parent"], by=by)
    changes = apply_changes(mission, data, MISSION_FIELDS)
    if not changes:
        return mission
    before = mission.period_start, mission.period_end
    mission.follow_period()
    for name, old in zip(("period_start", "period_end"), before, strict=True):
        new = getattr(mission, name)
        if new != old:
            first = changes[name][0] if name in changes else str(old)
            changes[name] = [first, str(new)]
    mission_check_parent(mission)
    if mission.parent_id != old_parent_id:
        mission.path = (
            tree.child_path(mission.parent.path, mission.parent.pk) if mission.parent else ""
        )
        changes.update(_realign_after_move(mission))
    mission.updated_by = by
    mission.full_clean()
    mission.save()
    if mission.path != old_path:
        tree.move_descendants(Mission, mission, old_path)
    audit_record(
        obj=mission,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=mission,
        changes=changes,
    )
    mission_emit(mission, webhooks.Event.MISSION_UPDATED)
    request_alignment_check(mission)
    if mission.parent_id != old_parent_id and mission.parent is not None:
        request_alignment(
            mission,
            mission.parent,
            by=by,
            message=f"“{mission.title}” moved under “{mission.parent.title}”: align it or send "
            "it back.",
        )
    return mission


# What a chat client shows of each mission event.
MISSION_EVENT_SUMMARIES: dict[str, str] = {
    webhooks.Event.MISSION_PROPOSED: "“{title}” is proposed for alignment with the mission above.",
    webhooks.Event.MISSION_ALIGNED: "“{title}” is aligned with the mission above.",
    webhooks.Event.MISSION_SENT_BACK: "“{title}” was sent back to its owner.",
    webhooks.Event.MISSION_UPDATED: "“{title}” was changed.",
}


def mission_webhook_data(mission: Mission) -> dict[str, Any]:
    """What a webhook says of a mission: the main fields of its API representation and the
    address of its page."""
    return {
        "id": mission.pk,
        "organisation": mission.organisation_id,
        "level": mission.level,
        "title": mission.title,
        "parent": mission.parent_id,
        "owner_team": mission.owner_team_id,
        "owner_user": mission.owner_user_id,
        "period_start": mission.period_start,
        "period_end": mission.period_end,
        "status": mission.status,
        "alignment_status": mission.alignment_status,
        "updated_at": mission.updated_at,
        "url": absolute_url(mission.get_absolute_url()),
    }


def mission_emit(mission: Mission, event: str) -> None:
    """The mission's event for the organisation's webhooks, in the caller's transaction (no
    more than a cached look-up when nobody listens)."""
    webhooks.emit(
        organisation=mission.organisation,
        event=event,
        data=lambda: mission_webhook_data(mission),
        summary=lambda: MISSION_EVENT_SUMMARIES[event].format(title=mission.title),
    )


def request_alignment(mission: Mission, parent: Mission, *, by: User | None, message: str) -> None:
    """Ask the owners of ``parent`` to align ``mission``: one open item per owner, refreshed
    when asked again (a re-proposal, a move, a review that found it drifted)."""
    notify(
        recipients=mission_owners(parent),
        kind=Notification.Kind.ALIGNMENT_REQUESTED,
        message=message,
        mission=mission,
        by=by,
        cause=cause_of("alignment", mission.pk),
    )


def _require_move(mission: Mission, new_parent: Mission | None, *, by: User | None) -> None:
    """Refuse a move the mover may not make. The system (``by`` None: commands, the admin's
    dry run) and Django superusers (operators, in the admin) are not members of a cascade."""
    if by is None or getattr(by, "is_superuser", False):
        return
    if not can_move(actor_for(by, mission.organisation), mission, new_parent):
        raise PermissionDenied(
            "Only the owner of a mission above this one moves it, and only under a mission "
            "they lead or may write under."
        )


def _realign_after_move(mission: Mission) -> dict[str, list[Any]]:
    """A mission in a new place is not aligned with its new boss yet: proposed to them, or a
    draft at the top. Returns the change for the audit log."""
    old = mission.alignment_status
    if mission.parent_id is None:
        mission.alignment_status = Mission.AlignmentStatus.DRAFT
    else:
        mission.alignment_status = Mission.AlignmentStatus.PROPOSED
        mission.proposed_at = timezone.now()
    return (
        {}
        if old == mission.alignment_status
        else {"alignment_status": [old, mission.alignment_status]}
    )


@transaction.atomic
def mission_archive(*, mission: Mission, by: User) -> Mission:
    """Archive a mission; nothing is deleted. Two archivings at the same moment take turns on
    the row, and the second finds it archived (one history entry)."""
    mission = (
        Mission.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=mission.pk)
    )
    if mission.status == Mission.Status.ARCHIVED:
        return mission
    old = mission.status
    mission.status = Mission.Status.ARCHIVED
    mission.updated_by = by
    mission.save(update_fields=["status", "updated_by", "updated_at"])
    audit_record(
        obj=mission,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.ARCHIVED,
        by=by,
        mission=mission,
        changes={"status": [old, mission.status]},
    )
    # Nobody is asked to decide on an archived mission any more.
    notifications_done(
        causes=[cause_of("alignment", mission.pk), cause_of("sent_back", mission.pk)], by=by
    )
    request_alignment_check(mission)
    return mission
