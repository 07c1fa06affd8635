"""What the management commands share: the base of the scheduled jobs, the organisations a
``--org SLUG`` option names, and the peak memory of the command's own process."""

from __future__ import annotations

import resource
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet

from .models import Organisation


class JobCommand(BaseCommand):
    """A scheduled job run as a command (the checks, the reminders, the nightly refresh).

    Without Django's system checks, which a job does not need (``manage.py check --deploy``
    and ``migrate`` run them where a deployment is checked): they load the URL configuration
    and with it every view, about 0.85 s of each job's start here, more than half of it."""

    requires_system_checks: list[str] = []


def organisations_named(slug: str | None) -> QuerySet[Organisation]:
    """The organisation of ``slug``, or every organisation without one (by slug); a slug
    that names none is the command's error."""
    organisations = Organisation.objects.order_by("slug")
    if slug:
        organisations = organisations.filter(slug=slug)
        if not organisations.exists():
            raise CommandError(f"No organisation with the slug {slug!r}.")
    return organisations


def peak_memory_mib() -> float:
    """The most memory this process has held, in MiB: the kernel's high-water mark of its
    resident set (``VmHWM``), which starts afresh when a program is started. ``ru_maxrss``,
    the fallback where there is no ``/proc``, keeps the peak of the process that started this
    one (Linux carries it over ``fork`` and ``exec``): a command started by a large process
    reported that process's peak as its own."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
