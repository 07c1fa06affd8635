"""wrk, the HTTP load generator, driven from Python: one run against a path on 127.0.0.1 with
an API token, its requests, seconds and latency percentiles as JSON. Free of Django, so that
``make bench`` and ``make scale-test`` (which runs outside the project's settings) share it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
from typing import Any

from .config import LOAD_SECONDS

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
    port: int, path: str, clients: int, env: dict[str, str], seconds: float = LOAD_SECONDS
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    threads = max(1, min(2, clients))
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{int(seconds)}s",
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
