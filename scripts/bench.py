"""The benchmark suite behind ``make bench``.

Runs against the PostgreSQL that ``scripts/bench.sh`` starts (``DATABASE_URL``), on an
organisation of ``BENCH_MISSIONS`` missions (100,000 by default) that ``generate_org`` writes
once and later runs reuse. Every figure is a median over repeated runs in this one process,
beside a **baseline measured in the same run**: the same rows fetched with one raw SQL query
and serialised with orjson, the floor any implementation pays. Load figures come from wrk
against gunicorn on 127.0.0.1. The table is printed and written to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "missionlead.settings",
    "DEBUG": "false",
    # Production settings refuse placeholders and short keys: a fresh one per run.
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "*",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "EMAIL_URL": "dummymail://",
    "CHECKS_AFTER_CHANGES": "false",
    "LOG_LEVEL": "WARNING",
    # The load tests send thousands of requests a minute from one user: lift the API's
    # per-user rate limit, which would otherwise answer 429 (the point is the server's speed).
    "THROTTLE_USER": "100000000/hour",
}
os.environ.update(BENCH_ENV)

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from kernel import tree  # noqa: E402
from kernel.models import Membership, Organisation, Team  # noqa: E402
from measures.models import CheckIn, Kpi  # noqa: E402
from missions.models import Mission  # noqa: E402
from reviews.models import AlignmentSnapshot  # noqa: E402

MISSIONS = int(os.environ.get("BENCH_MISSIONS", "100000"))
SLUG = f"bench{MISSIONS}"
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "8"))
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


# --- The organisation ---------------------------------------------------------------------------


def prepare() -> dict[str, Any]:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is None:
        log(f"==> generating {MISSIONS:,} missions (once; later runs reuse them)")
        call_command("generate_org", missions=MISSIONS, slug=SLUG, no_progress=False)
        organisation = Organisation.objects.get(slug=SLUG)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    log(f"==> organisation {SLUG}: ready in {time.perf_counter() - started:.0f} s")
    # A bench admin who may do everything (check-ins included), with an API token.
    from django.contrib.auth import get_user_model

    admin, _ = get_user_model().objects.get_or_create(username=f"{SLUG}-admin")
    Membership.objects.update_or_create(
        organisation=organisation, user=admin, defaults={"role": Membership.Role.ADMIN}
    )
    token, _ = Token.objects.get_or_create(user=admin)
    rows = list(
        Mission.objects.filter(organisation=organisation).values_list("id", "parent_id", "path")
    )
    size = dict.fromkeys((pk for pk, _, _ in rows), 1)
    for pk, parent_id, _path in sorted(rows, key=lambda r: -len(r[2])):
        if parent_id:
            size[parent_id] += size[pk]
    subtree_root = min(size, key=lambda pk: (abs(size[pk] - 10_000), pk))
    return {
        "organisation": organisation,
        "admin": admin,
        "token": token.key,
        "subtree_root": subtree_root,
        "subtree_size": size[subtree_root],
        "missions": len(rows),
        "kpis": Kpi.objects.filter(organisation=organisation).count(),
        "check_ins": CheckIn.objects.filter(kpi__organisation=organisation).count(),
    }


# --- In-process pages and endpoints -------------------------------------------------------------


def page(client: Client, url: str, **headers: str) -> tuple[float, int]:
    def get() -> None:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)

    reset_queries()  # each request resets the log; start the count from an empty one
    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries)  # before the timed runs, whose requests clear the log again
    return median_ms(get), count


def measure_pages(ctx: dict[str, Any]) -> None:
    log("==> pages and endpoints (in process)")
    org: Organisation = ctx["organisation"]
    client = Client()
    client.force_login(ctx["admin"])
    auth = {"HTTP_AUTHORIZATION": f"Token {ctx['token']}"}
    root = Mission.objects.get(pk=ctx["subtree_root"])
    prefix = tree.child_path(root.path, root.pk) + "%"
    tree_columns = (
        "id, parent_id, level, title, owner_team_id, owner_user_id, status, "
        "alignment_status, period_start, period_end"
    )

    ms, queries = page(client, f"/api/v1/missions/{root.pk}/tree/", **auth)
    base = median_ms(
        raw(
            f"SELECT {tree_columns} FROM missions_mission WHERE id = %s OR path LIKE %s",
            [root.pk, prefix],
        )
    )
    record(
        f"subtree API, {ctx['subtree_size']:,} missions",
        ms,
        base,
        queries=queries,
        target="≤ 3× baseline",
        met=ms <= 3 * base,
    )

    children = (
        "SELECT m.id, m.title, m.level, m.alignment_status, m.owner_team_id, "
        "m.owner_user_id, (SELECT COUNT(*) FROM missions_mission c "
        "WHERE c.parent_id = m.id) AS child_count FROM missions_mission m "
        "WHERE {where} ORDER BY m.level, m.title"
    )
    ms, queries = page(client, f"/o/{org.slug}/cascade/")
    base = median_ms(
        raw(children.format(where="m.organisation_id = %s AND m.parent_id IS NULL"), [org.pk])
    )
    record("cascade page (top level)", ms, base, queries=queries)
    ms, queries = page(client, f"/o/{org.slug}/cascade/{root.pk}/children/")
    base = median_ms(raw(children.format(where="m.parent_id = %s") + " LIMIT 100", [root.pk]))
    record("cascade branch (children of the subtree root)", ms, base, queries=queries)
    ms, queries = page(client, f"/o/{org.slug}/missions/{root.pk}/")
    base = median_ms(raw(children.format(where="m.parent_id = %s") + " LIMIT 100", [root.pk]))
    record("mission page (the subtree root)", ms, base, queries=queries)

    ms, queries = page(client, f"/o/{org.slug}/dashboard/")
    base = median_ms(
        raw(
            "SELECT k.forecast_status, COUNT(*) FROM measures_kpi k "
            "WHERE k.organisation_id = %s AND k.status = 'active' GROUP BY k.forecast_status",
            [org.pk],
        )
    )
    record("organisation dashboard", ms, base, queries=queries, target="< 300 ms", met=ms < 300)
    team = Team.objects.filter(organisation=org, parent__isnull=False).order_by("id").first()
    if team is not None:
        ms, queries = page(client, f"/o/{org.slug}/dashboard/teams/{team.pk}/")
        record("team dashboard (a directorate and its sub-teams)", ms, base, queries=queries)

    list_sql = (
        "SELECT id, organisation_id, level, title, statement, intent, parent_id, "
        "owner_team_id, owner_user_id, period_start, period_end, status, "
        "alignment_status, deadline, scope, budget, headcount, constraints, "
        "decision_rights FROM missions_mission WHERE organisation_id = %s "
        "ORDER BY id LIMIT 50"
    )
    ctx["list_baseline"] = median_ms(raw(list_sql, [org.pk]))
    ms, queries = page(client, f"/api/v1/missions/?organisation={org.pk}", **auth)
    record("mission list API, one request", ms, ctx["list_baseline"], queries=queries)


# --- Load through gunicorn ----------------------------------------------------------------------

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


# --- Background jobs ----------------------------------------------------------------------------


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


# --- Report -------------------------------------------------------------------------------------


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {pg.split()[0]}"
    )


def table() -> str:
    lines = [
        "| measurement | median | baseline | ratio | queries | target | |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in ROWS:
        ms = f"{row['ms']:,.1f} ms"
        base = f"{row['baseline']:,.1f} ms" if row["baseline"] else "—"
        ratio = f"{row['ratio']:.1f}×" if row["ratio"] else "—"
        queries = str(row["queries"]) if row["queries"] is not None else "—"
        met = {True: "met", False: "**missed**", None: ""}[row["met"]]
        lines.append(
            f"| {row['name']} {row['note']} | {ms} | {base} | {ratio} | {queries} "
            f"| {row['target']} | {met} |"
        )
    return "\n".join(lines)


def write_report(ctx: dict[str, Any], elapsed: float) -> None:
    text = table()
    print("\n" + text + "\n")
    path = ROOT / "docs/PERFORMANCE.md"
    old = path.read_text() if path.exists() else ""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    body = (
        f"{start}\nMeasured by `make bench` on {timezone.localdate():%-d %B %Y} on {machine()}, "
        f"in {elapsed:.0f} s. Organisation `{SLUG}`: {ctx['missions']:,} missions, "
        f"{ctx['kpis']:,} KPIs, {ctx['check_ins']:,} check-ins. Medians of {REPEAT} runs "
        "(pages), 3 runs (alignment checks) or one "
        f"{LOAD_SECONDS}-second wrk run per line (load). The baseline is the same rows fetched "
        "with one raw SQL query and serialised with orjson, measured in the same run; the ratio "
        f"is the figure over it.\n\n{text}\n{end}"
    )
    if start in old and end in old:
        new = old[: old.index(start)] + body + old[old.index(end) + len(end) :]
    else:
        new = "# Performance\n\n" + body + "\n"
    path.write_text(new)
    log(f"==> written to {path.relative_to(ROOT)}")


def main() -> None:
    started = time.perf_counter()
    ctx = prepare()
    measure_pages(ctx)
    measure_jobs(ctx)
    measure_load(ctx)
    write_report(ctx, time.perf_counter() - started)


if __name__ == "__main__":
    main()
