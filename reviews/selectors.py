"""Reads for reviews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kernel.models import AuditEvent, Notification
from kernel.notifications import OPEN
from kernel.permissions import dashboard_teams
from kernel.querysets import owned_by_person
from measures.models import CheckIn, Kpi
from missions.models import Interdependency, KeyTask, Mission
from missions.querysets import in_play

from .dashboards.scope import missions_in_scope
from .models import SEVERITY_RANK, Finding, Review

if TYPE_CHECKING:
    from kernel.permissions import Actor
    from kernel.types import User


def reviews_due_for(*, actor: Actor, within_days: int = 14) -> QuerySet[Review]:
    """Scheduled reviews of the actor's own missions in play, overdue or due within
    ``within_days``."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    return (
        Review.objects.filter(
            in_play("mission__"),
            mission__organisation=actor.organisation,
            status=Review.Status.SCHEDULED,
            due_date__lte=horizon,
        )
        .filter(owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids, prefix="mission__"))
        .select_related("mission")
        .order_by("due_date")
    )


def reviews_for_member(*, user: User) -> QuerySet[Review]:
    """Reviews of the user's organisations (the API's list)."""
    return (
        Review.objects.filter(mission__organisation__memberships__user=user)
        .select_related("mission__organisation", "mission__parent")
        .order_by("id")
    )


# --- The review pages -------------------------------------------------------------------------


def reviewed_missions(*, actor: Actor) -> QuerySet[Mission, int]:
    """The ids of the missions whose reviews the actor holds or oversees: those they own (in
    person or through a team they lead) and those directly under these (a leader's team's
    children). A coach: the missions of the teams they coach.

    The actor's missions are read by the owner indexes (their person, or the teams they lead,
    known already), the missions under them by the parent index, and the two joined by a
    UNION: no OR across a mission and its parent, which no index serves and which made the
    list read every mission of the organisation.
    """
    if actor.is_coach:
        coached = missions_in_scope(organisation=actor.organisation, scope=dashboard_teams(actor))
        return coached.values_list("pk", flat=True)
    mine = (
        Mission.objects.filter(organisation=actor.organisation)
        .filter(owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids))
        .values_list("pk", flat=True)
        .order_by()
    )
    under = Mission.objects.filter(parent_id__in=mine).values_list("pk", flat=True).order_by()
    return mine.union(under)


def reviewed_mission_ids(*, actor: Actor) -> QuerySet[Mission, int] | list[int]:
    """``reviewed_missions``, read once (one query), so that the reviews are then found by
    their mission; a coach's stay a subquery (the teams coached may hold many missions)."""
    missions = reviewed_missions(actor=actor)
    return missions if actor.is_coach else list(missions)


def reviews_for_actor(
    *, actor: Actor, mission_ids: QuerySet[Mission, int] | list[int] | None = None
) -> QuerySet[Review]:
    """Reviews the actor holds or oversees: of the missions they own (in person or through a
    team they lead) and of the missions directly under those (a leader's team's children).

    A coach: the reviews of the missions of the teams they coach, to read.

    Scheduled reviews only of missions in play (not of a draft, a sent-back, a completed or
    an archived one); held ones stay. ``mission_ids``: ``reviewed_mission_ids`` when read
    already (by default it is read here: one query).
    """
    if mission_ids is None:
        mission_ids = reviewed_mission_ids(actor=actor)
    return (
        Review.objects.filter(mission__organisation=actor.organisation)
        .filter(mission_id__in=mission_ids)
        .filter(
            Q(status=Review.Status.DONE)
            | (Q(status=Review.Status.SCHEDULED) & in_play("mission__"))
        )
        .select_related("mission__owner_user", "mission__owner_team", "held_by")
    )


def reviews_to_hold(
    *, actor: Actor, mission_ids: QuerySet[Mission, int] | list[int] | None = None
) -> QuerySet[Review]:
    """Scheduled reviews, the most overdue first."""
    return (
        reviews_for_actor(actor=actor, mission_ids=mission_ids)
        .filter(status=Review.Status.SCHEDULED)
        .order_by("due_date", "id")
    )


def reviews_held(
    *, actor: Actor, mission_ids: QuerySet[Mission, int] | list[int] | None = None
) -> QuerySet[Review]:
    """Held reviews, the latest first."""
    return (
        reviews_for_actor(actor=actor, mission_ids=mission_ids)
        .filter(status=Review.Status.DONE)
        .order_by("-held_on", "-id")
    )


@dataclass
class ReviewLists:
    """The review page's two lists, each with its length: counted together, once."""

    to_hold: QuerySet[Review]
    held: QuerySet[Review]
    to_hold_count: int
    held_count: int


def review_lists(*, actor: Actor) -> ReviewLists:
    """The reviews to hold and the held ones, with their counts: two queries (the actor's
    missions, then one count of both lists); each page of a list is one more."""
    mission_ids = reviewed_mission_ids(actor=actor)
    counts = reviews_for_actor(actor=actor, mission_ids=mission_ids).aggregate(
        to_hold=Count("pk", filter=Q(status=Review.Status.SCHEDULED)),
        held=Count("pk", filter=Q(status=Review.Status.DONE)),
    )
    return ReviewLists(
        to_hold=reviews_to_hold(actor=actor, mission_ids=mission_ids),
        held=reviews_held(actor=actor, mission_ids=mission_ids),
        to_hold_count=counts["to_hold"],
        held_count=counts["held"],
    )


def review_of(*, actor: Actor, pk: int) -> Review | None:
    """One review of the actor's organisation, with what the permission check reads."""
    return (
        Review.objects.filter(pk=pk, mission__organisation=actor.organisation)
        .select_related(
            "mission__organisation",
            "mission__owner_user",
            "mission__owner_team__leader",
            "mission__parent__owner_user",
            "mission__parent__owner_team",
            "held_by",
        )
        .first()
    )


def review_correction(*, review: Review) -> AuditEvent | None:
    """The latest correction of a held review (who, when), or None: one query."""
    return (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Review),
            object_id=review.pk,
            verb=AuditEvent.Verb.UPDATED,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class KpiMovement:
    """One KPI on a review's agenda: where it stood at the last review and where it is now."""

    kpi: Kpi
    then: Decimal | None
    now: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.then is None or self.now is None:
            return None
        return self.now - self.then

    @property
    def better(self) -> bool | None:
        """Whether the change moved towards the target (None: no change or no figures)."""
        if self.then is None or self.now is None or self.now == self.then:
            return None
        if self.kpi.direction == Kpi.Direction.DECREASE:
            return self.now < self.then
        if self.kpi.direction == Kpi.Direction.RANGE:
            low, high = self.kpi.target, self.kpi.target_max or self.kpi.target
            return _distance(self.now, low, high) < _distance(self.then, low, high)
        return self.now > self.then


def _distance(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low - value, value - high, Decimal(0))


@dataclass
class Agenda:
    """What a review talks about, built from the data of its mission."""

    since: dt.date | None  # the last held review, or None for the first review
    kpis: list[KpiMovement]
    findings: list[Finding]
    tasks_done: list[KeyTask]
    tasks_overdue: list[KeyTask]
    links_waiting: list[Interdependency]


AGENDA_ITEMS = 50  # a mission with more than this of one thing has a bigger problem


def last_held_review(*, mission: Mission, before: Review | None = None) -> dt.date | None:
    """The date of the mission's latest held review (other than ``before``)."""
    held = Review.objects.filter(mission=mission, status=Review.Status.DONE)
    if before is not None:
        held = held.exclude(pk=before.pk)
    return held.aggregate(last=Max("held_on"))["last"]


def kpi_movement(*, mission: Mission, since: dt.date | None) -> list[KpiMovement]:
    """The mission's active KPIs with their value at ``since`` and now: one query.

    The value at a date is that of the last check-in recorded on or before it that no
    correction supersedes (as in the KPI's chart); before any review, the baseline.
    """
    kpis = Kpi.objects.filter(mission=mission, status=Kpi.Status.ACTIVE).order_by("id")
    if since is None:
        return [
            KpiMovement(kpi=kpi, then=kpi.baseline, now=kpi.latest_value)
            for kpi in kpis[:AGENDA_ITEMS]
        ]
    then = CheckIn.objects.filter(kpi=OuterRef("pk"), recorded_on__lte=since).standing()
    at_since = kpis.annotate(value_then=Subquery(then.newest_first().values("value")[:1]))
    return [
        KpiMovement(kpi=kpi, then=kpi.value_then, now=kpi.latest_value)
        for kpi in at_since[:AGENDA_ITEMS]
    ]


def review_agenda(*, review: Review) -> Agenda:
    """The agenda of a review: KPI movement since the last review, open findings, key tasks
    done since then and overdue now, and the interdependencies waiting for an answer.

    Six queries whatever the size of the mission.
    """
    mission = review.mission
    since = last_held_review(mission=mission, before=review)
    today = timezone.localdate()
    open_statuses = [KeyTask.Status.TODO, KeyTask.Status.IN_PROGRESS, KeyTask.Status.BLOCKED]
    done = KeyTask.objects.filter(mission=mission, status=KeyTask.Status.DONE)
    if since is not None:
        start = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
        done = done.filter(completed_at__gte=start)
    severity = SEVERITY_RANK
    return Agenda(
        since=since,
        kpis=kpi_movement(mission=mission, since=since),
        findings=list(
            Finding.objects.filter(mission=mission, resolved_at__isnull=True).order_by(
                severity, "opened_at", "id"
            )[:AGENDA_ITEMS]
        ),
        tasks_done=list(done.select_related("owner").order_by("-completed_at")[:AGENDA_ITEMS]),
        tasks_overdue=list(
            KeyTask.objects.filter(mission=mission, status__in=open_statuses, due_date__lt=today)
            .select_related("owner")
            .order_by("due_date", "id")[:AGENDA_ITEMS]
        ),
        links_waiting=list(
            Interdependency.objects.filter(
                Q(from_mission=mission) | Q(to_mission=mission),
                status=Interdependency.Status.PROPOSED,
            )
            .select_related(
                "from_mission__owner_user",
                "from_mission__owner_team",
                "to_mission__owner_user",
                "to_mission__owner_team",
            )
            .order_by("created_at", "id")[:AGENDA_ITEMS]
        ),
    )


# --- The API's findings and notifications ------------------------------------------------------


def findings_for_member(*, user: User) -> QuerySet[Finding]:
    """Alignment findings of the user's organisations, with ``severity_rank`` (0 = critical)."""
    return (
        Finding.objects.filter(organisation__memberships__user=user)
        .select_related("organisation")
        .annotate(severity_rank=SEVERITY_RANK)
        .order_by("-opened_at", "-id")
    )


def inbox_of(*, user: User) -> QuerySet[Notification]:
    """The user's open items, in the organisations they still belong to (kernel.notifications:
    the same rule as My work's inbox)."""
    return notifications_of(user=user).filter(OPEN)


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, in the organisations they still belong to."""
    return Notification.objects.filter(
        recipient=user, organisation__memberships__user=user
    ).order_by("-created_at", "-id")
