"""Reads of an organisation: its vision, teams, people and open invitations, and the
onboarding checklist of a new one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Trim

from kernel.models import Invitation, Membership, Organisation, Team

from ..models import Mission, Vision


def vision_of(*, organisation: Organisation) -> Vision | None:
    return Vision.objects.filter(organisation=organisation).first()


def teams_with_counts(*, organisation: Organisation) -> QuerySet[Team]:
    """The teams in tree order, each with its number of members. The number is a subquery
    per team, not a ``GROUP BY`` over every membership: a page of 100 teams counts the
    members of those 100 only (at 11,001 teams, 257 ms for the whole grouping before)."""
    members = (
        Membership.objects.filter(team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Team.objects.filter(organisation=organisation)
        .select_related("leader", "parent")
        .annotate(member_count=Coalesce(Subquery(members), 0))
        .order_by("path", "name")
    )


def open_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked (expired ones too: they can be resent)."""
    return (
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("team", "invited_by")
        .order_by("-created_at")
    )


def onboarding_steps(*, organisation: Organisation) -> list[dict[str, Any]]:
    """The first steps of a new organisation and whether each is done, read from the data
    itself in one query, so the checklist is never out of step with what exists."""
    slug = organisation.slug
    org = OuterRef("pk")
    members = (
        Membership.objects.filter(organisation=org)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        Organisation.objects.filter(pk=organisation.pk)
        .values(
            has_vision=Exists(
                Vision.objects.filter(organisation=org)
                .annotate(intent=Trim("ceo_intent"))
                .exclude(intent="")
            ),
            has_teams=Exists(Team.objects.filter(organisation=org, parent__isnull=False)),
            has_invited=Exists(Invitation.objects.filter(organisation=org)),
            member_count=Subquery(members),
            has_mission=Exists(
                Mission.objects.filter(organisation=org, level=Mission.Level.ORGANISATION)
            ),
        )
        .get()
    )
    return [
        {
            "key": "vision",
            "title": "Write the vision and the CEO's intent",
            "why": "The big picture every mission aligns to.",
            "done": done["has_vision"],
            "url": f"/o/{slug}/welcome/#vision",
        },
        {
            "key": "teams",
            "title": "Add your first teams",
            "why": "Missions cascade from team to team.",
            "done": done["has_teams"],
            "url": f"/o/{slug}/welcome/#teams",
        },
        {
            "key": "invite",
            "title": "Invite people",
            "why": "Leaders write their team's missions; everyone writes their own.",
            "done": done["has_invited"] or (done["member_count"] or 0) > 1,
            "url": f"/o/{slug}/welcome/#invite",
        },
        {
            "key": "mission",
            "title": "Write the first organisation mission",
            "why": "What the organisation will achieve this year, and why.",
            "done": done["has_mission"],
            "url": f"/o/{slug}/missions/new/",
        },
    ]


def memberships_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "team")
        .order_by("user__last_name", "user__username")
    )
