"""Coaching reads: the notes a person wrote and received that they may read, the people a
coach may write about, and what needs attention in the teams they coach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kernel.models import Membership, Organisation, Team
from kernel.permissions import can_read_coaching_note, dashboard_teams
from missions.models import Mission
from missions.querysets import in_play

from ..models import SEVERITY_RANK, CoachingNote, Finding, Review
from .scope import Scope, missions_in_scope, teams_in_scope

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


ATTENTION_LIMIT = 10


@dataclass
class CoachingAttention:
    """What needs attention in the teams a coach coaches: for the coach's My work."""

    teams: list[Team]  # the teams coached (empty with ``whole_organisation``)
    whole_organisation: bool
    findings: list[Finding]  # open warnings and criticals, the worst first
    overdue_reviews: list[Review]  # the longest overdue first


def coaching_attention(*, actor: Actor, today: dt.date | None = None) -> CoachingAttention:
    """Open findings and overdue reviews of the missions in the teams the actor coaches
    (``dashboard_teams``), the worst first, ``ATTENTION_LIMIT`` of each: three queries."""
    today = today or timezone.localdate()
    scope = dashboard_teams(actor)
    missions = missions_in_scope(organisation=actor.organisation, scope=scope).filter(
        status=Mission.Status.ACTIVE
    )
    findings = (
        Finding.objects.filter(
            organisation=actor.organisation,
            resolved_at__isnull=True,
            severity__in=[Finding.Severity.CRITICAL, Finding.Severity.WARNING],
            mission__in=missions.values("pk"),
        )
        .annotate(severity_rank=SEVERITY_RANK)
        .select_related("mission__owner_user", "mission__owner_team")
        .order_by("severity_rank", "opened_at", "id")[:ATTENTION_LIMIT]
    )
    overdue = (
        Review.objects.filter(
            in_play("mission__"),
            status=Review.Status.SCHEDULED,
            due_date__lt=today,
            mission__in=missions.values("pk"),
        )
        .select_related("mission__owner_user", "mission__owner_team")
        .order_by("due_date", "id")[:ATTENTION_LIMIT]
    )
    return CoachingAttention(
        teams=list(scope or []),
        whole_organisation=scope is None,
        findings=list(findings),
        overdue_reviews=list(overdue),
    )
