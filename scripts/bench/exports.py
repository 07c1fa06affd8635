"""The cascade and KPI exports of the whole organisation, CSV and Excel, each read to its last
byte through its view, beside PostgreSQL's ``COPY (the same query) TO STDOUT``: the floor of
any export of these rows, measured in the same run, interleaved with it. Then each once more
under ``tracemalloc``, for the peak of the Python memory it held.

The requests are made with a request factory and the bench admin set on them: nothing is
written (no session), only read.

    scripts/with-services.sh .venv/bin/python scripts/bench_exports.py   # alone, bench data
"""

from __future__ import annotations

import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.test import RequestFactory
from django.urls import resolve

from kernel.models import Organisation

from .figures import log, record

REPEAT = int(os.environ.get("BENCH_EXPORT_REPEAT", "3"))
# Which exports, by the start of their address after the organisation's: ``cascade,kpis``.
ONLY = os.environ.get("BENCH_EXPORTS", "cascade,kpis").split(",")
# A quick look: no warm-up run, and the peak as the process's resident high-water mark
# instead of one more run under ``tracemalloc`` (which slows Python's every allocation).
QUICK = os.environ.get("BENCH_EXPORT_QUICK") == "1"


class _Sink:
    """Where a COPY writes: counted, not kept."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def _copy(queries: list[QuerySet[Any, Any]]) -> Callable[[], int]:
    def run() -> int:
        sink = _Sink()
        with connection.cursor() as cursor:
            for query in queries:
                sql, params = query.query.sql_with_params()
                inner = cursor.mogrify(sql, params).decode()
                cursor.copy_expert(f"COPY ({inner}) TO STDOUT WITH (FORMAT csv)", sink)
        return sink.size

    return run


def _export(path: str, user: Any) -> Callable[[], int]:
    factory = RequestFactory()

    def run() -> int:
        request = factory.get(path)
        request.user = user
        match = resolve(path)
        response = match.func(request, *match.args, **match.kwargs)
        assert response.status_code == 200, (path, response.status_code)
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size

    return run


def _spread(times: list[float]) -> str:
    return f"{min(times) / 1000:,.1f}–{max(times) / 1000:,.1f} s"


def cases(organisation: Organisation) -> list[tuple[str, str, list[QuerySet[Any, Any]]]]:
    """Each export: its name, its address, and the queries of its rows (for the COPY)."""
    from measures import exports
    from measures.models import Kpi
    from missions.models import Mission

    missions = Mission.objects.filter(organisation=organisation)
    kpis = Kpi.objects.filter(organisation=organisation)
    base = f"/o/{organisation.slug}"
    return [
        (
            f"cascade CSV ({missions.count():,} missions)",
            f"{base}/cascade/export.csv",
            [exports.cascade_rows(missions, for_csv=True)],
        ),
        (
            "cascade workbook (.xlsx)",
            f"{base}/cascade/export.xlsx",
            [sheet.rows for sheet in exports.cascade_sheets(missions)],
        ),
        (
            f"KPIs with their check-ins CSV ({kpis.count():,} KPIs)",
            f"{base}/kpis/export.csv",
            [exports.kpis_with_check_ins(kpis, for_csv=True)],
        ),
        (
            "KPIs and check-ins workbook (.xlsx, two sheets)",
            f"{base}/kpis/export.xlsx",
            [sheet.rows for sheet in exports.kpi_sheets(kpis)],
        ),
    ]


def measure_exports(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    log("==> exports of the whole organisation (CSV and Excel, against COPY)")
    organisation: Organisation = ctx["organisation"]
    user = ctx["admin"]
    results = []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for name, path, queries in cases(organisation):
        if not any(path.startswith(f"/o/{organisation.slug}/{only}") for only in ONLY):
            continue
        export, copy = _export(path, user), _copy(queries)
        if not QUICK:  # warm
            export()
            copy()
        export_ms: list[float] = []
        copy_ms: list[float] = []
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _ in range(REPEAT):  # interleaved: the same state of the machine for both
            started = time.perf_counter()
            size = export()
            export_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            copied = copy()
            copy_ms.append((time.perf_counter() - started) * 1000)
            log(f"    {name}: {export_ms[-1]:,.0f} ms, COPY {copy_ms[-1]:,.0f} ms")
        if QUICK:
            peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) * 1024
        else:
            tracemalloc.start()
            export()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        ms, base = statistics.median(export_ms), statistics.median(copy_ms)
        row = {
            "name": name,
            "ms": ms,
            "spread": _spread(export_ms),
            "copy_ms": base,
            "copy_spread": _spread(copy_ms),
            "bytes": size,
            "copy_bytes": copied,
            "peak_mib": peak / 2**20,
        }
        results.append(row)
        log(
            f"    {name}: {ms / 1000:,.2f} s ({row['spread']}), {size / 2**20:,.0f} MiB; "
            f"COPY {base / 1000:,.2f} s ({row['copy_spread']}), {copied / 2**20:,.0f} MiB; "
            f"{ms / base:.2f}× COPY; Python peak {row['peak_mib']:.1f} MiB"
        )
        record(
            f"{name}, read to its last byte (median of {REPEAT}, {row['spread']}; "
            f"Python peak {row['peak_mib']:.1f} MiB)",
            ms,
            base,
            target="≤ 2× COPY" if path.endswith(".csv") else "",
            met=ms <= 2 * base if path.endswith(".csv") else None,
            note="(baseline: COPY of the same rows)",
        )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    log(f"    the process's peak memory: {rss_before / 1024:,.0f} → {rss_after / 1024:,.0f} MiB")
    return results
