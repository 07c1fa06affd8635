"""The alignment checks: one set-based pass per organisation that opens and resolves findings.

Each rule is one ``INSERT … SELECT`` over the whole organisation (or one subtree of it) into a
temporary table of what holds now: no Python loop over missions, so 100,000 missions cost a
handful of statements. Then new findings are opened (``ON CONFLICT`` against the unique index
on open findings ``(mission, kind, subject)``, so a finding that still holds is never opened
twice) and open findings that no longer hold are resolved; unchanged rows are not rewritten.
The rules read dates computed once in Python, so the same SQL runs on PostgreSQL and on SQLite
(the embedded default of ``make run``); the spots that differ — adding days to a date column,
the larger of two numbers, a null-safe comparison — come from ``_dialect``.

Severities weigh into a mission's alignment score: 100 minus ``WEIGHTS`` of its open
findings, never below 0. A team's score is the mean over its missions (those it owns and
its members' individual missions), the organisation's over all its active missions; both
are kept as a daily ``AlignmentSnapshot`` for trends.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kernel import tree
from kernel.models import Organisation
from missions.models import Mission

from .models import Finding

Kind = Finding.Kind
WEIGHTS = {"critical": 25, "warning": 10, "info": 4}
ALIGNMENT_WAIT_DAYS = 7
LINK_WAIT_DAYS = 7


@dataclass(frozen=True)
class Rule:
    kind: str
    severity: str
    # FROM/WHERE part selecting ``m`` (the mission) plus ``subject`` and ``message`` columns.
    select: str


def _dialect() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "plus_days": "({date} + {days})",
            "greatest": "GREATEST",
            "text": "CAST({x} AS TEXT)",
            "distinct": "{a} IS DISTINCT FROM {b}",
        }
    return {
        "plus_days": "date({date}, '+' || {days} || ' days')",
        "greatest": "MAX",
        "text": "CAST({x} AS TEXT)",
        "distinct": "{a} IS NOT {b}",
    }


def _rules() -> list[Rule]:
    d = _dialect()
    stale_limit = d["plus_days"].format(date="k.latest_on", days="k.cadence_days")
    created_on = (
        "CAST(k.created_at AS DATE)"
        if connection.vendor == "postgresql"
        else ("date(k.created_at)")
    )
    created_limit = d["plus_days"].format(date=created_on, days="k.cadence_days")
    n = d["text"].format(x="{}")
    return [
        Rule(
            Kind.ORPHAN,
            "critical",
            """
            SELECT m.id, '' AS subject,
                   'This ' || m.level || ' mission has no mission above it to align with.'
                   AS message
            FROM missions_mission m
            WHERE {scope} AND m.level <> 'organisation' AND m.parent_id IS NULL""",
        ),
        Rule(
            Kind.PERIOD_OUTSIDE_PARENT,
            "warning",
            """
            SELECT m.id, '', 'Its period runs outside the period of “' || p.title || '”.'
            FROM missions_mission m JOIN missions_mission p ON p.id = m.parent_id
            WHERE {scope} AND (m.period_start < p.period_start OR m.period_end > p.period_end)""",
        ),
        Rule(
            Kind.NO_KPI,
            "warning",
            """
            SELECT m.id, '', 'No measure of success: what gets measured gets done.'
            FROM missions_mission m
            WHERE {scope} AND NOT EXISTS (
                SELECT 1 FROM measures_kpi k WHERE k.mission_id = m.id AND k.status = 'active')""",
        ),
        Rule(
            Kind.STALE_KPI,
            "info",
            f"""
            SELECT m.id, 'kpi:' || {n.format("k.id")},
                   '“' || k.name || '” has not been updated for longer than its '
                   || {n.format("k.cadence_days")} || '-day cadence.'
            FROM measures_kpi k JOIN missions_mission m ON m.id = k.mission_id
            WHERE {{scope}} AND k.status = 'active' AND (
                (k.latest_on IS NULL AND {created_limit} < %(today)s)
                OR (k.latest_on IS NOT NULL AND {stale_limit} < %(today)s))""",
        ),
        Rule(
            Kind.KPI_OFF_TRACK,
            "warning",
            """
            SELECT m.id, 'kpi:' || {n}, '“' || k.name || '” is forecast to miss its target.'
            FROM measures_kpi k JOIN missions_mission m ON m.id = k.mission_id
            WHERE {scope} AND k.status = 'active' AND k.forecast_status = 'off_track'""".replace(
                "{n}", n.format("k.id")
            ),
        ),
        Rule(
            Kind.REVIEW_OVERDUE,
            "warning",
            """
            SELECT m.id, '', 'The 30-day review was due on ' || m.next_review_due || '.'
            FROM missions_mission m
            WHERE {scope} AND m.next_review_due < %(today)s""",
        ),
        Rule(
            Kind.AWAITING_ALIGNMENT,
            "info",
            """
            SELECT m.id, '', 'Proposed for alignment more than a week ago and not answered.'
            FROM missions_mission m
            WHERE {scope} AND m.alignment_status = 'proposed'
              AND m.proposed_at < %(align_cutoff)s""",
        ),
        Rule(
            Kind.TOO_MANY_MISSIONS,
            "info",
            f"""
            SELECT o.id, 'owner:' || {n.format("o.person")},
                   'Its owner carries ' || {n.format("c.total")}
                   || ' active missions: get real about priorities.'
            FROM (SELECT m.id, COALESCE(m.owner_user_id, t.leader_id) AS person
                  FROM missions_mission m LEFT JOIN missions_team t ON t.id = m.owner_team_id
                  WHERE {{scope}}) o
            JOIN (SELECT COALESCE(m.owner_user_id, t.leader_id) AS person, COUNT(*) AS total
                  FROM missions_mission m LEFT JOIN missions_team t ON t.id = m.owner_team_id
                  WHERE m.organisation_id = %(org)s AND m.status = 'active'
                  GROUP BY COALESCE(m.owner_user_id, t.leader_id)
                  HAVING COUNT(*) > %(max_missions)s) c ON c.person = o.person""",
        ),
        Rule(
            Kind.SPACE_EXCEEDS_PARENT,
            "critical",
            """
            SELECT m.id, '', 'Its operating space is larger than that of “' || p.title || '”.'
            FROM missions_mission m JOIN missions_mission p ON p.id = m.parent_id
            LEFT JOIN (SELECT parent_id, SUM(budget) AS budget, SUM(headcount) AS headcount
                       FROM missions_mission
                       WHERE organisation_id = %(org)s AND status <> 'archived'
                         AND parent_id IS NOT NULL
                       GROUP BY parent_id) siblings ON siblings.parent_id = p.id
            WHERE {scope} AND (
                m.deadline > COALESCE(p.deadline, p.period_end)
                OR (m.budget IS NOT NULL AND p.budget IS NOT NULL AND m.budget > p.budget)
                OR (m.headcount IS NOT NULL AND p.headcount IS NOT NULL
                    AND m.headcount > p.headcount)
                -- Children over the parent's budget together: each one that takes a share (as
                -- missions.services refuses it); one without a budget of its own takes none.
                OR (m.budget IS NOT NULL AND p.budget IS NOT NULL AND siblings.budget > p.budget)
                OR (m.headcount IS NOT NULL AND p.headcount IS NOT NULL
                    AND siblings.headcount > p.headcount))""",
        ),
        Rule(
            Kind.LINK_UNANSWERED,
            "info",
            f"""
            SELECT m.id, 'link:' || {n.format("i.id")},
                   '“' || f.title || '” asked for an answer more than a week ago.'
            FROM missions_interdependency i
            JOIN missions_mission m ON m.id = i.to_mission_id
            JOIN missions_mission f ON f.id = i.from_mission_id
            WHERE {{scope}} AND i.status = 'proposed' AND i.created_at < %(link_cutoff)s""",
        ),
        Rule(
            Kind.TASK_OVERDUE,
            "info",
            f"""
            SELECT m.id, 'task:' || {n.format("t.id")},
                   'Key task “' || t.title || '” was due on ' || t.due_date || '.'
            FROM missions_keytask t JOIN missions_mission m ON m.id = t.mission_id
            WHERE {{scope}} AND t.status IN ('todo', 'in_progress', 'blocked')
              AND t.due_date < %(today)s""",
        ),
    ]


@dataclass
class CheckResult:
    organisation: str
    opened: int = 0
    resolved: int = 0
    open: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    score: float | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)


def run_checks(*, organisation: Organisation, root: Mission | None = None) -> CheckResult:
    """Run every rule over the organisation, or over the subtree of ``root`` only.

    The rules first fill a temporary table with what holds now; then one statement opens the
    findings that are new, one resolves those that no longer hold, and one rescores the
    missions whose score moved. Rows that did not change are not written, so a nightly run
    over a stable organisation writes little. Safe to run twice and concurrently with itself:
    open findings are inserted against the unique index on open findings.
    """
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    ops = connection.ops
    params: dict[str, Any] = {
        "org": organisation.pk,
        "now": ops.adapt_datetimefield_value(now),
        "today": ops.adapt_datefield_value(today),
        "align_cutoff": ops.adapt_datetimefield_value(now - dt.timedelta(days=ALIGNMENT_WAIT_DAYS)),
        "link_cutoff": ops.adapt_datetimefield_value(now - dt.timedelta(days=LINK_WAIT_DAYS)),
        "max_missions": organisation.max_active_missions,
    }
    if root is not None:
        params["prefix"] = tree.child_path(root.path, root.pk) + "%"
        params["root"] = root.pk
    scope = f"{_missions_in('m', root)} AND m.status = 'active'"
    result = CheckResult(organisation=organisation.slug)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS holding_findings")
        cursor.execute(
            "CREATE TEMPORARY TABLE holding_findings (mission_id bigint NOT NULL, "
            "subject varchar(40) NOT NULL, message varchar(300) NOT NULL, "
            "kind varchar(24) NOT NULL, severity varchar(10) NOT NULL)"
        )
        for rule in _rules():
            step = time.perf_counter()
            cursor.execute(
                f"INSERT INTO holding_findings (mission_id, subject, message, kind, severity) "
                f"SELECT found.*, %(kind)s, %(severity)s "
                f"FROM ({rule.select.format(scope=scope)}) AS found",
                {**params, "kind": rule.kind, "severity": rule.severity},
            )
            result.step_seconds[rule.kind] = time.perf_counter() - step
        step = time.perf_counter()
        cursor.execute(
            "CREATE INDEX holding_findings_key ON holding_findings (mission_id, kind, subject)"
        )
        cursor.execute("ANALYZE holding_findings")
        # Open what is new; refresh the wording of what still holds only where it changed.
        cursor.execute(
            """
            INSERT INTO reviews_finding (organisation_id, mission_id, subject, message, kind,
                                         severity, opened_at, last_seen_at)
            SELECT %(org)s, h.mission_id, h.subject, h.message, h.kind, h.severity, %(now)s,
                   %(now)s
            FROM holding_findings h
            WHERE true -- SQLite needs a WHERE to tell this ON CONFLICT from a join's ON
            ON CONFLICT (mission_id, kind, subject) WHERE resolved_at IS NULL
            DO UPDATE SET message = excluded.message, severity = excluded.severity,
                          last_seen_at = excluded.last_seen_at
            WHERE reviews_finding.message <> excluded.message
               OR reviews_finding.severity <> excluded.severity
            """,
            params,
        )
        result.step_seconds["open"] = time.perf_counter() - step
        step = time.perf_counter()
        cursor.execute(
            f"""
            UPDATE reviews_finding SET resolved_at = %(now)s
            WHERE organisation_id = %(org)s AND resolved_at IS NULL
              AND mission_id IN (
                SELECT m.id FROM missions_mission m WHERE {_missions_in("m", root)})
              AND NOT EXISTS (
                SELECT 1 FROM holding_findings h WHERE h.mission_id = reviews_finding.mission_id
                AND h.kind = reviews_finding.kind AND h.subject = reviews_finding.subject)
            """,
            params,
        )
        result.resolved = cursor.rowcount
        result.step_seconds["resolve"] = time.perf_counter() - step
        step = time.perf_counter()
        _score_missions(cursor, params, _missions_in("m", root))
        result.step_seconds["score"] = time.perf_counter() - step
        cursor.execute("DROP TABLE holding_findings")
        cursor.execute(
            "SELECT kind, COUNT(*), SUM(CASE WHEN opened_at = %(now)s THEN 1 ELSE 0 END) "
            "FROM reviews_finding WHERE organisation_id = %(org)s AND resolved_at IS NULL "
            "GROUP BY kind",
            params,
        )
        for kind, count, opened in cursor.fetchall():
            result.by_kind[kind] = count
            result.open += count
            result.opened += int(opened or 0)
        if root is None:
            step = time.perf_counter()
            result.score = _snapshot(cursor, params)
            result.step_seconds["snapshot"] = time.perf_counter() - step
    result.seconds = time.perf_counter() - started
    return result


def _missions_in(alias: str, root: Mission | None) -> str:
    """The SQL condition for the missions a run covers: the organisation, or one subtree."""
    condition = f"{alias}.organisation_id = %(org)s"
    if root is not None:
        condition += f" AND ({alias}.id = %(root)s OR {alias}.path LIKE %(prefix)s)"
    return condition


def _score_missions(cursor: Any, params: dict[str, Any], missions: str) -> None:
    """100 minus the weights of each mission's open findings; archived missions get none.
    Only the missions whose score moved are written."""
    weights = " ".join(f"WHEN '{s}' THEN {w}" for s, w in WEIGHTS.items())
    d = _dialect()
    cursor.execute(
        f"""
        UPDATE missions_mission SET alignment_score = scored.score
        FROM (
            SELECT m.id, CASE WHEN m.status = 'active'
                THEN {d["greatest"]}(0, 100 - COALESCE(f.weight, 0)) END AS score
            FROM missions_mission m
            LEFT JOIN (SELECT mission_id, SUM(CASE severity {weights} ELSE 0 END) AS weight
                       FROM reviews_finding
                       WHERE organisation_id = %(org)s AND resolved_at IS NULL
                       GROUP BY mission_id) f ON f.mission_id = m.id
            WHERE {missions}
        ) AS scored
        WHERE missions_mission.id = scored.id
          AND {d["distinct"].format(a="missions_mission.alignment_score", b="scored.score")}
        """,
        params,
    )


FIGURES = (
    "kpis_on_track",
    "kpis_at_risk",
    "kpis_off_track",
    "kpis_unknown",
    "reviews_due",
    "reviews_on_time",
)
RESET_FIGURES = ", ".join(f"{name} = 0" for name in FIGURES)
COMPLIANCE_WINDOW_DAYS = 90
# A mission's team: the team that owns it, or the team of the person who owns it. The checks'
# snapshots and the dashboards group by it; ``MEMBERSHIP_JOIN`` brings in ``ms``.
OWNER_TEAM = "COALESCE(m.owner_team_id, ms.team_id)"
MEMBERSHIP_JOIN = (
    "LEFT JOIN missions_membership ms "
    "ON ms.user_id = m.owner_user_id AND ms.organisation_id = m.organisation_id"
)


def _snapshot(cursor: Any, params: dict[str, Any]) -> float | None:
    """Today's scores of the organisation and of each team; a re-run overwrites them."""
    open_by_mission = """
        SELECT mission_id, COUNT(*) AS open,
               SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical
        FROM reviews_finding WHERE organisation_id = %(org)s AND resolved_at IS NULL
        GROUP BY mission_id"""
    cursor.execute(
        f"""
        INSERT INTO reviews_alignmentsnapshot (organisation_id, team_id, run_date, score,
                                               missions, open_findings, critical_findings)
        SELECT %(org)s, NULL, %(today)s, COALESCE(AVG(m.alignment_score), 100), COUNT(*),
               COALESCE(SUM(f.open), 0), COALESCE(SUM(f.critical), 0)
        FROM missions_mission m LEFT JOIN ({open_by_mission}) f ON f.mission_id = m.id
        WHERE m.organisation_id = %(org)s AND m.status = 'active'
        ON CONFLICT (organisation_id, run_date) WHERE team_id IS NULL
        DO UPDATE SET score = excluded.score, missions = excluded.missions,
                      open_findings = excluded.open_findings,
                      critical_findings = excluded.critical_findings, {RESET_FIGURES}
        """,
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO reviews_alignmentsnapshot (organisation_id, team_id, run_date, score,
                                               missions, open_findings, critical_findings)
        SELECT %(org)s, owner.team_id, %(today)s, AVG(m.alignment_score), COUNT(*),
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
                      open_findings = excluded.open_findings,
                      critical_findings = excluded.critical_findings, {RESET_FIGURES}
        """,
        params,
    )
    _snapshot_kpis_and_reviews(cursor, params)
    cursor.execute(
        "SELECT score FROM reviews_alignmentsnapshot "
        "WHERE organisation_id = %(org)s AND team_id IS NULL AND run_date = %(today)s",
        params,
    )
    row = cursor.fetchone()
    return float(row[0]) if row else None


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
