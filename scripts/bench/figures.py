"""How a figure is taken and kept: the median of repeated runs, the baseline (the same rows
fetched with one raw SQL query and serialised with orjson), and the rows of the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import orjson
from django.db import connection

from .config import REPEAT

ROWS: list[dict[str, Any]] = []


def log(message: str) -> None:
    print(message, flush=True)


def median_ms(fn: Callable[[], Any], repeat: int = REPEAT) -> float:
    fn()  # warm caches and connections
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def raw(sql: str, params: list[Any]) -> Callable[[], bytes]:
    """The baseline: one raw query, its rows serialised with orjson."""

    def run() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return orjson.dumps(rows, default=str)

    return run


def record(
    name: str,
    ms: float,
    baseline_ms: float | None,
    *,
    queries: int | None = None,
    target: str = "",
    met: bool | None = None,
    note: str = "",
) -> None:
    ratio = ms / baseline_ms if baseline_ms else None
    ROWS.append(
        {
            "name": name,
            "ms": ms,
            "baseline": baseline_ms,
            "ratio": ratio,
            "queries": queries,
            "target": target,
            "met": met,
            "note": note,
        }
    )
    ratio_text = f"{ratio:.1f}×" if ratio else "—"
    log(
        f"  {name}: {ms:.1f} ms (baseline {baseline_ms or 0:.1f} ms, {ratio_text})"
        f"{f', {queries} queries' if queries is not None else ''} {note}"
    )
