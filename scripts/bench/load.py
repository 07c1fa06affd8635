"""Load through gunicorn: wrk against the mission list API and KPI check-ins, at 1, 10 and
50 clients, with the production image's workers (2 × cores + 1); then the mission and KPI list
APIs at 10 clients with 2 workers, the target's case (p95 under 100 ms), three runs each."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from measures.models import CheckIn, Kpi

from .config import BENCH_ENV, ROOT
from .figures import log, median_ms, raw, record
from .organisation import settle
from .wrk import free_port, wrk


@contextmanager
def gunicorn(workers: int) -> Iterator[int]:
    """A gunicorn of ``workers`` synchronous workers on a free port, stopped on the way out."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "missionlead.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV},
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def measure_load(ctx: dict[str, Any]) -> None:
    if not shutil.which("wrk"):
        log("==> load: wrk is missing, skipped")
        return
    log("==> load through gunicorn (wrk)")
    settle()  # what the nightly refresh above rewrote, before the load
    # gunicorn's advice: (2 × cores) + 1 synchronous workers, as the production image runs.
    with gunicorn(2 * (os.cpu_count() or 2) + 1) as port:
        _production_workers(ctx, port)
    log("==> the list APIs with 2 workers, 10 clients (3 runs each)")
    with gunicorn(2) as port:
        _two_workers(ctx, port)


def _two_workers(ctx: dict[str, Any], port: int) -> None:
    """The target's case: p95 under 100 ms at 10 clients on 2 workers, for the mission and the
    KPI list; the median of three runs (interleaved, list by list) with their spread."""
    org = ctx["organisation"]
    env = {"BENCH_TOKEN": ctx["token"]}
    lists = {
        "mission": (f"/api/v1/missions/?organisation={org.pk}", ctx["list_baseline"]),
        "KPI": (f"/api/v1/kpis/?organisation={org.pk}", ctx["kpi_list_baseline"]),
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in lists}
    for path, _ in lists.values():
        wrk(port, path, 10, env, seconds=2)  # warm-up
    for _ in range(3):
        for name, (path, _) in lists.items():
            runs[name].append(wrk(port, path, 10, env))
    for name, (_, baseline) in lists.items():
        p95s = sorted(r["p95"] / 1000 for r in runs[name])
        p50s = sorted(r["p50"] / 1000 for r in runs[name])
        rps = statistics.median(r["requests"] / r["seconds"] for r in runs[name])
        p95 = statistics.median(p95s)
        errors = sum(r["non2xx"] + r["errors"] for r in runs[name])
        record(
            f"{name} list API under load, 10 clients, 2 workers",
            statistics.median(p50s),
            baseline,
            target="p95 < 100 ms",
            met=p95 < 100,
            note=f"{rps:.0f} req/s, p50 {p50s[0]:.0f}–{p50s[-1]:.0f} / p95 {p95:.0f} "
            f"({p95s[0]:.0f}–{p95s[-1]:.0f}) ms, medians of 3 runs, {errors} errors",
        )


def _production_workers(ctx: dict[str, Any], port: int) -> None:
    org = ctx["organisation"]
    env = {"BENCH_TOKEN": ctx["token"]}
    path = f"/api/v1/missions/?organisation={org.pk}"
    wrk(port, path, 10, env, seconds=2)  # warm-up: workers connect and fill their caches
    for clients in (1, 10, 50):
        r = wrk(port, path, clients, env)
        rps = r["requests"] / r["seconds"]
        p95 = r["p95"] / 1000
        record(
            f"mission list API under load, {clients} client{'s' if clients > 1 else ''}",
            r["p50"] / 1000,
            ctx["list_baseline"],
            note=f"{rps:.0f} req/s, p50 {r['p50'] / 1000:.0f} / p95 {p95:.0f} / "
            f"p99 {r['p99'] / 1000:.0f} ms, {r['non2xx'] + r['errors']} errors",
        )
    kpis = list(
        Kpi.objects.filter(organisation=org, status="active")
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    before = CheckIn.objects.filter(kpi_id__in=kpis).count()
    r = wrk(port, "/", 10, {**env, "BENCH_KPIS": ",".join(map(str, kpis))})
    written = CheckIn.objects.filter(kpi_id__in=kpis).count() - before
    insert = raw(
        "INSERT INTO measures_checkin (kpi_id, value, confidence, comment, "
        "recorded_on, author_id, created_at) VALUES (%s, 1, 70, '', CURRENT_DATE, "
        "%s, now()) RETURNING id",
        [kpis[0], ctx["admin"].pk],
    )
    base = median_ms(insert, repeat=50)
    record(
        "KPI check-ins under load, 10 clients",
        r["p50"] / 1000,
        base,
        note=f"{written / r['seconds']:.0f} check-ins/s stored ({written:,} rows), "
        f"p95 {r['p95'] / 1000:.0f} ms, {r['non2xx'] + r['errors']} errors",
    )
