"""The Celery application: the worker and beat load tasks from every installed app."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "missionlead.settings")

app = Celery("missionlead")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
