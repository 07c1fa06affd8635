"""``generate_org --missions N`` as a person runs it, each time into an empty database of its
own: created from a template migrated once, dropped after. The bench's organisation is generated
once and kept, so without this row the generator's own time would go unmeasured.

    BENCH_GENERATE_RUNS=0 make bench   # without this row (each run writes about 1.6 GB)
"""

from __future__ import annotations

import os
import re
import resource
import statistics
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from .config import MISSIONS
from .figures import log, record
from .jobs import command

RUNS = int(os.environ.get("BENCH_GENERATE_RUNS", "3"))
TEMPLATE, TARGET = "bench_generate_template", "bench_generate"


def _database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _manage(database: str, *args: str) -> tuple[float, str]:
    return command(*args, env={"DATABASE_URL": _database_url(database)})


def _recreate(name: str, template: str | None = None) -> None:
    with connection.cursor() as cursor:  # outside a transaction: CREATE DATABASE needs it
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))


def measure_generation(ctx: dict[str, Any]) -> None:
    if RUNS < 1:
        return
    log(f"==> generate_org --missions {MISSIONS:,}, an empty database each run ({RUNS} runs)")
    _recreate(TEMPLATE)
    try:
        _manage(TEMPLATE, "migrate", "--verbosity", "0")
        runs, said, peaks = [], [], []
        for _ in range(RUNS):
            _recreate(TARGET, TEMPLATE)
            ms, out = _manage(
                TARGET, "generate_org", f"--missions={MISSIONS}", "--slug=gen", "--no-progress"
            )
            runs.append(ms)
            # The kernel keeps one high-water mark for all the bench's children: the largest
            # of them so far, this command's (about 1 GB) the largest by far.
            peaks.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            found = re.search(r"generated in ([\d.]+) s", out)
            said.append(found.group(1) if found else "?")
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE {TARGET}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {TARGET}")
            cursor.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    ms = statistics.median(runs)
    record(
        f"generate_org --missions {MISSIONS:,}, an empty database each run",
        ms,
        None,
        target="< 60 s",
        met=ms < 60_000,
        note=f"(median of {RUNS}, {min(runs) / 1000:.1f}–{max(runs) / 1000:.1f} s; a whole "
        f"command, start-up included; by its own count {', '.join(said)} s; largest process "
        f"{max(peaks) / 1024:.0f} MiB)",
    )
