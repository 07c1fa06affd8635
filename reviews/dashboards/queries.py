"""The figures read from the database: each team's own figures, live (``figures_by_team``),
the whole organisation's with each team's from the latest alignment check
(``organisation_figures``), both in plain SQL that runs on PostgreSQL and on SQLite, and the
daily score of the last 90 days (``trend``).

Cost: one GROUP BY per kind of row (missions, KPIs, findings, reviews), grouped by team, for
any number of missions; never a loop over missions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from kernel.models import Organisation, Team
from kernel.replica import reading_connection
from measures.health import Health
from missions.models import Mission

from ..checks import MEMBERSHIP_JOIN, OWNER_TEAM, SCORE_JOIN
from ..health import health_counts
from ..models import AlignmentSnapshot, SubtreeSnapshot
from .figures import STATUSES, WINDOW_DAYS, Figures, merge_counts, total_of
from .scope import Scope, scope_sql, team_ids_sql, teams_in_scope


def _params(organisation: Organisation) -> dict[str, Any]:
    ops = connection.ops
    today = timezone.localdate()
    return {
        "org": organisation.pk,
        "today": ops.adapt_datefield_value(today),
        "since": ops.adapt_datefield_value(today - dt.timedelta(days=WINDOW_DAYS)),
    }


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
    where = "m.organisation_id = %(org)s AND m.status = 'active'" + scope_sql(scope, params)
    out: defaultdict[int | None, Figures] = defaultdict(Figures)
    with reading_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT {OWNER_TEAM}, COUNT(*), SUM(s.score), COUNT(s.score) "
            f"FROM missions_mission m {MEMBERSHIP_JOIN} {SCORE_JOIN} "
            f"WHERE {where} GROUP BY {OWNER_TEAM}",
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
    checked_on: dt.date | None  # the alignment check they are from; None: live


@dataclass
class CheckedFigures:
    """The figures of the latest alignment check: the organisation's, or, for a scope of
    teams, each team's own and the breakdown of those teams taken together (findings by kind
    and severity, missions by health), which no table row needs team by team."""

    teams: dict[int | None, Figures]
    organisation: Figures
    breakdown: Figures
    checked_on: dt.date | None  # None: the checks have not run yet


SNAPSHOT_COLUMNS = (
    "team_id, run_date, score, missions, scored, open_findings, critical_findings, kpis_on_track, "
    "kpis_at_risk, kpis_off_track, kpis_unknown, reviews_due, reviews_on_time, "
    "missions_on_track, missions_watch, missions_off_track, missions_not_started"
)


def checked_figures(*, organisation: Organisation, scope: Scope) -> CheckedFigures:
    """The organisation's figures as the latest alignment check counted them (its
    ``AlignmentSnapshot`` rows), and for a scope of teams each team's own: one query over
    one row per team, whatever the number of missions below them. Scores and findings only
    change when the checks run anyway; KPIs, reviews and health are as of that check.

    For the whole organisation, only its own row is read, with its findings by kind and
    severity: its table of teams reads each team with its sub-teams from their
    ``SubtreeSnapshot`` (``teams.checked_table``)."""
    params = _params(organisation)
    in_scope = " AND team_id IS NULL"
    if scope is not None:
        in_scope = f" AND (team_id IS NULL OR team_id IN ({team_ids_sql(scope, params)}))"
    teams: defaultdict[int | None, Figures] = defaultdict(Figures)
    whole, breakdown = Figures(), Figures()
    checked_on = None
    with reading_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT {SNAPSHOT_COLUMNS}, findings FROM reviews_alignmentsnapshot "
            "WHERE organisation_id = %(org)s AND run_date = (SELECT MAX(run_date) "
            "FROM reviews_alignmentsnapshot WHERE organisation_id = %(org)s "
            f"AND team_id IS NULL AND run_date <= %(today)s){in_scope}",
            params,
        )
        for team, run_date, *columns in cursor:
            checked_on = run_date  # one day for every row: the latest check's
            figures, health, found = columns[:11], columns[11:15], columns[15]
            fill_from_snapshot(whole if team is None else teams[team], *figures)
            by_health = dict(zip(HEALTH_ORDER, health, strict=True))
            if team is None:
                itself = Figures()
                add_breakdown(itself, by_health, found)
                whole.take_breakdown(itself)
            elif scope is not None:
                add_breakdown(breakdown, by_health, found)
    if isinstance(checked_on, str):  # SQLite hands dates back as text
        checked_on = dt.date.fromisoformat(checked_on)
    return CheckedFigures(
        teams=dict(teams), organisation=whole, breakdown=breakdown, checked_on=checked_on
    )


def latest_check(*, organisation: Organisation) -> dt.date | None:
    """The day of the latest alignment check of the organisation (its own snapshot's), None
    before the first: one read of an index."""
    return (
        AlignmentSnapshot.objects.filter(
            organisation=organisation, team__isnull=True, run_date__lte=timezone.localdate()
        )
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )


HEALTH_ORDER = (Health.ON_TRACK, Health.WATCH, Health.OFF_TRACK, Health.NOT_STARTED)


def add_breakdown(breakdown: Figures, by_health: dict[str, int], found: Any) -> None:
    """A team's missions by health and open findings by "kind:severity", added in."""
    merge_counts(breakdown.health, by_health)
    if isinstance(found, str):  # SQLite hands JSON back as text
        found = json.loads(found)
    for key, count in (found or {}).items():
        kind, severity = key.split(":")
        breakdown.count_findings(kind, severity, count)


def fill_from_snapshot(
    figures: Figures,
    score: float | None,
    missions: int,
    scored: int,
    open_findings: int,
    critical_findings: int,
    *counts: Any,
) -> None:
    *kpis, due, on_time = counts
    figures.missions, figures.scored = missions, scored
    figures.score_sum = (score or 0) * scored
    figures.open_findings, figures.critical_findings = open_findings, critical_findings
    figures.kpis = {s: n for s, n in zip(STATUSES, kpis, strict=True) if n}
    figures.reviews_due, figures.reviews_on_time = due, on_time


def team_figures(
    *, organisation: Organisation, scope: list[Team]
) -> tuple[dict[int | None, Figures], Figures, dt.date | None]:
    """The figures of some teams with their sub-teams: each team's own, their total (with
    its breakdown of findings and missions by health), and the day of the check they are
    from. The latest alignment check's (``checked_figures``), or live (``figures_by_team``,
    day None) in an organisation the checks have not run over yet."""
    checked = checked_figures(organisation=organisation, scope=scope)
    if checked.checked_on is None:
        own = figures_by_team(organisation=organisation, scope=scope)
        return own, total_of(own), None
    total = total_of(checked.teams)
    total.take_breakdown(checked.breakdown)
    return checked.teams, total, checked.checked_on


def health_states(
    figures: Figures, checked_on: dt.date | None, missions: QuerySet[Mission]
) -> dict[str, int]:
    """The active missions by health, every state listed: as the check of ``checked_on``
    counted them into ``figures``, or live over ``missions`` before the checks first ran."""
    if checked_on is not None:
        return {state.value: figures.health.get(state.value, 0) for state in Health}
    return health_counts(missions.filter(status=Mission.Status.ACTIVE))


def organisation_figures(*, organisation: Organisation) -> OrganisationFigures:
    """The whole organisation's figures: its own row of the latest alignment check (one
    query, whatever the size of the organisation), as the team dashboards read theirs.

    Before the checks first ran they are counted live, in three more queries: the missions
    and their mean score, the open findings by kind and severity and the KPIs by forecast
    (mission health is counted live by ``health_states``). At 100,000 missions those cost
    about 20, 40 and 300 ms, and grow with the organisation: hence the snapshot."""
    checked = checked_figures(organisation=organisation, scope=None)
    if checked.checked_on is not None:
        return OrganisationFigures(total=checked.organisation, checked_on=checked.checked_on)
    params = _params(organisation)
    total = Figures()
    with reading_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(s.score), COUNT(s.score) FROM missions_mission m {SCORE_JOIN} "
            "WHERE m.organisation_id = %(org)s AND m.status = 'active'",
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
            # The KPIs of active missions, as the team figures and the snapshots count them.
            "SELECT k.forecast_status, COUNT(*) FROM measures_kpi k "
            "JOIN missions_mission m ON m.id = k.mission_id "
            "WHERE k.organisation_id = %(org)s AND k.status = 'active' "
            "AND m.status = 'active' GROUP BY k.forecast_status",
            params,
        )
        total.kpis = {status: int(count) for status, count in cursor.fetchall() if count}
    return OrganisationFigures(total=total, checked_on=None)


def trend(*, organisation: Organisation, scope: Scope) -> list[tuple[dt.date, float]]:
    """The daily score of the last 90 days: the organisation's snapshots, one team's with its
    sub-teams (its ``SubtreeSnapshot``), or the snapshots of the teams in scope weighted by
    their scored missions. One query."""
    since = timezone.localdate() - dt.timedelta(days=WINDOW_DAYS - 1)
    snapshots = AlignmentSnapshot.objects.filter(
        organisation=organisation, run_date__gte=since, score__isnull=False
    )
    rows: QuerySet[Any, tuple[dt.date, float | None]]
    if scope is None:
        rows = snapshots.filter(team__isnull=True).values_list("run_date", "score")
    elif len(scope) == 1:
        rows = SubtreeSnapshot.objects.filter(
            organisation=organisation, team=scope[0], run_date__gte=since, score__isnull=False
        ).values_list("run_date", "score")
    else:
        teams = teams_in_scope(organisation=organisation, scope=scope).values("pk")
        weighted = (
            snapshots.filter(team__in=teams, scored__gt=0)
            .values("run_date")
            .annotate(total=Sum(F("score") * F("scored")), scored_total=Sum("scored"))
            .order_by("run_date")
        )
        return [(r["run_date"], r["total"] / r["scored_total"]) for r in weighted]
    return [(day, float(score)) for day, score in rows.order_by("run_date") if score is not None]
