"""``manage.py send_briefs``: the weekly briefs due now, each leader's once a week."""

from __future__ import annotations

from typing import Any

from kernel.commands import JobCommand
from reviews import services


class Command(JobCommand):
    help = (
        "Send the weekly briefs due now, in each leader's time zone (the same code the Celery "
        "tasks run); running it twice sends nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                self.stdout.write(f"  {done} of {total} briefs handled")

        self.stdout.write("Claiming the weekly briefs due now…")
        result = services.briefs_send_due(progress=progress)
        self.stdout.write(
            f"{result.claimed} briefs to send: {result.sent} emailed, {result.empty} with "
            "nothing to say (not emailed). A brief already sent is never sent again."
        )
        if result.failed:
            self.stderr.write(
                f"{result.failed} briefs failed and were left for the next run (see the log)."
            )
