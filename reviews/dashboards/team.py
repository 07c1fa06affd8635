"""One team's dashboard: the team with its sub-teams' figures, trend and table, a page of its
active missions with their KPI health, its worst KPIs with sparklines, the reviews due soon
and the findings to act on. The same dozen queries for any size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    FloatField,
    Prefetch,
    Sum,
)
from django.db.models.functions import Cast
from django.utils import timezone

from kernel.lookups import Ids
from kernel.models import Team
from measures.models import WORST_FORECAST_FIRST, CheckIn, Kpi
from measures.summary import KpiFigures, figures_for
from missions.models import Mission
from missions.querysets import in_play

from ..checks import with_score
from ..health import with_health
from ..models import FORESEEN, SEVERITY_RANK, Finding, MissionScore, Review
from .figures import Figures, TeamRow, ending_today
from .queries import health_states, latest_check, team_figures, trend
from .scope import mission_ids_in_scope
from .teams import checked_subtree, sort_rows, team_infos, team_rows

DUE_SOON_DAYS = 14
MISSIONS_PER_PAGE = 25
KPI_LIMIT = 50  # the team dashboard's KPIs: the 50 with the worst forecasts
LIST_LIMIT = 50  # findings to act on, reviews due
SPARK_POINTS = 24


@dataclass
class MissionHealth:
    """A mission's KPI figures from the stored columns (weighted progress), and its health
    (``measures.health``) as the page's query computed it (``reviews.health.with_health``)."""

    kpis: int = 0
    progress: float | None = None
    health: str = "not_started"


def mission_health(mission_ids: list[int]) -> dict[int, MissionHealth]:
    """The KPI figures of each of these missions: one GROUP BY over their active KPIs. Their
    health is the mission row's (``with_health``), set by the caller."""
    rows = (
        Kpi.objects.filter(mission_id__in=mission_ids, status=Kpi.Status.ACTIVE)
        .values("mission_id")
        .annotate(
            total=Count("id"),
            weight_total=Sum(Cast("weight", FloatField())),
            weighted=Sum(F("progress") * Cast("weight", FloatField())),
        )
        .order_by()
    )
    out = {pk: MissionHealth() for pk in mission_ids}
    for r in rows:
        progress = r["weighted"] / r["weight_total"] if r["weight_total"] else None
        out[r["mission_id"]] = MissionHealth(r["total"], progress)
    return out


WORST_KPIS_ORDER = (WORST_FORECAST_FIRST, "progress", "due_date", "id")


def worst_kpis(organisation: Any, mission_ids: Ids) -> list[KpiFigures]:
    """The ``KPI_LIMIT`` active KPIs of these missions with the worst forecasts (their stored
    figures), each with its last standing check-ins for a sparkline: two queries (the
    check-ins sliced per KPI by a window function). The KPIs are read in the order of the
    index ``measures_kpi_worst_first`` and the read stops at the limit: the tens of
    thousands of KPIs of a large subtree are never all read, nor sorted."""
    recent = CheckIn.objects.standing().newest_first()[:SPARK_POINTS]
    kpis = (
        Kpi.objects.filter(
            organisation=organisation, status=Kpi.Status.ACTIVE, mission_id__any_of=mission_ids
        )
        .select_related("mission")
        .prefetch_related(Prefetch("check_ins", queryset=recent, to_attr="recent_check_ins"))
        .order_by(*WORST_KPIS_ORDER)[:KPI_LIMIT]
    )
    return [figures_for(kpi, reversed(kpi.recent_check_ins)) for kpi in kpis]


@dataclass
class TeamDashboard:
    team: Team
    figures: Figures
    trend: list[tuple[dt.date, float]]
    rows: list[TeamRow]
    sort: str
    missions: Page[Mission]
    health: dict[int, MissionHealth]
    kpis: list[KpiFigures]
    reviews: list[Review]
    findings: list[Finding]
    states: dict[str, int]  # the active missions by health: the headline's verdict
    foreseen: list[Finding]  # open predicted findings, the soonest expected first
    # The alignment check the figures and the missions' health come from; None: live.
    checked_on: dt.date | None = None

    @property
    def mission_rows(self) -> list[tuple[Mission, MissionHealth]]:
        return [(m, self.health[m.pk]) for m in self.missions]


def team_dashboard(
    *, team: Team, sort: str = "", page: Any = 1, per_page: int = MISSIONS_PER_PAGE
) -> TeamDashboard:
    """A team with its sub-teams: figures, trend, table of sub-teams, missions (a page),
    worst KPIs, reviews due and findings to act on. The same dozen queries for any size."""
    organisation, scope = team.organisation, [team]
    figures, rows, applied, checked_on = _figures_and_table(team, sort or "tree")
    # Its active missions' ids, read once: each list below filters by them as one array
    # (``__any_of``), which PostgreSQL tests by hash on each row; as a subquery each list ran
    # the subtree's UNION again and joined it (about twice the time).
    active_ids = Ids(
        mission_ids_in_scope(
            organisation=organisation, scope=scope, status=Mission.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    missions = _missions_page(organisation, active_ids, page=page, per_page=per_page)
    health = mission_health([m.pk for m in missions])
    for m in missions:
        health[m.pk].health = m.health  # type: ignore[attr-defined]  # by with_health
    today = timezone.localdate()
    findings = _findings_and_foreseen(organisation=organisation, mission_ids=active_ids)
    return TeamDashboard(
        team=team,
        figures=figures,
        # Ends with the score printed beside it: one value, not today's snapshot.
        trend=ending_today(trend(organisation=organisation, scope=scope), figures.score),
        rows=rows,
        sort=applied,
        missions=missions,
        health=health,
        states=health_states(figures, checked_on, Mission.objects.filter(pk__any_of=active_ids)),
        checked_on=checked_on,
        kpis=worst_kpis(organisation, active_ids),
        reviews=list(
            Review.objects.filter(
                in_play("mission__"),
                mission_id__any_of=active_ids,
                status=Review.Status.SCHEDULED,
                due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
            )
            .select_related("mission")
            .order_by("due_date", "id")[:LIST_LIMIT]
        ),
        findings=[f for f in findings if not f.predicted],
        foreseen=[f for f in findings if f.predicted],
    )


def _figures_and_table(team: Team, sort: str) -> tuple[Figures, list[TeamRow], str, dt.date | None]:
    """The team's figures with its sub-teams', the table of it and the teams right below it
    (sorted by ``sort``, the sort applied) and the day of the check they are from: its
    ``SubtreeSnapshot`` rows, two queries whatever the size of the subtree; or live (day None)
    in an organisation the checks have not run over yet."""
    organisation = team.organisation
    checked_on = latest_check(organisation=organisation)
    if checked_on is not None:
        itself, rows, applied = checked_subtree(team=team, day=checked_on, sort=sort)
        return itself.figures, rows, applied, checked_on
    own, figures, _ = team_figures(organisation=organisation, scope=[team])
    teams = team_infos(organisation=organisation, scope=[team])
    rows, applied = sort_rows(team_rows(teams, own, under=team.pk), sort)
    return figures, rows, applied, None


def _missions_page(
    organisation: Any, active_ids: Ids, *, page: Any, per_page: int
) -> Page[Mission]:
    """A page of these active missions, the least aligned first, with their owners and
    health: two queries (three on a page past the scored ones). The page is counted from the
    ids; only its own missions are read whole and judged (``with_health``)."""
    paginator = Paginator(LeastAlignedFirst(organisation, active_ids), per_page)
    paginator.count = len(active_ids)  # a cached property: no query to count them
    chosen = paginator.get_page(page)
    whole = with_score(
        with_health(Mission.objects.filter(pk__in=list(chosen)).with_owner())
    ).in_bulk()
    chosen.object_list = [whole[pk] for pk in chosen]
    return chosen  # type: ignore[return-value]


class LeastAlignedFirst(Sequence[int]):
    """The ids of these active missions, the least aligned first: the scored ones read from
    their scores in the order of the scores' index (``reviews_missionscore_by_score``, then
    title and id), stopping when a page is full; then those without a score (drafts below
    the top), by title and id. One ordered query over missions and scores together sorted
    all 21,437 missions of the largest directorate at 100,000 for each page (about 100 ms,
    against 5)."""

    def __init__(self, organisation: Any, active_ids: Ids) -> None:
        self.total = len(active_ids)
        self.scored = (
            MissionScore.objects.filter(
                organisation=organisation,
                mission_id__any_of=active_ids,
                mission__status=Mission.Status.ACTIVE,
            )
            .order_by("score", "mission__title", "mission_id")
            .values_list("mission_id", flat=True)
        )
        self.unscored = (
            Mission.objects.filter(
                organisation=organisation,
                status=Mission.Status.ACTIVE,
                pk__any_of=active_ids,
                alignment__isnull=True,
            )
            .order_by("title", "id")
            .values_list("pk", flat=True)
        )

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.total
        ids = list(self.scored[start:stop])
        if len(ids) < stop - start:
            # Past the scored ones: how many there are, known from this page or counted.
            scored = start + len(ids) if ids else self.scored.count()
            ids += self.unscored[max(start - scored, 0) : stop - scored]
        return ids


def _findings_and_foreseen(*, organisation: Any, mission_ids: Ids) -> list[Finding]:
    """The open findings to act on (critical first) and the predicted ones (soonest expected
    first), at most ``LIST_LIMIT`` of each: two queries, each read in the order of the index
    ``reviews_finding_open_to_act`` until it has enough, so the tens of thousands of open
    findings of a large subtree are never all read, nor sorted."""
    order: list[Any] = [
        SEVERITY_RANK,
        F("expected_on").asc(nulls_last=True),
        F("opened_at").desc(),
        F("id").desc(),
    ]
    open_ones = (
        Finding.objects.filter(
            organisation=organisation, resolved_at__isnull=True, mission_id__any_of=mission_ids
        )
        .alias(foreseen=FORESEEN)
        .select_related("mission")
        .order_by(*order)
    )
    return [
        *open_ones.filter(foreseen=0)[:LIST_LIMIT],
        *open_ones.filter(foreseen=1)[:LIST_LIMIT],
    ]
