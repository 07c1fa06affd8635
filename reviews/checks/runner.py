"""The run of the alignment checks over an organisation or one subtree: the rules fill a
temporary table of what holds now, then findings are opened and resolved against it, the
missions rescored and, for a whole organisation, the day's snapshot written."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from kernel import tree, webhooks
from kernel.models import Organisation
from missionlead.emails import absolute_url
from missions.models import Mission

from ..models import Finding
from .dialect import dialect
from .predictions import (
    OUTRUN_DAYS,
    OVERLOAD_DAYS,
    REVIEW_LAPSE_DAYS,
    SUPPORT_DAYS,
    TASKS_PER_MISSION,
)
from .rules import ALIGNMENT_WAIT_DAYS, LINK_WAIT_DAYS, rules
from .scores import score_missions, snapshot

WHOLE_RUN_WORK_MEM = "64MB"
# The first key of the advisory lock a run holds on its organisation (the second: its id).
RUN_LOCK = 0x6368_6B73
# What the rules read of the missions of the run (``m``, ``rules.Rule``) and, in the whole
# organisation's run, of its other missions (a parent, a sibling, a mission asking for support).
RUN_COLUMNS = (
    "id",
    "organisation_id",
    "path",
    "parent_id",
    "title",
    "level",
    "status",
    "alignment_status",
    "proposed_at",
    "next_review_due",
    "period_id",
    "period_start",
    "period_end",
    "deadline",
    "budget",
    "headcount",
    "owner_user_id",
    "owner_team_id",
)


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

    The rules first fill a temporary table with what holds now; one join with the open
    findings lists what changed (``finding_changes``); then one statement opens the findings
    that are new, one rewords those whose wording moved, one resolves those that no longer
    hold, and the missions whose score moved are rescored. Rows that did not change are not
    written, so a nightly run over a stable organisation writes little. Safe to run twice
    and concurrently with itself: the runs of one organisation take their turns (an
    advisory lock), so the second finds open what the first opened.
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
        "likely_below": organisation.likely_miss_below,
        "lapse_by": ops.adapt_datefield_value(today + dt.timedelta(days=REVIEW_LAPSE_DAYS)),
        "outrun_by": ops.adapt_datefield_value(today + dt.timedelta(days=OUTRUN_DAYS)),
        "overload_by": ops.adapt_datefield_value(today + dt.timedelta(days=OVERLOAD_DAYS)),
        "overload_tasks": TASKS_PER_MISSION * organisation.max_active_missions,
        "support_by": ops.adapt_datefield_value(today + dt.timedelta(days=SUPPORT_DAYS)),
    }
    if root is not None:
        params["prefix"] = tree.child_path(root.path, root.pk) + "%"
        params["root"] = root.pk
    scope = f"{_missions_in('m', root)} AND m.status = 'active'"
    result = CheckResult(organisation=organisation.slug)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One run of an organisation's checks at a time (a subtree's too): a second one
            # waits here, then finds open what the first opened. So the findings are opened
            # by a plain INSERT; with ON CONFLICT each of them cost a probe of the unique
            # index first. (SQLite lets one writer at a time anyway.)
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RUN_LOCK, organisation.pk])
            # The run's temporary tables are analysed for their joins' plans from a sample of
            # 3,000 rows, not 30,000: a row count and rough spreads are all those plans need,
            # and each ANALYZE of 100,000 missions took about 95 ms against 12.
            cursor.execute("SET LOCAL default_statistics_target = 10")
        if connection.vendor == "postgresql" and root is None:
            # A guard for the whole organisation's run, whose rules join large sets (KPIs,
            # key tasks, missions, the temporary table): an earlier form of the predicted
            # rules got nested loops from the planner, about a minute at 20,000 missions
            # where hash joins took about a second. With these rules it changes little (see
            # docs/architecture.md). For this transaction only, and not for a subtree's
            # run, whose few rows nested loops over indexes serve best.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL jit = off")
            # Hash joins of a few hundred thousand rows (what holds against what is open,
            # KPIs against missions) fit in memory instead of spilling in batches to disk:
            # the server's memory, for this transaction only.
            cursor.execute(f"SET LOCAL work_mem = '{WHOLE_RUN_WORK_MEM}'")
        cursor.execute("DROP TABLE IF EXISTS holding_findings")
        cursor.execute(
            "CREATE TEMPORARY TABLE holding_findings (mission_id bigint NOT NULL, "
            "subject varchar(40) NOT NULL, message varchar(300) NOT NULL, "
            "expected_on date NULL, kind varchar(24) NOT NULL, severity varchar(10) NOT NULL)"
        )
        # The missions of the run, whatever their status, with only the columns the rules
        # read: each rule scans this narrow copy, not the missions' wide rows (about 1.4 kB
        # each, with their texts), 80 ms a scan at 100,000 missions. The whole
        # organisation's run reads its parents, siblings and the like from it too (nine
        # scans of the table); a subtree's, from the table by index.
        step = time.perf_counter()
        cursor.execute("DROP TABLE IF EXISTS run_missions")
        cursor.execute(
            f"CREATE TEMPORARY TABLE run_missions AS SELECT {', '.join(RUN_COLUMNS)} "
            f"FROM missions_mission m WHERE {_missions_in('m', root)}",
            params,
        )
        all_missions = "run_missions" if root is None else "missions_mission"
        cursor.execute("CREATE INDEX run_missions_id ON run_missions (id)")
        cursor.execute("ANALYZE run_missions")
        result.step_seconds["missions"] = time.perf_counter() - step
        for rule in rules():
            step = time.perf_counter()
            columns = "mission_id, subject, message" + (", expected_on" if rule.predicted else "")
            select = rule.select.format(
                scope=scope, missions="run_missions", all_missions=all_missions
            )
            cursor.execute(
                f"INSERT INTO holding_findings ({columns}, kind, severity) "
                f"SELECT found.*, %(kind)s, %(severity)s FROM ({select}) AS found",
                {**params, "kind": rule.kind, "severity": rule.severity},
            )
            result.step_seconds[rule.kind] = time.perf_counter() - step
        step = time.perf_counter()
        if root is not None:
            # A subtree's few rows are joined by index; the whole organisation's, by hash,
            # which needs none (its build cost 150 ms for 274,000 findings).
            cursor.execute(
                "CREATE INDEX holding_findings_key ON holding_findings (mission_id, kind, subject)"
            )
        cursor.execute("ANALYZE holding_findings")
        changes = _compare_with_open(cursor, params, root)
        _apply_changes(cursor, params, changes)
        result.resolved = changes["resolve"]
        result.step_seconds["open"] = time.perf_counter() - step
        step = time.perf_counter()
        score_missions(cursor, params, _of_the_subtree("mission_id", root))
        result.step_seconds["score"] = time.perf_counter() - step
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
        step = time.perf_counter()
        _emit_findings(organisation, now=now, opened=result.opened, resolved=result.resolved)
        result.step_seconds["webhooks"] = time.perf_counter() - step
        if root is None:
            step = time.perf_counter()
            result.score = snapshot(cursor, params)
            result.step_seconds["snapshot"] = time.perf_counter() - step
        for table in ("finding_changes", "holding_findings", "run_missions"):
            cursor.execute(f"DROP TABLE {table}")
    result.seconds = time.perf_counter() - started
    return result


def _compare_with_open(cursor: Any, params: dict[str, Any], root: Mission | None) -> dict[str, int]:
    """What holds now (``holding_findings``) against the open findings of the missions the
    run covers, in one join, into ``finding_changes``: a row without ``finding_id`` is a
    finding to open, one without ``kind`` an open finding that no longer holds, one with
    both an open finding whose wording, severity or expected day moved. Returns how many of
    each there are. (Three joins, one per change, took 800 ms at 274,000 findings that all
    still held, against 320 ms.)"""
    expected_moved = dialect()["distinct"].format(a="f.expected_on", b="h.expected_on")
    cursor.execute("DROP TABLE IF EXISTS finding_changes")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE finding_changes AS
        SELECT f.id AS finding_id, h.mission_id, h.subject, h.message, h.expected_on, h.kind,
               h.severity
        FROM holding_findings h
        FULL JOIN (SELECT id, mission_id, kind, subject, message, severity, expected_on
                   FROM reviews_finding
                   WHERE organisation_id = %(org)s AND resolved_at IS NULL
                   {_of_the_subtree("mission_id", root)}) f
               ON h.mission_id = f.mission_id AND h.kind = f.kind AND h.subject = f.subject
        WHERE f.id IS NULL OR h.kind IS NULL
           OR f.message <> h.message OR f.severity <> h.severity OR {expected_moved}
        """,
        params,
    )
    cursor.execute(
        "SELECT CASE WHEN finding_id IS NULL THEN 'open' WHEN kind IS NULL THEN 'resolve' "
        "ELSE 'reword' END, COUNT(*) FROM finding_changes GROUP BY 1"
    )
    return {"open": 0, "resolve": 0, "reword": 0, **dict(cursor.fetchall())}


def _apply_changes(cursor: Any, params: dict[str, Any], changes: dict[str, int]) -> None:
    """Open, reword and resolve the findings ``finding_changes`` lists, each kind of change
    one statement, none where there is nothing to change (a stable night writes nothing)."""
    if changes["reword"]:
        cursor.execute(
            """
            UPDATE reviews_finding SET message = c.message, severity = c.severity,
                                       expected_on = c.expected_on, last_seen_at = %(now)s
            FROM finding_changes c
            WHERE reviews_finding.id = c.finding_id AND c.kind IS NOT NULL
            """,
            params,
        )
    if changes["open"]:
        cursor.execute(
            """
            INSERT INTO reviews_finding (organisation_id, mission_id, subject, message, kind,
                                         severity, expected_on, opened_at, last_seen_at)
            SELECT %(org)s, c.mission_id, c.subject, c.message, c.kind, c.severity,
                   c.expected_on, %(now)s, %(now)s
            FROM finding_changes c WHERE c.finding_id IS NULL
            """,
            params,
        )
    if changes["resolve"]:
        cursor.execute(
            """
            UPDATE reviews_finding SET resolved_at = %(now)s
            FROM finding_changes c WHERE reviews_finding.id = c.finding_id AND c.kind IS NULL
            """,
            params,
        )


def _emit_findings(
    organisation: Organisation, *, now: dt.datetime, opened: int, resolved: int
) -> None:
    """One event per run for the findings it opened, one for those it resolved: their count
    and the first ``FINDINGS_LISTED`` of them (the rest through ``/api/v1/findings/``), never
    one event per finding (a run may open hundreds of thousands). Nobody listening, this is a
    cached look-up and nothing more; listening, two queries per event."""
    for event, column, count in (
        (webhooks.Event.FINDING_OPENED, "opened_at", opened),
        (webhooks.Event.FINDING_RESOLVED, "resolved_at", resolved),
    ):
        if count:
            webhooks.emit(
                organisation=organisation,
                event=event,
                data=partial(_findings_data, organisation, column, now, count),
                summary=_findings_summary(organisation, event, count),
            )


def _findings_data(
    organisation: Organisation, column: str, now: dt.datetime, count: int
) -> dict[str, Any]:
    # Any of them, in no order: the read stops at the hundredth. Those opened are among the
    # open ones (their partial indexes serve the organisation's).
    found = Finding.objects.filter(organisation=organisation, **{column: now})
    if column == "opened_at":
        found = found.filter(resolved_at__isnull=True)
    listed = list(
        found.order_by().values("id", "mission_id", "kind", "severity", "message")[
            : webhooks.FINDINGS_LISTED
        ]
    )
    return {
        "organisation": organisation.pk,
        "count": count,
        "at": now,
        "findings": [
            {
                "id": row["id"],
                "mission": row["mission_id"],
                "kind": row["kind"],
                "severity": row["severity"],
                "message": row["message"],
            }
            for row in listed
        ],
        "more": count > len(listed),
        "url": absolute_url(reverse("dashboards:organisation", kwargs={"org": organisation.slug})),
    }


def _findings_summary(organisation: Organisation, event: str, count: int) -> str:
    done = "opened" if event == webhooks.Event.FINDING_OPENED else "resolved"
    return (
        f"The alignment checks {done} {count} finding{'' if count == 1 else 's'} "
        f"in {organisation.name}."
    )


def _of_the_subtree(column: str, root: Mission | None) -> str:
    """The SQL condition that ``column`` is a mission of the subtree a run covers; none for
    the whole organisation's run, whose rows (of the organisation) are all of its missions."""
    if root is None:
        return ""
    return f"AND {column} IN (SELECT m.id FROM missions_mission m WHERE {_missions_in('m', root)})"


def _missions_in(alias: str, root: Mission | None) -> str:
    """The SQL condition for the missions a run covers: the organisation, or one subtree."""
    condition = f"{alias}.organisation_id = %(org)s"
    if root is not None:
        condition += f" AND ({alias}.id = %(root)s OR {alias}.path LIKE %(prefix)s)"
    return condition
