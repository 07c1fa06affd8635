"""Coaching reads: the notes a person wrote and received that they may read, and the people a
coach may write about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from kernel.models import Membership, Organisation
from kernel.permissions import can_read_coaching_note

from ..models import CoachingNote
from .scope import Scope, teams_in_scope

if TYPE_CHECKING:
    from kernel.permissions import Actor


def coaching_notes_for(*, actor: Actor) -> tuple[list[CoachingNote], list[CoachingNote]]:
    """The notes the actor wrote and the notes about them, newest first: one query. Every
    note also passes ``can_read_coaching_note``, the one rule of who reads them."""
    notes = (
        CoachingNote.objects.filter(organisation=actor.organisation)
        .filter(Q(coach=actor.user) | Q(coachee=actor.user))
        .select_related("coach", "coachee")
        .order_by("-created_at", "-id")
    )
    readable = [note for note in notes if can_read_coaching_note(actor, note)]
    written = [n for n in readable if n.coach_id == actor.user.pk]
    received = [n for n in readable if n.coachee_id == actor.user.pk]
    return written, received


def coachees_for(*, organisation: Organisation, scope: Scope, coach: Any) -> QuerySet[Membership]:
    """The people a coach may write about: members of the teams they coach (everyone, for a
    whole-organisation coach), not themselves. One query."""
    members = Membership.objects.filter(organisation=organisation).exclude(user=coach)
    if scope is not None:
        members = members.filter(team__in=teams_in_scope(organisation=organisation, scope=scope))
    return members.select_related("user", "team").order_by(
        "user__first_name", "user__last_name", "user__username"
    )
