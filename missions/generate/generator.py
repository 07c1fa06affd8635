"""The run of ``generate_org``: one transaction that removes the old organisation if asked,
draws the plan, then writes it step by step (the check-ins first, while the workers forecast:
people and teams, the cascade, key tasks, reviews and interdependencies, then the KPIs) and
reports what it wrote.

Every step draws from the one random generator in the same order, so the same seed and options
give the same rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, OutputWrapper
from django.db import connection, models, transaction
from django.utils import timezone

from kernel import tree
from kernel.models import Membership, Organisation, Team
from kernel.tenancy import policies_lifted_for_bulk_load
from measures.models import CheckIn, Kpi
from missions.generate.cascade import draw_missions, write_missions
from missions.generate.kpis import draw_kpis, write_check_ins, write_kpis
from missions.generate.people import EMAIL_DOMAIN, write_memberships, write_people, write_teams
from missions.generate.plan import ORG_LEVEL, Plan, build_plan
from missions.generate.purge import purge
from missions.generate.reviews import write_reviews
from missions.generate.tables import (
    allocate_ids,
    analyse,
    foreign_keys_checked_after_load,
    indexes_built_after_load,
)
from missions.generate.work import write_interdependencies, write_key_tasks
from missions.models import Interdependency, KeyTask, Mission, Vision
from reviews import search
from reviews.models import Review

# The tables written in bulk, their foreign keys checked and their indexes built after the
# load: the KPIs and their check-ins, and the rest, written while the workers forecast (with
# the users' table, which has indexes but no foreign key of its own).
MEASURES = (Kpi, CheckIn)
THE_REST = (Team, Membership, Mission, KeyTask, Review, Interdependency)


def first_of_month(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


@dataclass
class Build:
    """What the steps share: the plan, and the ids and dates each step adds for the next."""

    plan: Plan
    organisation: Organisation
    year_start: dt.date
    year_end: dt.date
    team_ids: Sequence[int] = ()
    user_ids: Sequence[int] = ()
    mission_ids: Sequence[int] = ()
    actor: list[int] = field(default_factory=list)  # the user who acts for each mission
    paths: list[str] = field(default_factory=list)
    next_review: list[dt.date | None] = field(default_factory=list)  # None: not in play
    mission_rows: list[tuple[Any, ...]] = field(default_factory=list)  # missions' COPY columns
    # (id, direction, baseline, target, target_max, cadence, author) of every KPI
    kpi_rows: list[tuple[int, int, float, float, float, int, int]] = field(default_factory=list)
    kpi_table_rows: list[tuple[Any, ...]] = field(default_factory=list)  # KPIs' COPY columns
    written: dict[str, int] = field(default_factory=dict)  # rows per table, for the report

    @property
    def org_id(self) -> int:
        return self.organisation.pk


class Generator:
    """One ``generate_org`` run with the command's (already checked) options."""

    def __init__(
        self, options: dict[str, Any], *, stdout: OutputWrapper, stderr: OutputWrapper
    ) -> None:
        self.options = options
        self.slug = options["slug"]
        self.stdout = stdout
        self.batch_size = max(1, options["batch_size"])
        # Forecasting processes: one per CPU by default (a few at most, each a fork of this one).
        self.workers = options.get("workers") or min(os.cpu_count() or 1, 8)
        self.show_progress = not options["no_progress"] and options["verbosity"] > 0
        self.progress_stream = stderr
        self.timings: list[tuple[str, int, float]] = []
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rng = random.Random(options["seed"])

    def run(self) -> None:
        started = time.monotonic()
        outer = connection.in_atomic_block
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            existing = Organisation.objects.filter(slug=self.slug).first()
            if existing is not None and not self.options["replace"]:
                raise CommandError(
                    f"An organisation with slug {self.slug!r} exists already; pass --replace "
                    "to delete it and generate it again, or choose another --slug."
                )
            if postgres:
                with connection.cursor() as cursor:
                    # Check foreign keys per COPY batch rather than queueing millions of
                    # checks for the commit; a bulk load may skip waiting for the WAL flush.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    # Indexes are built after the load (tables.indexes_built_after_load): in
                    # memory, and by this process alone, the CPUs being busy forecasting.
                    cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
                    cursor.execute("SET LOCAL max_parallel_maintenance_workers TO 0")
                    # The search's triggers skip the rows loaded (and those removed, which
                    # go with their organisation): one statement per kind writes their
                    # entries after the load.
                    cursor.execute(search.SEARCH_LATER)
            if existing is not None:
                self.remove(existing)
            self.remove_leftover_users()
            step = time.monotonic()
            plan = build_plan(self.options["missions"], self.rng)
            self.timings.append(("plan", len(plan.mission_parent), time.monotonic() - step))
            # COPY into tables under row-level security needs their policies lifted (tenancy).
            with policies_lifted_for_bulk_load():
                summary = self.write(plan)
            if postgres and outer:
                with connection.cursor() as cursor:
                    # Back to the declared behaviour (all deferrable keys are initially
                    # deferred) for the rest of the caller's transaction.
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            step = time.monotonic()
        self.timings.append(("commit", 0, time.monotonic() - step))
        self.report(summary, time.monotonic() - started)

    # removal ----------------------------------------------------------------------------------

    @property
    def user_prefix(self) -> str:
        return f"{self.slug}-u"

    def synthetic_users(self) -> models.QuerySet:
        return get_user_model()._base_manager.filter(
            username__startswith=self.user_prefix, email__endswith=f"@{self.slug}.{EMAIL_DOMAIN}"
        )

    def remove(self, organisation: Organisation) -> None:
        step = time.monotonic()
        counts = purge(Organisation, Organisation.objects.filter(pk=organisation.pk))
        self.remove_leftover_users()
        total = sum(counts.values())
        self.timings.append(("removed old org", total, time.monotonic() - step))

    def remove_leftover_users(self) -> None:
        """Synthetic users of this slug that belong to no organisation any more."""
        leftovers = self.synthetic_users().filter(memberships__isnull=True)
        if leftovers.exists():
            purge(get_user_model(), leftovers)

    # writing ------------------------------------------------------------------------------------

    def write(self, plan: Plan) -> dict[str, Any]:
        n = len(plan.mission_parent)
        name = self.options["name"] or f"Synthetic organisation ({n:,} missions)"
        organisation = Organisation.objects.create(name=name, slug=self.slug)
        year_start = first_of_month(self.today.replace(day=1), -6)
        year_end = first_of_month(year_start, 12) - dt.timedelta(days=1)
        Vision.objects.create(
            organisation=organisation,
            purpose="Synthetic data for scale tests.",
            vision="Every team's work visibly serves the strategy.",
            horizon=first_of_month(year_start, 60) - dt.timedelta(days=1),
            success_picture="Everyone can see how their mission serves the organisation's.",
            ceo_intent="Grow sustainably: fewer, clearer priorities, measured and reviewed.",
        )
        build = Build(plan, organisation, year_start, year_end)
        # Ids up front: paths and links are known before anything is written.
        step = time.monotonic()
        build.team_ids = allocate_ids(Team, len(plan.team_parent))
        build.user_ids = allocate_ids(get_user_model(), len(plan.user_name))
        build.mission_ids = allocate_ids(Mission, n)
        self.timings.append(("ids", n, time.monotonic() - step))
        # The foreign keys of the tables loaded are checked once all their rows are in, so
        # rows go in in any order, and most of their indexes are built after their rows. The
        # check-ins are the first written: the workers compute the KPIs' figures from them
        # (most of the work) while everything else is written, and the KPIs go in last, as
        # their figures come back. The random draws keep their order: the missions, the
        # KPIs, the check-ins, the key tasks, the interdependencies.
        with self.restored_after(
            "KPIs' and check-ins' foreign keys", foreign_keys_checked_after_load(*MEASURES)
        ):
            with self.timed("missions and KPIs drawn"):
                draw_missions(self, build)
                draw_kpis(self, build)
            with self.restored_after("check-ins' indexes", indexes_built_after_load(CheckIn)):
                figures = write_check_ins(self, build)
            try:
                with (
                    self.restored_after("foreign keys", foreign_keys_checked_after_load(*THE_REST)),
                    self.restored_after(
                        "indexes", indexes_built_after_load(get_user_model(), *THE_REST)
                    ),
                ):
                    write_people(self, build)
                    write_teams(self, build)
                    write_memberships(self, build)
                    write_missions(self, build)
                    write_key_tasks(self, build)
                    write_reviews(self, build)
                    write_interdependencies(self, build)
                # With their indexes: written as the forecasts come back, meanwhile, rather
                # than built after the last one, when nothing else is left to do.
                write_kpis(self, build, figures)
                analyse(Kpi)
            finally:
                figures.close()
        if connection.vendor == "postgresql":
            with self.timed("search entries"):
                search.rebuild(organisation_id=organisation.pk)
            with connection.cursor() as cursor:
                cursor.execute(search.SEARCH_NOW)  # for the rest of a caller's transaction
        return self.summary(build)

    @contextmanager
    def timed(self, label: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.timings.append((label, 0, time.monotonic() - started))

    @contextmanager
    def restored_after(self, label: str, restoring: AbstractContextManager[None]) -> Iterator[None]:
        """``restoring`` (what a loader drops and restores), the restoring timed as ``label``."""
        with restoring:
            yield
            loaded = time.monotonic()
        self.timings.append((label, 0, time.monotonic() - loaded))

    def summary(self, build: Build) -> dict[str, Any]:
        """What was written, and the largest subtree below an organisation mission (for
        benchmarks)."""
        plan, n, mission_ids = build.plan, len(build.mission_ids), build.mission_ids
        size = [1] * n
        for i in range(n - 1, -1, -1):
            if plan.mission_parent[i] >= 0:
                size[plan.mission_parent[i]] += size[i]
        depth = max((tree.depth(p) for p in build.paths), default=0)
        below_top = [i for i in range(n) if plan.mission_level[i] != ORG_LEVEL]
        biggest = max(below_top, key=size.__getitem__, default=0)
        top = max(range(n), key=size.__getitem__)
        return {
            "organisation": build.organisation,
            "teams": len(build.team_ids),
            "people": len(build.user_ids),
            "missions": n,
            **build.written,
            "depth": depth,
            "top": (mission_ids[top], size[top]),
            "biggest": (mission_ids[biggest], size[biggest]),
            "ceo": f"{self.user_prefix}{plan.team_leader[0]:06d}",
            "leader": f"{self.user_prefix}{plan.team_leader[plan.mission_team[biggest]]:06d}",
        }

    def report(self, s: dict[str, Any], elapsed: float) -> None:
        write = self.stdout.write
        org = s["organisation"]
        write(f"Organisation {org.name!r} (slug {org.slug!r}) generated in {elapsed:.1f} s:")
        write(
            f"  {s['teams']:,} teams, {s['people']:,} people, {s['missions']:,} missions "
            f"(cascade {s['depth'] + 1} levels deep), {s['kpis']:,} KPIs, "
            f"{s['check_ins']:,} check-ins, {s['key_tasks']:,} key tasks, "
            f"{s['reviews']:,} reviews, {s['interdependencies']:,} interdependencies"
        )
        write(f"  largest subtree: mission {s['top'][0]} with {s['top'][1]:,} missions")
        write(
            f"  largest subtree below the organisation missions: mission {s['biggest'][0]} "
            f"with {s['biggest'][1]:,} missions (its owner team's leader: {s['leader']})"
        )
        write(f"  chief executive: {s['ceo']}")
        if not self.options["password"]:
            write("  no one can log in: pass --password to give everyone a password")
        write("  timings: " + ", ".join(f"{label} {t:.1f} s" for label, _n, t in self.timings))
