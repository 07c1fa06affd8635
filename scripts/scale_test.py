"""`make scale-test`: the product past one machine, on this one. A primary PostgreSQL and a
streaming replica (two clusters of the Debian packages), PgBouncer in transaction mode in front
of the primary, Redis, gunicorn and a Celery worker for each queue; then

- a smoke of the main flows (dashboard, heat map, brief, API reads and a write), asserting the
  dashboard's reads went to the replica and the write to the primary;
- read-your-writes: the person who just wrote reads from the primary for a few seconds;
- a long forecast run queued ahead does not delay a reminder (a queue per workload);
- API throughput and p95 at 1, 2 and 4 gunicorn workers, with and without PgBouncer.

The figures replace the table between the markers of docs/scaling.md. Statements are counted
by pg_stat_statements on each server (its counters are the server's own, the standby's too).
Run by scripts/scale_test.sh; everything it starts lives in a temporary directory and stops at
the end.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench.wrk import wrk  # noqa: E402  (Django-free, shared with make bench)

PY = str(ROOT / ".venv/bin/python")
DOC = ROOT / "docs/scaling.md"
BEGIN, END = "<!-- scale-test:begin -->", "<!-- scale-test:end -->"
LOAD_SECONDS = float(os.environ.get("SCALE_LOAD_SECONDS", "10"))
LOAD_CLIENTS = int(os.environ.get("SCALE_LOAD_CLIENTS", "8"))
ROUNDS = int(os.environ.get("SCALE_ROUNDS", "3"))
LOAD_PATH = "/api/v1/missions/?page_size=20"
AS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path:
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if AS_ROOT else command


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


class Stack:
    """The servers, each stopped by ``close``."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.bin = pg_bin()
        self.primary_port, self.replica_port = free_port(), free_port()
        self.bouncer_port, self.redis_port = free_port(), free_port()
        self.processes: list[subprocess.Popen[str]] = []
        self.clusters: list[Path] = []

    # --- PostgreSQL ------------------------------------------------------------------------
    def start_cluster(self, data: Path, port: int) -> None:
        options = (
            f"-p {port} -k {self.work} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all "
            "-c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        run(
            as_postgres(
                [f"{self.bin}/pg_ctl", "-D", str(data), "-l", f"{data}.log", "-w", "start", "-o"]
                + [options]
            )
        )
        self.clusters.append(data)

    def psql(self, port: int, sql: str, database: str = "missionlead") -> str:
        return run(
            [
                f"{self.bin}/psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                database,
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ]
        ).stdout.strip()

    def start_databases(self) -> None:
        primary, replica = self.work / "primary", self.work / "replica"
        run(
            as_postgres(
                [f"{self.bin}/initdb", "-D", str(primary), "-A", "trust", "-U", "postgres"]
                + ["-E", "UTF8", "--locale=C.UTF-8"]
            )
        )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.start_cluster(primary, self.primary_port)
        # The application's own role, not a superuser: row-level security applies to it.
        self.psql(self.primary_port, "CREATE ROLE missionlead LOGIN CREATEDB", "postgres")
        self.psql(self.primary_port, "CREATE DATABASE missionlead OWNER missionlead", "postgres")
        self.psql(self.primary_port, "CREATE EXTENSION pg_stat_statements")
        # No JIT, as the settings ask per connection where PgBouncer lets them (it does not
        # pass connection options through): on the database, for every connection.
        self.psql(self.primary_port, "ALTER DATABASE missionlead SET jit = off", "postgres")
        self.psql(self.primary_port, "GRANT pg_read_all_stats TO missionlead", "postgres")
        # The streaming replica: a base backup that follows the primary from then on.
        run(
            as_postgres(
                [f"{self.bin}/pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port)]
                + ["-U", "postgres", "-D", str(replica), "-X", "stream", "-R", "-c", "fast"]
            )
        )
        self.start_cluster(replica, self.replica_port)
        assert self.psql(self.replica_port, "SELECT pg_is_in_recovery()") == "t"

    # --- PgBouncer and Redis ----------------------------------------------------------------
    def start_bouncer(self) -> None:
        ini = self.work / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"missionlead = host=127.0.0.1 port={self.primary_port} dbname=missionlead\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.bouncer_port}\n"
            f"unix_socket_dir = {self.work}\n"
            "auth_type = trust\n"
            f"auth_file = {self.work}/userlist.txt\n"
            "pool_mode = transaction\n"
            "max_client_conn = 500\ndefault_pool_size = 20\n"
            # psycopg2 sends it; PgBouncer tracks what matters (time zone, encoding) itself.
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.work}/pgbouncer.log\npidfile = {self.work}/pgbouncer.pid\n"
        )
        (self.work / "userlist.txt").write_text('"missionlead" ""\n')
        if AS_ROOT:
            shutil.chown(ini, "postgres")
            shutil.chown(self.work / "userlist.txt", "postgres")
        self.spawn(as_postgres(["/usr/sbin/pgbouncer", str(ini)]), "pgbouncer.out")
        wait_for_port(self.bouncer_port)

    def start_redis(self) -> None:
        self.spawn(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            "redis.log",
        )
        wait_for_port(self.redis_port)

    def spawn(self, command: list[str], log: str, env: dict[str, str] | None = None) -> Any:
        out = (self.work / log).open("w")
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, text=True
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[str]) -> None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.processes.remove(process)

    def close(self) -> None:
        for process in list(self.processes):
            self.stop(process)
        for data in reversed(self.clusters):
            subprocess.run(
                as_postgres([f"{self.bin}/pg_ctl", "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True,
            )

    # --- The application --------------------------------------------------------------------
    def env(self, *, bouncer: bool) -> dict[str, str]:
        port = self.bouncer_port if bouncer else self.primary_port
        return {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "THROTTLE_USER": "1000000/hour",
            "THROTTLE_ANON": "1000000/hour",
            "EMAIL_URL": "consolemail://",
            "CHECKS_AFTER_CHANGES": "false",
            "DATABASE_URL": f"postgres://missionlead@127.0.0.1:{port}/missionlead",
            "PGBOUNCER": "true" if bouncer else "false",
            "DATABASE_REPLICA_URL": (
                f"postgres://missionlead@127.0.0.1:{self.replica_port}/missionlead"
            ),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/1",
        }

    def manage(self, *args: str, bouncer: bool = False) -> str:
        return run([PY, "manage.py", *args], cwd=ROOT, env=self.env(bouncer=bouncer)).stdout

    def gunicorn(self, workers: int, *, bouncer: bool) -> tuple[Any, int]:
        port = free_port()
        process = self.spawn(
            [str(ROOT / ".venv/bin/gunicorn"), "missionlead.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", str(workers), "--timeout", "60", "--log-level", "warning"],
            f"gunicorn-{workers}-{bouncer}.log",
            env=self.env(bouncer=bouncer),
        )
        wait_for_url(f"http://127.0.0.1:{port}/healthz")
        return process, port

    def workers(self) -> None:
        for queue in ("interactive", "notifications", "checks", "forecast"):
            self.spawn(
                [str(ROOT / ".venv/bin/celery"), "-A", "missionlead", "worker", "-l", "info"]
                + ["-Q", queue, "-n", f"{queue}@scale", "--concurrency", "1"]
                + ["--without-mingle", "--without-gossip"],
                f"worker-{queue}.log",
                env=self.env(bouncer=True),
            )

    # --- Counting -----------------------------------------------------------------------------
    def reset_counts(self) -> None:
        for port in (self.primary_port, self.replica_port):
            self.psql(port, "SELECT pg_stat_statements_reset()")

    def reads(self, port: int, like: str = "%") -> int:
        """SELECT statements of the application on one server since the last reset."""
        return int(
            self.psql(
                port,
                "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s "
                "JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'missionlead' "
                "AND s.query ILIKE 'SELECT%%' AND s.query NOT ILIKE '%%set_config%%' "
                f"AND s.query ILIKE '{like}'",
            )
        )

    def writes(self, port: int) -> int:
        return int(
            self.psql(
                port,
                "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s "
                "JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'missionlead' "
                "AND (s.query ILIKE 'UPDATE%%' OR s.query ILIKE 'INSERT%%')",
            )
        )


SECRET_KEY = secrets.token_urlsafe(50)


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def wait_for_url(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} does not answer")


class Client:
    """One person: an API token and a signed-in session, and the cookies the site sets."""

    def __init__(self, port: int, token: str, session: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.cookies = {"sessionid": session}

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Token {self.token}"} if path.startswith("/api/") else {}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, content, info = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, content, info = error.code, error.read(), error.headers
        for header in info.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in header or not value.strip('"'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, content


def credentials(stack: Stack, username: str) -> tuple[str, str]:
    out = stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "from accounts.tokens import api_token_create\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        "client = Client()\nclient.force_login(user)\n"
        "print(api_token_create(user=user, name='scale test')[1], "
        "client.cookies['sessionid'].value)",
    )
    token, session = out.strip().splitlines()[-1].split()
    return token, session


def smoke(stack: Stack, client: Client) -> dict[str, Any]:
    """The main flows; returns what went where."""
    figures: dict[str, Any] = {}
    # The dashboards read from the replica.
    stack.reset_counts()
    for path in ("/o/demo/dashboard/", "/o/demo/dashboard/heatmap/", "/o/demo/brief/"):
        status, _ = client.request("GET", path)
        assert status == 200, (path, status)
    replica_reads = stack.reads(stack.replica_port)
    primary_reads = stack.reads(stack.primary_port)
    assert replica_reads > 0, "the dashboards read nothing from the replica"
    figures["dashboard_replica_reads"] = replica_reads
    figures["dashboard_primary_reads"] = primary_reads
    figures["dashboard_replica_share"] = replica_reads / (replica_reads + primary_reads)

    # The main flows together: pages and API reads, and the share the replica served.
    stack.reset_counts()
    for path in (
        "/o/demo/",
        "/o/demo/dashboard/",
        "/o/demo/dashboard/heatmap/",
        "/o/demo/brief/",
        "/api/v1/missions/?page_size=20",
        "/api/v1/teams/",
    ):
        status, _ = client.request("GET", path)
        assert status == 200, (path, status)
    replica_reads = stack.reads(stack.replica_port)
    primary_reads = stack.reads(stack.primary_port)
    figures["flows_replica_share"] = replica_reads / (replica_reads + primary_reads)

    # A write goes to the primary (the replica refuses writes anyway) ...
    status, body = client.request("GET", "/api/v1/missions/?page_size=1")
    mission = json.loads(body)["results"][0]
    stack.reset_counts()
    title = f"Renamed by the scale test {secrets.token_hex(3)}"
    status, body = client.request("PATCH", f"/api/v1/missions/{mission['id']}/", {"title": title})
    assert status == 200, (status, body[:300])
    assert stack.writes(stack.primary_port) > 0
    assert stack.writes(stack.replica_port) == 0
    # ... and pins its person's reads to the primary for a few seconds (read-your-writes).
    assert "ml_primary" in client.cookies, client.cookies
    stack.reset_counts()
    status, page = client.request("GET", "/o/demo/dashboard/")
    assert status == 200
    assert stack.reads(stack.replica_port) == 0, "a pinned person read from the replica"
    status, body = client.request("GET", f"/api/v1/missions/{mission['id']}/")
    assert json.loads(body)["title"] == title
    figures["read_your_writes"] = "held"
    # The write streams to the replica.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = stack.psql(
            stack.replica_port,
            f"SELECT count(*) FROM missions_mission WHERE id = {int(mission['id'])} "
            f"AND title = '{title}'",
        )
        if found == "1":
            break
        time.sleep(0.1)
    assert found == "1", "the write never reached the replica"
    client.cookies.pop("ml_primary", None)  # its few seconds are over
    return figures


def queues_do_not_wait(stack: Stack) -> dict[str, Any]:
    """A long forecast run queued ahead: a reminder sweep still runs at once."""
    out = stack.manage(
        "shell",
        "-c",
        "import time\n"
        "from missionlead.celery import app\n"
        "from kernel.models import Organisation\n"
        "import redis, os\n"
        "broker = redis.Redis.from_url(os.environ['CELERY_BROKER_URL'])\n"
        "org = Organisation.objects.get(slug='demo').pk\n"
        "for _ in range(60):\n"
        "    app.send_task('measures.tasks.kpi_refresh_organisation', args=[org])\n"
        "time.sleep(2)\n"
        "waiting = broker.llen('forecast')\n"
        "start = time.monotonic()\n"
        "result = app.send_task('reviews.tasks.review_reminder_sweep')\n"
        "result.get(timeout=60)\n"
        "took = time.monotonic() - start\n"
        "print(waiting, broker.llen('forecast'), round(took, 2))",
        bouncer=True,
    )
    waiting_before, waiting_after, took = out.strip().splitlines()[-1].split()
    assert int(waiting_before) > 0 and int(waiting_after) > 0, "the forecast run was not long"
    assert float(took) < 10, f"a reminder waited {took} s behind the forecast"
    return {
        "forecast_waiting": int(waiting_after),
        "reminder_seconds": float(took),
    }


def load(port: int, token: str, seconds: float = LOAD_SECONDS) -> tuple[float, float]:
    """Requests per second and p95 (ms) of the missions list, LOAD_CLIENTS at once, by wrk (a
    load generator in C: clients in Python threads took a core of this machine's two)."""
    result = wrk(port, LOAD_PATH, LOAD_CLIENTS, {"BENCH_TOKEN": token}, seconds)
    assert not result["errors"] and not result["non2xx"], f"errors under load: {result}"
    return result["requests"] / result["seconds"], result["p95"] / 1000  # wrk: microseconds


Throughput = tuple[int, bool, list[float], list[float]]


def _median_range(values: list[float], digits: int) -> str:
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def write_doc(figures: dict[str, Any], throughput: list[Throughput]) -> None:
    lines = [
        BEGIN,
        "",
        f"Measured by `make scale-test` on {time.strftime('%Y-%m-%d')}, this machine "
        f"({os.cpu_count()} cores, everything on it): `GET {LOAD_PATH}` by {LOAD_CLIENTS} "
        f"clients at once (wrk) for {LOAD_SECONDS:.0f} s a run; {ROUNDS} rounds of the six "
        "set-ups one after the other, each figure the median of its rounds with their range.",
        "",
        "| gunicorn workers | PgBouncer | requests/s | p95 (ms) |",
        "|---:|:---|---:|---:|",
    ]
    for workers, bouncer, rps, p95 in throughput:
        lines.append(
            f"| {workers} | {'yes' if bouncer else 'no'} | {_median_range(rps, 1)} "
            f"| {_median_range(p95, 0)} |"
        )
    lines += [
        "",
        "| smoke | figure |",
        "|:---|---:|",
        f"| replica's share of the dashboard, heat map and brief reads | "
        f"{figures['dashboard_replica_share']:.0%} |",
        f"| replica's share of the reads of the main flows (pages and API) | "
        f"{figures['flows_replica_share']:.0%} |",
        f"| read-your-writes after an API write | {figures['read_your_writes']} |",
        f"| a reminder sweep with {figures['forecast_waiting']}+ forecast tasks still queued | "
        f"{figures['reminder_seconds']:.2f} s |",
        "",
        END,
    ]
    text = DOC.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + "\n".join(lines) + tail)


def main() -> int:
    work = Path(run(["mktemp", "-d", "/tmp/missionlead-scale.XXXXXX"]).stdout.strip())
    os.chmod(work, 0o755)
    if AS_ROOT:
        shutil.chown(work, "postgres")
    stack = Stack(work)
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        cleanup.callback(stack.close)
        print("==> primary, streaming replica, PgBouncer (transaction mode), Redis", flush=True)
        stack.start_databases()
        stack.start_bouncer()
        stack.start_redis()
        print("==> migrations and the demo organisations", flush=True)
        stack.manage("migrate", "--noinput", "-v", "0")
        stack.manage("seed_demo")
        token, session = credentials(stack, "admin")
        print("==> gunicorn (through PgBouncer) and a worker per queue", flush=True)
        stack.workers()
        server, port = stack.gunicorn(2, bouncer=True)
        figures = smoke(stack, Client(port, token, session))
        print(f"    smoke: {figures}", flush=True)
        figures |= queues_do_not_wait(stack)
        print(f"    queues: {figures}", flush=True)
        stack.stop(server)
        # The web alone from here: the workers and their queued forecast stop.
        for process in [p for p in stack.processes if "celery" in p.args[0]]:
            stack.stop(process)
        # Each set-up once a round, the rounds one after the other: a slow spell of the
        # machine falls on every set-up alike, not on one.
        setups = [(workers, bouncer) for workers in (1, 2, 4) for bouncer in (False, True)]
        runs: dict[tuple[int, bool], tuple[list[float], list[float]]] = {
            setup: ([], []) for setup in setups
        }
        for round_ in range(1, ROUNDS + 1):
            for workers, bouncer in setups:
                server, port = stack.gunicorn(workers, bouncer=bouncer)
                load(port, token, 2)  # warm-up: connections, caches
                rps, p95 = load(port, token)
                stack.stop(server)
                runs[workers, bouncer][0].append(rps)
                runs[workers, bouncer][1].append(p95)
                print(
                    f"    round {round_}: {workers} worker(s), PgBouncer "
                    f"{'on' if bouncer else 'off'}: {rps:.1f} req/s, p95 {p95:.0f} ms",
                    flush=True,
                )
        throughput = [(w, b, *runs[w, b]) for w, b in setups]
        write_doc(figures, throughput)
        print("==> passed; figures written to docs/scaling.md", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
