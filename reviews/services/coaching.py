"""Writes for coaching notes: private to the coach who writes them and to the coachee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kernel.permissions import can_write_coaching_note, dashboard_teams

from ..models import CoachingNote

if TYPE_CHECKING:
    from kernel.models import Membership
    from kernel.permissions import Actor


@transaction.atomic
def coaching_note_create(*, actor: Actor, coachee: Membership, body: str) -> CoachingNote:
    """Keep a coach's note about one member of the teams they coach.

    Not written to the audit log on purpose: the log is read by bosses and admins, and the
    note's existence is the coach's and the coachee's business only.
    """
    if not can_write_coaching_note(actor, coachee, dashboard_teams(actor)):
        raise PermissionDenied("Coaches write notes about the people of the teams they coach.")
    note = CoachingNote(
        organisation=actor.organisation, coach=actor.user, coachee=coachee.user, body=body.strip()
    )
    note.full_clean()
    note.save()
    return note
