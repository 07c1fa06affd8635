"""Alignment scores: each mission's from its open findings, and the daily snapshot of the
organisation's and each team's, with their KPI forecasts and review compliance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from missions.models import Mission

from ..health import health_expression
from ..models import PREDICTED_KINDS
from .dialect import dialect

WEIGHTS = {"critical": 25, "warning": 10, "info": 4}
# Predicted findings (``predictions``) are not problems yet: no weight in a score, and not
# among the open findings the snapshots count (the dashboards count them apart, as foreseen).
PROBLEM = "kind NOT IN ({})".format(", ".join(f"'{k}'" for k in sorted(PREDICTED_KINDS)))


def score_missions(cursor: Any, params: dict[str, Any], missions: str) -> None:
    """100 minus the weights of each mission's open findings. Archived missions get none, nor
    do drafts below the top: not started (``measures.health``, step 1), so no mean of the
    dashboards, snapshots or heat map counts them as a perfect 100. Only the missions whose
    score moved are written."""
    weights = " ".join(f"WHEN '{s}' THEN {w}" for s, w in WEIGHTS.items())
    d = dialect()
    cursor.execute(
        f"""
        UPDATE missions_mission SET alignment_score = scored.score
        FROM (
            SELECT m.id, CASE WHEN m.status = 'active'
                AND NOT (m.alignment_status = 'draft' AND m.parent_id IS NOT NULL)
                THEN {d["greatest"]}(0, 100 - COALESCE(f.weight, 0)) END AS score
            FROM missions_mission m
            LEFT JOIN (SELECT mission_id, SUM(CASE severity {weights} ELSE 0 END) AS weight
                       FROM reviews_finding
                       WHERE organisation_id = %(org)s AND resolved_at IS NULL AND {PROBLEM}
                       GROUP BY mission_id) f ON f.mission_id = m.id
            WHERE {missions}
        ) AS scored
        WHERE missions_mission.id = scored.id
          AND {d["distinct"].format(a="missions_mission.alignment_score", b="scored.score")}
        """,
        params,
    )


HEALTH_STATES = ("on_track", "watch", "off_track", "not_started")
FIGURES = (
    "kpis_on_track",
    "kpis_at_risk",
    "kpis_off_track",
    "kpis_unknown",
    "reviews_due",
    "reviews_on_time",
    *(f"missions_{state}" for state in HEALTH_STATES),
)
RESET_FIGURES = ", ".join(f"{name} = 0" for name in FIGURES) + ", findings = '{}'"
COMPLIANCE_WINDOW_DAYS = 90
# A mission's team: the team that owns it, or the team of the person who owns it. The checks'
# snapshots and the dashboards group by it; ``MEMBERSHIP_JOIN`` brings in ``ms``.
OWNER_TEAM = "COALESCE(m.owner_team_id, ms.team_id)"
MEMBERSHIP_JOIN = (
    "LEFT JOIN missions_membership ms "
    "ON ms.user_id = m.owner_user_id AND ms.organisation_id = m.organisation_id"
)


def snapshot(cursor: Any, params: dict[str, Any]) -> float | None:
    """Today's scores of the organisation and of each team; a re-run overwrites them, and
    drops the row of a team that has no active mission left."""
    open_by_mission = f"""
        SELECT mission_id, COUNT(*) AS open,
               SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical
        FROM reviews_finding WHERE organisation_id = %(org)s AND resolved_at IS NULL
        AND {PROBLEM} GROUP BY mission_id"""
    cursor.execute(
        f"""
        INSERT INTO reviews_alignmentsnapshot (organisation_id, team_id, run_date, score,
                                               missions, scored, open_findings,
                                               critical_findings)
        SELECT %(org)s, NULL, %(today)s, AVG(m.alignment_score), COUNT(*),
               COUNT(m.alignment_score),
               COALESCE(SUM(f.open), 0), COALESCE(SUM(f.critical), 0)
        FROM missions_mission m LEFT JOIN ({open_by_mission}) f ON f.mission_id = m.id
        WHERE m.organisation_id = %(org)s AND m.status = 'active'
        ON CONFLICT (organisation_id, run_date) WHERE team_id IS NULL
        DO UPDATE SET score = excluded.score, missions = excluded.missions,
                      scored = excluded.scored, open_findings = excluded.open_findings,
                      critical_findings = excluded.critical_findings, {RESET_FIGURES}
        """,
        params,
    )
    cursor.execute(
        "DELETE FROM reviews_alignmentsnapshot WHERE organisation_id = %(org)s "
        "AND run_date = %(today)s AND team_id IS NOT NULL",
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO reviews_alignmentsnapshot (organisation_id, team_id, run_date, score,
                                               missions, scored, open_findings,
                                               critical_findings)
        SELECT %(org)s, owner.team_id, %(today)s, AVG(m.alignment_score), COUNT(*),
               COUNT(m.alignment_score),
               COALESCE(SUM(f.open), 0), COALESCE(SUM(f.critical), 0)
        FROM missions_mission m
        JOIN (SELECT m2.id AS mission_id, COALESCE(m2.owner_team_id, ms.team_id) AS team_id
              FROM missions_mission m2
              LEFT JOIN missions_membership ms
                ON ms.user_id = m2.owner_user_id AND ms.organisation_id = m2.organisation_id
              WHERE m2.organisation_id = %(org)s) owner ON owner.mission_id = m.id
        LEFT JOIN ({open_by_mission}) f ON f.mission_id = m.id
        WHERE m.organisation_id = %(org)s AND m.status = 'active' AND owner.team_id IS NOT NULL
        GROUP BY owner.team_id
        ON CONFLICT (organisation_id, team_id, run_date) WHERE team_id IS NOT NULL
        DO UPDATE SET score = excluded.score, missions = excluded.missions,
                      scored = excluded.scored, open_findings = excluded.open_findings,
                      critical_findings = excluded.critical_findings, {RESET_FIGURES}
        """,
        params,
    )
    _snapshot_kpis_and_reviews(cursor, params)
    _snapshot_health(cursor, params)
    _snapshot_findings(cursor, params)
    roll_up_subtrees(cursor, params)
    cursor.execute(
        "SELECT score FROM reviews_alignmentsnapshot "
        "WHERE organisation_id = %(org)s AND team_id IS NULL AND run_date = %(today)s",
        params,
    )
    row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else None


def _snapshot_kpis_and_reviews(cursor: Any, params: dict[str, Any]) -> None:
    """Add today's KPI forecasts (the stored forecast_status) and review compliance to the
    organisation's and each team's snapshot: four grouped statements. Both count active
    missions only, as the dashboards' live figures do."""
    params = {
        **params,
        "since": connection.ops.adapt_datefield_value(
            timezone.localdate() - dt.timedelta(days=COMPLIANCE_WINDOW_DAYS)
        ),
    }
    statuses = ("on_track", "at_risk", "off_track", "unknown")
    kpis = ", ".join(
        f"SUM(CASE WHEN k.forecast_status = '{s}' THEN 1 ELSE 0 END) AS kpis_{s}" for s in statuses
    )
    aggregates = [
        (
            ", ".join(f"kpis_{s}" for s in statuses),
            f"SELECT {{team}} {kpis} FROM measures_kpi k "
            f"JOIN missions_mission m ON m.id = k.mission_id {MEMBERSHIP_JOIN} "
            "WHERE k.organisation_id = %(org)s AND k.status = 'active' AND m.status = 'active' "
            "{group}",
        ),
        (
            "reviews_due, reviews_on_time",
            "SELECT {team} COUNT(*) AS reviews_due, SUM(CASE WHEN r.status = 'done' "
            "AND r.held_on <= r.due_date THEN 1 ELSE 0 END) AS reviews_on_time "
            "FROM reviews_review r JOIN missions_mission m ON m.id = r.mission_id "
            f"{MEMBERSHIP_JOIN} "
            "WHERE m.organisation_id = %(org)s AND m.status = 'active' "
            "AND r.due_date >= %(since)s AND r.due_date < %(today)s "
            "AND r.status <> 'cancelled' {group}",
        ),
    ]
    for columns, select in aggregates:
        assignments = ", ".join(f"{c} = COALESCE(a.{c}, 0)" for c in columns.split(", "))
        for team, group, match in (
            (
                f"{OWNER_TEAM} AS team_id,",
                f"GROUP BY {OWNER_TEAM}",
                "reviews_alignmentsnapshot.team_id = a.team_id",
            ),
            ("", "", "reviews_alignmentsnapshot.team_id IS NULL"),
        ):
            cursor.execute(
                f"UPDATE reviews_alignmentsnapshot SET {assignments} "
                f"FROM ({select.format(team=team, group=group)}) AS a "
                f"WHERE reviews_alignmentsnapshot.organisation_id = %(org)s "
                f"AND reviews_alignmentsnapshot.run_date = %(today)s AND {match}",
                params,
            )


def _snapshot_health(cursor: Any, params: dict[str, Any]) -> None:
    """Add today's active missions by health (``reviews.health``, the rule's SQL twin) to the
    organisation's and each team's snapshot: each mission judged once, into a temporary
    table, then two grouped statements."""
    judged = (
        Mission.objects.filter(organisation_id=params["org"], status=Mission.Status.ACTIVE)
        .annotate(health=health_expression())
        .values("owner_team_id", "owner_user_id", "organisation_id", "health")
    )
    sql, judged_params = judged.order_by().query.sql_with_params()
    cursor.execute("DROP TABLE IF EXISTS mission_health")
    cursor.execute(
        "CREATE TEMPORARY TABLE mission_health AS "
        f"SELECT {OWNER_TEAM} AS team_id, m.health AS health FROM ({sql}) m {MEMBERSHIP_JOIN}",
        judged_params,
    )
    counts = ", ".join(
        f"SUM(CASE WHEN health = '{state}' THEN 1 ELSE 0 END) AS missions_{state}"
        for state in HEALTH_STATES
    )
    assignments = ", ".join(f"missions_{s} = a.missions_{s}" for s in HEALTH_STATES)
    for select, match in (
        (
            f"SELECT team_id, {counts} FROM mission_health GROUP BY team_id",
            "reviews_alignmentsnapshot.team_id = a.team_id",
        ),
        (f"SELECT {counts} FROM mission_health", "reviews_alignmentsnapshot.team_id IS NULL"),
    ):
        cursor.execute(
            f"UPDATE reviews_alignmentsnapshot SET {assignments} FROM ({select}) AS a "
            f"WHERE reviews_alignmentsnapshot.organisation_id = %(org)s "
            f"AND reviews_alignmentsnapshot.run_date = %(today)s AND {match}",
            params,
        )
    cursor.execute("DROP TABLE mission_health")


def _snapshot_findings(cursor: Any, params: dict[str, Any]) -> None:
    """Add the open findings of active missions, predicted ones too, by "kind:severity" to
    the organisation's snapshot and to each team's: two statements."""
    cursor.execute(
        f"""
        UPDATE reviews_alignmentsnapshot SET findings = COALESCE((
            SELECT {dialect()["object_agg"]}(finding, n)
            FROM (SELECT f.kind || ':' || f.severity AS finding, COUNT(*) AS n
                  FROM reviews_finding f JOIN missions_mission m ON m.id = f.mission_id
                  WHERE f.organisation_id = %(org)s AND f.resolved_at IS NULL
                    AND m.status = 'active'
                  GROUP BY f.kind, f.severity) AS counted), '{{}}')
        WHERE organisation_id = %(org)s AND run_date = %(today)s AND team_id IS NULL
        """,
        params,
    )
    cursor.execute(
        f"""
        UPDATE reviews_alignmentsnapshot SET findings = a.findings
        FROM (SELECT team_id, {dialect()["object_agg"]}(finding, n) AS findings
              FROM (SELECT {OWNER_TEAM} AS team_id, f.kind || ':' || f.severity AS finding,
                           COUNT(*) AS n
                    FROM reviews_finding f JOIN missions_mission m ON m.id = f.mission_id
                    {MEMBERSHIP_JOIN}
                    WHERE f.organisation_id = %(org)s AND f.resolved_at IS NULL
                      AND m.status = 'active'
                    GROUP BY {OWNER_TEAM}, f.kind, f.severity) AS counted
              GROUP BY team_id) AS a
        WHERE reviews_alignmentsnapshot.organisation_id = %(org)s
          AND reviews_alignmentsnapshot.run_date = %(today)s
          AND reviews_alignmentsnapshot.team_id = a.team_id
        """,
        params,
    )


SUMMED = (
    "missions",
    "scored",
    "open_findings",
    "critical_findings",
    *FIGURES,
)


def roll_up_subtrees(cursor: Any, params: dict[str, Any]) -> None:
    """Each team with all its sub-teams on ``today``: the sums of the day's team snapshots
    below it (``SubtreeSnapshot``), its score the mean of theirs weighted by their scored
    missions (the mean over all those missions). Each team is paired with itself and each of
    its ancestors, climbing by parent: a few rows per team, never a row per mission. A re-run
    replaces the day's rows; the demo's past days are rolled up by the same statements."""
    cursor.execute(
        "DELETE FROM reviews_subtreesnapshot "
        "WHERE organisation_id = %(org)s AND run_date = %(today)s",
        params,
    )
    cursor.execute("DROP TABLE IF EXISTS team_subtree")
    cursor.execute(
        """
        CREATE TEMPORARY TABLE team_subtree AS
        WITH RECURSIVE up (team_id, ancestor_id) AS (
            SELECT team_id, team_id FROM reviews_alignmentsnapshot
            WHERE organisation_id = %(org)s AND run_date = %(today)s AND team_id IS NOT NULL
            UNION ALL
            SELECT up.team_id, t.parent_id FROM up JOIN missions_team t ON t.id = up.ancestor_id
            WHERE t.parent_id IS NOT NULL
        )
        SELECT team_id, ancestor_id FROM up
        """,
        params,
    )
    of_the_day = (
        "FROM team_subtree up JOIN reviews_alignmentsnapshot s ON s.team_id = up.team_id "
        "AND s.organisation_id = %(org)s AND s.run_date = %(today)s"
    )
    sums = ", ".join(f"SUM(s.{name}) AS {name}" for name in SUMMED)
    d = dialect()
    # The findings' JSON of each team below, summed key by key, in the same INSERT: an
    # UPDATE afterwards would write every row twice.
    cursor.execute(
        f"""
        INSERT INTO reviews_subtreesnapshot (organisation_id, team_id, run_date, score,
                                             {", ".join(SUMMED)}, findings)
        SELECT %(org)s, summed.ancestor_id, %(today)s, summed.score,
               {", ".join(f"summed.{name}" for name in SUMMED)},
               COALESCE(found.findings, '{{}}')
        FROM (SELECT up.ancestor_id,
                     SUM(s.score * s.scored) / NULLIF(SUM(s.scored), 0) AS score, {sums}
              {of_the_day} GROUP BY up.ancestor_id) AS summed
        LEFT JOIN (SELECT ancestor_id, {d["object_agg"]}(finding, n) AS findings
                   FROM (SELECT up.ancestor_id, e.key AS finding,
                                SUM(CAST(e.value AS INTEGER)) AS n
                         {of_the_day} CROSS JOIN {d["object_each"]}(s.findings) AS e
                         GROUP BY up.ancestor_id, e.key) AS counted
                   GROUP BY ancestor_id) AS found ON found.ancestor_id = summed.ancestor_id
        """,
        params,
    )
    cursor.execute("DROP TABLE team_subtree")


def roll_up_day(*, organisation_id: int, day: dt.date) -> None:
    """``roll_up_subtrees`` of one day whose team snapshots are written (the demo's past)."""
    params = {"org": organisation_id, "today": connection.ops.adapt_datefield_value(day)}
    with connection.cursor() as cursor:
        roll_up_subtrees(cursor, params)
