"""``manage.py run_alignment_checks [--org SLUG]``: the alignment checks, now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kernel.commands import JobCommand, organisations_named, peak_memory_mib
from reviews.checks import run_checks


class Command(JobCommand):
    help = "Run the alignment checks now (the same code the nightly Celery task runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Only this organisation (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = organisations_named(options["org"])
        total = organisations.count()
        for number, organisation in enumerate(organisations, start=1):
            self.stdout.write(f"[{number}/{total}] {organisation.slug} …", ending="")
            self.stdout.flush()
            result = run_checks(organisation=organisation)
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(result.by_kind.items())) or "none"
            score = "—" if result.score is None else f"{result.score:.1f}"
            self.stdout.write(
                f" {result.seconds:.2f} s: {result.opened} opened, {result.resolved} resolved, "
                f"{result.open} open ({kinds}); alignment score {score}"
            )
            if options["verbosity"] > 1:
                for step, seconds in sorted(result.step_seconds.items(), key=lambda i: -i[1]):
                    self.stdout.write(f"    {step:<24} {seconds:6.2f} s")
        self.stdout.write(f"Peak memory of this process: {peak_memory_mib():.0f} MiB")
