"""Background jobs as their management commands run them: the alignment checks, the review
reminders, the nightly refresh of every KPI's figures, and the forecast's backtest."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_celery_results.models import TaskResult

from measures.models import Kpi
from measures.tasks import NIGHTLY_CHUNK, kpi_refresh_organisation
from missionlead.celery import app as celery_app
from reviews.models import AlignmentSnapshot, Reminder

from .config import BENCH_ENV, ROOT
from .figures import log, median_ms, raw, record
from .organisation import settle


def command(*args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Milliseconds ``manage.py args`` took as a whole process, and what it printed; ``env``
    adds to the bench's environment."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **BENCH_ENV, **(env or {})},
        check=True,
    )
    return (time.perf_counter() - started) * 1000, out.stdout


def _refresh_through_workers(org: Any) -> float:
    """Milliseconds from sending the organisation's nightly refresh (the schedule's task)
    to a worker of concurrency 2 until its roll-ups, the chord's last task, are done."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "missionlead", "worker", "-c", "2", "-l", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV},
    )
    try:
        while not celery_app.control.ping(timeout=1):  # until the worker answers
            time.sleep(0.5)
        sent, started = timezone.now(), time.perf_counter()
        kpi_refresh_organisation.delay(org.pk)
        done = TaskResult.objects.filter(
            task_name="measures.tasks.kpi_refresh_rollups", status="SUCCESS", date_done__gte=sent
        )
        while not done.exists():
            if time.perf_counter() - started > 1800:
                raise RuntimeError("The nightly refresh did not finish within 30 minutes.")
            time.sleep(0.2)
        return (time.perf_counter() - started) * 1000
    finally:
        worker.terminate()
        worker.wait(timeout=120)


# What a run on fresh data writes: each table, the columns it writes, which of its rows.
WRITTEN = (
    (
        "reviews_finding",
        "organisation_id, mission_id, kind, subject, severity, message, expected_on, "
        "opened_at, last_seen_at",
        "AND resolved_at IS NULL",
    ),
    ("reviews_missionscore", "organisation_id, mission_id, score", ""),
)


def _forget_checks(org: Any) -> None:
    """The organisation as before its first check: no finding, no score, tables vacuumed."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_finding WHERE organisation_id = %s", [org.pk])
        cursor.execute("DELETE FROM reviews_missionscore WHERE organisation_id = %s", [org.pk])
        cursor.execute("VACUUM ANALYZE reviews_finding")
        cursor.execute("VACUUM ANALYZE reviews_missionscore")


def _record_checks(
    ctx: dict[str, Any], runs: list[tuple[float, str]], how: str, base: float, baseline: str
) -> None:
    org = ctx["organisation"]
    times = [t for t, _ in runs]
    peak = max(
        float(re.search(r"Peak memory of this process: (\d+)", out).group(1)) for _, out in runs
    )
    # The run's own time, as the command prints it for the organisation: the rest is start-up.
    inside = [
        float(re.search(rf"{re.escape(org.slug)} … ([\d.]+) s", out).group(1)) for _, out in runs
    ]
    ms = statistics.median(times)
    record(
        f"alignment checks, {ctx['missions']:,} missions, {how}",
        ms,
        base,
        target="< 5 s, < 200 MiB",
        met=ms < 5_000 and peak < 200,
        note=f"(median of 3, {min(times) / 1000:.1f}–{max(times) / 1000:.1f} s; a whole "
        f"command: start-up included, the run itself {statistics.median(inside):.2f} s; "
        f"peak memory {peak:.0f} MiB; baseline: {baseline})",
    )


def _missions_read_ms(org: Any) -> float:
    """What the rules read of the organisation's missions, fetched by one query."""
    return median_ms(
        raw(
            "SELECT id, parent_id, level, status, alignment_status, period_start, period_end, "
            "deadline, budget, headcount, next_review_due, proposed_at, owner_user_id, "
            "owner_team_id FROM missions_mission WHERE organisation_id = %s",
            [org.pk],
        ),
        repeat=3,
    )


def _writing_alone_ms(org: Any) -> float:
    """The floor of a run on fresh data: milliseconds of writing what it writes and nothing
    else, into the same emptied tables with their keys and indexes. The organisation's open
    findings and scores, as the run before left them, are inserted by one statement each,
    the keys checked (at commit in a run), then rolled back; median of three."""
    with connection.cursor() as cursor:
        for table, columns, where in WRITTEN:
            cursor.execute(f"DROP TABLE IF EXISTS written_{table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE written_{table} AS SELECT {columns} FROM {table} "
                f"WHERE organisation_id = %s {where}",
                [org.pk],
            )
    times = []
    for _ in range(3):
        _forget_checks(org)
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            for table, columns, _ in WRITTEN:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {columns} FROM written_{table}"
                )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    _forget_checks(org)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {', '.join(f'written_{table}' for table, _, _ in WRITTEN)}")
    return statistics.median(times)


def measure_jobs(ctx: dict[str, Any]) -> None:
    log("==> background jobs (as their commands run them)")
    org = ctx["organisation"]
    # On fresh data, as the first night after an import finds it: every finding to open and
    # every score to write (a re-run, with nothing new, is far cheaper and is measured next).
    fresh = []
    for _ in range(3):
        _forget_checks(org)
        fresh.append(command("run_alignment_checks", "--org", org.slug))
    _record_checks(
        ctx,
        fresh,
        "on fresh data (every finding opened, every score written)",
        _writing_alone_ms(org),
        "writing the same findings and scores alone, keys checked",
    )
    command("run_alignment_checks", "--org", org.slug)  # the findings the floor rolled back
    # An ordinary night: the day's autovacuum has tidied what the fresh runs churned.
    settle()
    runs = [command("run_alignment_checks", "--org", org.slug) for _ in range(3)]
    _record_checks(
        ctx,
        runs,
        "run again (nothing new; the tables vacuumed, as on an ordinary night)",
        _missions_read_ms(org),
        "the missions' columns the rules read, by one query",
    )
    # An ordinary day, three times: each run finds today's reminders unclaimed again (the
    # claims of the run before are removed), so each sends the whole day, not an empty re-run.
    day = []
    for _ in range(3):
        Reminder.objects.filter(created_at__date=timezone.localdate()).delete()
        day.append(command("send_review_reminders"))
    ms = statistics.median(t for t, _ in day)
    sent = re.search(r"(\d+) sent now", day[0][1])
    record(
        f"review reminder job, an ordinary day ({int(sent.group(1)) if sent else 0:,} sent)",
        ms,
        None,
        target="< 15 s",
        met=ms < 15_000,
        note=f"(median of 3, {min(t for t, _ in day) / 1000:.1f}–"
        f"{max(t for t, _ in day) / 1000:.1f} s; a whole command: start-up included)",
    )
    ms, out = command("send_review_reminders")
    record("review reminder job, run again", ms, None, note=f"({out.strip()})")
    settle()  # what the check runs above churned, before the load tests
    ctx["snapshots"] = AlignmentSnapshot.objects.filter(organisation=org).count()


def measure_forecasts(ctx: dict[str, Any]) -> None:
    """The nightly refresh of every KPI of the organisation (the forecast of each from its
    check-ins), beside reading those check-ins; and the backtest's accuracy figures."""
    log("==> forecasts (the nightly refresh, the backtest)")
    org = ctx["organisation"]
    kpis = Kpi.objects.filter(organisation=org).count()
    runs = [command("refresh_kpi_figures", "--org", org.slug)[0] for _ in range(3)]
    base = median_ms(
        raw(
            "SELECT c.kpi_id, c.value, c.confidence, c.recorded_on FROM measures_checkin c "
            "JOIN measures_kpi k ON k.id = c.kpi_id WHERE k.organisation_id = %s "
            "ORDER BY c.kpi_id, c.recorded_on",
            [org.pk],
        ),
        repeat=3,
    )
    ms = statistics.median(runs)
    spread = f"{min(runs) / 1000:.1f}–{max(runs) / 1000:.1f} s"
    record(
        f"nightly KPI refresh, {kpis:,} KPIs",
        ms,
        base,
        target="< 10 min",
        met=ms < 600_000,
        note=f"(a whole command, start-up included; runs {spread})",
    )
    runs = [_refresh_through_workers(org) for _ in range(3)]
    ms = statistics.median(runs)
    record(
        f"nightly KPI refresh through 2 Celery workers, {kpis:,} KPIs",
        ms,
        base,
        target="< 10 min",
        met=ms < 600_000,
        note=(
            f"(the schedule's task: calibration, chunks of {NIGHTLY_CHUNK:,} KPIs shared by "
            f"a worker of concurrency 2, then the roll-ups; runs "
            f"{min(runs) / 1000:.1f}–{max(runs) / 1000:.1f} s)"
        ),
    )
    ms, out = command("forecast_backtest", "--json")
    figures = json.loads(out)["synthetic"]
    methods, accepted = figures["methods"], figures["acceptance"]
    said = "; ".join(
        f"{name}: MASE {m['mase']:.2f}, right calls {m['right_calls']:.1%}, Brier {m['brier']:.3f}"
        + (f", 80% coverage {m['coverage_80']:.1%}" if m["coverage_80"] is not None else "")
        for name, m in methods.items()
    )
    record(
        "forecast backtest, synthetic suite (reporting half)",
        ms,
        None,
        target="v2 beats both baselines",
        met=all(accepted.values()) if isinstance(accepted, dict) else bool(accepted),
        note=f"({said})",
    )
