"""``manage.py setup_periodic_tasks``: write the default beat schedule where it is missing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reviews.schedule import install


class Command(BaseCommand):
    help = "Create the default periodic tasks (reminders, alignment checks) that are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        created = install(CrontabSchedule, PeriodicTask)
        self.stdout.write(f"{created} periodic tasks created; edit them in the admin.")
