"""The faults the scenarios inject, and how a scenario starts its work: plain functions of
the run."""

from __future__ import annotations

import os
import random

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from . import processes
from .harness import Fault, Run, send
from .processes import Timeout, wait_until


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
