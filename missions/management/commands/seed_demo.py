"""``manage.py seed_demo``: create the demo organisations and their coalition when missing.

Northvale Health (slug ``demo``), a regional health provider, turning its five-year strategy
("Northvale 2031") into twelve-month missions: a vision and CEO's intent, an executive board and
five directorates (twelve teams, sixty people), missions at every level with their operating
space, KPIs with about six months of check-ins, key tasks, interdependencies and 30-day reviews.
Beside it, its neighbour Northvale County Council (slug ``northvale-council``), small but whole,
and the coalition the two form, "Home First Northvale": its common purpose and missions, each
member's aligned contribution, an offer still waiting in Northvale Health's leaders' inboxes and
an interdependency between the members. The content is data, in ``missions/demo/``; this
command builds it.

What exists is the users' own: an existing organisation (or coalition) is left as they left it
and nothing of it is written, so ``make run`` can call the command every time; what is missing
is created. ``--reset`` deletes both organisations and everything in them (the same purge as
``generate_org --replace``, which opens the append-only check-ins for that one transaction),
and the coalitions that had no other member, and builds them again. The demo people are reused
when they exist (their password set back to the demo one) and created otherwise; a user of
that name who is not a demo person stops the command before anything is written or deleted.

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
from missions.demo import coalition as demo_coalition
from missions.demo import data
from missions.demo.seeder import Seeder
from missions.generate.purge import purge
from missions.models import KeyTask
from reviews.checks import run_checks
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Review

DEMO = data.load()
PARTNER = data.load_partner()
COALITION = data.load_coalition()
# Built in this order (the demo first: its ids are the ones the API's examples use).
DEMOS = (DEMO, PARTNER)
VISION = DEMO.vision
LEFT_AS_IT_IS = "The demo organisation exists; left as it is (use --reset to rebuild it)."
PARTNER_LEFT = f"The coalition partner {PARTNER.name!r} exists; left as it is."
COALITION_LEFT = f"The coalition {COALITION.name!r} exists; left as it is."


class Command(BaseCommand):
    help = (
        f"Create the demo organisation (slug {DEMO.slug!r}, {DEMO.name}), its coalition partner "
        f"(slug {PARTNER.slug!r}, {PARTNER.name}), their coalition {COALITION.name!r} and their "
        f"log-ins ({', '.join(DEMO.logins + PARTNER.logins)}; password {DEMO.password!r}) when "
        "they are missing. What exists is left as its users left it; --reset deletes both "
        "organisations and builds them again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo organisations and everything in them, then build them again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        removed, left, built = 0, [], []
        coalition_seeder = None
        with transaction.atomic():
            found = {
                demo.slug: Organisation.objects.filter(slug=demo.slug).first() for demo in DEMOS
            }
            present = [org for org in found.values() if org is not None]
            former: dict[str, set[str]] = {}
            if present and options["reset"]:
                doomed = demo_coalition.only_of([org.pk for org in present])
                for org in present:
                    former[org.slug] = set(org.memberships.values_list("user__username", flat=True))
                    counts = purge(Organisation, Organisation.objects.filter(pk=org.pk))
                    removed += sum(counts.values())
                removed += demo_coalition.remove(doomed)
                found = dict.fromkeys(found)
            organisations: dict[str, Organisation] = {}
            for demo in DEMOS:
                existing = found[demo.slug]
                if existing is not None:
                    organisations[demo.slug] = existing
                    left.append(LEFT_AS_IT_IS if demo is DEMO else PARTNER_LEFT)
                    continue
                seeder = Seeder(
                    demo, timezone.localdate(), former_members=former.get(demo.slug, ())
                )
                org = seeder.run()
                # Findings and today's alignment scores, so the dashboards have something to
                # show, and the scores of the days before, so that their 90-day trend has a
                # history.
                run_checks(organisation=org)
                seeder.seed_past_snapshots()
                organisations[demo.slug] = org
                built.append((org, demo, seeder))
            if demo_coalition.find(COALITION, organisations) is not None:
                left.append(COALITION_LEFT)
            else:
                coalition_seeder = demo_coalition.CoalitionSeeder(
                    COALITION, organisations, {demo.slug: demo for demo in DEMOS}
                )
                try:
                    coalition_seeder.run()
                except demo_coalition.MissionsGone as gone:
                    left.append(str(gone))
                    coalition_seeder = None
            # Each person's inbox: what the seeded cascade (and coalition) asks of them today.
            for org, _demo, _seeder in built:
                inbox_sweep_organisation(org)
        elapsed = time.monotonic() - started
        for line in left:
            self.stdout.write(line)
        if removed:
            self.stdout.write(f"Removed the old demo organisations ({removed:,} rows).")
        for org, demo, seeder in built:
            self.print_summary(org, demo, seeder, elapsed)
        if coalition_seeder is not None:
            self.print_coalition(coalition_seeder)

    def print_summary(
        self, org: Organisation, demo: data.Demo, seeder: Seeder, elapsed: float
    ) -> None:
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
        what = "Demo organisation" if demo is DEMO else "Coalition partner"
        write(f"{what} {org.name!r} (slug {org.slug!r}) ready in {elapsed:.1f} s:")
        write("  " + ", ".join(f"{n:,} {label}" for label, n in counts.items()))
        changes = ", ".join(f"{label}: {n:,}" for label, n in sorted(seeder.stats.items()))
        write(f"  this run: {changes}")
        write(f"Log-ins (password {demo.password!r}):")
        people = {person.username: person for person in demo.people}
        teams = {team.key: team.name for team in demo.teams}
        width = max(len(username) for username in demo.logins)
        for username in demo.logins:
            person = people[username]
            where = f", {teams[person.team]}" if person.team else ""
            role = Membership.Role(person.role).label
            write(
                f"  {username:<{width}} {person.first_name} {person.last_name}: {person.title}"
                f"{where} ({role})"
            )

    def print_coalition(self, seeder: demo_coalition.CoalitionSeeder) -> None:
        spec = seeder.spec
        members = ", ".join(org.name for org in seeder.organisations.values())
        changes = ", ".join(f"{label}: {n:,}" for label, n in sorted(seeder.stats.items()))
        self.stdout.write(f"Coalition {spec.name!r} of {members}: {changes}")
