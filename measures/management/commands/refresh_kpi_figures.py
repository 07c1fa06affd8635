"""``manage.py refresh_kpi_figures [--org SLUG]``: every KPI's stored figures, now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser

from kernel.commands import JobCommand, organisations_named
from measures.services import kpi_refresh_all


class Command(JobCommand):
    help = (
        "Recompute every KPI's stored figures and roll-ups now (the same code the nightly "
        "Celery task runs): after an upgrade of the forecast, rather than waiting for the night."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Only this organisation (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = organisations_named(options["org"])
        total = organisations.count()
        for number, organisation in enumerate(organisations, start=1):
            self.stdout.write(f"[{number}/{total}] {organisation.slug} …", ending="")
            self.stdout.flush()
            started = time.perf_counter()
            done = kpi_refresh_all(organisation_id=organisation.pk)
            seconds = time.perf_counter() - started
            self.stdout.write(f" {done:,} KPIs refreshed in {seconds:.2f} s")
