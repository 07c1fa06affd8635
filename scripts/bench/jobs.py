"""Background jobs as their management commands run them: the alignment checks and the review
reminders."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from reviews.models import AlignmentSnapshot

from .config import BENCH_ENV, ROOT
from .figures import log, median_ms, raw, record


def command(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **BENCH_ENV},
        check=True,
    )
    return (time.perf_counter() - started) * 1000, out.stdout


def measure_jobs(ctx: dict[str, Any]) -> None:
    log("==> background jobs (as their commands run them)")
    org = ctx["organisation"]
    runs = [command("run_alignment_checks", "--org", org.slug) for _ in range(3)]
    ms = statistics.median(t for t, _ in runs)
    peak = max(
        float(re.search(r"Peak memory of this process: (\d+)", out).group(1)) for _, out in runs
    )
    base = median_ms(
        raw(
            "SELECT id, parent_id, level, status, alignment_status, period_start, period_end, "
            "deadline, budget, headcount, next_review_due, proposed_at, owner_user_id, "
            "owner_team_id FROM missions_mission WHERE organisation_id = %s",
            [org.pk],
        ),
        repeat=3,
    )
    record(
        f"alignment checks, {ctx['missions']:,} missions",
        ms,
        base,
        target="< 10 s",
        met=ms < 10_000,
        note=f"(a whole command: start-up included; peak memory {peak:.0f} MiB)",
    )
    ms, out = command("send_review_reminders")
    record("review reminder job", ms, None, note=f"({out.strip()})")
    ms, out = command("send_review_reminders")
    record("review reminder job, run again", ms, None, note=f"({out.strip()})")
    ctx["snapshots"] = AlignmentSnapshot.objects.filter(organisation=org).count()
