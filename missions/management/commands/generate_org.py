"""``manage.py generate_org --missions N``: a synthetic organisation for scale tests.

About N missions in a realistic cascade with teams, people, KPIs (``--kpis-per-mission``,
default 3), check-ins (``--checkins-per-kpi``, default 10), key tasks, reviews and
interdependencies, written in one transaction; the same ``--seed`` gives the same organisation
(however many ``--workers`` compute the KPIs' forecasts).
How it is built: ``missions.generate``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug

from missions.generate.generator import Generator


class Command(BaseCommand):
    help = (
        "Create a synthetic organisation of about N missions, with teams, people, KPIs, "
        "check-ins, key tasks, reviews and interdependencies, for scale tests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--missions", type=int, required=True, help="How many missions.")
        parser.add_argument("--slug", default="synthetic", help="The organisation's slug.")
        parser.add_argument("--name", help="The organisation's name.")
        parser.add_argument("--kpis-per-mission", type=int, default=3)
        parser.add_argument("--checkins-per-kpi", type=int, default=10)
        parser.add_argument("--tasks-per-mission", type=int, default=2)
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same org)."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete the organisation first if it exists."
        )
        parser.add_argument(
            "--password",
            help="A password every synthetic person can log in with (default: none can).",
        )
        parser.add_argument("--batch-size", type=int, default=50_000, help="Rows per COPY.")
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Processes forecasting the KPIs (default: one per CPU, at most 8; 1: none).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["missions"] < 1:
            raise CommandError("--missions must be at least 1.")
        for name in ("kpis_per_mission", "checkins_per_kpi", "tasks_per_mission", "workers"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        try:
            validate_slug(options["slug"])
        except ValidationError as error:
            raise CommandError(f"--slug: {error.messages[0]}") from error
        Generator(options, stdout=self.stdout, stderr=self.stderr).run()
