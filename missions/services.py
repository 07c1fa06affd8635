"""Writes for the missions app: one function per use case, each atomic and attributed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import tree
from .audit import apply_changes, audit_record
from .models import Interdependency, KeyTask, Mission, Notification, Organisation, Team, Vision

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

MISSION_FIELDS = (
    "level", "title", "statement", "intent", "parent", "owner_team", "owner_user",
    "period_start", "period_end", "deadline", "scope", "budget", "headcount", "constraints",
    "decision_rights", "review_cadence_days",
)  # fmt: skip
VISION_FIELDS = ("purpose", "vision", "horizon", "success_picture", "ceo_intent")


def mission_owners(mission: Mission) -> list[Any]:
    """The people a mission belongs to: its owner, or the leader of its owning team."""
    if mission.owner_user_id:
        return [mission.owner_user]
    leader = mission.owner_team.leader if mission.owner_team_id else None
    return [leader] if leader is not None else []


def notify(
    *,
    recipients: list[Any],
    kind: str,
    message: str,
    mission: Mission,
    by: User | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """In-app notifications about a mission, never to the person who caused them.

    With ``dedupe_key`` each recipient gets it at most once, whoever sends it and however
    often: the unique constraint turns a second send into nothing.
    """
    rows = [
        Notification(
            organisation_id=mission.organisation_id,
            recipient=user,
            kind=kind,
            message=message[:500],
            url=mission.get_absolute_url(),
            mission=mission,
            dedupe_key=dedupe_key,
        )  # fmt: skip
        for user in {u.pk: u for u in recipients if u is not None}.values()
        if by is None or user.pk != by.pk
    ]
    if dedupe_key is None:
        return Notification.objects.bulk_create(rows)
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)


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
    _check_operating_space(mission, parent)


def _check_operating_space(mission: Mission, parent: Mission) -> None:
    """A child's operating space fits inside its parent's: its deadline is not later, and the
    budgets and headcounts of all the parent's active children add up to no more than its own."""
    errors: dict[str, str] = {}
    parent_deadline = parent.deadline or parent.period_end
    if mission.deadline and mission.deadline > parent_deadline:
        errors["deadline"] = (
            f"The deadline is after the parent mission's ({parent_deadline:%-d %b %Y})."
        )
    siblings = (
        Mission.objects.filter(parent=parent)
        .exclude(status=Mission.Status.ARCHIVED)
        .exclude(pk=mission.pk)
        .aggregate(budget=models.Sum("budget"), headcount=models.Sum("headcount"))
    )
    for name in ("budget", "headcount"):
        limit, own = getattr(parent, name), getattr(mission, name)
        if limit is None or own is None:
            continue
        taken = siblings[name] or 0
        if taken + own > limit:
            left = max(limit - taken, 0)
            errors[name] = (
                f"The parent mission's {name} is {limit:,}; its other missions take {taken:,}, "
                f"so at most {left:,} is left for this one."
            )
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
        _move_subtree(Mission, mission, old_path)
    audit_record(
        obj=mission, organisation=mission.organisation, verb="updated", by=by,
        mission=mission, changes=changes,
    )  # fmt: skip
    return mission


def _move_subtree(model: type[Mission] | type[Team], node: Mission | Team, old_path: str) -> None:
    """Rewrite the path prefix of every descendant of a moved node: one set-based UPDATE."""
    old_prefix = tree.child_path(old_path, node.pk)
    new_prefix = tree.child_path(node.path, node.pk)
    model.objects.filter(path__startswith=old_prefix).update(
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
    _set_alignment(mission, "proposed", by=by, verb="proposed", comment=comment)
    notify(
        recipients=mission_owners(mission.parent), kind=Notification.Kind.ALIGNMENT_REQUESTED,
        message=f"“{mission.title}” is proposed for alignment with “{mission.parent.title}”.",
        mission=mission, by=by,
    )  # fmt: skip
    return mission


@transaction.atomic
def mission_align(*, mission: Mission, by: User, comment: str = "") -> Mission:
    """The parent mission's owner approves the mission as aligned."""
    if mission.alignment_status != Mission.AlignmentStatus.PROPOSED:
        raise ValidationError("Only a proposed mission can be aligned.")
    _set_alignment(mission, "aligned", by=by, verb="aligned", comment=comment)
    notify(
        recipients=mission_owners(mission), kind=Notification.Kind.ALIGNED,
        message=f"“{mission.title}” is aligned." + (f" {comment}" if comment else ""),
        mission=mission, by=by,
    )  # fmt: skip
    return mission


@transaction.atomic
def mission_send_back(*, mission: Mission, by: User, comment: str) -> Mission:
    """The parent mission's owner sends the mission back, saying why."""
    if mission.alignment_status != Mission.AlignmentStatus.PROPOSED:
        raise ValidationError("Only a proposed mission can be sent back.")
    if not comment.strip():
        raise ValidationError({"comment": "Say what needs to change."})
    _set_alignment(mission, "sent_back", by=by, verb="sent_back", comment=comment)
    notify(
        recipients=mission_owners(mission), kind=Notification.Kind.SENT_BACK,
        message=f"“{mission.title}” was sent back: {comment}", mission=mission, by=by,
    )  # fmt: skip
    return mission


@transaction.atomic
def mission_reopen_alignment(*, mission: Mission, by: User, comment: str) -> Mission:
    """Put an aligned mission back to "proposed", e.g. when a review finds it has drifted."""
    if mission.parent_id is None or mission.alignment_status == Mission.AlignmentStatus.PROPOSED:
        return mission
    return _set_alignment(mission, "proposed", by=by, verb="proposed", comment=comment)


KEY_TASK_FIELDS = ("title", "description", "owner", "due_date", "status")


def _stamp_completion(task: KeyTask) -> None:
    done = task.status == KeyTask.Status.DONE
    task.completed_at = (task.completed_at or timezone.now()) if done else None


@transaction.atomic
def key_task_create(*, mission: Mission, data: dict[str, Any], by: User) -> KeyTask:
    """Add a key task to a mission."""
    task = KeyTask(mission=mission, created_by=by)
    apply_changes(task, data, KEY_TASK_FIELDS)
    _stamp_completion(task)
    task.full_clean()
    task.save()
    audit_record(
        obj=task, organisation=mission.organisation, verb="created", by=by, mission=mission
    )
    return task


@transaction.atomic
def key_task_update(*, task: KeyTask, data: dict[str, Any], by: User) -> KeyTask:
    """Change a key task, e.g. its status; completion time follows the status."""
    changes = apply_changes(task, data, KEY_TASK_FIELDS)
    if not changes:
        return task
    _stamp_completion(task)
    task.full_clean()
    task.save()
    audit_record(
        obj=task, organisation=task.mission.organisation, verb="updated", by=by,
        mission=task.mission, changes=changes,
    )  # fmt: skip
    return task


@transaction.atomic
def interdependency_create(
    *, from_mission: Mission, to_mission: Mission, kind: str, description: str, by: User
) -> Interdependency:
    """Ask another mission for support, or offer it support."""
    if from_mission.organisation_id != to_mission.organisation_id:
        raise ValidationError({"to_mission": "That mission belongs to another organisation."})
    link = Interdependency(
        organisation_id=from_mission.organisation_id, from_mission=from_mission,
        to_mission=to_mission, kind=kind, description=description, created_by=by,
    )  # fmt: skip
    link.full_clean()
    if Interdependency.objects.filter(
        from_mission=from_mission, to_mission=to_mission, kind=kind,
        status__in=[Interdependency.Status.PROPOSED, Interdependency.Status.ACKNOWLEDGED],
    ).exists():  # fmt: skip
        raise ValidationError({"to_mission": "This link is already open."})
    link.save()
    verb = (
        "asks for support from" if kind == Interdependency.Kind.DEPENDS_ON else "offers support to"
    )
    notify(
        recipients=mission_owners(to_mission), kind=Notification.Kind.SUPPORT_REQUESTED,
        message=f"“{from_mission.title}” {verb} “{to_mission.title}”.", mission=to_mission, by=by,
    )  # fmt: skip
    for mission in (from_mission, to_mission):
        audit_record(
            obj=link, organisation=from_mission.organisation, verb="created", by=by,
            mission=mission,
        )  # fmt: skip
    return link


@transaction.atomic
def interdependency_respond(*, link: Interdependency, status: str, by: User) -> Interdependency:
    """The other side acknowledges or declines; either side may mark it resolved."""
    allowed = {
        Interdependency.Status.PROPOSED: {"acknowledged", "declined", "resolved"},
        Interdependency.Status.ACKNOWLEDGED: {"resolved", "declined"},
    }.get(link.status, set())
    if status not in allowed:
        raise ValidationError({"status": f"A {link.status} link cannot become {status}."})
    old = link.status
    link.status, link.responded_by, link.responded_at = status, by, timezone.now()
    link.save(update_fields=["status", "responded_by", "responded_at", "updated_at"])
    notify(
        recipients=mission_owners(link.from_mission), kind=Notification.Kind.SUPPORT_ANSWERED,
        message=f"“{link.to_mission.title}” {status} your link: {link.description[:200]}",
        mission=link.from_mission, by=by,
    )  # fmt: skip
    for mission in (link.from_mission, link.to_mission):
        audit_record(
            obj=link, organisation=mission.organisation, verb="updated", by=by,
            mission=mission, changes={"status": [old, status]},
        )  # fmt: skip
    return link


@transaction.atomic
def team_update(*, team: Team, data: dict[str, Any], by: User) -> Team:
    """Rename, re-parent or change the leader of a team; sub-teams move with it."""
    old_path = team.path
    changes = apply_changes(team, data, ("name", "parent", "leader"))
    if not changes:
        return team
    if team.parent is not None and (
        team.parent.pk == team.pk or team.pk in tree.ancestor_ids(team.parent.path)
    ):
        raise ValidationError({"parent": "A team cannot sit under itself or its own sub-teams."})
    team.path = tree.child_path(team.parent.path, team.parent.pk) if team.parent else ""
    team.full_clean()
    team.save()
    if team.path != old_path:
        _move_subtree(Team, team, old_path)
    audit_record(obj=team, organisation=team.organisation, verb="updated", by=by, changes=changes)
    return team


@transaction.atomic
def key_task_move(*, task: KeyTask, to_mission: Mission, by: User) -> KeyTask:
    """Move a key task to another mission of the same organisation."""
    if to_mission.organisation_id != task.mission.organisation_id:
        raise ValidationError({"mission": "That mission belongs to another organisation."})
    old = task.mission
    task.mission = to_mission
    task.save(update_fields=["mission", "updated_at"])
    for mission in (old, to_mission):
        audit_record(
            obj=task, organisation=mission.organisation, verb="moved", by=by, mission=mission,
            changes={"mission": [old.pk, to_mission.pk]},
        )  # fmt: skip
    return task


@transaction.atomic
def mission_carry_over(
    *, mission: Mission, period_start: dt.date, period_end: dt.date, by: User
) -> Mission:
    """Copy a mission into the next period with its active KPIs and open key tasks.

    The copy links back to the original (``carried_over_from``); each KPI starts from the
    original's latest value. The original is marked completed, nothing is deleted.
    """
    from measures.services import kpi_carry_over  # measures depends on missions, not back

    data = {name: getattr(mission, name) for name in MISSION_FIELDS}
    data.update(period_start=period_start, period_end=period_end, deadline=None)
    copy = mission_create(organisation=mission.organisation, data=data, by=by)
    copy.carried_over_from = mission
    copy.save(update_fields=["carried_over_from"])
    for kpi in mission.kpis.filter(status="active"):
        kpi_carry_over(kpi=kpi, to_mission=copy, due_date=period_end, by=by)
    open_tasks = mission.key_tasks.exclude(
        status__in=[KeyTask.Status.DONE, KeyTask.Status.CANCELLED]
    )
    for task in open_tasks:
        key_task_create(mission=copy, data={f: getattr(task, f) for f in KEY_TASK_FIELDS}, by=by)
    if mission.status == Mission.Status.ACTIVE:
        mission.status = Mission.Status.COMPLETED
        mission.save(update_fields=["status", "updated_at"])
    audit_record(
        obj=mission, organisation=mission.organisation, verb="updated", by=by, mission=mission,
        changes={"carried_over_to": [None, copy.pk]},
    )  # fmt: skip
    return copy


def notifications_mark_read(*, actor: Any, ids: list[str] | None = None) -> int:
    """Mark the actor's notifications read: the given ones, or all when ``ids`` is empty."""
    unread = Notification.objects.filter(
        recipient=actor.user, organisation=actor.organisation, read_at__isnull=True
    )
    if ids:
        unread = unread.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    return unread.update(read_at=timezone.now())
