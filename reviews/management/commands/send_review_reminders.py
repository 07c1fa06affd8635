"""``manage.py send_review_reminders``: the reminders due now, each sent once."""

from __future__ import annotations

from typing import Any

from kernel.commands import JobCommand
from reviews import services


class Command(JobCommand):
    help = "Send the review reminders that are due now (the same code the Celery task runs)."

    def handle(self, *args: Any, **options: Any) -> None:
        scheduled = services.review_schedule_missing()
        result = services.reminders_send_due()
        self.stdout.write(
            f"{scheduled} reviews scheduled; {result.claimed} reminders to send, "
            f"{result.sent} sent now (a reminder already sent is never sent again)."
        )
        if result.failed:
            # Logged one by one; each stays claimed and unsent, so the next run tries again.
            self.stderr.write(
                f"{result.failed} reminders failed and were left for the next run (see the log)."
            )
