"""The default Celery beat schedule, declared in code and written into the database.

django-celery-beat reads it from its tables, so operators change times in the admin; this
module (through the data migration and ``manage.py setup_periodic_tasks``) only creates what
is missing and never overwrites an operator's change.
"""

from __future__ import annotations

from typing import Any, TypedDict


class PeriodicTask(TypedDict):
    """A task of the schedule: its name in the admin, the Celery task, and when (crontab)."""

    name: str
    task: str
    crontab: dict[str, str]


DEFAULT_SCHEDULE: list[PeriodicTask] = [
    {
        "name": "Review reminders (hourly; each reminder is sent once)",
        "task": "reviews.tasks.review_reminder_sweep",
        "crontab": {"minute": "5", "hour": "*"},
    },
    {
        "name": "Inbox sweep (hourly: check-ins due, overdue key tasks, items no longer asked)",
        "task": "reviews.tasks.inbox_sweep",
        "crontab": {"minute": "15", "hour": "*"},
    },
    {
        "name": "Digests (hourly; each person's once a day or week, from DIGEST_HOUR their time)",
        "task": "reviews.tasks.digest_sweep",
        "crontab": {"minute": "0", "hour": "*"},
    },
    {
        "name": "Weekly briefs (hourly; each leader's once a week, from Monday at DIGEST_HOUR)",
        "task": "reviews.tasks.brief_sweep",
        "crontab": {"minute": "45", "hour": "*"},
    },
    {
        "name": "Emails at once, catch-up (every 10 minutes; each item is emailed once)",
        "task": "kernel.tasks.notifications_email_pending",
        "crontab": {"minute": "*/10", "hour": "*"},
    },
    {
        "name": "Webhooks, catch-up (every 5 minutes; deliveries whose hand-over was lost)",
        "task": "kernel.tasks.webhooks_catch_up",
        "crontab": {"minute": "*/5", "hour": "*"},
    },
    {
        "name": "KPI figures (nightly, one task per organisation, before the checks)",
        "task": "measures.tasks.kpi_refresh_nightly",
        "crontab": {"minute": "0", "hour": "2"},
    },
    {
        "name": "Alignment checks (nightly, one task per organisation)",
        "task": "reviews.tasks.alignment_checks_nightly",
        "crontab": {"minute": "30", "hour": "2"},
    },
]


def install(crontab_model: Any, task_model: Any) -> int:
    """Create the default periodic tasks that do not exist yet; returns how many."""
    created = 0
    for entry in DEFAULT_SCHEDULE:
        if task_model.objects.filter(name=entry["name"]).exists():
            continue
        schedule, _ = crontab_model.objects.get_or_create(
            day_of_week="*", day_of_month="*", month_of_year="*", **entry["crontab"]
        )
        task_model.objects.create(name=entry["name"], task=entry["task"], crontab=schedule)
        created += 1
    return created
