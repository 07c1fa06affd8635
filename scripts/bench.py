"""The benchmark suite behind ``make bench`` (see scripts/bench/).

Runs against the PostgreSQL that ``scripts/bench.sh`` starts (``DATABASE_URL``), on an
organisation of ``BENCH_MISSIONS`` missions (100,000 by default) that ``generate_org`` writes
once and later runs reuse. Every figure is a median over repeated runs in this one process,
beside a **baseline measured in the same run**: the same rows fetched with one raw SQL query
and serialised with orjson, the floor any implementation pays. Load figures come from wrk
against gunicorn on 127.0.0.1. The table is printed and written to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench.config import BENCH_ENV  # noqa: E402

os.environ.update(BENCH_ENV)

import django  # noqa: E402

django.setup()

from scripts.bench import (  # noqa: E402
    brief,
    exports,
    generation,
    growth,
    jobs,
    load,
    organisation,
    pages,
    report,
    search,
)


def main() -> None:
    started = time.perf_counter()
    ctx = organisation.prepare()
    pages.measure_pages(ctx)
    pages.measure_export(ctx)
    search.measure_search(ctx)
    exports.measure_exports(ctx)
    growth.measure_growth(ctx)
    brief.measure_brief(ctx)
    jobs.measure_jobs(ctx)
    jobs.measure_forecasts(ctx)
    load.measure_load(ctx)
    # Last: each run fills the machine's file cache with a database the others do not read.
    generation.measure_generation(ctx)
    report.write_report(ctx, time.perf_counter() - started)


if __name__ == "__main__":
    main()
