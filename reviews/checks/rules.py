"""The rules of the alignment checks: for each kind of finding, the SQL that selects the
missions it holds for now, with a ``subject`` and a ``message``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from ..models import Finding
from .dialect import dialect
from .predictions import predictions

Kind = Finding.Kind
ALIGNMENT_WAIT_DAYS = 7
LINK_WAIT_DAYS = 7


@dataclass(frozen=True)
class Rule:
    kind: str
    severity: str
    # FROM/WHERE part selecting ``m`` (the mission, read from ``{missions}`` and kept by
    # ``{scope}``) plus ``subject`` and ``message`` columns (and, for a predicted rule,
    # ``expected_on``). Other missions of the organisation (a parent, a sibling) are read
    # from ``{all_missions}``.
    select: str
    predicted: bool = False


def rules() -> list[Rule]:
    d = dialect()
    stale_limit = d["plus_days"].format(date="k.latest_on", days="k.cadence_days")
    created_on = (
        "CAST(k.created_at AS DATE)"
        if connection.vendor == "postgresql"
        else ("date(k.created_at)")
    )
    created_limit = d["plus_days"].format(date=created_on, days="k.cadence_days")
    n = d["text"].format(x="{}")
    review_due = d["day"].format(date="m.next_review_due")
    task_due = d["day"].format(date="t.due_date")
    return [
        Rule(
            Kind.ORPHAN,
            "critical",
            """
            SELECT m.id, '' AS subject,
                   'This ' || m.level || ' mission has no mission above it to align with.'
                   AS message
            FROM {missions} m
            WHERE {scope} AND m.level <> 'organisation' AND m.parent_id IS NULL""",
        ),
        Rule(
            Kind.PERIOD_OUTSIDE_PARENT,
            "warning",
            # When both are in one of the organisation's planning periods, the periods decide
            # (a quarter of the parent's year is inside it) and the message names them; else
            # the missions' own dates (a mission in a period has the period's dates).
            """
            SELECT m.id, '',
                   CASE WHEN mp.id IS NOT NULL AND pp.id IS NOT NULL
                   THEN 'Its period, ' || mp.name || ', runs outside ' || pp.name
                        || ', the period of “' || p.title || '”.'
                   ELSE 'Its period runs outside the period of “' || p.title || '”.' END
            FROM {missions} m JOIN {all_missions} p ON p.id = m.parent_id
            LEFT JOIN missions_period mp ON mp.id = m.period_id
            LEFT JOIN missions_period pp ON pp.id = p.period_id
            WHERE {scope} AND CASE WHEN mp.id IS NOT NULL AND pp.id IS NOT NULL
                  THEN mp.starts_on < pp.starts_on OR mp.ends_on > pp.ends_on
                  ELSE m.period_start < p.period_start OR m.period_end > p.period_end END""",
        ),
        Rule(
            Kind.NO_KPI,
            "warning",
            """
            SELECT m.id, '', 'No measure of success: what gets measured gets done.'
            FROM {missions} m
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
            FROM measures_kpi k JOIN {{missions}} m ON m.id = k.mission_id
            WHERE {{scope}} AND k.status = 'active' AND (
                (k.latest_on IS NULL AND {created_limit} < %(today)s)
                OR (k.latest_on IS NOT NULL AND {stale_limit} < %(today)s))""",
        ),
        Rule(
            Kind.KPI_OFF_TRACK,
            "warning",
            """
            SELECT m.id, 'kpi:' || {n}, '“' || k.name || '” is forecast to miss its target.'
            FROM measures_kpi k JOIN {missions} m ON m.id = k.mission_id
            WHERE {scope} AND k.status = 'active' AND k.forecast_status = 'off_track'""".replace(
                "{n}", n.format("k.id")
            ),
        ),
        # Only of a mission in play: missions.querysets.in_play, the scope being active
        # missions already (tests/agreement/test_in_play.py keeps the two the same).
        Rule(
            Kind.REVIEW_OVERDUE,
            "warning",
            f"""
            SELECT m.id, '', 'The 30-day review was due on ' || {review_due} || '.'
            FROM {{missions}} m
            WHERE {{scope}} AND m.next_review_due < %(today)s
              AND (m.parent_id IS NULL OR m.alignment_status IN ('proposed', 'aligned'))""",
        ),
        Rule(
            Kind.AWAITING_ALIGNMENT,
            "info",
            """
            SELECT m.id, '', 'Proposed for alignment more than a week ago and not answered.'
            FROM {missions} m
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
                  FROM {{missions}} m LEFT JOIN missions_team t ON t.id = m.owner_team_id
                  WHERE {{scope}}) o
            JOIN (SELECT COALESCE(a.owner_user_id, t.leader_id) AS person, COUNT(*) AS total
                  FROM {{all_missions}} a LEFT JOIN missions_team t ON t.id = a.owner_team_id
                  WHERE a.organisation_id = %(org)s AND a.status = 'active'
                  GROUP BY COALESCE(a.owner_user_id, t.leader_id)
                  HAVING COUNT(*) > %(max_missions)s) c ON c.person = o.person""",
        ),
        Rule(
            Kind.SPACE_EXCEEDS_PARENT,
            "critical",
            """
            SELECT m.id, '', 'Its operating space is larger than that of “' || p.title || '”.'
            FROM {missions} m JOIN {all_missions} p ON p.id = m.parent_id
            LEFT JOIN (SELECT parent_id, SUM(budget) AS budget, SUM(headcount) AS headcount
                       FROM {all_missions}
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
            JOIN {{missions}} m ON m.id = i.to_mission_id
            JOIN {{all_missions}} f ON f.id = i.from_mission_id
            WHERE {{scope}} AND i.status = 'proposed' AND i.created_at < %(link_cutoff)s""",
        ),
        Rule(
            Kind.TASK_OVERDUE,
            "info",
            f"""
            SELECT m.id, 'task:' || {n.format("t.id")},
                   'Key task “' || t.title || '” was due on ' || {task_due} || '.'
            FROM missions_keytask t JOIN {{missions}} m ON m.id = t.mission_id
            WHERE {{scope}} AND t.status IN ('todo', 'in_progress', 'blocked')
              AND t.due_date < %(today)s""",
        ),
    ] + [
        # Not problems yet: "info", and no weight in the score whatever their severity.
        Rule(kind, "info", select, predicted=True)
        for kind, select in predictions()
    ]
