"""``manage.py seed_demo``: create the demo organisation (slug ``demo``) when it is missing.

Northvale Health, a regional health provider, turning its five-year strategy ("Northvale 2031")
into twelve-month missions: a vision and CEO's intent, an executive board and five directorates
(twelve teams, sixty people), missions at every level with their operating space, KPIs with
about six months of check-ins, key tasks, interdependencies and 30-day reviews. The content is
data, in ``missions/demo/``; this command builds it.

An existing demo organisation is the users' own: the command leaves it as they left it and
writes nothing, so ``make run`` can call it every time. ``--reset`` deletes the organisation
and everything in it (the same purge as ``generate_org --replace``, which opens the append-only
check-ins for that one transaction) and builds it again. The demo people are reused when they
exist (their password set back to the demo one) and created otherwise; a user of that name who
is not a demo person stops the command before anything is written or deleted.

Dates follow the day the demo is built: missions start on the first of the month six months
ago, task and link dates are counted from today, and check-ins and reviews sit on a fixed
calendar grid up to today, so two builds on the same day are identical. The alignment checks
run once, for today; the 89 days before get their snapshots from ``missions.demo.past``, so the
dashboards' 90-day trend has a line from the start.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from kernel.models import Membership, Organisation
from measures.models import CheckIn
from missions.demo import data
from missions.demo.seeder import Seeder
from missions.generate.purge import purge
from missions.models import KeyTask
from reviews.checks import run_checks
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Review

DEMO = data.load()
VISION = DEMO.vision
LEFT_AS_IT_IS = "The demo organisation exists; left as it is (use --reset to rebuild it)."


class Command(BaseCommand):
    help = (
        f"Create the demo organisation (slug {DEMO.slug!r}, {DEMO.name}) and its log-ins "
        f"({', '.join(DEMO.logins)}; password {DEMO.password!r}) when it is missing. An existing "
        "one is left as its users left it; --reset deletes it and builds it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo organisation and everything in it, then build it again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        removed = 0
        with transaction.atomic():
            existing = Organisation.objects.filter(slug=DEMO.slug).first()
            if existing is not None and not options["reset"]:
                self.stdout.write(LEFT_AS_IT_IS)
                return
            former_members: set[str] = set()
            if existing is not None:
                former_members = set(existing.memberships.values_list("user__username", flat=True))
                counts = purge(Organisation, Organisation.objects.filter(pk=existing.pk))
                removed = sum(counts.values())
            seeder = Seeder(DEMO, timezone.localdate(), former_members=former_members)
            org = seeder.run()
            # Findings and today's alignment scores, so the dashboards have something to show,
            # and the scores of the days before, so that their 90-day trend has a history.
            run_checks(organisation=org)
            seeder.seed_past_snapshots()
            # Each person's inbox: what the seeded cascade asks of them today.
            inbox_sweep_organisation(org)
        elapsed = time.monotonic() - started
        if existing is not None:
            self.stdout.write(f"Removed the old demo organisation ({removed:,} rows).")
        self.print_summary(org, seeder, elapsed)

    def print_summary(self, org: Organisation, seeder: Seeder, elapsed: float) -> None:
        counts = {
            "teams": org.teams.count(),
            "people": org.memberships.count(),
            "missions": org.missions.count(),
            "KPIs": org.kpis.count(),
            "check-ins": CheckIn.objects.filter(kpi__organisation=org).count(),
            "key tasks": KeyTask.objects.filter(mission__organisation=org).count(),
            "interdependencies": org.interdependencies.count(),
            "reviews": Review.objects.filter(mission__organisation=org).count(),
        }
        write = self.stdout.write
        write(f"Demo organisation {org.name!r} (slug {org.slug!r}) ready in {elapsed:.1f} s:")
        write("  " + ", ".join(f"{n:,} {label}" for label, n in counts.items()))
        changes = ", ".join(f"{label}: {n:,}" for label, n in sorted(seeder.stats.items()))
        write(f"  this run: {changes}")
        write(f"Log-ins (password {DEMO.password!r}):")
        people = {person.username: person for person in DEMO.people}
        teams = {team.key: team.name for team in DEMO.teams}
        for username in DEMO.logins:
            person = people[username]
            where = f", {teams[person.team]}" if person.team else ""
            role = Membership.Role(person.role).label
            write(
                f"  {username:<6} {person.first_name} {person.last_name}: {person.title}{where} "
                f"({role})"
            )
