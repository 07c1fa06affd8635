"""Celery queues per workload, so one kind of work never waits behind another: a long nightly
forecast or check run never delays a reminder, and what a person just did is not stuck behind
either.

- ``interactive``: work right after a person's action (the checks of the part they changed);
  also the default, for Celery's own tasks.
- ``notifications``: reminders, digests, briefs, emails at once, webhooks: short and due now.
- ``checks``: the alignment checks of whole organisations and the inbox sweeps.
- ``forecast``: the KPI figures and forecasts, and the briefs read ahead: long and nightly.

``docker-compose.yml`` runs a worker per queue with its own concurrency. A worker started
without ``-Q`` (``make worker``, ``make run``) consumes all four, since the settings declare
them. ``tests/test_queues.py`` checks that every task of ours has its queue here.
"""

from __future__ import annotations

from typing import Any

INTERACTIVE = "interactive"
NOTIFICATIONS = "notifications"
CHECKS = "checks"
FORECAST = "forecast"
QUEUES = (INTERACTIVE, NOTIFICATIONS, CHECKS, FORECAST)

ALIGNMENT_CHECK = "reviews.tasks.alignment_check_organisation"

ROUTES: dict[str, str] = {
    # notifications
    "reviews.tasks.review_send_reminder": NOTIFICATIONS,
    "reviews.tasks.review_send_reminders": NOTIFICATIONS,
    "reviews.tasks.review_invitations_send": NOTIFICATIONS,
    "reviews.tasks.review_reminder_sweep": NOTIFICATIONS,
    "reviews.tasks.digest_send": NOTIFICATIONS,
    "reviews.tasks.digest_sweep": NOTIFICATIONS,
    "reviews.tasks.brief_send": NOTIFICATIONS,
    "reviews.tasks.brief_sweep": NOTIFICATIONS,
    "kernel.tasks.notifications_email_pending": NOTIFICATIONS,
    "kernel.tasks.notification_email_send": NOTIFICATIONS,
    "kernel.tasks.webhook_deliver": NOTIFICATIONS,
    "kernel.tasks.webhooks_catch_up": NOTIFICATIONS,
    # checks (one subtree after a change: interactive, see ``route``)
    ALIGNMENT_CHECK: CHECKS,
    "reviews.tasks.alignment_checks_nightly": CHECKS,
    "reviews.tasks.inbox_sweep": CHECKS,
    "reviews.tasks.inbox_sweep_one": CHECKS,
    # forecast
    "measures.tasks.kpi_refresh_nightly": FORECAST,
    "measures.tasks.kpi_refresh_organisation": FORECAST,
    "measures.tasks.kpi_refresh_range": FORECAST,
    "measures.tasks.kpi_refresh_rollups": FORECAST,
    "reviews.tasks.brief_prepare": FORECAST,
}


def queue_for(name: str, args: Any = (), kwargs: Any = None) -> str | None:
    """The queue of task ``name`` called with ``args`` and ``kwargs``; ``None`` for a task
    not of ours (Celery's own), which goes to the default queue."""
    if name == ALIGNMENT_CHECK:
        # The checks of one subtree, queued a moment after a person changed it, answer that
        # person; an organisation's whole run is the nightly's.
        root_id = (kwargs or {}).get("root_id", args[1] if len(args or ()) > 1 else None)
        return INTERACTIVE if root_id is not None else CHECKS
    return ROUTES.get(name)


def route(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **_: Any
) -> dict[str, str] | None:
    """Celery's router (``CELERY_TASK_ROUTES``)."""
    queue = queue_for(name, args, kwargs)
    return {"queue": queue} if queue else None
