"""Reads of the leadership practices, each one query whatever the size of the organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kernel.history import HistoryEntry, history_in_words
from kernel.models import AuditEvent, Membership, Notification, Organisation
from kernel.notifications import Wanted, cause_of
from kernel.permissions import (
    Action,
    actor_for,
    can,
    development_reviewers_q,
    editable_missions_q,
    organisation_leaders_q,
    visible_development_plans_q,
    visible_recognitions_q,
    visible_stakeholders_q,
)
from kernel.querysets import owner_person
from measures.summary import MissionFigures, mission_figures
from missions.models import Mission

from .behaviours import THEMES
from .models import (
    GROUP_SIZE,
    Coalition,
    CoalitionLink,
    CoalitionMember,
    CoalitionMission,
    Contact,
    Contribution,
    DevelopmentGoal,
    DevelopmentPlan,
    Idea,
    IdeaComment,
    IdeaSupport,
    InnovationChallenge,
    LearningGroup,
    LearningSession,
    PriorityChallenge,
    Recognition,
    Stakeholder,
)
from .services import (
    challenge_message,
    coalition_invited_message,
    contact_due_message,
    contribution_offered_message,
    development_review_message,
)
from .sharing import group_scope, members_scope, partners_scope

if TYPE_CHECKING:
    from kernel.permissions import Actor
    from kernel.types import User

# A map shows this many stakeholders; a person's page of plans as many a page.
MAP_LIMIT = 200


def _with_people(stakeholders: QuerySet[Stakeholder]) -> QuerySet[Stakeholder]:
    return stakeholders.select_related("organisation", "member", "plan_owner", "mission")


def map_of(
    *, organisation: Organisation, mission: Mission | None = None, leader: User | None = None
) -> QuerySet[Stakeholder]:
    """The stakeholders of a mission's map, or of a leader's own (``mission`` None)."""
    stakeholders = Stakeholder.objects.filter(organisation=organisation)
    if mission is not None:
        stakeholders = stakeholders.filter(mission=mission)
    else:
        stakeholders = stakeholders.filter(mission__isnull=True, leader=leader)
    return _with_people(stakeholders)


def plans_of(*, actor: Actor) -> QuerySet[Stakeholder]:
    """Every stakeholder whose communication plan the actor owns, the next contact first."""
    return _with_people(
        Stakeholder.objects.filter(organisation=actor.organisation, plan_owner=actor.user)
    ).order_by("next_contact_on", "id")


def visible_to(*, actor: Actor) -> QuerySet[Stakeholder]:
    """The stakeholders the actor may read (``kernel.permissions.visible_stakeholders_q``)."""
    return _with_people(
        Stakeholder.objects.filter(visible_stakeholders_q(actor), organisation=actor.organisation)
    )


def _in_each_organisation(user: User, visible: Callable[[Actor], Q]) -> Q:
    """``visible`` (a rule of ``kernel.permissions`` as a filter) in each of ``user``'s
    organisations, as one condition: the API's lists cross organisations. Two queries per
    organisation, to know the user's standing there."""
    condition = Q(pk__in=[])
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        actor = actor_for(user, membership.organisation)
        if actor is not None:
            condition |= Q(visible(actor), organisation=membership.organisation)
    return condition


def visible_to_user(*, user: User) -> QuerySet[Stakeholder]:
    """The stakeholders ``user`` may read in any of their organisations (the API's lists)."""
    return _with_people(
        Stakeholder.objects.filter(_in_each_organisation(user, visible_stakeholders_q))
    )


def recognitions_visible_to_user(*, user: User) -> QuerySet[Recognition]:
    """The recognitions ``user`` may read in any of their organisations (the API's list)."""
    return (
        Recognition.objects.filter(_in_each_organisation(user, visible_recognitions_q))
        .select_related("organisation")
        .order_by("id")
    )


def contacts_of(*, stakeholder: Stakeholder) -> QuerySet[Contact]:
    return Contact.objects.filter(stakeholder=stakeholder).select_related("by")


def stakeholder_history(*, stakeholder: Stakeholder, limit: int = 50) -> list[HistoryEntry]:
    """Who created, changed and contacted the stakeholder, and when: newest first."""
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Stakeholder), object_id=stakeholder.pk
    ).select_related("actor")
    return history_in_words(events.order_by("-created_at", "-id")[:limit], subject=stakeholder)


def contacts_due(organisation: Organisation, today: dt.date) -> Iterator[Wanted]:
    """The inbox sweep's rule: each plan whose next contact is due waits for its owner."""
    rows = Stakeholder.objects.filter(
        organisation=organisation, plan_owner__isnull=False, next_contact_on__lte=today
    ).select_related("member")
    for stakeholder in rows.only(
        "pk",
        "name",
        "message",
        "next_contact_on",
        "plan_owner_id",
        "mission_id",
        "member__first_name",
        "member__last_name",
        "member__username",
    ):
        assert stakeholder.plan_owner_id is not None and stakeholder.next_contact_on is not None
        yield Wanted(
            stakeholder.plan_owner_id,
            cause_of("contact", stakeholder.pk),
            Notification.Kind.CONTACT_DUE,
            contact_due_message(
                stakeholder.display_name, stakeholder.message, stakeholder.next_contact_on
            ),
            reverse(
                "leadership:stakeholder", kwargs={"org": organisation.slug, "pk": stakeholder.pk}
            ),
            stakeholder.mission_id,
        )


def challenges_of(*, mission: Mission, limit: int = 20) -> list[PriorityChallenge]:
    """A mission's challenges to priorities, the open ones first, then the latest answered:
    one query."""
    return list(
        PriorityChallenge.objects.filter(mission=mission)
        .select_related("raised_by", "answered_by", "other_mission")
        .order_by(F("answered_at").desc(nulls_first=True), "-created_at", "-id")[:limit]
    )


def open_challenges_for_review(*, mission: Mission) -> QuerySet[PriorityChallenge]:
    """The open challenges to the priorities of a mission and of the missions right under it,
    oldest first: what its review should settle. One query."""
    return (
        PriorityChallenge.objects.filter(Q(mission=mission) | Q(mission__parent=mission))
        .filter(answered_at__isnull=True)
        .select_related("raised_by", "mission")
        .order_by("created_at", "id")
    )


def challenges_waiting(organisation: Organisation, today: dt.date) -> Iterator[Wanted]:
    """The inbox sweep's rule: each open challenge waits for whoever answers for the
    mission's priorities now (``services.challenge_answerers``), so an item follows a change
    of owner."""
    rows = (
        PriorityChallenge.objects.filter(organisation=organisation, answered_at__isnull=True)
        .select_related("mission")
        .annotate(above=owner_person("mission__parent__"), own=owner_person("mission__"))
    )
    for challenge in rows:
        mission = challenge.mission
        recipient = challenge.above if mission.parent_id is not None else challenge.own
        if recipient is None:
            continue
        yield Wanted(
            recipient,
            cause_of("challenge", challenge.pk),
            Notification.Kind.CHALLENGE_RAISED,
            challenge_message(challenge, mission.title),
            reverse("missions:detail", kwargs={"org": organisation.slug, "pk": mission.pk})
            + f"#challenge-{challenge.pk}",
            mission.pk,
        )


def learning_groups_of(*, actor: Actor) -> list[LearningGroup]:
    """The action learning groups the actor is in (of others, nothing: a safe space): their
    organisation's, and those of another member of a coalition they joined. Three queries
    (and one for the coalitions the organisation is in)."""
    with partners_scope(actor.organisation.pk) as coalitions:
        return list(
            LearningGroup.objects.filter(
                Q(organisation=actor.organisation) | Q(coalition_id__in=coalitions),
                members=actor.user,
            )
            .select_related("facilitator", "organisation")
            .prefetch_related("members")
        )


def learning_group_for(*, actor: Actor, pk: int) -> LearningGroup | None:
    """A group the actor may open: of their organisation, or open to a coalition their
    organisation is active in (read in its organisation's scope). None for any other."""
    with partners_scope(actor.organisation.pk) as coalitions:
        return (
            LearningGroup.objects.filter(
                Q(organisation=actor.organisation) | Q(coalition_id__in=coalitions), pk=pk
            )
            .select_related("facilitator", "organisation", "coalition")
            .prefetch_related("members")
            .first()
        )


def learning_sessions_of(*, group: LearningGroup) -> list[LearningSession]:
    """A group's sessions, newest first, with their notes and authors: two queries, in the
    group's organisation's scope."""
    with group_scope(group):
        return list(group.sessions.prefetch_related("notes__author"))


@dataclass
class CoalitionGroup:
    """A learning group open to a coalition, as the coalition's page lists it: its name,
    purpose, whose it is and how many it holds; no names (they are the group's own)."""

    group: LearningGroup
    people: int
    mine: bool
    may_join: bool


def coalition_learning_groups(*, actor: Actor, coalition: Coalition) -> list[CoalitionGroup]:
    """The learning groups open to the coalition, for its active members' people. One query
    in the members' scope."""
    if coalition.status_of(actor.organisation.pk) != Coalition.ACTIVE:
        return []
    with members_scope(coalition):
        groups = list(
            LearningGroup.objects.filter(
                coalition=coalition,
                organisation_id__in=coalition.active_member_ids(),
            )
            .select_related("organisation")
            .annotate(
                people=Count("members", distinct=True),
                mine=Exists(
                    LearningGroup.members.through.objects.filter(
                        learninggroup_id=OuterRef("pk"), user_id=actor.user.pk
                    )
                ),
            )
            .order_by("name", "pk")
        )
    return [
        CoalitionGroup(
            group=g,
            people=g.people,
            mine=g.mine,
            may_join=not g.mine and g.people < GROUP_SIZE[1],
        )
        for g in groups
    ]


RECOGNITION_PAGE = 20  # recognitions a list of the page shows


def recognitions_for(*, actor: Actor) -> dict[str, list[Recognition]]:
    """What the recognition page lists: received, given, and of the people the actor leads or
    coaches (``kernel.permissions.visible_recognitions_q``), newest first; three queries."""
    rows = Recognition.objects.filter(organisation=actor.organisation).select_related(
        "giver", "receiver"
    )
    user = actor.user.pk
    return {
        "received": list(rows.filter(receiver_id=user)[:RECOGNITION_PAGE]),
        "given": list(rows.filter(giver_id=user)[:RECOGNITION_PAGE]),
        "of_others": list(
            rows.filter(visible_recognitions_q(actor))
            .exclude(giver_id=user)
            .exclude(receiver_id=user)[:RECOGNITION_PAGE]
        ),
    }


@dataclass(frozen=True)
class ThemeCount:
    label: str
    count: int
    behaviours: list[tuple[str, int]]  # the theme's behaviours recognised, most first


def themes_lived(*, team_id: int) -> list[ThemeCount]:
    """Which themes a team's people are recognised for: counts by theme and behaviour, and
    no names (no league table of individuals). One query."""
    counted = dict(
        ((theme, behaviour), n)
        for theme, behaviour, n in Recognition.objects.filter(team_id=team_id)
        .values_list("theme", "behaviour")
        .annotate(n=Count("pk"))
        .values_list("theme", "behaviour", "n")
    )
    result = []
    for theme, (label, behaviours) in THEMES.items():
        found = sorted(
            ((name, counted.get((theme, code), 0)) for code, name in behaviours),
            key=lambda item: -item[1],
        )
        result.append(ThemeCount(label, sum(n for _, n in found), [b for b in found if b[1]]))
    return result


# --- Innovation -------------------------------------------------------------------------------

CHALLENGES_PAGE = 20  # challenges a page of the innovation page lists
IDEAS_LIMIT = 200  # ideas a challenge's page shows, most supported first


def _count(model: type[Any], **outer: str) -> Coalesce:
    """How many ``model`` rows point at the outer row: a subquery each (joining both counts
    would multiply the rows)."""
    rows = (
        model.objects.filter(**{k: OuterRef(v) for k, v in outer.items()})
        .order_by()
        .values(*outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def innovation_challenges(*, organisation: Organisation) -> QuerySet[InnovationChallenge]:
    """The organisation's challenges: those taking ideas first (closing soonest first), then
    the closed ones (latest first), each with its mission and its number of ideas."""
    return _in_order(InnovationChallenge.objects.filter(organisation=organisation))


def _in_order(challenges: QuerySet[InnovationChallenge]) -> QuerySet[InnovationChallenge]:
    today = timezone.localdate()
    taking = Q(closed_at__isnull=True, closes_on__gte=today)
    return (
        challenges.select_related("organisation", "mission", "opened_by")
        .annotate(
            idea_count=_count(Idea, challenge="pk"),
            taking=Case(When(taking, then=True), default=False, output_field=BooleanField()),
            soonest=Case(When(taking, then=F("closes_on")), default=None),
        )
        .order_by("-taking", "soonest", "-closes_on", "-id")
    )


def support_count() -> Coalesce:
    """How many people support each idea of a query."""
    return _count(IdeaSupport, idea="pk")


def ideas_of(*, challenge: InnovationChallenge) -> QuerySet[Idea]:
    """A challenge's ideas, with their supports, comments, authors and what they became:
    taken forward first, then shortlisted, then the others, most supported first."""
    rank = Case(
        When(status=Idea.Status.ADOPTED, then=0),
        When(status=Idea.Status.SHORTLISTED, then=1),
        default=2,
    )
    return (
        challenge.ideas.annotate(
            support_count=support_count(),
            comment_count=_count(IdeaComment, idea="pk"),
            rank=rank,
        )
        .select_related("organisation", "key_task", "child_mission")
        .prefetch_related("authors")
        .order_by("rank", "-support_count", "created_at", "id")
    )


def idea_page(*, idea: Idea, actor: Actor) -> dict[str, Any]:
    """What an idea's page shows besides the idea: its comments, how many support it and
    whether the actor does, and its history."""
    supports = IdeaSupport.objects.filter(idea=idea)
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Idea), object_id=idea.pk
    ).select_related("actor")
    return {
        "comments": list(idea.comments.select_related("author")),
        "support_count": supports.count(),
        "supported": supports.filter(person=actor.user).exists(),
        "history": history_in_words(events.order_by("-created_at", "-id")[:50], subject=idea),
    }


def ideas_taken_forward(*, mission: Mission) -> list[Idea]:
    """The ideas a mission's page credits: those it was made of (as a child mission) and
    those that became its key tasks."""
    return list(
        Idea.objects.filter(Q(child_mission=mission) | Q(key_task__mission=mission))
        .select_related("organisation", "challenge", "key_task")
        .prefetch_related("authors")
        .order_by("adopted_at", "id")
    )


def innovation_of(*, mission: Mission) -> dict[str, Any]:
    """The mission page's ideas: its challenges (those taking ideas first) and the ideas
    taken forward into it, with their authors to credit: three queries."""
    challenges = _in_order(InnovationChallenge.objects.filter(mission=mission))
    return {
        "innovation_challenges": list(challenges[:10]),
        "ideas_credited": ideas_taken_forward(mission=mission),
    }


# --- Development plans ------------------------------------------------------------------------

PLANS_PAGE = 100  # plans of others a person's development page lists


def development_plans_supported(*, actor: Actor) -> list[DevelopmentPlan]:
    """The plans of the people the actor leads or coaches (not their own), by name."""
    return list(
        DevelopmentPlan.objects.filter(organisation=actor.organisation)
        .filter(visible_development_plans_q(actor))
        .exclude(person_id=actor.user.pk)
        .select_related("person", "organisation")
        .annotate(goal_count=_count(DevelopmentGoal, plan="pk"))
        .order_by("person__first_name", "person__last_name", "person__username")[:PLANS_PAGE]
    )


def development_plan_page(*, plan: DevelopmentPlan, actor: Actor) -> dict[str, Any]:
    """What a plan's page shows: its goals, each with its evidence and the recognition the
    person received for its behaviour (what the actor may read of it), and its reviews.
    Four queries."""
    goals = list(plan.goals.prefetch_related("evidence__by"))
    behaviours = {goal.behaviour for goal in goals}
    recognised = (
        Recognition.objects.filter(
            organisation=plan.organisation, receiver_id=plan.person_id, behaviour__in=behaviours
        )
        .filter(visible_recognitions_q(actor))
        .select_related("giver")
    )
    by_behaviour: dict[str, list[Recognition]] = {}
    for recognition in recognised:
        by_behaviour.setdefault(recognition.behaviour, []).append(recognition)
    for goal in goals:
        goal.recognitions = by_behaviour.get(goal.behaviour, [])  # type: ignore[attr-defined]
    return {
        "goals": goals,
        "reviews": list(plan.reviews.select_related("reviewer")),
    }


def development_reviewers(*, plan: DevelopmentPlan) -> QuerySet[Any]:
    """Whom the person may ask to review their plan: their team's leader, their coaches."""
    return (
        get_user_model()
        .objects.filter(development_reviewers_q(plan.organisation, plan.person_id))
        .order_by("first_name", "last_name", "username")
    )


def development_reviews_asked(organisation: Organisation, today: dt.date) -> Iterator[Wanted]:
    """The inbox sweep's rule: a review asked waits for whom it was asked of."""
    rows = DevelopmentPlan.objects.filter(
        organisation=organisation, review_asked_of__isnull=False
    ).select_related("person")
    for plan in rows:
        person = plan.person
        assert plan.review_asked_of_id is not None
        yield Wanted(
            plan.review_asked_of_id,
            cause_of("development", plan.pk),
            Notification.Kind.DEVELOPMENT_REVIEW,
            development_review_message(person.get_full_name() or person.get_username()),
            reverse(
                "leadership:development-plan", kwargs={"org": organisation.slug, "pk": plan.pk}
            ),
            None,
        )


def development_plans_visible_to_user(*, user: User) -> QuerySet[DevelopmentPlan]:
    """The plans ``user`` may read in any of their organisations (the API's list)."""
    return (
        DevelopmentPlan.objects.filter(_in_each_organisation(user, visible_development_plans_q))
        .select_related("organisation")
        .order_by("id")
    )


def development_plan_links(*, actor: Actor, person_ids: list[int]) -> dict[int, str]:
    """The pages of the plans of ``person_ids`` the actor may read, by person: the coaching
    notes link to them. One query."""
    plans = (
        DevelopmentPlan.objects.filter(organisation=actor.organisation, person_id__in=person_ids)
        .filter(visible_development_plans_q(actor))
        .select_related("organisation")
    )
    return {plan.person_id: plan.get_absolute_url() for plan in plans}


# --- Coalitions -------------------------------------------------------------------------------


@dataclass
class ContributionView:
    """A contribution as the coalition's page shows it: whose, the mission's title and
    intent and, once aligned, its KPIs' progress and forecasts; nothing else of the member."""

    contribution: Contribution
    member: Organisation
    own: bool
    figures: MissionFigures | None  # aligned only
    may_answer: bool = False
    may_withdraw: bool = False


@dataclass
class CoalitionMissionView:
    mission: CoalitionMission
    aligned: list[ContributionView]
    offered: list[ContributionView]


@dataclass
class LinkView:
    link: CoalitionLink
    member: Organisation
    mission_title: str
    on_member: Organisation
    on_mission_title: str


@dataclass
class CoalitionPage:
    coalition: Coalition
    members: list[CoalitionMember]
    missions: list[CoalitionMissionView]
    links: list[LinkView]
    own_aligned: list[Contribution]  # what the actor's organisation may link from
    others_aligned: list[Contribution]  # and to


def coalitions_of(*, organisation: Organisation) -> list[CoalitionMember]:
    """The organisation's places in coalitions, current ones first, with each coalition's
    number of active members. One query; no partner's row is read."""
    order = Case(
        When(status=CoalitionMember.Status.INVITED, then=0),
        When(status=CoalitionMember.Status.ACTIVE, then=1),
        default=2,
    )
    return list(
        CoalitionMember.objects.filter(member=organisation)
        .select_related("coalition")
        .annotate(
            place=order,
            active_members=Subquery(
                CoalitionMember.objects.filter(
                    coalition_id=OuterRef("coalition_id"), status=CoalitionMember.Status.ACTIVE
                )
                .values("coalition_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
        )
        .order_by("place", "coalition__name", "pk")
    )


def coalition_page(*, actor: Actor, coalition: Coalition) -> CoalitionPage:
    """Everything the coalition's page shows, read in its members' scope (``sharing``): its
    members, its missions with the contributions aligned to them (their KPIs' progress and
    forecasts) and those offered, and the links between members. Six queries whatever the
    number of members, missions and contributions."""
    mine = actor.organisation.pk
    # Who takes or took part, by name (those that left or declined too: the coalition's
    # history); nothing else of those is read.
    with members_scope(coalition, also=coalition.member_states):
        members = list(coalition.members.select_related("member").order_by("invited_at", "pk"))
    with members_scope(coalition):
        missions = list(coalition.missions.order_by("created_at", "pk"))
        # An organisation invited reads the purpose, the members and the missions; the
        # contributions once it has joined.
        contributions = list(
            Contribution.objects.filter(
                coalition_mission__coalition=coalition,
                coalition_mission__coalition__members__member_id=mine,
                coalition_mission__coalition__members__status=CoalitionMember.Status.ACTIVE,
                organisation_id__in=coalition.active_member_ids(),
                status__in=[Contribution.Status.OFFERED, Contribution.Status.ALIGNED],
            )
            .select_related("mission", "organisation", "coalition_mission__coalition")
            .order_by("organisation__name", "mission__title", "pk")
        )
        aligned = [c for c in contributions if c.status == Contribution.Status.ALIGNED]
        figures = mission_figures([c.mission_id for c in aligned])
        by_id = {c.pk: c for c in aligned}
        links = [
            link
            for link in CoalitionLink.objects.filter(
                contribution_id__in=by_id, depends_on_id__in=by_id
            ).order_by("created_at", "pk")
        ]
    leads = can(actor, Action.LEAD_COALITION, coalition)
    # Its own contributions' missions the actor may edit (withdraw from), in its own scope.
    editable = set(
        Mission.objects.filter(
            pk__in=[c.mission_id for c in contributions if c.organisation_id == mine]
        )
        .filter(editable_missions_q(actor))
        .values_list("pk", flat=True)
    )
    views: dict[int, CoalitionMissionView] = {
        m.pk: CoalitionMissionView(mission=m, aligned=[], offered=[]) for m in missions
    }
    for c in contributions:
        own = c.organisation_id == mine
        is_aligned = c.status == Contribution.Status.ALIGNED
        view = ContributionView(
            contribution=c,
            member=c.organisation,
            own=own,
            figures=figures.get(c.mission_id) if is_aligned else None,
            may_answer=leads and not own and not is_aligned,
            may_withdraw=c.mission_id in editable,
        )
        (
            views[c.coalition_mission_id].aligned
            if is_aligned
            else views[c.coalition_mission_id].offered
        ).append(view)
    return CoalitionPage(
        coalition=coalition,
        members=members,
        missions=list(views.values()),
        links=[
            LinkView(
                link=link,
                member=by_id[link.contribution_id].organisation,
                mission_title=by_id[link.contribution_id].mission.title,
                on_member=by_id[link.depends_on_id].organisation,
                on_mission_title=by_id[link.depends_on_id].mission.title,
            )
            for link in links
        ],
        own_aligned=[c for c in aligned if c.organisation_id == mine],
        others_aligned=[c for c in aligned if c.organisation_id != mine],
    )


def contribution_for(*, actor: Actor, pk: int) -> Contribution | None:
    """A contribution to a coalition the actor's organisation is active in (another
    member's too), read in the coalition's scope; None for any other."""
    with partners_scope(actor.organisation.pk) as coalitions:
        return (
            Contribution.objects.filter(pk=pk, coalition_mission__coalition_id__in=coalitions)
            .select_related("mission__parent", "organisation", "coalition_mission__coalition")
            .first()
        )


def contributions_of_mission(*, mission: Mission) -> list[Contribution]:
    """The coalitions a mission contributes to (offered or aligned), for its page: its own
    organisation's rows only."""
    return list(
        Contribution.objects.filter(
            mission=mission,
            status__in=[Contribution.Status.OFFERED, Contribution.Status.ALIGNED],
        )
        .select_related("coalition_mission__coalition")
        .order_by("pk")
    )


def _leaders_of(organisation: Organisation) -> list[int]:
    return list(
        Membership.objects.filter(organisation=organisation)
        .filter(organisation_leaders_q())
        .values_list("user_id", flat=True)
    )


def coalition_invitations_waiting(organisation: Organisation, today: dt.date) -> Iterator[Wanted]:
    """The inbox sweep's rule: an invitation waits for whoever speaks for the organisation
    invited."""
    rows = list(
        CoalitionMember.objects.filter(
            member=organisation, status=CoalitionMember.Status.INVITED
        ).select_related("coalition", "invited_by")
    )
    if not rows:
        return
    leaders = _leaders_of(organisation)
    for row in rows:
        coalition = row.coalition
        by = coalition_inviter_name(row)
        for person in leaders:
            yield Wanted(
                person,
                cause_of("coalition", row.pk),
                Notification.Kind.COALITION_INVITED,
                coalition_invited_message(coalition, by),
                coalition.url_for(organisation),
                None,
            )


def coalition_inviter_name(row: CoalitionMember) -> str:
    """Who invited: the organisation that convened the coalition, or its other members."""
    coalition = row.coalition
    if coalition.convened_by_id is None:
        return "A coalition"
    with members_scope(coalition, also=[coalition.convened_by_id]):
        convener = Organisation.objects.filter(pk=coalition.convened_by_id).first()
    return convener.name if convener is not None else "A coalition"


def contributions_offered_waiting(organisation: Organisation, today: dt.date) -> Iterator[Wanted]:
    """The inbox sweep's rule: a contribution another member offers waits for whoever speaks
    for each other active member, until it is aligned, declined or withdrawn."""
    with partners_scope(organisation.pk) as coalitions:
        offers = list(
            Contribution.objects.filter(
                coalition_mission__coalition_id__in=coalitions,
                status=Contribution.Status.OFFERED,
            )
            .exclude(organisation=organisation)
            .select_related("mission", "organisation", "coalition_mission__coalition")
        )
    if not offers:
        return
    leaders = _leaders_of(organisation)
    for offer in offers:
        coalition = offer.coalition_mission.coalition
        for person in leaders:
            yield Wanted(
                person,
                cause_of("contribution", offer.pk),
                Notification.Kind.CONTRIBUTION_OFFERED,
                contribution_offered_message(offer, offer.organisation.name),
                coalition.url_for(organisation),
                None,
            )
