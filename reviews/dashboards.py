"""Reads of the alignment dashboards: the figures of an organisation or of a team with its
sub-teams, the table of teams, a team's dashboard, the heat map of the cascade, and the
coaching notes a person may read.

What each figure means (each page says the same in one sentence):

- **Alignment score** (0–100): the mean alignment score of the active missions in view. A
  mission's score is 100 minus the weights of its open findings (``reviews.checks``), stored
  on the mission by the alignment checks. Its **trend** is the daily ``AlignmentSnapshot``
  of the last 90 days (for teams: their snapshots, weighted by their number of missions).
- **Review compliance**: of the reviews of active missions whose due date fell in the last
  90 days (before today, cancelled ones left out), the share held on or before that date.
- **KPI forecasts**: the active KPIs of active missions by their stored forecast status
  (on track, at risk, off track, not enough data), as shares of all of them.
- **Open findings**, by kind and by severity.

A mission belongs to the team that owns it, or to the team of the person who owns it (as in
the checks' team snapshots); a team's figures include its sub-teams'.

Cost: one GROUP BY per kind of row (missions, KPIs, findings, reviews), grouped by team, for
any number of missions; rolling teams up into their parents is a loop over teams, never
over missions. The SQL is plain enough to run on PostgreSQL and on SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from kernel import tree
from kernel.models import Membership, Organisation, Team
from kernel.permissions import can_read_coaching_note
from kernel.querysets import owned_by_teams
from measures.models import CheckIn, ForecastStatus, Kpi
from measures.summary import KpiFigures, figures_for
from missions.models import Mission

from .checks import MEMBERSHIP_JOIN, OWNER_TEAM
from .models import SEVERITY_RANK, AlignmentSnapshot, CoachingNote, Finding, Review

if TYPE_CHECKING:
    from kernel.permissions import Actor

WINDOW_DAYS = 90
DUE_SOON_DAYS = 14
TEAMS_PER_PAGE = 50
MISSIONS_PER_PAGE = 25
KPI_LIMIT = 50  # the team dashboard's KPIs: the 50 with the worst forecasts
LIST_LIMIT = 50  # findings to act on, reviews due
SPARK_POINTS = 24
STATUSES = [s.value for s in ForecastStatus]
# Score bands of the heat map: one critical finding (25) already leaves "good".
GOOD_FROM, WATCH_FROM = 85, 60

Scope = list[Team] | None  # None: the whole organisation; else these teams and their sub-teams


def score_band(score: float | None) -> str:
    """good (85–100), watch (60–84), poor (below 60) or unknown (not scored yet)."""
    if score is None:
        return "unknown"
    if score >= GOOD_FROM:
        return "good"
    return "watch" if score >= WATCH_FROM else "poor"


def _merge(into: dict[str, int], other: dict[str, int]) -> None:
    for key, count in other.items():
        into[key] = into.get(key, 0) + count


@dataclass(slots=True)
class Figures:
    """The dashboard's figures for one set of active missions. Plain ints and dicts: a table
    of 10,000 teams adds up 10,000 of these."""

    missions: int = 0
    score_sum: float = 0.0
    scored: int = 0
    kpis: dict[str, int] = field(default_factory=dict)  # forecast status -> active KPIs
    open_findings: int = 0
    critical_findings: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    reviews_due: int = 0
    reviews_on_time: int = 0

    def add(self, other: Figures) -> None:
        self.missions += other.missions
        self.score_sum += other.score_sum
        self.scored += other.scored
        _merge(self.kpis, other.kpis)
        self.open_findings += other.open_findings
        self.critical_findings += other.critical_findings
        if other.by_kind:
            _merge(self.by_kind, other.by_kind)
            _merge(self.by_severity, other.by_severity)
        self.reviews_due += other.reviews_due
        self.reviews_on_time += other.reviews_on_time

    def count_findings(self, kind: str, severity: str, count: int) -> None:
        _merge(self.by_kind, {kind: count})
        _merge(self.by_severity, {severity: count})
        self.open_findings += count
        if severity == Finding.Severity.CRITICAL:
            self.critical_findings += count

    @property
    def score(self) -> float | None:
        """Mean alignment score of the scored missions; None before the checks ran."""
        return self.score_sum / self.scored if self.scored else None

    @property
    def band(self) -> str:
        return score_band(self.score)

    @property
    def compliance(self) -> float | None:
        """Share of the reviews due in the window that were held on time (0–1)."""
        return self.reviews_on_time / self.reviews_due if self.reviews_due else None

    @property
    def reviews_late(self) -> int:
        """Reviews of the window held after their due date, or not held at all."""
        return self.reviews_due - self.reviews_on_time

    @property
    def kpi_total(self) -> int:
        return sum(self.kpis.values())

    def kpi_share(self, status: str) -> float | None:
        total = self.kpi_total
        return self.kpis.get(status, 0) / total if total else None

    @property
    def kinds(self) -> list[tuple[str, int]]:
        """Open findings by kind, the most frequent first, with their labels."""
        labels = dict(Finding.Kind.choices)
        ranked = sorted(self.by_kind.items(), key=lambda item: (-item[1], item[0]))
        return [(labels.get(kind, kind), count) for kind, count in ranked if count]

    @property
    def severities(self) -> list[tuple[str, str, int]]:
        return [
            (key, label, self.by_severity.get(key, 0))
            for key, label in reversed(Finding.Severity.choices)
        ]

    @property
    def kpi_parts(self) -> list[tuple[str, str, int, float | None]]:
        """(status, label, count, share) in the order the bar shows them."""
        labels = dict(ForecastStatus.choices)
        return [(s, labels[s], self.kpis.get(s, 0), self.kpi_share(s)) for s in STATUSES]


@dataclass(frozen=True)
class TeamInfo:
    """What a table row shows of a team: a plain row, so 10,000 teams cost no model objects."""

    pk: int
    name: str
    parent_id: int | None
    path: str
    leader_name: str


@dataclass
class TeamRow:
    """One line of the table of teams: the team with its sub-teams' figures rolled in."""

    team: TeamInfo
    depth: int
    figures: Figures


# --- Set-based figures --------------------------------------------------------------------


def _params(organisation: Organisation) -> dict[str, Any]:
    ops = connection.ops
    today = timezone.localdate()
    return {
        "org": organisation.pk,
        "today": ops.adapt_datefield_value(today),
        "since": ops.adapt_datefield_value(today - dt.timedelta(days=WINDOW_DAYS)),
    }


def _scope_sql(scope: Scope, params: dict[str, Any]) -> str:
    """An extra WHERE condition keeping the missions of the teams in scope."""
    if scope is None:
        return ""
    if not scope:
        return " AND 1 = 0"
    conditions = []
    for i, root in enumerate(scope):
        params[f"root{i}"] = root.pk
        params[f"prefix{i}"] = tree.child_path(root.path, root.pk) + "%"
        conditions.append(f"t.id = %(root{i})s OR t.path LIKE %(prefix{i})s")
    return (
        f" AND {OWNER_TEAM} IN (SELECT t.id FROM missions_team t WHERE t.organisation_id = %(org)s"
        f" AND ({' OR '.join(conditions)}))"
    )


def _kpis_and_reviews(
    cursor: Any, params: dict[str, Any], where: str, out: defaultdict[int | None, Figures]
) -> None:
    """KPIs by forecast and reviews due in the window, by team: two queries."""
    # forecast_status is a stored column (measures.services keeps it): no forecast here. One
    # row per team, a column per status.
    by_status = ", ".join(
        f"SUM(CASE WHEN k.forecast_status = '{status}' THEN 1 ELSE 0 END)" for status in STATUSES
    )
    cursor.execute(
        f"SELECT {OWNER_TEAM}, {by_status} FROM measures_kpi k "
        f"JOIN missions_mission m ON m.id = k.mission_id {MEMBERSHIP_JOIN} "
        f"WHERE k.organisation_id = %(org)s AND k.status = 'active' AND {where} "
        f"GROUP BY {OWNER_TEAM}",
        params,
    )
    for team, *counts in cursor.fetchall():
        out[team].kpis = {s: int(n) for s, n in zip(STATUSES, counts, strict=True) if n}
    cursor.execute(
        f"SELECT {OWNER_TEAM}, COUNT(*), SUM(CASE WHEN r.status = 'done' "
        f"AND r.held_on <= r.due_date THEN 1 ELSE 0 END) FROM reviews_review r "
        f"JOIN missions_mission m ON m.id = r.mission_id {MEMBERSHIP_JOIN} "
        f"WHERE r.due_date >= %(since)s AND r.due_date < %(today)s "
        f"AND r.status <> 'cancelled' AND {where} GROUP BY {OWNER_TEAM}",
        params,
    )
    for team, due, on_time in cursor.fetchall():
        out[team].reviews_due, out[team].reviews_on_time = due, int(on_time or 0)


def figures_by_team(*, organisation: Organisation, scope: Scope) -> dict[int | None, Figures]:
    """Each team's own figures, live (its sub-teams not rolled in yet); ``None`` holds the
    missions of people in no team. Four queries, whatever the number of missions."""
    params = _params(organisation)
    where = "m.organisation_id = %(org)s AND m.status = 'active'" + _scope_sql(scope, params)
    out: defaultdict[int | None, Figures] = defaultdict(Figures)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {OWNER_TEAM}, COUNT(*), SUM(m.alignment_score), COUNT(m.alignment_score) "
            f"FROM missions_mission m {MEMBERSHIP_JOIN} WHERE {where} GROUP BY {OWNER_TEAM}",
            params,
        )
        for team, missions, total, scored in cursor.fetchall():
            figures = out[team]
            figures.missions, figures.score_sum, figures.scored = (
                missions,
                float(total or 0),
                scored,
            )
        _kpis_and_reviews(cursor, params, where, out)
        cursor.execute(
            f"SELECT {OWNER_TEAM}, f.kind, f.severity, COUNT(*) FROM reviews_finding f "
            f"JOIN missions_mission m ON m.id = f.mission_id {MEMBERSHIP_JOIN} "
            f"WHERE f.organisation_id = %(org)s AND f.resolved_at IS NULL AND {where} "
            f"GROUP BY {OWNER_TEAM}, f.kind, f.severity",
            params,
        )
        for team, kind, severity, count in cursor.fetchall():
            out[team].count_findings(kind, severity, count)
    return dict(out)


@dataclass
class OrganisationFigures:
    total: Figures
    teams: dict[int | None, Figures]
    checked_on: dt.date | None  # the alignment check the teams' scores and findings are from


def organisation_figures(*, organisation: Organisation) -> OrganisationFigures:
    """The whole organisation's figures and each team's own, in four queries.

    Built for 100,000 missions and 10,000 teams: each team's figures (score, missions,
    findings, KPI forecasts, review compliance) are those of the latest alignment check, whose
    ``AlignmentSnapshot`` rows carry them (scores and findings only change when the checks run
    anyway). The headline stays live where a single-table aggregate can do it: the missions and
    their mean score, the open findings by kind and severity (the partial index on open
    findings), the KPIs by forecast. Review compliance comes from the check's snapshot.
    """
    params = _params(organisation)
    teams: defaultdict[int | None, Figures] = defaultdict(Figures)
    total = Figures()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(alignment_score), COUNT(alignment_score) FROM missions_mission "
            "WHERE organisation_id = %(org)s AND status = 'active'",
            params,
        )
        missions, score_sum, scored = cursor.fetchone()
        total.missions, total.score_sum, total.scored = missions, float(score_sum or 0), scored
        # Findings of archived missions are resolved by the checks: no join needed here.
        cursor.execute(
            "SELECT kind, severity, COUNT(*) FROM reviews_finding "
            "WHERE organisation_id = %(org)s AND resolved_at IS NULL GROUP BY kind, severity",
            params,
        )
        for kind, severity, count in cursor.fetchall():
            total.count_findings(kind, severity, count)
        cursor.execute(
            "SELECT forecast_status, COUNT(*) FROM measures_kpi "
            "WHERE organisation_id = %(org)s AND status = 'active' GROUP BY forecast_status",
            params,
        )
        total.kpis = {status: int(count) for status, count in cursor.fetchall() if count}
        cursor.execute(
            "SELECT team_id, run_date, score, missions, open_findings, critical_findings, "
            "kpis_on_track, kpis_at_risk, kpis_off_track, kpis_unknown, reviews_due, "
            "reviews_on_time FROM reviews_alignmentsnapshot WHERE organisation_id = %(org)s "
            "AND run_date = (SELECT MAX(run_date) FROM reviews_alignmentsnapshot "
            "WHERE organisation_id = %(org)s AND team_id IS NULL AND run_date <= %(today)s)",
            params,
        )
        checked_on = None
        for team, run_date, score, count, open_, critical, *kpis, due, on_time in cursor:
            checked_on = run_date
            if team is None:  # the organisation's own row: its review compliance
                total.reviews_due, total.reviews_on_time = due, on_time
                continue
            figures = teams[team]
            figures.missions, figures.score_sum, figures.scored = count, score * count, count
            figures.open_findings, figures.critical_findings = open_, critical
            figures.kpis = {s: n for s, n in zip(STATUSES, kpis, strict=True) if n}
            figures.reviews_due, figures.reviews_on_time = due, on_time
    if isinstance(checked_on, str):  # SQLite hands dates back as text
        checked_on = dt.date.fromisoformat(checked_on)
    return OrganisationFigures(total=total, teams=dict(teams), checked_on=checked_on)


def teams_in_scope(*, organisation: Organisation, scope: Scope) -> QuerySet[Team]:
    """The teams in view (a queryset, also used as a subquery)."""
    teams = Team.objects.filter(organisation=organisation)
    if scope is not None:
        condition = Q(pk__in=[])
        for root in scope:
            condition |= Q(pk=root.pk) | Q(path__startswith=tree.child_path(root.path, root.pk))
        teams = teams.filter(condition)
    return teams.order_by("path", "name")


def team_infos(*, organisation: Organisation, scope: Scope) -> list[TeamInfo]:
    """The teams in view as plain rows, with their leaders' names: one query."""
    rows = teams_in_scope(organisation=organisation, scope=scope).values_list(
        "id",
        "name",
        "parent_id",
        "path",
        "leader__first_name",
        "leader__last_name",
        "leader__username",
    )
    return [
        TeamInfo(pk, name, parent, path, " ".join(filter(None, (first, last))) or username or "")
        for pk, name, parent, path, first, last, username in rows
    ]


def team_rows(
    teams: list[TeamInfo], own: dict[int | None, Figures], *, under: int | None = None
) -> list[TeamRow]:
    """Each team with its own figures and those of all its sub-teams in view; with
    ``under``, only that team and the teams right below it. A loop over teams, deepest
    first, each adding itself into its parent: never over missions."""
    rolled = {team.pk: Figures() for team in teams}
    for team in sorted(teams, key=lambda t: len(t.path), reverse=True):
        figures = rolled[team.pk]
        if team.pk in own:
            figures.add(own[team.pk])
        if team.parent_id in rolled:
            rolled[team.parent_id].add(figures)
    if under is not None:
        teams = [t for t in teams if under in (t.pk, t.parent_id)]
    top = min((tree.depth(t.path) for t in teams), default=0)
    return [TeamRow(t, tree.depth(t.path) - top, rolled[t.pk]) for t in teams]


def _total(own: dict[int | None, Figures]) -> Figures:
    total = Figures()
    for figures in own.values():
        total.add(figures)
    return total


SORTS: dict[str, Callable[[TeamRow], Any]] = {
    "name": lambda r: r.team.name.lower(),
    "missions": lambda r: r.figures.missions,
    "score": lambda r: r.figures.score,
    "open": lambda r: r.figures.open_findings,
    "critical": lambda r: r.figures.critical_findings,
    "on_track": lambda r: r.figures.kpi_share("on_track"),
    "at_risk": lambda r: r.figures.kpi_share("at_risk"),
    "off_track": lambda r: r.figures.kpi_share("off_track"),
    "compliance": lambda r: r.figures.compliance,
}
DEFAULT_SORT = "score"  # worst first: where the organisation drifts


def sort_rows(rows: list[TeamRow], sort: str) -> tuple[list[TeamRow], str]:
    """Rows by ``sort`` (a key of SORTS, "-" first for descending); empty values last.
    Returns the rows and the sort actually applied ("tree" keeps the teams' hierarchy)."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return rows, "tree"
    by = SORTS[key]
    keyed = [(by(row), row) for row in rows]
    known = [(value, row.team.name.lower(), row) for value, row in keyed if value is not None]
    known.sort(key=lambda item: item[:2], reverse=sort.startswith("-"))
    return [item[2] for item in known] + [row for value, row in keyed if value is None], sort


def trend(*, organisation: Organisation, scope: Scope) -> list[tuple[dt.date, float]]:
    """The daily score of the last 90 days: the organisation's snapshots, or the snapshots of
    the teams in scope weighted by their missions. One query."""
    since = timezone.localdate() - dt.timedelta(days=WINDOW_DAYS - 1)
    snapshots = AlignmentSnapshot.objects.filter(organisation=organisation, run_date__gte=since)
    if scope is None:
        rows = snapshots.filter(team__isnull=True).values_list("run_date", "score")
        return [(day, float(score)) for day, score in rows.order_by("run_date")]
    teams = teams_in_scope(organisation=organisation, scope=scope).values("pk")
    weighted = (
        snapshots.filter(team__in=teams, missions__gt=0)
        .values("run_date")
        .annotate(total=Sum(F("score") * F("missions")), missions_total=Sum("missions"))
        .order_by("run_date")
    )
    return [(r["run_date"], r["total"] / r["missions_total"]) for r in weighted]


@dataclass
class Dashboard:
    """The organisation dashboard, or the part of it a team-scoped coach sees."""

    organisation: Organisation
    scope: Scope
    figures: Figures
    trend: list[tuple[dt.date, float]]
    rows: list[TeamRow]
    sort: str
    # The alignment check the table's scores and findings come from (whole organisation
    # only); None when they are live.
    checked_on: dt.date | None = None


def organisation_dashboard(*, organisation: Organisation, scope: Scope, sort: str) -> Dashboard:
    """Figures, trend and table of teams: seven queries for any number of missions (six for
    a team-scoped coach, whose figures are computed live over their teams)."""
    checked_on = None
    if scope is None:
        figures = organisation_figures(organisation=organisation)
        own, total, checked_on = figures.teams, figures.total, figures.checked_on
    else:
        own = figures_by_team(organisation=organisation, scope=scope)
        total = _total(own)
    teams = team_infos(organisation=organisation, scope=scope)
    rows, applied = sort_rows(team_rows(teams, own), sort or DEFAULT_SORT)
    return Dashboard(
        organisation=organisation,
        scope=scope,
        figures=total,
        trend=trend(organisation=organisation, scope=scope),
        rows=rows,
        sort=applied,
        checked_on=checked_on,
    )


# --- One team's dashboard -----------------------------------------------------------------


def missions_in_scope(*, organisation: Organisation, scope: Scope) -> QuerySet[Mission]:
    """Missions of the teams in scope: owned by one of them or by one of their members."""
    missions = Mission.objects.filter(organisation=organisation)
    if scope is None:
        return missions
    teams = teams_in_scope(organisation=organisation, scope=scope).values("pk")
    return missions.filter(owned_by_teams(teams))


@dataclass
class MissionHealth:
    """A mission's KPI figures from the stored columns: weighted progress and a health word
    (the same rule as ``measures.summary.MissionFigures.health``)."""

    kpis: int = 0
    progress: float | None = None
    health: str = "unknown"


def mission_health(mission_ids: list[int]) -> dict[int, MissionHealth]:
    """Health of each of these missions: one GROUP BY over their active KPIs."""
    rows = (
        Kpi.objects.filter(mission_id__in=mission_ids, status=Kpi.Status.ACTIVE)
        .values("mission_id")
        .annotate(
            total=Count("id"),
            weight_total=Sum(Cast("weight", FloatField())),
            weighted=Sum(F("progress") * Cast("weight", FloatField())),
            off=Count("id", filter=Q(forecast_status="off_track")),
            risk=Count("id", filter=Q(forecast_status="at_risk")),
            unknown=Count("id", filter=Q(forecast_status="unknown")),
        )
        .order_by()
    )
    out = {pk: MissionHealth() for pk in mission_ids}
    for r in rows:
        health = "good"
        if r["off"]:
            health = "poor"
        elif r["risk"] or r["unknown"] == r["total"]:
            health = "watch"
        progress = r["weighted"] / r["weight_total"] if r["weight_total"] else None
        out[r["mission_id"]] = MissionHealth(r["total"], progress, health)
    return out


WORST_FIRST = Case(
    When(forecast_status="off_track", then=Value(0)),
    When(forecast_status="at_risk", then=Value(1)),
    When(forecast_status="unknown", then=Value(2)),
    default=Value(3),
)


def worst_kpis(missions: QuerySet[Mission]) -> list[KpiFigures]:
    """The ``KPI_LIMIT`` active KPIs with the worst forecasts (their stored figures), each
    with its last standing check-ins for a sparkline: two queries (the check-ins sliced per
    KPI by a window function)."""
    recent = CheckIn.objects.standing().newest_first()[:SPARK_POINTS]
    kpis = (
        Kpi.objects.filter(status=Kpi.Status.ACTIVE, mission__in=missions.values("pk"))
        .select_related("mission")
        .prefetch_related(Prefetch("check_ins", queryset=recent, to_attr="recent_check_ins"))
        .order_by(WORST_FIRST, "progress", "due_date", "id")[:KPI_LIMIT]
    )
    return [figures_for(kpi, reversed(kpi.recent_check_ins)) for kpi in kpis]  # type: ignore[attr-defined]


@dataclass
class TeamDashboard:
    team: Team
    figures: Figures
    trend: list[tuple[dt.date, float]]
    rows: list[TeamRow]
    sort: str
    missions: Page  # type: ignore[type-arg]
    health: dict[int, MissionHealth]
    kpis: list[KpiFigures]
    reviews: list[Review]
    findings: list[Finding]

    @property
    def mission_rows(self) -> list[tuple[Mission, MissionHealth]]:
        return [(m, self.health[m.pk]) for m in self.missions]


def team_dashboard(
    *, team: Team, sort: str = "", page: Any = 1, per_page: int = MISSIONS_PER_PAGE
) -> TeamDashboard:
    """A team with its sub-teams: figures, trend, table of sub-teams, missions (a page),
    worst KPIs, reviews due and findings to act on. The same dozen queries for any size."""
    organisation, scope = team.organisation, [team]
    own = figures_by_team(organisation=organisation, scope=scope)
    teams = team_infos(organisation=organisation, scope=scope)
    rows, applied = sort_rows(team_rows(teams, own, under=team.pk), sort or "tree")
    active = missions_in_scope(organisation=organisation, scope=scope).filter(
        status=Mission.Status.ACTIVE
    )
    missions = Paginator(
        active.with_owner().order_by(F("alignment_score").asc(nulls_last=True), "title", "id"),
        per_page,
    ).get_page(page)
    today = timezone.localdate()
    return TeamDashboard(
        team=team,
        figures=_total(own),
        trend=trend(organisation=organisation, scope=scope),
        rows=rows,
        sort=applied,
        missions=missions,
        health=mission_health([m.pk for m in missions]),
        kpis=worst_kpis(active),
        reviews=list(
            Review.objects.filter(
                mission__in=active.values("pk"),
                status=Review.Status.SCHEDULED,
                due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
            )
            .select_related("mission")
            .order_by("due_date", "id")[:LIST_LIMIT]
        ),
        findings=list(
            Finding.objects.filter(
                organisation=organisation, resolved_at__isnull=True, mission__in=active.values("pk")
            )
            .select_related("mission")
            .order_by(SEVERITY_RANK, "-opened_at", "-id")[:LIST_LIMIT]
        ),
    )


# --- The heat map -------------------------------------------------------------------------


@dataclass
class HeatNode:
    """A mission of the heat map: its own score and that of its whole branch."""

    mission: Mission
    branch_score: float | None = None
    branch_missions: int = 1

    @property
    def band(self) -> str:
        return score_band(self.mission.alignment_score)

    @property
    def branch_band(self) -> str:
        return score_band(self.branch_score)


def _with_child_count(missions: QuerySet[Mission]) -> QuerySet[Mission]:
    return missions.annotate(
        child_count=Count("children", filter=~Q(children__status=Mission.Status.ARCHIVED))
    )


def heat_roots(*, organisation: Organisation, scope: Scope) -> QuerySet[Mission]:
    """The top of the heat map: missions with no parent; for a team-scoped coach, the
    missions of their teams whose parent lies outside them."""
    in_scope = missions_in_scope(organisation=organisation, scope=scope).exclude(
        status=Mission.Status.ARCHIVED
    )
    roots = in_scope.filter(parent__isnull=True)
    if scope is not None:
        roots = in_scope.filter(Q(parent__isnull=True) | ~Q(parent__in=in_scope.values("pk")))
    return _with_child_count(roots.with_owner().order_by("level", "title"))


def heat_children(*, mission: Mission, scope: Scope) -> QuerySet[Mission]:
    """One level under a mission (for a team-scoped coach, only their teams' missions)."""
    children = missions_in_scope(organisation=mission.organisation, scope=scope).filter(
        parent=mission
    )
    return _with_child_count(
        children.exclude(status=Mission.Status.ARCHIVED).with_owner().order_by("level", "title")
    )


def heat_nodes(missions: list[Mission], *, organisation: Organisation) -> list[HeatNode]:
    """Siblings (one branch level) with the mean score of each one's branch: one GROUP BY
    over their descendants, by the path segment that names the sibling they descend from."""
    if not missions:
        return []
    paths = {m.path for m in missions}
    nodes = [HeatNode(m) for m in missions]
    if len(paths) != 1:
        return nodes  # not siblings (a list of search results): own scores only
    prefix = paths.pop()
    start = len(prefix) + 1
    below = (
        Mission.objects.filter(
            organisation=organisation, status=Mission.Status.ACTIVE, path__startswith=prefix
        )
        .exclude(path=prefix)
        .annotate(segment=Substr("path", start, tree.SEGMENT_WIDTH))
        .values("segment")
        .annotate(total=Sum("alignment_score"), scored=Count("alignment_score"), count=Count("id"))
        .order_by()
    )
    branches = {int(r["segment"]): r for r in below}
    for node in nodes:
        own = node.mission.alignment_score
        branch = branches.get(node.mission.pk, {"total": 0, "scored": 0, "count": 0})
        total = (branch["total"] or 0) + (own or 0)
        scored = branch["scored"] + (own is not None)
        node.branch_score = total / scored if scored else None
        node.branch_missions = branch["count"] + 1
    return nodes


# --- Coaching notes -----------------------------------------------------------------------


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
