"""Load through gunicorn: wrk against the mission list API and KPI check-ins, at 1, 10 and
50 clients."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Any

from measures.models import CheckIn, Kpi

from .config import BENCH_ENV, LOAD_SECONDS, ROOT
from .figures import log, median_ms, raw, record

WRK_SCRIPT = """
local token = os.getenv("BENCH_TOKEN")
local kpis = {}
for id in string.gmatch(os.getenv("BENCH_KPIS") or "", "%d+") do kpis[#kpis + 1] = id end
local n = 0
request = function()
  local headers = {["Authorization"] = "Token " .. token}
  if #kpis > 0 then
    n = n + 1
    headers["Content-Type"] = "application/json"
    local kpi = kpis[(n * 7919 + math.random(#kpis)) % #kpis + 1]
    return wrk.format("POST", "/api/v1/kpis/" .. kpi .. "/check-ins/", headers,
                      '{"value": "42.5", "confidence": 70}')
  end
  return wrk.format("GET", wrk.path, headers)
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "p50": %d, "p95": %d, "p99": %d, '
    .. '"errors": %d, "non2xx": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(
    port: int, path: str, clients: int, env: dict[str, str], seconds: int = LOAD_SECONDS
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    threads = max(1, min(2, clients))
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    os.unlink(script.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_load(ctx: dict[str, Any]) -> None:
    if not shutil.which("wrk"):
        log("==> load: wrk is missing, skipped")
        return
    log("==> load through gunicorn (wrk)")
    org = ctx["organisation"]
    port = free_port()
    # gunicorn's advice: (2 × cores) + 1 synchronous workers, as the production image runs.
    workers = 2 * (os.cpu_count() or 2) + 1
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
        env = {"BENCH_TOKEN": ctx["token"]}
        path = f"/api/v1/missions/?organisation={org.pk}"
        wrk(port, path, 10, env, seconds=2)  # warm-up: workers connect and fill their caches
        for clients in (1, 10, 50):
            r = wrk(port, path, clients, env)
            rps = r["requests"] / r["seconds"]
            p95 = r["p95"] / 1000
            met = p95 < 100 if clients == 10 else None
            record(
                f"mission list API under load, {clients} client{'s' if clients > 1 else ''}",
                r["p50"] / 1000,
                ctx["list_baseline"],
                target="p95 < 100 ms at 10 clients" if clients == 10 else "",
                met=met,
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
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
