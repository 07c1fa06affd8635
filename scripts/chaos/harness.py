"""The harness that scenarios run in: the servers, the SMTP server, the web server and the
data shared by every scenario (``Harness``), and one scenario's workers, beats, faults and
clock (``Run``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_results.models import TaskResult

from kernel.models import Notification
from missionlead.celery import app
from missionlead.queues import QUEUES
from reviews.models import AlignmentSnapshot, Reminder

from . import processes
from .data import Data
from .effects import AlignmentSnapshots, Effect, ReminderEmails, ReminderNotifications, complete
from .mailbox import Mailbox
from .processes import Prober, Process, wait_until
from .services import Postgres, Redis

if TYPE_CHECKING:
    from .scenarios import Scenario

VISIBILITY_TIMEOUT = 10  # seconds before Redis hands a dead worker's messages to another


class Harness:
    """The servers, the SMTP server, the web server and the data, shared by every scenario."""

    def __init__(self, *, data: Data, mailbox: Mailbox, logs: Path, log: Callable[[str], None]):
        self.data = data
        self.mailbox = mailbox
        self.logs = logs
        self.log = log
        self.postgres = Postgres()
        self.redis = Redis(os.environ["CELERY_BROKER_URL"])
        self.broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
        self.env = product_env(mailbox.url)
        self.effects: list[Effect] = [
            ReminderNotifications(data.reminders),
            ReminderEmails(data.reminders, mailbox, data.emails),
            AlignmentSnapshots(data.organisation_ids),
        ]
        self.web_port = processes.free_port()
        self.web: Process | None = None
        self.prober: Prober | None = None

    # The web server runs through every scenario: it must ride out every fault.
    def start_web(self) -> None:
        self.web = processes.web(env=self.env, log=self.logs / "web.log", port=self.web_port)
        self.prober = Prober(self.web_port)
        wait_until(self.prober.ok, "the web server", 60)
        self.prober.start()

    def stop_web(self) -> None:
        if self.prober is not None:
            self.prober.stop()
        if self.web is not None:
            self.web.stop()

    # Database access from the harness survives a PostgreSQL restart: retry on a dead session.
    def db(self, fn: Callable[[], Any], attempts: int = 30) -> Any:
        for attempt in range(attempts):
            try:
                return fn()
            except OperationalError:
                if attempt == attempts - 1:
                    raise
                connection.close()
                time.sleep(0.5)
        return None

    def sent_reminders(self) -> int:
        return self.db(
            lambda: Notification.objects.filter(dedupe_key__startswith="reminder:").count()
        )

    def complete(self) -> bool:
        return all(self.db(lambda e=e: complete(e, e.due())) for e in self.effects)

    def reset(self) -> None:
        """Every effect and claim gone, the queue empty: the same due set as before."""
        close_old_connections()
        Notification.objects.filter(dedupe_key__startswith="reminder:").delete()
        Reminder.objects.all().delete()
        AlignmentSnapshot.objects.filter(run_date=timezone.localdate()).delete()
        TaskResult.objects.all().delete()
        PeriodicTask.objects.filter(name__startswith="chaos:").delete()
        self.mailbox.clear()
        self.broker.flushdb()

    def queue_drained(self) -> bool:
        """Nothing queued, nothing taken and not acknowledged (an ETA retry included)."""
        try:
            pending = sum(self.broker.llen(q) for q in QUEUES) + self.broker.hlen("unacked")
            return pending == 0
        except redis.RedisError:
            self.broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
            return False


def product_env(email_url: str) -> dict[str, str]:
    """The production settings for the workers, beat and web server, pointed at the
    throwaway servers and the harness's SMTP server."""
    # Not the harness's own CONN_MAX_AGE=0: the product keeps its sessions open (60 s), and
    # those are the ones a PostgreSQL restart breaks.
    dropped = {"CELERY_TASK_ALWAYS_EAGER", "CONN_MAX_AGE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="missionlead.settings",
        DEBUG="false",
        ALLOWED_HOSTS="*",
        SECURE_SSL_REDIRECT="false",
        EMAIL_URL=email_url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        SITE_URL="http://chaos.example",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def send(name: str) -> Any:
    return app.send_task(f"reviews.tasks.{name}")


class Run:
    """One scenario's processes, faults and clock; what a fault function works with."""

    def __init__(self, harness: Harness, scenario: Scenario) -> None:
        self.harness = harness
        self.scenario = scenario
        self.dir = harness.logs / scenario.key
        self.dir.mkdir(parents=True, exist_ok=True)
        self.workers: list[Process] = []
        self.beats: list[Process] = []
        self.fault_at: float | None = None
        self.notes: list[str] = []
        self.killed: set[str] = set()  # workers the harness killed on purpose

    def start_worker(self) -> Process:
        name = f"{self.scenario.key}-w{len(self.workers) + 1}"
        worker = processes.worker(
            name, env=self.harness.env, log=self.dir / f"{name}.log", concurrency=2
        )
        self.workers.append(worker)
        return worker

    def start_beat(self) -> Process:
        name = f"{self.scenario.key}-beat{len(self.beats) + 1}"
        beat = processes.beat(
            name, env=self.harness.env, log=self.dir / f"{name}.log", workdir=self.dir
        )
        self.beats.append(beat)
        return beat

    @property
    def worker(self) -> Process:
        """The worker that runs now: the last one started."""
        return self.workers[-1]

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.harness.log(f"    {text}")

    def watching(self, condition: Callable[[], bool]) -> Callable[[], bool]:
        """``condition``, but ``WorkerExited`` as soon as a worker the harness did not kill
        has exited: no wait can succeed then, and the exit is the finding."""

        def check() -> bool:
            for worker in self.workers:
                if worker.name not in self.killed and not worker.alive():
                    raise WorkerExited(worker)
            return condition()

        return check

    def stop(self) -> None:
        for process in [*self.beats, *self.workers]:
            process.stop()


Fault = Callable[[Run], None]


class WorkerExited(Exception):
    """A worker stopped by itself: the app did not recover without a restart."""

    def __init__(self, worker: Process) -> None:
        fatal = [
            line
            for line in worker.text().splitlines()
            if "CRITICAL" in line or "Unrecoverable" in line
        ]
        detail = f": {fatal[-1].strip()}" if fatal else ""
        super().__init__(
            f"{worker.name} exited by itself (status {worker.process.returncode}){detail}"
        )
