"""The alignment checks: one set-based pass per organisation that opens and resolves findings.

Each rule is one ``INSERT … SELECT … ON CONFLICT … DO UPDATE`` over the whole organisation (or
one subtree of it): no Python loop over missions, so 100,000 missions cost a handful of
statements. A finding that still holds is found again by the unique index on open findings
``(mission, kind, subject)`` and only its ``last_seen_at`` moves; a finding not seen in a run
is resolved. The rules read dates computed once in Python, so the same SQL runs on PostgreSQL
and on SQLite (the embedded default of ``make run``); the two spots that differ — adding days
to a date column and the larger of two numbers — come from ``_dialect``.

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

from missions import tree
from missions.models import Mission, Organisation

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
        }
    return {
        "plus_days": "date({date}, '+' || {days} || ' days')",
        "greatest": "MAX",
        "text": "CAST({x} AS TEXT)",
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
            WHERE {scope} AND (
                m.deadline > COALESCE(p.deadline, p.period_end)
                OR (m.budget IS NOT NULL AND p.budget IS NOT NULL AND m.budget > p.budget)
                OR (m.headcount IS NOT NULL AND p.headcount IS NOT NULL
                    AND m.headcount > p.headcount)
                OR (p.budget IS NOT NULL AND (SELECT SUM(s.budget) FROM missions_mission s
                        WHERE s.parent_id = p.id AND s.status <> 'archived') > p.budget)
                OR (p.headcount IS NOT NULL AND (SELECT SUM(s.headcount) FROM missions_mission s
                        WHERE s.parent_id = p.id AND s.status <> 'archived') > p.headcount))""",
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


def run_checks(*, organisation: Organisation, root: Mission | None = None) -> CheckResult:
    """Run every rule over the organisation, or over the subtree of ``root`` only.

    Safe to run twice and concurrently with itself: open findings are upserted against a
    unique index, resolution only touches findings this run did not see.
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
    scope = "m.organisation_id = %(org)s AND m.status = 'active'"
    mission_scope = "organisation_id = %(org)s"
    if root is not None:
        params["prefix"] = tree.child_path(root.path, root.pk) + "%"
        params["root"] = root.pk
        scope += " AND (m.id = %(root)s OR m.path LIKE %(prefix)s)"
        mission_scope += " AND (id = %(root)s OR path LIKE %(prefix)s)"
    result = CheckResult(organisation=organisation.slug)
    with transaction.atomic(), connection.cursor() as cursor:
        for rule in _rules():
            cursor.execute(
                f"""
                INSERT INTO reviews_finding (organisation_id, mission_id, subject, message, kind,
                                             severity, opened_at, last_seen_at)
                SELECT %(org)s, found.*, %(kind)s, %(severity)s, %(now)s, %(now)s
                FROM ({rule.select.format(scope=scope)}) AS found
                WHERE true -- SQLite needs a WHERE to tell this ON CONFLICT from a join's ON
                ON CONFLICT (mission_id, kind, subject) WHERE resolved_at IS NULL
                DO UPDATE SET last_seen_at = excluded.last_seen_at, message = excluded.message,
                              severity = excluded.severity
                """,
                {**params, "kind": rule.kind, "severity": rule.severity},
            )
        cursor.execute(
            f"""
            UPDATE reviews_finding SET resolved_at = %(now)s
            WHERE organisation_id = %(org)s AND resolved_at IS NULL AND last_seen_at < %(now)s
              AND mission_id IN (SELECT id FROM missions_mission WHERE {mission_scope})
            """,
            params,
        )
        result.resolved = cursor.rowcount
        _score_missions(cursor, params, mission_scope)
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
            result.score = _snapshot(cursor, params)
    result.seconds = time.perf_counter() - started
    return result


def _score_missions(cursor: Any, params: dict[str, Any], mission_scope: str) -> None:
    """100 minus the weights of each mission's open findings; archived missions get none."""
    weights = " ".join(f"WHEN '{s}' THEN {w}" for s, w in WEIGHTS.items())
    greatest = _dialect()["greatest"]
    cursor.execute(
        f"""
        UPDATE missions_mission SET alignment_score = CASE WHEN status = 'active' THEN
            {greatest}(0, 100 - COALESCE((
                SELECT SUM(CASE f.severity {weights} ELSE 0 END) FROM reviews_finding f
                WHERE f.mission_id = missions_mission.id AND f.resolved_at IS NULL), 0))
            ELSE NULL END
        WHERE {mission_scope}
        """,
        params,
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
                      critical_findings = excluded.critical_findings
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
                      critical_findings = excluded.critical_findings
        """,
        params,
    )
    cursor.execute(
        "SELECT score FROM reviews_alignmentsnapshot "
        "WHERE organisation_id = %(org)s AND team_id IS NULL AND run_date = %(today)s",
        params,
    )
    row = cursor.fetchone()
    return float(row[0]) if row else None
