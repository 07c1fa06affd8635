"""Reminders and alignment checks through a real Celery worker on the real Redis.

Eager mode runs a task's body in the test process; it says nothing about delivery,
acknowledgement or a worker dying mid-task. These tests start ``celery worker`` as a
subprocess against the Redis that ``make test`` starts and against this test run's
PostgreSQL database (the worker's ``DATABASE_URL`` names the test database, and the tests
commit their data: ``transaction=True``), publish tasks from the test process, and wait —
bounded — for the effects in the database.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kernel.models import Notification
from measures.figures import kpi_figures
from measures.models import Kpi
from missionlead.celery import app
from missionlead.queues import QUEUES
from missions.models import Mission
from reviews import services
from reviews.models import AlignmentSnapshot, Finding, Reminder, Review
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory, UserFactory, align

BROKER_URL = str(settings.CELERY_BROKER_URL)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER_URL.startswith("redis"),
        reason="needs the Redis broker that `make test` starts (REDIS_URL / CELERY_BROKER_URL)",
    ),
]
PROJECT_DIR = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).parent / "celery"
WAIT = 60.0  # seconds: the longest any one wait may take before the test fails
VISIBILITY_TIMEOUT = 10  # seconds before Redis hands a dead worker's messages to another


# --- The worker -------------------------------------------------------------------------------


def worker_env(**extra: str) -> dict[str, str]:
    """The production settings module, pointed at this test run's database and Redis."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="missionlead.settings",
        DATABASE_URL=(
            f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{quote(db['NAME'], safe='')}"
        ),
        CELERY_BROKER_URL=BROKER_URL,
        CONN_MAX_AGE="0",  # no connection outlives a task, so none lingers after the test
        DEBUG="0",
        # The production settings refuse a short or placeholder key.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="*",
        EMAIL_URL="consolemail://",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)  # e.g. EMAIL_URL: a test's own SMTP server
    return env


class Worker:
    """A ``celery worker`` subprocess in its own process group (its pool children too)."""

    def __init__(self, log: Path, *, pool: str, concurrency: int, env: dict[str, str]) -> None:
        self.log = log
        self._file = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "missionlead",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-Q",
                ",".join(QUEUES),
                "--loglevel=INFO",
                "-n",
                f"{log.stem}@%h",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the process group is the worker's alone
        )

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and every pool child, no clean-up."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown; SIGKILL if that takes longer than 10 s. Safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()  # the main process stops its pool itself
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._file.close()

    def tail(self, lines: int = 40) -> str:
        if not self._file.closed:
            self._file.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def _signal_group(self, signum: int) -> None:
        with suppress(ProcessLookupError):  # the group is gone already
            os.killpg(self.process.pid, signum)


@contextmanager
def running_worker(
    log: Path, *, pool: str = "solo", concurrency: int = 1, **env: str
) -> Iterator[Worker]:
    worker = Worker(log, pool=pool, concurrency=concurrency, env=worker_env(**env))
    try:
        yield worker
    finally:
        worker.stop()


def wait_until(
    condition: Callable[[], bool], what: str, worker: Worker | None = None, timeout: float = WAIT
) -> float:
    """Poll ``condition`` until it holds; fail with the worker's log after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            log = worker.tail() if worker else ""
            pytest.fail(f"Waited {timeout:.0f} s for {what}.\nWorker log:\n{log}")
        if worker is not None and worker.process.poll() is not None:
            pytest.fail(f"The worker exited while waiting for {what}.\n{worker.tail()}")
        time.sleep(0.2)
    return time.monotonic() - started


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """Publish for real from this process; start and end with an empty queue."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    client = redis.Redis.from_url(BROKER_URL)

    def empty() -> None:
        app.control.purge()
        # Messages a killed worker had taken, and kombu's lock on sweeping them.
        client.delete("unacked", "unacked_index", "unacked_mutex")

    empty()
    try:
        yield client
    finally:
        empty()
        client.close()
        app.conf.task_always_eager = eager


def send(name: str, *args: Any) -> Any:
    return app.send_task(f"reviews.tasks.{name}", args=list(args))


# --- Helpers for reminders ----------------------------------------------------------------------


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def sent_reminders() -> int:
    return Reminder.objects.filter(sent_at__isnull=False).count()


def assert_each_reminder_notified_once() -> None:
    reminders = list(Reminder.objects.select_related("review__mission__organisation"))
    assert reminders and all(r.sent_at is not None for r in reminders)
    notes = Counter(
        Notification.objects.filter(dedupe_key__startswith="reminder:").values_list(
            "dedupe_key", "recipient_id"
        )
    )
    assert notes == Counter({(f"reminder:{r.pk}", r.recipient_id): 1 for r in reminders})
    for reminder in reminders:
        note = Notification.objects.get(dedupe_key=f"reminder:{reminder.pk}")
        slug = reminder.review.mission.organisation.slug
        assert note.url == f"/o/{slug}/reviews/{reminder.review_id}/"
        expected = "review_escalation" if reminder.kind == "escalation" else "review_reminder"
        assert note.kind == expected


@pytest.fixture
def due_world(world):
    """Reviews placed so that today is a different reminder day for each mission (every one
    of them aligned or at the top: in play).

    organisation mission (ceo)   due in 3 days    → "before", to ceo
    team mission (lead)          due today        → "due", to lead
    staff mission (staff)        due 7 days ago   → "escalation", to the boss: lead
    other organisation's (outsider) due yesterday → "after", to outsider
    a nurse's mission            due in 4 days    → nothing yet
    a held review                was due today    → nothing: it is held
    """
    nurse = UserFactory(username="nurse")
    align(world.team_mission, world.staff_mission)
    nurse_mission = MissionFactory(
        parent=world.team_mission, level=Mission.Level.INDIVIDUAL, owner_user=nurse, aligned=True
    )
    for mission, due in (
        (world.org_mission, days(3)),
        (world.team_mission, days(0)),
        (world.staff_mission, days(-7)),
        (world.other_mission, days(-1)),
        (nurse_mission, days(4)),
    ):
        Review.objects.create(mission=mission, due_date=due)
    held = MissionFactory(parent=world.team_mission, level=Mission.Level.INDIVIDUAL, aligned=True)
    Review.objects.create(mission=held, due_date=days(0), held_on=days(0), status="done")
    Review.objects.create(mission=held, due_date=days(30))  # so none is scheduled for it today
    return world


EXPECTED_TODAY = {
    ("before", "ceo"),
    ("due", "lead"),
    ("escalation", "lead"),
    ("after", "outsider"),
}


def reminders_sent() -> set[tuple[str, str]]:
    return set(Reminder.objects.values_list("kind", "recipient__username"))


# --- The tests --------------------------------------------------------------------------------


def test_it_sends_the_reminders_of_the_day_through_the_worker(due_world, broker, tmp_path) -> None:
    """Before, on the day, after, and the escalation to the boss, each to the right person."""
    sweep = send("review_reminder_sweep")
    with running_worker(tmp_path / "worker-days.log") as worker:
        assert sweep.get(timeout=WAIT) == 4  # four reminders claimed and queued
        wait_until(
            lambda: Reminder.objects.count() == 4 and sent_reminders() == 4,
            "four reminders sent",
            worker,
        )
    assert reminders_sent() == EXPECTED_TODAY
    assert_each_reminder_notified_once()
    assert Notification.objects.get(kind="review_escalation").recipient == due_world.lead
    # No review was added: every active mission already had one scheduled.
    assert Review.objects.filter(status="scheduled").count() == 6


def test_running_the_sweep_twice_sends_nothing_twice(due_world, broker, tmp_path) -> None:
    with running_worker(tmp_path / "worker-twice.log") as worker:
        assert send("review_reminder_sweep").get(timeout=WAIT) == 4
        wait_until(lambda: sent_reminders() == 4, "four reminders sent", worker)
        notified = Notification.objects.count()
        # Beat firing twice, and every send task delivered a second time.
        again = [send("review_reminder_sweep") for _ in range(2)]
        repeats = [
            send("review_send_reminder", pk) for pk in Reminder.objects.values_list("pk", flat=True)
        ]
        assert [r.get(timeout=WAIT) for r in again] == [0, 0]
        assert [r.get(timeout=WAIT) for r in repeats] == [False] * 4
    assert Reminder.objects.count() == 4 and reminders_sent() == EXPECTED_TODAY
    assert Notification.objects.count() == notified == 4
    assert_each_reminder_notified_once()


def waiting_on_locks() -> int:
    """Backends of this database blocked on a lock: the worker's tasks, mid-flight."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def test_a_worker_killed_mid_batch_leaves_every_reminder_sent_once(world, broker, tmp_path) -> None:
    """SIGKILL a prefork worker with tasks in flight; a new worker finishes the batch.

    To have tasks in flight at the moment of the kill, the test holds row locks on all but
    the first three reminders: the worker sends three, then both pool processes wait inside
    ``reminder_send``'s transaction. The kill loses those transactions and leaves their
    messages unacknowledged in Redis, which hands them out again after the visibility
    timeout; the rest of the batch is still queued.
    """
    for _ in range(40):
        mission = MissionFactory(
            parent=world.team_mission, level=Mission.Level.INDIVIDUAL, aligned=True
        )
        Review.objects.create(mission=mission, due_date=days(0))
    ids = sorted(services.reminders_claim())
    assert len(ids) == 40
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}

    with transaction.atomic():
        list(Reminder.objects.select_for_update().filter(pk__in=ids[3:]))
        for pk in ids:
            send("review_send_reminder", pk)
        with running_worker(
            tmp_path / "worker-killed.log", pool="prefork", concurrency=2, **env
        ) as first:
            wait_until(lambda: sent_reminders() >= 3, "the first three reminders", first)
            wait_until(lambda: waiting_on_locks() >= 1, "tasks in flight", first)
            first.kill()
        assert sent_reminders() == 3  # the rest was in flight or still queued
        assert broker.hlen("unacked") >= 1  # taken by the dead worker, never acknowledged
    # The locks are gone with the commit; a worker killed while sweeping may leave kombu's
    # sweep lock behind for minutes, so clear it (no other worker runs now).
    broker.delete("unacked_mutex")

    with running_worker(
        tmp_path / "worker-restarted.log", pool="prefork", concurrency=2, **env
    ) as second:
        # The queued ones go at once; the two the dead worker held after the visibility timeout.
        wait_until(lambda: sent_reminders() == 40, "all 40 reminders", second)
        # A task's message is acknowledged after its transaction commits: wait for the last
        # acknowledgements before stopping the worker (on a busy machine a stop could come
        # between the two and leave them to the next visibility timeout).
        wait_until(lambda: broker.hlen("unacked") == 0, "every message acknowledged", second)
    assert broker.hlen("unacked") == 0
    assert_each_reminder_notified_once()
    assert Notification.objects.count() == 40


def test_the_nightly_kpi_refresh_runs_through_the_worker(world, broker, tmp_path) -> None:
    """The schedule's task is registered with the worker, and fans out one refresh per
    organisation that stores the figures the one function computes."""
    kpi = KpiFactory(mission=world.staff_mission, target=50, due_date=days(120))
    for ago, value in ((40, 10), (20, 20)):
        CheckInFactory(kpi=kpi, author=world.staff, value=value, recorded_on=days(-ago))
    with running_worker(tmp_path / "worker-kpis.log") as worker:
        result = app.send_task("measures.tasks.kpi_refresh_nightly")
        assert result.get(timeout=WAIT) == 2  # one per organisation
        wait_until(
            lambda: Kpi.objects.get(pk=kpi.pk).forecast_probability is not None,
            "the KPI's figures refreshed",
            worker,
        )
    row = Kpi.objects.get(pk=kpi.pk)
    expected = kpi_figures(row, list(row.check_ins.standing().in_order()))
    assert row.forecast_probability == expected["forecast_probability"]
    assert row.latest_value == 20


def test_the_nightly_alignment_check_runs_through_the_worker(world, broker, tmp_path) -> None:
    with running_worker(tmp_path / "worker-nightly.log") as worker:
        assert send("alignment_checks_nightly").get(timeout=WAIT) == 2  # one per organisation
        wait_until(
            lambda: (
                AlignmentSnapshot.objects.filter(
                    team__isnull=True, run_date=timezone.localdate()
                ).count()
                == 2
            ),
            "a snapshot of each organisation",
            worker,
        )
    snapshot = AlignmentSnapshot.objects.get(
        organisation=world.organisation, team__isnull=True, run_date=timezone.localdate()
    )
    assert snapshot.missions == 3 and snapshot.open_findings >= 3
    # None of the world's missions has a KPI: each has its finding, and a score below 100.
    assert set(
        Finding.objects.filter(organisation=world.organisation, kind="no_kpi").values_list(
            "mission_id", flat=True
        )
    ) == {world.org_mission.pk, world.team_mission.pk, world.staff_mission.pk}
    assert snapshot.score < 100


def test_a_change_is_checked_through_the_worker(world, broker, tmp_path, settings) -> None:
    """The path a person's change takes: the service asks for the checks of its subtree by
    name when it commits, a real worker runs them, and the finding the change answers is
    resolved (here: a mission without a KPI gets one)."""
    from django.core.cache import cache

    from measures.services import kpi_create
    from reviews.checks import run_checks

    run_checks(organisation=world.organisation)
    no_kpi = Finding.objects.get(mission=world.staff_mission, kind="no_kpi")
    assert no_kpi.resolved_at is None
    settings.MISSIONLEAD_CHECKS_AFTER_CHANGES = True
    settings.MISSIONLEAD_CHECK_DELAY_SECONDS = 0
    cache.clear()
    with running_worker(tmp_path / "worker-after-change.log") as worker:
        kpi_create(
            mission=world.staff_mission,
            data={
                "name": "Orders shipped",
                "unit": "orders",
                "direction": "increase",
                "baseline": 0,
                "target": 100,
                "due_date": days(90),
                "cadence_days": 30,
                "weight": 1,
            },
            by=world.staff,
        )
        wait_until(
            lambda: Finding.objects.filter(pk=no_kpi.pk, resolved_at__isnull=False).exists(),
            "the finding resolved by the requested check",
            worker,
        )
    # Only the changed subtree was asked for: the top mission's own finding is still open.
    assert Finding.objects.get(mission=world.org_mission, kind="no_kpi").resolved_at is None
