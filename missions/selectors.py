"""Reads for the missions app: querysets that already carry visibility and prefetching."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Trim
from django.utils import timezone

from kernel import tree
from kernel.models import AuditEvent, Invitation, Membership, Notification, Organisation, Team
from kernel.querysets import owned_by_person

from .models import Interdependency, KeyTask, Mission, Vision

if TYPE_CHECKING:
    from kernel.permissions import Actor


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


def mission_owner_teams(
    *, actor: Actor, parent: Mission | None, current: Mission | None = None
) -> QuerySet[Team]:
    """The teams that may own a mission the actor writes under ``parent``: the teams the actor
    leads, the parent's team and the teams under it, and the mission's current owner team.
    The browser form and the API offer and accept the same owners."""
    anchor = parent.owner_team if parent is not None and parent.owner_team_id else None
    allowed = Q(pk__in=actor.led_team_ids)
    if anchor is not None:
        allowed |= Q(pk=anchor.pk) | Q(path__startswith=tree.child_path(anchor.path, anchor.pk))
    if current is not None and current.owner_team_id:
        allowed |= Q(pk=current.owner_team_id)
    return Team.objects.filter(allowed, organisation=actor.organisation).order_by("name")


def mission_owner_people(
    *, actor: Actor, parent: Mission | None, current: Mission | None = None
) -> QuerySet[Any]:
    """The people who may own an individual mission the actor writes under ``parent``: the
    actor, the people of the parent's team, the parent's owner, and the current owner."""
    allowed = Q(pk=actor.user.pk)
    if parent is not None and parent.owner_team_id:
        allowed |= Q(
            memberships__team_id=parent.owner_team_id,
            memberships__organisation=actor.organisation,
        )
    if parent is not None and parent.owner_user_id:
        allowed |= Q(pk=parent.owner_user_id)
    if current is not None and current.owner_user_id:
        allowed |= Q(pk=current.owner_user_id)
    return get_user_model().objects.filter(allowed).distinct().order_by("first_name", "username")


def key_task_owner_people(*, mission: Mission) -> QuerySet[Any]:
    """Who may own a key task of the mission: its owner, or the people of its owner team."""
    if mission.owner_user_id:
        people = Q(pk=mission.owner_user_id)
    else:
        people = Q(
            memberships__team_id=mission.owner_team_id,
            memberships__organisation_id=mission.organisation_id,
        )
    return get_user_model().objects.filter(people).distinct()


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
    "id",
    "parent_id",
    "level",
    "title",
    "owner_team_id",
    "owner_user_id",
    "status",
    "alignment_status",
    "period_start",
    "period_end",
)


def mission_tree(*, mission: Mission) -> dict[str, object]:
    """The mission and its descendants as nested dicts under ``children``: one query.

    Rows come as plain values, not model instances: a 10,000-node subtree would spend most of
    its time building objects and serializing them one by one.
    """
    nodes: dict[int, dict[str, object]] = {}
    for values in mission_subtree(mission=mission).values_list(*TREE_FIELDS):
        row = dict(zip(TREE_FIELDS, values, strict=True))
        row["children"] = []
        nodes[row["id"]] = row
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])  # type: ignore[arg-type]
        if parent is not None and node["id"] != mission.pk:
            parent["children"].append(node)  # type: ignore[attr-defined]
    return nodes[mission.pk]


def notifications_for(*, actor: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(
        recipient=actor.user, organisation=actor.organisation
    ).select_related("mission")


def unread_count(*, actor: Actor) -> int:
    """For the navigation badge: served by the partial index on unread notifications."""
    return notifications_for(actor=actor).filter(read_at__isnull=True).count()


def _with_child_count(queryset: QuerySet[Mission]) -> QuerySet[Mission]:
    return queryset.annotate(
        child_count=Count("children", filter=~Q(children__status=Mission.Status.ARCHIVED))
    )


def cascade_roots(*, actor: Actor) -> QuerySet[Mission]:
    """The top of the cascade: missions with no parent, with their child counts."""
    return _with_child_count(
        mission_list_visible_to(actor=actor)
        .filter(parent__isnull=True)
        .exclude(status=Mission.Status.ARCHIVED)
        .order_by("level", "title")
    )


def cascade_children(*, mission: Mission) -> QuerySet[Mission]:
    """One level under a mission, with their own child counts (for lazy expansion)."""
    return _with_child_count(
        Mission.objects.filter(parent=mission)
        .exclude(status=Mission.Status.ARCHIVED)
        .with_owner()
        .order_by("level", "title")
    )


def problems_q() -> Q:
    """Missions needing attention: not aligned under a parent, or the review overdue."""
    return (Q(parent__isnull=False) & ~Q(alignment_status=Mission.AlignmentStatus.ALIGNED)) | Q(
        next_review_due__lt=timezone.localdate()
    )


def cascade_search(
    *,
    actor: Actor,
    q: str = "",
    team: str = "",
    owner: str = "",
    status: str = "",
    problems: bool = False,
) -> QuerySet[Mission]:
    """Missions matching the cascade's filters, active first."""
    found = mission_list_visible_to(actor=actor).exclude(status=Mission.Status.ARCHIVED)
    if q:
        found = found.filter(title__icontains=q)
    if team:
        # Missions of the teams whose name matches, and their members' own missions.
        teams = Team.objects.filter(organisation=actor.organisation, name__icontains=team)
        member_of = Membership.objects.filter(
            organisation=actor.organisation, user=OuterRef("owner_user"), team__in=teams
        )
        found = found.filter(Q(owner_team__in=teams) | Exists(member_of))
    if owner:
        found = found.filter(
            Q(owner_user__username__iexact=owner)
            | Q(owner_user__first_name__icontains=owner)
            | Q(owner_user__last_name__icontains=owner)
            | Q(owner_team__leader__username__iexact=owner)
        )
    if status:
        found = found.filter(alignment_status=status)
    if problems:
        found = found.filter(problems_q())
    return _with_child_count(found.order_by("path", "title"))


def ancestor_titles(*, missions: list[Mission]) -> dict[int, list[tuple[int, str]]]:
    """For each mission, its ancestors' (id, title), root first: one query for all."""
    wanted = {pk for m in missions for pk in tree.ancestor_ids(m.path)}
    titles = dict(Mission.objects.filter(pk__in=wanted).values_list("id", "title"))
    return {m.pk: [(pk, titles.get(pk, "")) for pk in tree.ancestor_ids(m.path)] for m in missions}


def key_tasks_of(*, mission: Mission) -> QuerySet[KeyTask]:
    return mission.key_tasks.select_related("owner").order_by("status", "due_date", "id")


def links_from(*, mission: Mission) -> QuerySet[Interdependency]:
    """What this mission asks of, or offers to, others."""
    return mission.interdependencies_out.select_related(
        "to_mission__owner_team", "to_mission__owner_user"
    ).order_by("-created_at")


def links_to(*, mission: Mission) -> QuerySet[Interdependency]:
    """What others ask of, or offer to, this mission."""
    return mission.interdependencies_in.select_related(
        "from_mission__owner_team", "from_mission__owner_user"
    ).order_by("-created_at")


def teams_with_counts(*, organisation: Organisation) -> QuerySet[Team]:
    return (
        Team.objects.filter(organisation=organisation)
        .select_related("leader", "parent")
        .annotate(member_count=Count("memberships"))
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


def _owned_by_actor(actor: Actor, prefix: str) -> Q:
    """Missions (reached through ``prefix``) the actor owns in person or through a led team."""
    return owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids, prefix=prefix)


def missions_awaiting_alignment(*, actor: Actor) -> QuerySet[Mission]:
    """Missions proposed under the actor's own missions: they wait for the actor to align them
    or send them back (the seed's step one, seen from the boss)."""
    return (
        Mission.objects.filter(
            _owned_by_actor(actor, "parent__"),
            organisation=actor.organisation,
            alignment_status=Mission.AlignmentStatus.PROPOSED,
        )
        .exclude(status=Mission.Status.ARCHIVED)
        .with_owner()
        .select_related("parent")
        .order_by("proposed_at", "id")
    )


def support_requests_awaiting(*, actor: Actor) -> QuerySet[Interdependency]:
    """Interdependencies still proposed to the actor's missions: they wait for an answer."""
    return (
        Interdependency.objects.filter(
            _owned_by_actor(actor, "to_mission__"),
            organisation=actor.organisation,
            status=Interdependency.Status.PROPOSED,
        )
        .select_related("to_mission", "from_mission__owner_user", "from_mission__owner_team")
        .order_by("created_at", "id")
    )


RECENTLY_DONE_DAYS = 30


def key_tasks_of_actor(*, actor: Actor, mission_ids: list[int]) -> QuerySet[KeyTask]:
    """Key tasks the actor owns anywhere, or that deliver the given missions (theirs): the open
    ones and those done in the last ``RECENTLY_DONE_DAYS`` days. One query."""
    recently = timezone.now() - dt.timedelta(days=RECENTLY_DONE_DAYS)
    open_statuses = [KeyTask.Status.TODO, KeyTask.Status.IN_PROGRESS, KeyTask.Status.BLOCKED]
    return (
        KeyTask.objects.filter(mission__organisation=actor.organisation)
        .filter(Q(owner=actor.user) | Q(mission_id__in=mission_ids))
        .filter(
            Q(status__in=open_statuses) | Q(status=KeyTask.Status.DONE, completed_at__gte=recently)
        )
        .exclude(mission__status=Mission.Status.ARCHIVED)
        .select_related("owner", "mission__parent")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )
