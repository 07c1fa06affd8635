"""The alignment workflow: the owner proposes a mission to the owner of the mission above,
who aligns it or sends it back; a review may reopen it. Two decisions at the same moment take
turns on the mission's row, and the later one is told who decided first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kernel import webhooks
from kernel.audit import ago, audit_record, name_of
from kernel.errors import StateConflict
from kernel.history import verb_phrase
from kernel.models import AuditEvent, Notification
from kernel.notifications import cause_of, mission_owners, notifications_done, notify

from ..models import Mission
from .checks import request_alignment_check
from .missions import ConflictError, mission_emit, request_alignment

if TYPE_CHECKING:
    from kernel.types import User


# The alignment states, as the history says the step that reached them ("sent it back"): in a
# refusal, that tells someone another person got there first.
ALIGNMENT_DONE: dict[str, str] = {
    status: verb_phrase(status)
    for status in (
        Mission.AlignmentStatus.PROPOSED,
        Mission.AlignmentStatus.ALIGNED,
        Mission.AlignmentStatus.SENT_BACK,
    )
}
# The webhook event of each alignment state reached.
ALIGNMENT_EVENTS: dict[str, str] = {
    Mission.AlignmentStatus.PROPOSED: webhooks.Event.MISSION_PROPOSED,
    Mission.AlignmentStatus.ALIGNED: webhooks.Event.MISSION_ALIGNED,
    Mission.AlignmentStatus.SENT_BACK: webhooks.Event.MISSION_SENT_BACK,
}
# Sending back says what needs to change: the owner acts on it. The pages and the API give
# this message on the field too.
SEND_BACK_NEEDS_A_REASON = "Say what needs to change."


def alignment_request_message(title: str, parent_title: str) -> str:
    """What an owner of the parent mission reads: the item that asks them to decide."""
    return f"“{title}” is proposed for alignment with “{parent_title}”: align it or send it back."


def sent_back_message(title: str, reason: str) -> str:
    """What the mission's owner reads, quoting the reason."""
    return f"“{title}” was sent back: “{reason}” Change what was asked and propose it again."


def _alignment_news(stored: Mission) -> str:
    """Who brought the mission to its alignment state, and when: "Ann Lee aligned it a
    moment ago"."""
    event = (
        AuditEvent.objects.filter(mission=stored, verb=stored.alignment_status)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    done = ALIGNMENT_DONE.get(stored.alignment_status, "changed it")
    if event is None:
        return f"{name_of(stored.updated_by)} {done} {ago(stored.updated_at)}"
    return f"{name_of(event.actor)} {done} {ago(event.created_at)}"


def _lock_for_alignment(
    mission: Mission, allowed: frozenset[str], *, doing: str, refusal: str = ""
) -> Mission:
    """The mission's row, locked until the transaction ends and read again, when its stored
    alignment state is one of ``allowed``: two decisions at the same moment take turns.

    Otherwise the decision is refused. When someone's decision stands in the way (the mission
    is proposed, aligned or sent back), with ``ConflictError`` saying who decided and when,
    whether they did it a moment or a month ago; for a draft, with ``refusal``.
    ``doing`` completes "…, so it was not": "aligned", "sent back".
    """
    stored = Mission.objects.select_for_update().get(pk=mission.pk)
    if stored.alignment_status in allowed:
        return stored
    if stored.alignment_status not in ALIGNMENT_DONE:
        raise StateConflict(refusal)
    raise ConflictError(f"{_alignment_news(stored)}, so it was not {doing}.", current=stored)


def _set_alignment(
    mission: Mission,
    status: Mission.AlignmentStatus,
    *,
    by: User,
    verb: AuditEvent.Verb,
    comment: str,
) -> Mission:
    """Write the new alignment state; ``mission`` is the row locked by the caller."""
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
        obj=mission,
        organisation=mission.organisation,
        verb=verb,
        by=by,
        mission=mission,
        changes={"alignment_status": [old, status]},
        comment=comment,
    )
    mission_emit(mission, ALIGNMENT_EVENTS[status])
    request_alignment_check(mission)
    return mission


@transaction.atomic
def mission_propose(*, mission: Mission, by: User, comment: str = "") -> Mission:
    """The owner puts the mission forward for alignment with the mission above.

    Once: a mission proposed already (say a moment ago, from another tab) is not proposed
    again, so its boss is asked once.
    """
    if mission.parent_id is None:
        raise ValidationError("A top-level mission has no mission above it to align with.")
    mission = _lock_for_alignment(
        mission,
        Mission.ALIGNMENT_STEPS_FROM["propose"],
        doing="proposed again",
    )
    parent = mission.parent
    if parent is None:  # moved to the top of the cascade since the caller read it
        raise ValidationError("A top-level mission has no mission above it to align with.")
    _set_alignment(
        mission,
        Mission.AlignmentStatus.PROPOSED,
        by=by,
        verb=AuditEvent.Verb.PROPOSED,
        comment=comment,
    )
    request_alignment(
        mission, parent, by=by, message=alignment_request_message(mission.title, parent.title)
    )
    notifications_done(causes=[cause_of("sent_back", mission.pk)], by=by)
    return mission


@transaction.atomic
def mission_align(*, mission: Mission, by: User, comment: str = "") -> Mission:
    """The parent mission's owner approves the mission as aligned."""
    mission = _lock_for_alignment(
        mission,
        Mission.ALIGNMENT_STEPS_FROM["align"],
        refusal="Only a proposed mission can be aligned.",
        doing="aligned",
    )
    _set_alignment(
        mission,
        Mission.AlignmentStatus.ALIGNED,
        by=by,
        verb=AuditEvent.Verb.ALIGNED,
        comment=comment,
    )
    notifications_done(causes=[cause_of("alignment", mission.pk)], by=by)
    notify(
        recipients=mission_owners(mission),
        kind=Notification.Kind.ALIGNED,
        message=f"“{mission.title}” is aligned." + (f" {comment}" if comment else ""),
        mission=mission,
        by=by,
    )
    return mission


@transaction.atomic
def mission_send_back(*, mission: Mission, by: User, comment: str) -> Mission:
    """The parent mission's owner sends the mission back, saying why."""
    mission = _lock_for_alignment(
        mission,
        Mission.ALIGNMENT_STEPS_FROM["align"],
        refusal="Only a proposed mission can be sent back.",
        doing="sent back",
    )
    if not comment.strip():
        raise ValidationError({"comment": SEND_BACK_NEEDS_A_REASON})
    _set_alignment(
        mission,
        Mission.AlignmentStatus.SENT_BACK,
        by=by,
        verb=AuditEvent.Verb.SENT_BACK,
        comment=comment,
    )
    notifications_done(causes=[cause_of("alignment", mission.pk)], by=by)
    notify(
        recipients=mission_owners(mission),
        kind=Notification.Kind.SENT_BACK,
        message=sent_back_message(mission.title, comment.strip()),
        mission=mission,
        by=by,
        cause=cause_of("sent_back", mission.pk),
    )
    return mission


@transaction.atomic
def mission_reopen_alignment(*, mission: Mission, by: User, comment: str) -> Mission:
    """Put an aligned mission back to "proposed", e.g. when a review finds it has drifted.

    Decided on the row locked and read again: a mission proposed a moment ago stays as it is.
    """
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    if mission.parent_id is None or mission.alignment_status == Mission.AlignmentStatus.PROPOSED:
        return mission
    return _set_alignment(
        mission,
        Mission.AlignmentStatus.PROPOSED,
        by=by,
        verb=AuditEvent.Verb.PROPOSED,
        comment=comment,
    )
