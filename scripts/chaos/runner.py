"""The run of one scenario, and what it found.

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
scenario is a few lines in ``scenarios.SCENARIOS``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from .effects import Tally, tally
from .harness import Harness, Run, WorkerExited, send
from .processes import Timeout, wait_until
from .scenarios import Scenario

REDELIVERY_WAIT = 90.0  # step 1 at most: visibility timeout, restore interval, retries
STALL = 20.0  # step 1 ends when no effect has taken place for this long, queue empty
CATCH_UP_WAIT = 45.0  # step 2: after the extra sweep
SETTLE_WAIT = 30.0  # step 3
START_WAIT = 60.0  # the sweep under way before the fault


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
        r"(?m)review_send_reminders?\[[^]]+\] succeeded in [^:]+: (?:False|0)$",
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
