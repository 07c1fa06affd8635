"""The predicted rules: misalignments that have not happened yet but are expected to, each
with the day it is expected on (``expected_on``) and why.

They run with the other rules (``rules.rules`` returns them after the others) and open and
resolve the same way; they weigh nothing in the alignment score (``scores``): they are not
problems yet. Each hands over to the rule of what it foresees rather than doubling it: once
that rule holds (the KPI is forecast off track, the review is overdue, the period is outside
the parent's, the owner carries too many missions, the task is overdue), the prediction no
longer does.

- ``likely_miss``: an active KPI, due in the future, whose chance of meeting its target
  (``Kpi.forecast_probability``) is below the organisation's ``likely_miss_below`` and not
  yet forecast off track (``kpi_off_track`` then holds); expected on its due date.
- ``contributors_miss``: a parent KPI, due in the future and not itself off track, at least
  half of whose contributing KPIs (``Kpi.parent_kpi``; by their weights, among those with a
  forecast) are likely to miss (below the setting, or off track); expected on its due date.
- ``review_lapsing``: a mission in play whose next review falls due within
  ``REVIEW_LAPSE_DAYS`` and is not held yet; expected on the due date, after which
  ``review_overdue`` takes over.
- ``outrunning_parent``: the parent ends (its deadline, else its period end) within
  ``OUTRUN_DAYS`` while the child runs on after that day: its period ends later (so the
  parent's deadline comes before its period end), or one of its open key tasks is due later.
  Not when ``period_outside_parent`` or the deadline part of ``space_exceeds_parent``
  already holds; expected on the parent's end.
- ``overload_coming``: a person ("get real") with more than twice the organisation's
  ``max_active_missions`` open key tasks due within ``OVERLOAD_DAYS`` (a task's owner, else
  its mission's), on each mission where such a task of theirs is, unless they already carry
  too many missions; expected on the first of those due dates.
- ``support_late``: a support request (``depends_on``) still unanswered, whose key task
  (``Interdependency.for_task``, else the asking mission's nearest open key task) is due
  within ``SUPPORT_DAYS``; on the asking mission (the asked one has ``link_unanswered`` and
  an inbox item already); expected on the task's due date.
"""

from __future__ import annotations

from ..models import Finding
from .dialect import dialect

Kind = Finding.Kind
REVIEW_LAPSE_DAYS = 7
OUTRUN_DAYS = 30
OVERLOAD_DAYS = 14
# Three weeks: answered later, the support has little time left to arrive.
SUPPORT_DAYS = 21
# A person overloaded: more open key tasks due within OVERLOAD_DAYS than this many per
# mission the organisation lets them carry (``max_active_missions``).
TASKS_PER_MISSION = 2

OPEN_TASK = "status IN ('todo', 'in_progress', 'blocked')"


def predictions() -> list[tuple[str, str]]:
    """(kind, SELECT of ``m.id``, ``subject``, ``message``, ``expected_on``) of each rule."""
    d = dialect()
    n = d["text"].format(x="{}")

    def day(date: str) -> str:
        return d["day"].format(date=date)

    percent = n.format("CAST(ROUND(k.forecast_probability * 100) AS INTEGER)")
    # A contributor likely to miss, as ``likely_miss`` says it, or already off track.
    likely = (
        "(c.forecast_status = 'off_track' OR (c.forecast_probability IS NOT NULL "
        "AND c.forecast_probability < %(likely_below)s))"
    )
    parent_end = "COALESCE(p.deadline, p.period_end)"
    person = "COALESCE(t.owner_id, mm.owner_user_id, tm.leader_id)"
    own_person = "COALESCE(m.owner_user_id, ot.leader_id)"
    # The task the support is for: the one named if still open, else the asking mission's
    # nearest open key task from today.
    task_due = (
        "CASE WHEN i.for_task_id IS NULL THEN ("
        "SELECT MIN(t.due_date) FROM missions_keytask t WHERE t.mission_id = m.id "
        f"AND t.{OPEN_TASK} AND t.due_date >= %(today)s) "
        f"WHEN ft.{OPEN_TASK} THEN ft.due_date END"
    )
    return [
        (
            Kind.LIKELY_MISS,
            f"""
            SELECT m.id, 'kpi:' || {n.format("k.id")},
                   '“' || k.name || '” is likely to miss its target on '
                   || {day("k.due_date")} || ': a ' || {percent}
                   || '%% chance of meeting it.',
                   k.due_date
            FROM measures_kpi k JOIN {{missions}} m ON m.id = k.mission_id
            WHERE {{scope}} AND k.organisation_id = %(org)s AND k.status = 'active'
              AND k.forecast_status <> 'off_track' AND k.forecast_probability IS NOT NULL
              AND k.forecast_probability < %(likely_below)s AND k.due_date > %(today)s""",
        ),
        (
            Kind.CONTRIBUTORS_MISS,
            f"""
            SELECT m.id, 'kpi:' || {n.format("k.id")},
                   {n.format(f"SUM(CASE WHEN {likely} THEN 1 ELSE 0 END)")} || ' of the '
                   || {n.format("COUNT(*)")} || ' KPIs contributing to “' || k.name
                   || '” are likely to miss their targets.',
                   k.due_date
            -- The parent KPIs in the run joined to their contributors, then grouped: each
            -- table read once (a subtree's run reads its few parents' contributors by index).
            FROM measures_kpi k JOIN {{missions}} m ON m.id = k.mission_id
            JOIN measures_kpi c ON c.parent_kpi_id = k.id
            JOIN {{all_missions}} cm ON cm.id = c.mission_id
            WHERE {{scope}} AND k.organisation_id = %(org)s AND k.status = 'active'
              AND k.forecast_status <> 'off_track' AND k.due_date > %(today)s
              AND c.organisation_id = %(org)s AND c.status = 'active' AND cm.status = 'active'
              AND (c.forecast_probability IS NOT NULL OR c.forecast_status = 'off_track')
            GROUP BY m.id, k.id, k.name, k.due_date
            HAVING SUM(CASE WHEN {likely} THEN 1 ELSE 0 END) > 0
               AND SUM(CASE WHEN {likely} THEN c.weight ELSE 0 END) * 2 >= SUM(c.weight)""",
        ),
        # In play as ``review_overdue`` (missions.querysets.in_play): due today or within
        # the window; from the day after, review_overdue holds instead.
        (
            Kind.REVIEW_LAPSING,
            f"""
            SELECT m.id, '',
                   'The 30-day review falls due on ' || {day("m.next_review_due")}
                   || ' and has not been held yet.',
                   m.next_review_due
            FROM {{missions}} m
            WHERE {{scope}} AND m.next_review_due >= %(today)s
              AND m.next_review_due <= %(lapse_by)s
              AND (m.parent_id IS NULL OR m.alignment_status IN ('proposed', 'aligned'))""",
        ),
        (
            Kind.OUTRUNNING_PARENT,
            f"""
            SELECT m.id, '',
                   'It runs on after “' || p.title || '” ends on '
                   || {day(parent_end)} || '.',
                   {parent_end}
            FROM {{missions}} m JOIN {{all_missions}} p ON p.id = m.parent_id
            WHERE {{scope}} AND p.status = 'active'
              AND {parent_end} >= %(today)s AND {parent_end} <= %(outrun_by)s
              -- Not what period_outside_parent or space_exceeds_parent says already.
              AND m.period_start >= p.period_start AND m.period_end <= p.period_end
              AND (m.deadline IS NULL OR m.deadline <= {parent_end})
              AND (m.period_end > {parent_end} OR EXISTS (
                    SELECT 1 FROM missions_keytask t WHERE t.mission_id = m.id
                    AND t.{OPEN_TASK} AND t.due_date > {parent_end}))""",
        ),
        (
            Kind.OVERLOAD_COMING,
            f"""
            SELECT DISTINCT m.id, 'owner:' || {n.format("c.person")},
                   'Its owner has ' || {n.format("c.total")}
                   || ' key tasks due in the next two weeks: get real about priorities.',
                   c.first_due
            FROM (SELECT {person} AS person, COUNT(*) AS total, MIN(t.due_date) AS first_due
                  FROM missions_keytask t
                  JOIN {{all_missions}} mm ON mm.id = t.mission_id
                  LEFT JOIN missions_team tm ON tm.id = mm.owner_team_id
                  WHERE mm.organisation_id = %(org)s AND mm.status = 'active'
                    AND t.{OPEN_TASK} AND t.due_date >= %(today)s
                    AND t.due_date <= %(overload_by)s
                  GROUP BY {person}
                  HAVING COUNT(*) > %(overload_tasks)s) c
            JOIN missions_keytask t ON t.{OPEN_TASK} AND t.due_date >= %(today)s
                 AND t.due_date <= %(overload_by)s
            JOIN {{missions}} m ON m.id = t.mission_id
            LEFT JOIN missions_team ot ON ot.id = m.owner_team_id
            WHERE {{scope}} AND COALESCE(t.owner_id, {own_person}) = c.person
              -- Not who already carries too many missions (too_many_missions holds).
              AND c.person NOT IN (
                  SELECT COALESCE(x.owner_user_id, xt.leader_id) FROM {{all_missions}} x
                  LEFT JOIN missions_team xt ON xt.id = x.owner_team_id
                  WHERE x.organisation_id = %(org)s AND x.status = 'active'
                    AND COALESCE(x.owner_user_id, xt.leader_id) IS NOT NULL
                  GROUP BY COALESCE(x.owner_user_id, xt.leader_id)
                  HAVING COUNT(*) > %(max_missions)s)""",
        ),
        (
            Kind.SUPPORT_LATE,
            f"""
            SELECT m.id, 'link:' || {n.format("i.id")},
                   CASE WHEN ft.id IS NOT NULL
                        THEN 'Key task “' || ft.title || '” is due on '
                             || {day("ft.due_date")}
                             || ' and its support request is still unanswered.'
                        ELSE 'A key task is due on ' || {day(task_due)}
                             || ' and “' || o.title || '” has not answered its support request.'
                   END,
                   {task_due}
            FROM missions_interdependency i
            JOIN {{missions}} m ON m.id = i.from_mission_id
            JOIN {{all_missions}} o ON o.id = i.to_mission_id
            LEFT JOIN missions_keytask ft ON ft.id = i.for_task_id
            WHERE {{scope}} AND i.organisation_id = %(org)s AND i.kind = 'depends_on'
              AND i.status = 'proposed' AND o.status <> 'archived'
              AND {task_due} >= %(today)s AND {task_due} <= %(support_by)s""",
        ),
    ]
