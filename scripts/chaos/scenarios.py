"""The scenarios of ``make chaos``: each a fault, when it strikes, and how the work starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .faults import (
    kill_pool_child,
    kill_worker_then_start_another,
    no_fault,
    restart_postgres,
    restart_postgres_mid_email,
    restart_redis,
    start_sweep,
    two_beats,
)
from .harness import Fault, Run


@dataclass
class Scenario:
    key: str
    title: str
    fault: Fault
    # Fractions of the due reminders sent when the fault strikes (once per value).
    at: tuple[float, ...] = (0.3,)
    start: Callable[[Run], None] = field(default=lambda r: start_sweep(r))


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
