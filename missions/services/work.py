"""Key tasks and interdependencies: the work that delivers missions, and mutual support."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.audit import apply_changes, audit_record, refuse_if_changed_since
from kernel.errors import StateConflict
from kernel.formats import day
from kernel.models import AuditEvent, Notification
from kernel.notifications import cause_of, mission_owners, notifications_done, notify

from ..models import Interdependency, KeyTask, Mission
from .checks import request_alignment_check

if TYPE_CHECKING:
    from kernel.types import User


KEY_TASK_FIELDS = ("title", "description", "owner", "due_date", "status")
# What the asking side may correct of a link while it is open: what it says, and the key task
# it is for. Its ends and kind are what the other side answered: a new link, not a correction.
LINK_FIELDS = ("description", "for_task")


def _stamp_completion(task: KeyTask) -> None:
    done = task.status == KeyTask.Status.DONE
    task.completed_at = (task.completed_at or timezone.now()) if done else None


def support_request_message(kind: str, from_title: str, to_title: str) -> str:
    """What the owners of the mission asked read: the item that waits for their answer."""
    verb = (
        "asks for support from" if kind == Interdependency.Kind.DEPENDS_ON else "offers support to"
    )
    return f"“{from_title}” {verb} “{to_title}”: acknowledge or decline."


def key_task_overdue_message(title: str, mission_title: str, due_date: dt.date) -> str:
    return f"The key task “{title}” of “{mission_title}” was due on {day(due_date)}."


@transaction.atomic
def key_task_create(*, mission: Mission, data: dict[str, Any], by: User) -> KeyTask:
    """Add a key task to a mission."""
    task = KeyTask(mission=mission, created_by=by)
    apply_changes(task, data, KEY_TASK_FIELDS)
    _stamp_completion(task)
    task.full_clean()
    task.save()
    audit_record(
        obj=task,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=by,
        mission=mission,
    )
    request_alignment_check(mission)
    return task


@transaction.atomic
def key_task_update(
    *, task: KeyTask, data: dict[str, Any], by: User, read_at: dt.datetime | None = None
) -> KeyTask:
    """Change a key task, e.g. its status; completion time follows the status.

    The changes apply to the stored row, read again under a row lock (as ``mission_update``
    does): the caller's copy may be stale, and saving it would write back every other field as
    it was read, undoing a change made in the meantime. Callers use the returned task.
    ``read_at`` is the version the changes were made on (the edit page's): a task changed
    since is not overwritten, and ``EditConflict`` says who changed it and when.
    """
    task = (
        KeyTask.objects.select_for_update(of=("self",))
        .select_related("mission__organisation")
        .get(pk=task.pk)
    )
    refuse_if_changed_since(task, read_at=read_at, noun="key task")
    changes = apply_changes(task, data, KEY_TASK_FIELDS)
    if not changes:
        return task
    _stamp_completion(task)
    task.full_clean()
    task.save()
    if not task.overdue_on(timezone.localdate()):
        notifications_done(causes=[cause_of("key_task", task.pk)], by=by)
    audit_record(
        obj=task,
        organisation=task.mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=task.mission,
        changes=changes,
    )
    request_alignment_check(task.mission)
    return task


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
            obj=task,
            organisation=mission.organisation,
            verb=AuditEvent.Verb.MOVED,
            by=by,
            mission=mission,
            changes={"mission": [old.pk, to_mission.pk]},
        )
        request_alignment_check(mission)
    return task


@transaction.atomic
def interdependency_create(
    *,
    from_mission: Mission,
    to_mission: Mission,
    kind: str,
    description: str,
    by: User,
    for_task: KeyTask | None = None,
) -> Interdependency:
    """Ask another mission for support, or offer it support.

    One open link of a kind between two missions: the same request sent twice at the same
    moment passes the check below twice, and the database's unique constraint refuses the
    second insert; that request is then refused like one sent a minute later.
    """
    if from_mission.organisation_id != to_mission.organisation_id:
        raise ValidationError({"to_mission": "That mission belongs to another organisation."})
    link = Interdependency(
        organisation_id=from_mission.organisation_id,
        from_mission=from_mission,
        to_mission=to_mission,
        kind=kind,
        description=description,
        for_task=for_task,
        created_by=by,
    )
    link.full_clean()
    already_open = Interdependency.objects.filter(
        from_mission=from_mission,
        to_mission=to_mission,
        kind=kind,
        status__in=[Interdependency.Status.PROPOSED, Interdependency.Status.ACKNOWLEDGED],
    )
    if already_open.exists():
        raise ValidationError({"to_mission": "This link is already open."})
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction outlives a refusal
            link.save()
    except IntegrityError:
        if not already_open.exists():
            raise
        raise ValidationError({"to_mission": "This link is already open."}) from None
    notify(
        recipients=mission_owners(to_mission),
        kind=Notification.Kind.SUPPORT_REQUESTED,
        message=support_request_message(kind, from_mission.title, to_mission.title),
        mission=to_mission,
        by=by,
        cause=cause_of("support", link.pk),
    )
    for mission in (from_mission, to_mission):
        audit_record(
            obj=link,
            organisation=from_mission.organisation,
            verb=AuditEvent.Verb.CREATED,
            by=by,
            mission=mission,
        )
        request_alignment_check(mission)
    return link


@transaction.atomic
def interdependency_update(
    *,
    link: Interdependency,
    data: dict[str, Any],
    by: User,
    read_at: dt.datetime | None = None,
) -> Interdependency:
    """Correct what an open link says (its description, the key task it is for).

    As ``key_task_update``: the changes apply to the stored row, read again under a row lock,
    and ``read_at`` (the edit page's version) refuses to overwrite a link changed since. A
    declined or resolved link is kept as it was answered. The change is in the history of both
    missions, as the link's creation is.
    """
    link = (
        Interdependency.objects.select_for_update(of=("self",))
        .select_related("organisation", "from_mission", "to_mission")
        .get(pk=link.pk)
    )
    refuse_if_changed_since(link, read_at=read_at, noun="link")
    if link.status not in (Interdependency.Status.PROPOSED, Interdependency.Status.ACKNOWLEDGED):
        raise StateConflict(
            f"This link is {link.get_status_display().lower()}: it is kept as it was answered."
        )
    changes = apply_changes(link, data, LINK_FIELDS)
    if not changes:
        return link
    link.full_clean()
    link.save()
    for mission in (link.from_mission, link.to_mission):
        audit_record(
            obj=link,
            organisation=link.organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=by,
            mission=mission,
            changes=changes,
        )
    # The key task it is for dates the foreseen late answer (``support_late``).
    request_alignment_check(link.from_mission)
    return link


@transaction.atomic
def interdependency_respond(*, link: Interdependency, status: str, by: User) -> Interdependency:
    """The other side acknowledges or declines; either side may mark it resolved.

    The answer is judged against the link as stored, read again under a row lock: two answers
    at once (or one given from a page read before another) must not both pass from "proposed",
    the second reopening a link the first declined.
    """
    link = (
        Interdependency.objects.select_for_update(of=("self",))
        .select_related("organisation", "from_mission", "to_mission")
        .get(pk=link.pk)
    )
    Status = Interdependency.Status
    answers: dict[str, set[str]] = {
        Status.PROPOSED: {Status.ACKNOWLEDGED, Status.DECLINED, Status.RESOLVED},
        Status.ACKNOWLEDGED: {Status.RESOLVED, Status.DECLINED},
    }
    allowed = answers.get(link.status, set())
    if status not in allowed:
        raise StateConflict({"status": f"A {link.status} link cannot become {status}."})
    old = link.status
    link.status, link.responded_by, link.responded_at = status, by, timezone.now()
    link.save(update_fields=["status", "responded_by", "responded_at", "updated_at"])
    notifications_done(causes=[cause_of("support", link.pk)], by=by)
    notify(
        recipients=mission_owners(link.from_mission),
        kind=Notification.Kind.SUPPORT_ANSWERED,
        message=f"“{link.to_mission.title}” {status} your link: {link.description[:200]}",
        mission=link.from_mission,
        by=by,
    )
    for mission in (link.from_mission, link.to_mission):
        audit_record(
            obj=link,
            organisation=mission.organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=by,
            mission=mission,
            changes={"status": [old, status]},
        )
        request_alignment_check(mission)
    return link
