"""``manage.py send_digests``: the digests due now, each person's once per period."""

from __future__ import annotations

from typing import Any

from kernel.commands import JobCommand
from reviews import services


class Command(JobCommand):
    help = (
        "Send the digests due now, in each person's time zone (the same code the Celery tasks "
        "run); running it twice sends nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                self.stdout.write(f"  {done} of {total} digests handled")

        self.stdout.write("Claiming the digests due now…")
        result = services.digests_send_due(progress=progress)
        self.stdout.write(
            f"{result.claimed} digests to send: {result.sent} emailed, {result.empty} with "
            "nothing to say (not emailed). A digest already sent is never sent again."
        )
        if result.failed:
            # Logged one by one; each stays claimed and unsent, so the next run tries again.
            self.stderr.write(
                f"{result.failed} digests failed and were left for the next run (see the log)."
            )
