"""Alignment scores: each mission's from its open findings, and the daily snapshot of the
organisation's and each team's, with their KPI forecasts and review compliance."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from kernel import tree
from measures.health import KNOWN_FORECASTS
from measures.models import ForecastStatus
from missions.models import Mission

from ..health import health_sql
from ..models import PREDICTED_KINDS
from .dialect import dialect

WEIGHTS = {"critical": 25, "warning": 10, "info": 4}
# Predicted findings (``predictions``) are not problems yet: no weight in a score, and not
# among the open findings the snapshots count (the dashboards count them apart, as foreseen).
PROBLEM = "kind NOT IN ({})".format(", ".join(f"'{k}'" for k in sorted(PREDICTED_KINDS)))


def score_missions(cursor: Any, params: dict[str, Any], of_the_run: str) -> None:
    """100 minus the weights of each mission's open findings, into its ``MissionScore``.
    Archived missions get none, nor do drafts below the top: not started
    (``measures.health``, step 1), so no mean of the dashboards, snapshots or heat map counts
    them as a perfect 100.

    Read from the run's own tables: its missions (``run_missions``, the active ones) and what
    holds now (``holding_findings``), which the run's open findings equal once it has opened
    and resolved them. Only scores that moved are written; those of missions the run covers
    (``of_the_run``, a condition on ``mission_id``) that are scored no more are removed."""
    weights = " ".join(f"WHEN '{s}' THEN {w}" for s, w in WEIGHTS.items())
    d = dialect()
    cursor.execute("DROP TABLE IF EXISTS run_scores")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE run_scores AS
        SELECT m.id AS mission_id, {d["greatest"]}(0, 100 - COALESCE(f.weight, 0)) AS score
        FROM run_missions m
        LEFT JOIN (SELECT mission_id, SUM(CASE severity {weights} ELSE 0 END) AS weight
                   FROM holding_findings WHERE {PROBLEM} GROUP BY mission_id) f
               ON f.mission_id = m.id
        WHERE m.status = 'active' AND NOT (m.alignment_status = 'draft' AND m.parent_id IS NOT NULL)
        """
    )
    cursor.execute("CREATE INDEX run_scores_mission ON run_scores (mission_id)")
    cursor.execute(
        f"""
        DELETE FROM reviews_missionscore
        WHERE organisation_id = %(org)s
          {of_the_run}
          AND NOT EXISTS (SELECT 1 FROM run_scores r
                          WHERE r.mission_id = reviews_missionscore.mission_id)
        """,
        params,
    )
    cursor.execute(
        """
        UPDATE reviews_missionscore SET score = r.score FROM run_scores r
        WHERE reviews_missionscore.organisation_id = %(org)s
          AND reviews_missionscore.mission_id = r.mission_id
          AND reviews_missionscore.score <> r.score
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO reviews_missionscore (mission_id, organisation_id, score)
        SELECT r.mission_id, %(org)s, r.score FROM run_scores r
        WHERE NOT EXISTS (SELECT 1 FROM reviews_missionscore s
                          WHERE s.mission_id = r.mission_id)
        """,
        params,
    )
    cursor.execute("DROP TABLE run_scores")


HEALTH_STATES = ("on_track", "watch", "off_track", "not_started")
KPI_STATUSES = tuple(status.value for status in ForecastStatus)
# What a snapshot row adds up over its missions, and all it holds but its score.
SUMMED_FIGURES = (
    "missions",
    "scored",
    "open_findings",
    "critical_findings",
    *(f"kpis_{s}" for s in KPI_STATUSES),
    "reviews_due",
    "reviews_on_time",
    *(f"missions_{state}" for state in HEALTH_STATES),
)
SNAPSHOT_FIGURES = (*SUMMED_FIGURES, "findings")
COMPLIANCE_WINDOW_DAYS = 90
# A mission's team: the team that owns it, or the team of the person who owns it. The checks'
# snapshots and the dashboards group by it; ``MEMBERSHIP_JOIN`` brings in ``ms``.
OWNER_TEAM = "COALESCE(m.owner_team_id, ms.team_id)"
MEMBERSHIP_JOIN = (
    "LEFT JOIN missions_membership ms "
    "ON ms.user_id = m.owner_user_id AND ms.organisation_id = m.organisation_id"
)
# A mission's score (``MissionScore``) as ``s.score``, empty where it has none.
M = TypeVar("M", bound=QuerySet[Mission])
SCORE_JOIN = "LEFT JOIN reviews_missionscore s ON s.mission_id = m.id"


def with_score(missions: M) -> M:
    """These missions, each with its ``alignment_score`` (``None`` where it has none)."""
    return missions.annotate(alignment_score=F("alignment__score"))


def snapshot(cursor: Any, params: dict[str, Any]) -> float | None:
    """Today's figures of the organisation and of each team, then of each team with its
    sub-teams (``roll_up_subtrees``); a re-run overwrites them, and drops the row of a team
    that has no active mission left.

    Each kind of row is read once: the active missions, judged from their active KPIs counted
    by forecast and what holds now, and placed in their team, into a temporary table
    (``judged_missions``); the reviews and open findings grouped by team against it; one
    row per team of all that (``snapshot_teams``, the missions of people in no team in a row
    of their own). The teams' snapshots are those rows, the organisation's their sum.

    Called by the whole organisation's run of the checks, which leaves what holds now in
    ``holding_findings``: the open findings of its active missions, once it has opened and
    resolved them."""
    _figures_by_team(cursor, params)
    cursor.execute(
        "DELETE FROM reviews_alignmentsnapshot WHERE organisation_id = %(org)s "
        "AND run_date = %(today)s AND team_id IS NOT NULL",
        params,
    )
    columns = ", ".join(SNAPSHOT_FIGURES)
    refreshed = ", ".join(f"{c} = excluded.{c}" for c in ("score", *SNAPSHOT_FIGURES))
    d = dialect()
    for team, key, source in (
        (
            "NULL",
            "(organisation_id, run_date) WHERE team_id IS NULL",
            f"""SELECT SUM(score_sum) / NULLIF(SUM(scored), 0) AS score,
                       {", ".join(f"COALESCE(SUM({c}), 0) AS {c}" for c in SUMMED_FIGURES)},
                       COALESCE((SELECT {d["object_agg"]}(finding, n)
                                 FROM (SELECT kind || ':' || severity AS finding, SUM(n) AS n
                                       FROM snapshot_findings GROUP BY kind, severity) AS k),
                                '{{}}') AS findings
                FROM snapshot_teams""",
        ),
        (
            "team_id",
            "(organisation_id, team_id, run_date) WHERE team_id IS NOT NULL",
            f"""SELECT team_id, score_sum / NULLIF(scored, 0) AS score,
                       {", ".join(SUMMED_FIGURES)}, findings
                FROM snapshot_teams WHERE team_id IS NOT NULL""",
        ),
    ):
        cursor.execute(
            f"""
            INSERT INTO reviews_alignmentsnapshot (organisation_id, team_id, run_date, score,
                                                   {columns})
            SELECT %(org)s, {team}, %(today)s, score, {columns} FROM ({source}) AS figures
            WHERE true -- SQLite needs a WHERE to tell this ON CONFLICT from a join's ON
            ON CONFLICT {key} DO UPDATE SET {refreshed}
            """,
            params,
        )
    for table in ("snapshot_missions", "snapshot_findings", "snapshot_teams"):
        cursor.execute(f"DROP TABLE {table}")
    roll_up_subtrees(cursor, params)
    cursor.execute(
        "SELECT score FROM reviews_alignmentsnapshot "
        "WHERE organisation_id = %(org)s AND team_id IS NULL AND run_date = %(today)s",
        params,
    )
    row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else None


def judged_missions(
    *, organisation_id: int, missions: str = "run_missions", holding: str = "holding_findings"
) -> tuple[str, list[Any]]:
    """The SQL of each active mission of ``missions`` (the run's narrow copy of them), its
    team, its score, its health (``reviews.health``) and its active KPIs by forecast, given
    what holds now (``holding``: the open findings of the run's missions), and its parameters.

    The KPIs and what holds are each counted in one pass over all the missions, then each
    mission judged from its row; the teams' KPI figures are summed from the same counts
    (joining the 300,212 KPIs of 100,000 missions a second time for them cost about 0.1 s
    more)."""
    kpis = ", ".join(
        f"SUM(CASE WHEN forecast_status = '{s}' THEN 1 ELSE 0 END) AS kpis_{s}"
        for s in KPI_STATUSES
    )
    health, health_params = health_sql(
        alias="m",
        # A mission without KPIs or findings has no row to join: none counted.
        off_track_kpi=f"COALESCE(k.kpis_{ForecastStatus.OFF_TRACK}, 0) > 0",
        known_kpi=f"COALESCE({' + '.join(f'k.kpis_{s}' for s in KNOWN_FORECASTS)}, 0) > 0",
        at_risk_kpi=f"COALESCE(k.kpis_{ForecastStatus.AT_RISK}, 0) > 0",
        critical="COALESCE(f.critical, 0) = 1",
        warning="COALESCE(f.warning, 0) = 1",
    )
    sql = f"""
        SELECT m.id AS id, {OWNER_TEAM} AS team_id,
               -- A float: the scores are small integers, and their sum is divided.
               CAST(s.score AS FLOAT) AS score, {health} AS health,
               {", ".join(f"COALESCE(k.kpis_{s}, 0) AS kpis_{s}" for s in KPI_STATUSES)}
        FROM {missions} m
        {SCORE_JOIN}
        LEFT JOIN (SELECT mission_id, {kpis} FROM measures_kpi
                   WHERE organisation_id = %s AND status = 'active'
                   GROUP BY mission_id) k ON k.mission_id = m.id
        LEFT JOIN (SELECT mission_id,
                          MAX(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical,
                          MAX(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END) AS warning
                   FROM {holding} AS holding GROUP BY mission_id) f ON f.mission_id = m.id
        {MEMBERSHIP_JOIN}
        WHERE m.organisation_id = %s AND m.status = 'active'
        """
    return sql, [*health_params, organisation_id, organisation_id]


def _figures_by_team(cursor: Any, params: dict[str, Any]) -> None:
    """Fill ``snapshot_teams``: one row per team (and one for the missions of people in no
    team) of today's figures of its active missions, each kind of row read once. Leaves the
    missions judged (``snapshot_missions``) and the open findings by team, kind and severity
    (``snapshot_findings``) for the organisation's row."""
    for table in ("snapshot_missions", "snapshot_findings", "snapshot_teams"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    judged, judged_params = judged_missions(organisation_id=params["org"])
    cursor.execute(f"CREATE TEMPORARY TABLE snapshot_missions AS {judged}", judged_params)
    cursor.execute("ANALYZE snapshot_missions")
    params = {
        **params,
        "since": connection.ops.adapt_datefield_value(
            timezone.localdate() - dt.timedelta(days=COMPLIANCE_WINDOW_DAYS)
        ),
    }
    # Open findings of active missions, predicted ones too (the JSON counts them; the open
    # and critical counts do not, ``PROBLEM``): what holds now, which the run has just made
    # the open findings, read from its narrow table rather than from the findings' rows.
    cursor.execute(
        "CREATE TEMPORARY TABLE snapshot_findings AS "
        "SELECT s.team_id AS team_id, f.kind AS kind, f.severity AS severity, COUNT(*) AS n "
        "FROM holding_findings f JOIN snapshot_missions s ON s.id = f.mission_id "
        "GROUP BY s.team_id, f.kind, f.severity"
    )
    kpis = ", ".join(f"SUM(kpis_{s}) AS kpis_{s}" for s in KPI_STATUSES)
    health = ", ".join(
        f"SUM(CASE WHEN health = '{state}' THEN 1 ELSE 0 END) AS missions_{state}"
        for state in HEALTH_STATES
    )
    d = dialect()
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE snapshot_teams AS
        SELECT t.team_id AS team_id, t.score_sum AS score_sum, t.missions AS missions,
               t.scored AS scored,
               COALESCE(f.open_findings, 0) AS open_findings,
               COALESCE(f.critical_findings, 0) AS critical_findings,
               {", ".join(f"t.kpis_{s} AS kpis_{s}" for s in KPI_STATUSES)},
               COALESCE(r.reviews_due, 0) AS reviews_due,
               COALESCE(r.reviews_on_time, 0) AS reviews_on_time,
               {", ".join(f"t.missions_{state} AS missions_{state}" for state in HEALTH_STATES)},
               COALESCE(f.findings, '{{}}') AS findings
        FROM (SELECT team_id, SUM(score) AS score_sum, COUNT(*) AS missions,
                     COUNT(score) AS scored, {health}, {kpis}
              FROM snapshot_missions GROUP BY team_id) AS t
        LEFT JOIN (SELECT s.team_id, COUNT(*) AS reviews_due,
                          SUM(CASE WHEN r.status = 'done' AND r.held_on <= r.due_date
                              THEN 1 ELSE 0 END) AS reviews_on_time
                   FROM reviews_review r JOIN snapshot_missions s ON s.id = r.mission_id
                   WHERE r.organisation_id = %(org)s AND r.due_date >= %(since)s
                     AND r.due_date < %(today)s AND r.status <> 'cancelled'
                   GROUP BY s.team_id) AS r ON {_same_team("r")}
        LEFT JOIN (SELECT team_id,
                          SUM(CASE WHEN {PROBLEM} THEN n ELSE 0 END) AS open_findings,
                          SUM(CASE WHEN {PROBLEM} AND severity = 'critical' THEN n ELSE 0 END)
                              AS critical_findings,
                          {d["object_agg"]}(kind || ':' || severity, n) AS findings
                   FROM snapshot_findings GROUP BY team_id) AS f ON {_same_team("f")}
        """,
        params,
    )


def _same_team(alias: str) -> str:
    """``t`` and ``alias`` are rows of one team, or both of the missions of people in no team
    (no team is 0: an equality, which PostgreSQL joins by hash)."""
    return f"COALESCE(t.team_id, 0) = COALESCE({alias}.team_id, 0)"


def roll_up_subtrees(cursor: Any, params: dict[str, Any]) -> None:
    """Each team with all its sub-teams on ``today``: the sums of the day's team snapshots
    below it (``SubtreeSnapshot``), its score the mean of theirs weighted by their scored
    missions (the mean over all those missions). A re-run replaces the day's rows; the demo's
    past days are rolled up by the same statements.

    Climbed from the deepest teams up, a statement per level: each team's row is its own
    snapshot plus the rows of its sub-teams, just summed. So each team's figures and findings
    are read twice, never once per ancestor (at 11,000 teams eight levels deep, the findings
    of each team against each of its ancestors were 410,000 rows: 480 -> 270 ms)."""
    cursor.execute(
        "DELETE FROM reviews_subtreesnapshot "
        "WHERE organisation_id = %(org)s AND run_date = %(today)s",
        params,
    )
    for table in ("team_depth", "day_teams", "subtree_rows"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    # Each team's depth is that of its stored path (``kernel.tree``: an id per ancestor).
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE team_depth AS
        SELECT id AS team_id, parent_id, LENGTH(path) / {tree.SEGMENT_WIDTH} AS depth
        FROM missions_team WHERE organisation_id = %(org)s
        """,
        params,
    )
    summed = ", ".join(SUMMED_FIGURES)
    # A team's score weighs its scored missions: summed as score × scored (none without).
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE day_teams AS
        SELECT team_id, score * scored AS score_sum, {summed}, findings
        FROM reviews_alignmentsnapshot
        WHERE organisation_id = %(org)s AND run_date = %(today)s AND team_id IS NOT NULL
        """,
        params,
    )
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE subtree_rows AS
        SELECT d.team_id, d.parent_id, d.depth, t.score_sum, {summed}, t.findings
        FROM team_depth d JOIN day_teams t ON t.team_id = d.team_id WHERE 1 = 0
        """
    )
    cursor.execute("SELECT MAX(depth) FROM team_depth")
    deepest = cursor.fetchone()[0]
    d = dialect()
    sums = ", ".join(f"SUM({name}) AS {name}" for name in ("score_sum", *SUMMED_FIGURES))
    for depth in range(deepest if deepest is not None else -1, -1, -1):
        # The findings' JSON summed key by key in the same INSERT: an UPDATE afterwards
        # would write every row twice.
        cursor.execute(
            f"""
            WITH below AS (
                SELECT d.team_id, d.parent_id, x.score_sum, {summed}, x.findings
                FROM team_depth d JOIN (
                    SELECT team_id, score_sum, {summed}, findings FROM day_teams
                    UNION ALL
                    SELECT parent_id, score_sum, {summed}, findings FROM subtree_rows
                    WHERE depth = %(below)s
                ) AS x ON x.team_id = d.team_id
                WHERE d.depth = %(depth)s
            )
            INSERT INTO subtree_rows (team_id, parent_id, depth, score_sum, {summed}, findings)
            SELECT s.team_id, s.parent_id, %(depth)s, s.score_sum, {summed},
                   COALESCE(f.findings, '{{}}')
            FROM (SELECT team_id, parent_id, {sums} FROM below
                  GROUP BY team_id, parent_id) AS s
            LEFT JOIN (SELECT team_id, {d["object_agg"]}(finding, n) AS findings
                       FROM (SELECT b.team_id, e.key AS finding,
                                    SUM(CAST(e.value AS INTEGER)) AS n
                             FROM below b CROSS JOIN {d["object_each"]}(b.findings) AS e
                             GROUP BY b.team_id, e.key) AS counted
                       GROUP BY team_id) AS f ON f.team_id = s.team_id
            """,
            {**params, "depth": depth, "below": depth + 1},
        )
    cursor.execute(
        f"""
        INSERT INTO reviews_subtreesnapshot (organisation_id, team_id, run_date, score,
                                             {summed}, findings)
        SELECT %(org)s, team_id, %(today)s, score_sum / NULLIF(scored, 0), {summed}, findings
        FROM subtree_rows
        """,
        params,
    )
    for table in ("team_depth", "day_teams", "subtree_rows"):
        cursor.execute(f"DROP TABLE {table}")


def roll_up_day(*, organisation_id: int, day: dt.date) -> None:
    """``roll_up_subtrees`` of one day whose team snapshots are written (the demo's past)."""
    params = {"org": organisation_id, "today": connection.ops.adapt_datefield_value(day)}
    with connection.cursor() as cursor:
        roll_up_subtrees(cursor, params)
