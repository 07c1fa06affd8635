"""The product's processes as subprocesses of the harness, and bounded waiting.

Each process runs in its own process group, so a kill reaches its pool children too and
nothing outlives the harness. Logs go to one file per process, kept for the report.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Timeout(Exception):
    """A bounded wait ran out."""


def wait_until(
    condition: Callable[[], bool], what: str, timeout: float, step: float = 0.2
) -> float:
    """Poll ``condition`` until it holds; the seconds it took, or ``Timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise Timeout(f"waited {timeout:.0f} s for {what}")
        time.sleep(step)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The direct children of ``pid`` (a prefork worker's pool processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            # The command name may hold spaces and parentheses: the fields after the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


class Process:
    """A subprocess in its own process group, its output in ``log``."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._file = log.open("ab")
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and its children, no clean-up."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        """A warm shutdown (SIGTERM), then SIGKILL; safe to call twice."""
        if self.alive():
            with suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        with suppress(ProcessLookupError):  # pool children a dead main process left behind
            os.killpg(self.pid, signal.SIGKILL)
        self._file.close()

    def text(self) -> str:
        if not self._file.closed:
            self._file.flush()
        return self.log.read_text(errors="replace")


def worker(name: str, *, env: dict[str, str], log: Path, concurrency: int = 2) -> Process:
    """A Celery worker with the prefork pool, as production runs it."""
    return Process(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "missionlead",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            "-n",
            f"{name}@%h",
        ],
        env=env,
        log=log,
    )


def wait_ready(worker: Process, timeout: float = 60) -> None:
    """Until the worker says it is ready (connected to the broker, pool started)."""

    def ready() -> bool:
        if not worker.alive():
            raise Timeout(f"{worker.name} exited while starting:\n{worker.text()[-2000:]}")
        return " ready." in worker.text()

    wait_until(ready, f"{worker.name} to be ready", timeout)


def beat(name: str, *, env: dict[str, str], log: Path, workdir: Path) -> Process:
    """``celery beat`` with the database scheduler, its files in ``workdir``."""
    return Process(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "missionlead",
            "beat",
            "--loglevel=INFO",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            f"--pidfile={workdir / f'{name}.pid'}",
            f"--schedule={workdir / f'{name}-schedule'}",
            "--max-interval=1",
        ],
        env=env,
        log=log,
    )


def web(*, env: dict[str, str], log: Path, port: int) -> Process:
    """gunicorn with two synchronous workers, as the production image runs it (smaller)."""
    return Process(
        "web",
        [
            str(BIN / "gunicorn"),
            "missionlead.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        log=log,
    )


class Prober(threading.Thread):
    """Asks the web server's ``/healthz`` (which queries the database) a few times a second.

    ``outage(since)`` gives the failures after a moment and how long after it the last one
    happened: how long the web app took to recover from a fault, without a restart.
    """

    def __init__(self, port: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{port}/healthz"
        self.interval = interval
        self.results: list[tuple[float, bool]] = []
        self._halt = threading.Event()

    def ok(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def run(self) -> None:
        while not self._halt.is_set():
            self.results.append((time.monotonic(), self.ok()))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)

    def outage(self, since: float) -> tuple[int, float]:
        failures = [t for t, ok in list(self.results) if t >= since and not ok]
        return len(failures), (failures[-1] - since if failures else 0.0)
