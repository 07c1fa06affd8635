"""The alignment checks: one set-based pass per organisation that opens and resolves findings.

Each rule is one ``INSERT … SELECT`` over the whole organisation (or one subtree of it) into a
temporary table of what holds now: no Python loop over missions, so 100,000 missions cost a
handful of statements. Then new findings are opened (``ON CONFLICT`` against the unique index
on open findings ``(mission, kind, subject)``, so a finding that still holds is never opened
twice) and open findings that no longer hold are resolved; unchanged rows are not rewritten.
The rules read dates computed once in Python, so the same SQL runs on PostgreSQL and on SQLite
(the embedded default of ``make run``); the spots that differ — adding days to a date column,
the larger of two numbers, a null-safe comparison — come from ``dialect``.

Severities weigh into a mission's alignment score: 100 minus ``WEIGHTS`` of its open
findings, never below 0. A team's score is the mean over its missions (those it owns and
its members' individual missions), the organisation's over all its active missions; both
are kept as a daily ``AlignmentSnapshot`` for trends, and each team with its sub-teams as a
``SubtreeSnapshot``.

``rules`` holds the SQL of each check, ``runner`` the run and its findings, ``scores`` the
scores and snapshots, ``dialect`` the SQL that differs between the two databases.
"""

from .runner import CheckResult, run_checks
from .scores import (
    COMPLIANCE_WINDOW_DAYS,
    MEMBERSHIP_JOIN,
    OWNER_TEAM,
    SCORE_JOIN,
    WEIGHTS,
    roll_up_day,
    with_score,
)

__all__ = [
    "COMPLIANCE_WINDOW_DAYS",
    "MEMBERSHIP_JOIN",
    "OWNER_TEAM",
    "SCORE_JOIN",
    "WEIGHTS",
    "CheckResult",
    "roll_up_day",
    "run_checks",
    "with_score",
]
