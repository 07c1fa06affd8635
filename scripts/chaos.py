"""The fault suite behind ``make chaos`` (see scripts/chaos/ and docs/reliability.md).

Runs against the PostgreSQL and Redis that ``scripts/chaos.sh`` starts (``DATABASE_URL``,
``CELERY_BROKER_URL``): migrates, generates three organisations with a few hundred reminders
due today, then runs each scenario, prints the table of sent / lost / duplicated effects and
writes it into docs/reliability.md. Exits 1 when any effect was lost or duplicated, or the
app did not recover.

    scripts/chaos.sh                         # every scenario
    scripts/chaos.sh worker-killed two-beats # some of them (the document is left alone)
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="missionlead.settings",
    DEBUG="false",
    # A fresh random key each run: production settings refuse placeholders.
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="*",
    EMAIL_URL="dummymail://",
    LOG_LEVEL="WARNING",
    CONN_MAX_AGE="0",
)

import django  # noqa: E402

django.setup()

from scripts.chaos import report  # noqa: E402
from scripts.chaos.data import prepare  # noqa: E402
from scripts.chaos.harness import Harness  # noqa: E402
from scripts.chaos.mailbox import Mailbox  # noqa: E402
from scripts.chaos.runner import run  # noqa: E402
from scripts.chaos.scenarios import SCENARIOS  # noqa: E402


def log(message: str) -> None:
    print(message, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    keys = [s.key for s in SCENARIOS]
    parser.add_argument("scenario", nargs="*", help=f"default: all of {', '.join(keys)}")
    parser.add_argument("--missions", type=int, default=160, help="missions per organisation")
    parser.add_argument("--due", type=int, default=110, help="due reviews per organisation")
    parser.add_argument("--logs", type=Path, default=ROOT / "var/chaos", help="process logs")
    args = parser.parse_args()
    unknown = set(args.scenario) - set(keys)
    if unknown:
        parser.error(
            f"unknown scenario {', '.join(sorted(unknown))}; choose from {', '.join(keys)}"
        )
    chosen = [s for s in SCENARIOS if not args.scenario or s.key in args.scenario]

    args.logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    data = prepare(missions_per_org=args.missions, due_per_org=args.due, log=log)
    log(f"==> data ready in {time.monotonic() - started:.0f} s; logs in {args.logs}")
    results = []
    with Mailbox() as mailbox:
        harness = Harness(data=data, mailbox=mailbox, logs=args.logs, log=log)
        harness.start_web()
        try:
            results = [run(harness, scenario) for scenario in chosen]
        finally:
            harness.stop_web()
    elapsed = time.monotonic() - started
    if len(chosen) == len(SCENARIOS):
        text = report.write(
            ROOT / "docs/reliability.md",
            results,
            elapsed=elapsed,
            redis_version=harness.redis.client.info("server")["redis_version"],
        )
        log("==> written to docs/reliability.md")
    else:
        text = report.table(results)
    log("\n" + text + "\n")
    failed = [r.key for r in results if not r.ok]
    verdict = f"FAILED: {', '.join(failed)}" if failed else "every scenario passed"
    log(f"==> make chaos: {elapsed:.0f} s in all; {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
