"""The data, the scenarios, and the run of one scenario.

Every scenario starts from the same due set: a few hundred reviews across three
organisations, placed so that today each is in one reminder window (3 days before, on the
day, the day after, escalated to the boss). It then runs the review-reminder sweep and the
nightly alignment checks through real workers, injects its fault once the sweep is under
way, and waits — bounded — for every due effect:

1. Until everything due has taken effect, with no help: redelivery by the broker, retries,
   reconnections. The wait ends early only when nothing has happened for ``STALL`` seconds
   (longer than the broker's visibility timeout plus kombu's restore interval) with the
   queue empty, and in any case after ``REDELIVERY_WAIT``.
2. If something is still missing, the harness fires the sweep once more, as beat's next tick
   would (production fires it hourly) — the product's own catch-up, which hands out every
   reminder claimed but not sent. Reminders sent only then count as "caught up".
3. The broker's queue and its unacknowledged messages drain, so a late redelivery that
   would send something twice has happened before the count.
4. A probe: the same worker (or, after the whole worker was killed, its replacement) runs a
   new sweep to its end, and the web server answers ``/healthz``: the app recovered without
   a restart.

Then each effect is counted (``effects.tally``). Faults are plain functions of the run, so a
scenario is a few lines in ``SCENARIOS``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_results.models import TaskResult

from kernel.models import Notification, Organisation
from missionlead.celery import app
from missions.models import Mission
from reviews.models import AlignmentSnapshot, Reminder, Review

from . import processes
from .effects import (
    AlignmentSnapshots,
    Effect,
    Key,
    ReminderEmails,
    ReminderNotifications,
    Tally,
    complete,
    tally,
)
from .mailbox import Mailbox
from .processes import Prober, Process, Timeout, wait_until
from .services import Postgres, Redis

ORGANISATIONS = ("chaos-north", "chaos-south", "chaos-east")
# Days from today to the due date → the reminder due today (reviews.services.reminders).
OFFSETS = {3: "before", 0: "due", -1: "after", -7: "escalation"}
VISIBILITY_TIMEOUT = 10  # seconds before Redis hands a dead worker's messages to another
REDELIVERY_WAIT = 90.0  # step 1 at most: visibility timeout, restore interval, retries
STALL = 20.0  # step 1 ends when no effect has taken place for this long, queue empty
CATCH_UP_WAIT = 45.0  # step 2: after the extra sweep
SETTLE_WAIT = 30.0  # step 3
START_WAIT = 60.0  # the sweep under way before the fault


# --- The data -----------------------------------------------------------------------------------


@dataclass
class Data:
    reminders: set[Key]  # (review id, recipient id) of every reminder due today
    organisation_ids: set[int]
    emails: dict[str, int]  # address → user id


def _owner(mission: Mission) -> Any:
    """Who a mission belongs to: its owner, or its owning team's leader (mission_owners)."""
    if mission.owner_user_id:
        return mission.owner_user
    return mission.owner_team.leader if mission.owner_team_id else None


def prepare(*, missions_per_org: int, due_per_org: int, log: Callable[[str], None]) -> Data:
    """Migrate, generate three organisations, and give ``due_per_org`` active missions of
    each a review due today in one of the reminder windows; every other active mission's
    review is weeks away (so the sweep has nothing to schedule and nothing else to send)."""
    call_command("migrate", verbosity=0)
    PeriodicTask.objects.update(enabled=False)  # the harness is beat, or starts its own
    rng = random.Random(7)
    due: set[Key] = set()
    today = timezone.localdate()
    for slug in ORGANISATIONS:
        call_command(
            "generate_org",
            missions=missions_per_org,
            slug=slug,
            replace=True,
            kpis_per_mission=1,
            checkins_per_kpi=2,
            tasks_per_mission=0,
            seed=ORGANISATIONS.index(slug) + 1,
            no_progress=True,
            stdout=io.StringIO(),  # its summary is for people generating an organisation
        )
        active = list(
            Mission.objects.filter(organisation__slug=slug, status=Mission.Status.ACTIVE)
            .select_related("owner_user", "owner_team__leader", "parent__owner_user")
            .select_related("parent__owner_team__leader")
            .order_by("id")
        )
        Review.objects.filter(mission__organisation__slug=slug).delete()
        chosen = {m.pk for m in rng.sample(active, min(due_per_org, len(active)))}
        reviews = []
        for i, mission in enumerate(active):
            offset = list(OFFSETS)[i % len(OFFSETS)] if mission.pk in chosen else 21
            reviews.append(Review(mission=mission, due_date=today + dt.timedelta(days=offset)))
        Review.objects.bulk_create(reviews)
        for review, mission in zip(reviews, active, strict=True):
            kind = OFFSETS.get((review.due_date - today).days)
            if kind is None:
                continue
            target = mission.parent if kind == "escalation" and mission.parent else mission
            person = _owner(target)
            if person is not None:
                due.add((review.pk, person.pk))
    users = get_user_model().objects.filter(memberships__organisation__slug__in=ORGANISATIONS)
    emails = {email.lower(): pk for pk, email in users.values_list("pk", "email") if email}
    missing = {pk for _, pk in due} - set(emails.values())
    assert not missing, f"recipients without an email address: {missing}"
    organisation_ids = set(
        Organisation.objects.filter(slug__in=ORGANISATIONS).values_list("pk", flat=True)
    )
    log(f"==> {len(due)} reminders due today across {len(ORGANISATIONS)} organisations")
    return Data(reminders=due, organisation_ids=organisation_ids, emails=emails)


# --- The run ------------------------------------------------------------------------------------


@dataclass
class Result:
    key: str
    title: str
    tallies: list[Tally]
    caught_up: int  # reminders sent only after the extra sweep
    seconds: float | None  # fault to the last due effect; None if some never came
    web_failures: int  # /healthz failures after the fault
    web_down: float  # seconds from the fault to the last /healthz failure
    recovered: bool  # the probe sweep ran through and /healthz answered
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.recovered and all(t.ok for t in self.tallies)


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


@dataclass
class Scenario:
    key: str
    title: str
    fault: Fault
    # Fractions of the due reminders sent when the fault strikes (once per value).
    at: tuple[float, ...] = (0.3,)
    start: Callable[[Run], None] = field(default=lambda r: start_sweep(r))


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
            pending = self.broker.llen("celery") + self.broker.hlen("unacked")
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


def run(harness: Harness, scenario: Scenario) -> Result:
    h = harness
    h.log(f"==> {scenario.key}: {scenario.title}")
    h.reset()
    r = Run(h, scenario)
    due = len(h.data.reminders)
    caught_up, recovered = 0, False
    started = time.monotonic()
    r.fault_at = started
    done_at: float | None = None
    try:
        scenario.start(r)
        r.fault_at = time.monotonic()
        for share in scenario.at:
            wait_until(
                r.watching(lambda share=share: h.sent_reminders() >= share * due),
                f"{share:.0%} of the reminders sent",
                START_WAIT,
            )
            if share == scenario.at[0]:
                r.fault_at = time.monotonic()
            scenario.fault(r)
        # 1. No help: redelivery, retries and reconnection alone.
        try:
            wait_until(r.watching(Progress(h)), "every due effect", REDELIVERY_WAIT, step=0.5)
        except Timeout as stalled:
            # 2. Beat's next tick: the sweep hands out every reminder claimed but not sent.
            before = h.sent_reminders()
            unsent = counted(due - before, "reminder", "reminders")
            r.note(f"{unsent} unsent ({stalled}): one more sweep")
            send("review_reminder_sweep")
            try:
                wait_until(
                    r.watching(h.complete), "every due effect after the extra sweep", CATCH_UP_WAIT
                )
            except Timeout as missing:
                r.note(str(missing))
            caught_up = h.sent_reminders() - before
        if h.complete():
            done_at = time.monotonic()
        for beat in r.beats:
            beat.stop()
        # 3. Late redeliveries happen before the count.
        try:
            wait_until(h.queue_drained, "the queue to drain", SETTLE_WAIT, step=0.5)
            time.sleep(1)
        except Timeout as busy:
            r.note(str(busy))
        # 4. The probe: the same processes still work.
        recovered = probe(h, r)
    except (Timeout, WorkerExited) as stuck:
        r.note(str(stuck))
    finally:
        r.stop()
    tallies = [h.db(lambda e=e: tally(e, e.due())) for e in h.effects]
    r.note(log_events(r))
    for duplicate in duplicates(h):
        r.note(f"duplicated: {duplicate}")
    web_failures, web_down = h.prober.outage(r.fault_at) if h.prober else (0, 0.0)
    result = Result(
        key=scenario.key,
        title=scenario.title,
        tallies=tallies,
        caught_up=caught_up,
        seconds=done_at - r.fault_at if done_at is not None else None,
        web_failures=web_failures,
        web_down=web_down,
        recovered=recovered,
        notes=r.notes,
    )
    for t in tallies:
        h.log(
            f"    {t.effect}: due {t.due}, sent {t.sent}, lost {t.lost}, "
            f"duplicated {t.duplicated} (+{t.extra}), re-sent with the same Message-ID "
            f"{t.resent}, unexpected {t.unexpected}"
        )
    h.log(
        f"    {'ok' if result.ok else 'FAILED'} in {time.monotonic() - started:.0f} s; web: "
        f"{web_failures} failed health checks, the last {web_down:.1f} s after the fault"
    )
    return result


# What the workers' logs say happened: the evidence that a fault struck work in flight.
LOG_EVENTS = [
    (
        "task lost with its pool process",
        "tasks lost with their pool process",
        r"Task handler raised error: WorkerLost",
    ),
    ("retry", "retries", r"\] retry: Retry in"),
    # The body failed and was not retried, or the result could not be stored (database down).
    (
        "task run ended by an error",
        "task runs ended by an error",
        r"\] raised unexpected|Task handler raised error: (?!WorkerLost)",
    ),
    ("lost broker connection", "lost broker connections", r"Connection to broker lost"),
    (
        "send refused by the claim (sent already)",
        "sends refused by the claim (sent already)",
        r"review_send_reminder\[[^]]+\] succeeded in [^:]+: False",
    ),
    ("sweep", "sweeps", r"review_reminder_sweep\[[^]]+\] succeeded"),
]


def counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def log_events(r: Run) -> str:
    text = "".join(p.text() for p in r.workers)
    found = [(len(re.findall(pattern, text)), one, many) for one, many, pattern in LOG_EVENTS]
    return "worker logs: " + ", ".join(counted(*f) for f in found if f[0])


def duplicates(h: Harness) -> list[str]:
    """The keys that took effect more than once, for the notes: the evidence of a finding."""
    found = []
    for effect in h.effects:
        seen = h.db(effect.observed)
        found += [f"{effect.name} {key} ×{n}" for key, n in seen.items() if n > 1]
    return found


class Progress:
    """True once every due effect took place; ``Timeout`` once nothing has moved for
    ``STALL`` seconds and nothing is queued or in flight (so nothing more will come)."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.last = (-1, -1)
        self.moved = time.monotonic()

    def __call__(self) -> bool:
        if self.h.complete():
            return True
        now = (self.h.sent_reminders(), len(self.h.mailbox.messages()))
        if now != self.last or not self.h.queue_drained():
            self.last, self.moved = now, time.monotonic()
        elif time.monotonic() - self.moved > STALL:
            raise Timeout(f"nothing moved for {STALL:.0f} s and the queue is empty")
        return False


def probe(h: Harness, r: Run) -> bool:
    """A new sweep through the worker that survived the fault (pid unchanged), and the web
    server's health check: both must work without restarting anything."""
    if not r.worker.alive():
        r.note(f"{r.worker.name} is not running any more")
        return False
    try:
        result = send("review_reminder_sweep")
        left = h.db(lambda: result.get(timeout=30, interval=0.2))
    except Exception as error:  # noqa: BLE001 — any failure of the probe is the finding
        r.note(f"the probe sweep failed: {error!r}")
        return False
    if left != 0:
        r.note(f"the probe sweep found {left} reminders still unsent")
    healthy = h.prober is None or h.prober.ok()
    if not healthy:
        r.note("the web server's /healthz does not answer 200")
    return left == 0 and healthy


# --- The faults ---------------------------------------------------------------------------------


def kill_pool_child(r: Run) -> None:
    """SIGKILL one pool process of the running worker; its main process starts another and,
    with ``acks_late`` and ``reject_on_worker_lost``, puts the task back in the queue."""
    children = processes.children_of(r.worker.pid)
    if not children:
        raise Timeout(f"{r.worker.name} has no pool processes")
    victim = random.choice(children)
    os.kill(victim, 9)
    r.note(f"SIGKILL to pool process {victim} of {r.worker.name} (pid {r.worker.pid})")


def kill_worker_then_start_another(r: Run) -> None:
    """SIGKILL the worker's process group; its messages stay unacknowledged in Redis until
    the visibility timeout hands them to the new worker."""
    dead = r.worker
    r.killed.add(dead.name)
    dead.kill()
    r.note(f"SIGKILL to {dead.name}'s process group; starting a new worker")
    processes.wait_ready(r.start_worker())


def restart_redis(*, aof: bool) -> Fault:
    """SIGKILL Redis, 3 s without it, then the same server again: from its append-only file
    (as the production compose file runs it) or empty (a Redis that keeps nothing)."""

    def fault(r: Run) -> None:
        r.harness.redis.kill_and_restart(down=3, aof=aof)
        r.note(f"Redis SIGKILLed, 3 s down, restarted ({'append-only file' if aof else 'empty'})")

    return fault


def restart_postgres(r: Run) -> None:
    """``pg_ctl restart -m fast``: every session ends, open transactions roll back."""
    seconds = r.harness.postgres.restart()
    r.note(f"pg_ctl restart -m fast: {seconds:.1f} s")


def restart_postgres_mid_email(r: Run) -> None:
    """The same restart while the SMTP server holds back its 250 for a stored message: the
    email is on its way, the transaction that records it is in a session that is gone."""
    with r.harness.mailbox.hold_next() as held:
        wait_until(held.is_set, "a worker waiting for its email's 250", 30, step=0.01)
        seconds = r.harness.postgres.restart()
    r.note(f"pg_ctl restart -m fast ({seconds:.1f} s) while an email awaited its 250")


def start_sweep(r: Run, *, aof: bool | None = None) -> None:
    """One worker, then the nightly alignment checks and the sweep, as beat publishes them."""
    if aof is not None:
        r.harness.redis.persistence(aof=aof)
    processes.wait_ready(r.start_worker())
    send("alignment_checks_nightly")
    send("review_reminder_sweep")


def no_fault(r: Run) -> None:
    pass


def two_beats(r: Run) -> None:
    """Two beats fire the sweep every 2 s into two workers, after a first tick that both
    fire at once: every reminder is handed out several times, and sends of one reminder run
    at the same moment."""
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="chaos: review reminder sweep",
        task="reviews.tasks.review_reminder_sweep",
        interval=every,
    )
    for _ in range(2):
        r.start_worker()
    for worker in r.workers:
        processes.wait_ready(worker)
    # The tick both beats fire at the same moment: the nightly and the sweep, twice each.
    # (Left to the beats alone, their first ticks may fall a second or two apart, and the
    # second sweep then waits in the queue behind the first one's sends.)
    for name in ("alignment_checks_nightly", "review_reminder_sweep") * 2:
        send(name)
    for _ in range(2):
        r.start_beat()


# docs/reliability.md describes each scenario; keep the two in step.
SCENARIOS = [
    Scenario(
        "pool-child-killed",
        "kill -9 of a worker's pool process mid-sweep (three times)",
        kill_pool_child,
        at=(0.2, 0.4, 0.6),
    ),
    Scenario(
        "worker-killed",
        "kill -9 of the whole worker mid-sweep, then a new worker",
        kill_worker_then_start_another,
    ),
    Scenario(
        "redis-killed-aof",
        "Redis SIGKILL mid-sweep, 3 s down, restarted from its append-only file",
        restart_redis(aof=True),
        start=lambda r: start_sweep(r, aof=True),
    ),
    Scenario(
        "redis-killed-empty",
        "Redis SIGKILL mid-sweep, 3 s down, restarted empty",
        restart_redis(aof=False),
        start=lambda r: start_sweep(r, aof=False),
    ),
    Scenario(
        "postgres-restarted",
        "PostgreSQL restart (`pg_ctl restart -m fast`) mid-sweep, under load",
        restart_postgres,
    ),
    Scenario(
        "postgres-restarted-mid-email",
        "PostgreSQL restart while a worker waits for the mail server's 250",
        restart_postgres_mid_email,
    ),
    Scenario(
        "two-beats",
        "two `celery beat` processes at once, two workers",
        no_fault,
        at=(),
        start=two_beats,
    ),
]
