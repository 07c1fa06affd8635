"""``manage.py generate_org --missions N``: a synthetic organisation for scale tests.

About N missions in a realistic cascade (organisation missions, team missions several levels
deep following a team hierarchy, individual missions of the teams' members), with the teams,
people (users and memberships), KPIs (``--kpis-per-mission``, default 3), check-ins
(``--checkins-per-kpi``, default 10), key tasks, reviews and interdependencies. One directorate
is about three times the size of the others, so at N = 100,000 one organisation mission heads
a subtree of well over 10,000 missions (printed at the end, for benchmarks).

On PostgreSQL the rows go in with ``COPY`` in batches; ids are taken from the sequences up
front, so every mission's materialized path is known before it is written and nothing is
written twice. Elsewhere (SQLite) the same rows go through ``bulk_create``. Everything happens
in one transaction: a failure leaves the database as it was. Every database rule holds: the
cascade's level and owner rules, periods, range KPIs, the same-organisation keys (parents are
written before their children) and the append-only check-ins.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from django.db import connection, models, transaction
from django.utils import timezone

from measures import forecast
from measures.models import CheckIn, Kpi
from measures.services import FIGURE_FIELDS
from missions import tree
from missions.models import (
    CoachAssignment,
    Interdependency,
    KeyTask,
    Membership,
    Mission,
    Organisation,
    Team,
    Vision,
)
from missions.tenancy import policies_lifted_for_bulk_load
from reviews.models import Review

NOT_PROVIDED = models.NOT_PROVIDED
ORG_LEVEL, TEAM_LEVEL, PERSON_LEVEL = 0, 1, 2
LEVELS = (Mission.Level.ORGANISATION, Mission.Level.TEAM, Mission.Level.INDIVIDUAL)
TEAM_MISSION_SHARE = 0.22  # the rest, beyond the organisation missions, are individual
MISSIONS_PER_MEMBER = 1.6
EMAIL_DOMAIN = "synthetic.example"

FUNCTIONS = [
    "Operations",
    "Sales",
    "Customer Service",
    "Engineering",
    "Finance",
    "People",
    "Marketing",
    "Supply Chain",
    "Quality",
    "Digital",
    "Legal",
    "Estates",
]
AREAS = ["North", "South", "East", "West", "Central", "Coastal", "Metro", "Rural"]
THEMES = [
    "Grow in new markets",
    "Delight our customers",
    "Operational excellence",
    "A great place to work",
    "Sustainable finances",
    "Digital first",
    "Quality and safety",
    "Net zero by 2030",
]
VERBS = [
    "Improve",
    "Reduce",
    "Launch",
    "Scale",
    "Simplify",
    "Automate",
    "Grow",
    "Modernise",
    "Strengthen",
    "Standardise",
    "Speed up",
    "Rebuild",
]
OBJECTS = [
    "customer onboarding",
    "order fulfilment",
    "cost to serve",
    "field service",
    "the partner channel",
    "the data platform",
    "supplier quality",
    "the hiring pipeline",
    "support response times",
    "the product catalogue",
    "billing accuracy",
    "stock availability",
    "first-time fixes",
    "safety training",
    "energy use",
    "contract renewals",
]
INTENTS = [
    "Customers stay when things just work.",
    "Every hour saved here is an hour for customers.",
    "It is the biggest lever we have on the organisation mission.",
    "We cannot grow on a broken foundation.",
    "Our people asked for it, and they are right.",
    "Waste here costs us more than any other line.",
]
SCOPES = ["Our own region only.", "All sites.", "Existing customers.", "Internal processes."]
CONSTRAINTS = ["Company policy and the law.", "No new permanent posts.", "Within the budget."]
RIGHTS = [
    {
        "free": ["How the work is done", "Team rota"],
        "consult": ["Budget moves"],
        "must_not": ["Break the law"],
    },
    {"free": ["Suppliers under £10k"], "consult": ["Hiring"], "must_not": ["Overspend"]},
    {
        "free": ["Order of the work"],
        "consult": ["Changes affecting other teams"],
        "must_not": ["Cut safety checks"],
    },
    {},
]
METRICS = [
    ("Customer satisfaction", "%"),
    ("Orders shipped on time", "%"),
    ("Cost per order", "£"),
    ("Tickets resolved in 24h", "%"),
    ("Lead time", "days"),
    ("Defects per thousand", "count"),
    ("Revenue", "£k"),
    ("Staff engagement", "score"),
    ("Energy use", "MWh"),
    ("Open vacancies", "count"),
    ("Backlog", "items"),
    ("Uptime", "%"),
]
TASKS = [
    "Agree the plan with the team",
    "Run the pilot",
    "Roll out to every site",
    "Hire the lead",
    "Write the business case",
    "Train the team",
    "Review the results",
    "Sign the contract",
]
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Mohammed",
    "Olivia",
    "Amelia",
    "Noah",
    "Isla",
    "Leo",
    "Grace",
    "Oscar",
    "Freya",
    "Arjun",
    "Zara",
    "Ethan",
    "Maya",
    "Daniel",
    "Chloe",
    "Yusuf",
    "Hannah",
    "Tom",
    "Aisha",
    "Lucas",
    "Sofia",
    "Kwame",
    "Mei",
    "Ravi",
    "Ella",
    "Finn",
]
LAST = [
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Williams",
    "Brown",
    "Taylor",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Roberts",
    "Okafor",
    "Chen",
    "Nowak",
    "Murphy",
    "Hughes",
    "Walker",
    "Singh",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Ali",
    "Mensah",
    "Kowalski",
    "Reid",
    "Shah",
]
COMMENTS = ["On track.", "Behind plan, recovery agreed.", "Better than expected.", "Data late."]
TREND = [1.25, 1.0, 1.0, 0.65, 0.15, -0.2]  # share of the planned progress actually made


def _escape(text: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, dict | list):
        return _escape(json.dumps(value))
    return str(value)


def _first_of_month(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


# --- the writers ---------------------------------------------------------------------------------


class Progress:
    """``missions 40000/100000 [#####.....]`` on stderr; a new line per quarter off a terminal."""

    def __init__(self, stream: Any, label: str, total: int, enabled: bool = True) -> None:
        self.stream, self.label, self.total, self.enabled = stream, label, total, enabled
        self.tty = enabled and stream.isatty()
        self.done, self.shown, self.started = 0, -1, time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        step = 50 if self.tty else 4
        tick = self.done * step // max(self.total, 1)
        if self.enabled and tick != self.shown:
            self.shown = tick
            self._show("\r" if self.tty else "", "" if self.tty else "\n")

    def _show(self, start: str, end: str) -> None:
        filled = min(10, self.done * 10 // max(self.total, 1))
        bar = "#" * filled + "." * (10 - filled)
        line = f"{start}{self.label:<18} {self.done}/{self.total} [{bar}]{end}"
        self.stream.write(line, style_func=str, ending="")
        self.stream.flush()

    def finish(self) -> float:
        elapsed = time.monotonic() - self.started
        if self.tty:
            self._show("\r", f" {elapsed:.1f} s\n")
        return elapsed


class TableWriter:
    """Rows for one table: ``COPY`` batches on PostgreSQL, ``bulk_create`` elsewhere.

    Rows give the ``columns`` (attribute names) in order; every other concrete column gets its
    model default (timestamps: now), so fields added to the models later need no change here.
    """

    def __init__(
        self,
        command: Command,
        model: type[models.Model],
        columns: Sequence[str],
        total: int,
        label: str,
    ) -> None:
        self.command, self.model, self.columns = command, model, list(columns)
        self.batch_size = command.batch_size
        self.progress = Progress(command.progress_stream, label, total, command.show_progress)
        self.copy = connection.vendor == "postgresql"
        self.rows: list[Any] = []
        self.written = 0
        now = command.now
        given = set(self.columns)
        tail_columns, tail_values = [], []
        for f in model._meta.concrete_fields:
            if f.attname in given:
                continue
            if f.db_default is not NOT_PROVIDED or f.primary_key:
                continue  # the database fills it
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            else:
                value = f.get_default()
            tail_columns.append(f)
            tail_values.append(value)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        column_names = [fields[name].column for name in self.columns]
        column_names += [f.column for f in tail_columns]
        self.sql = (
            f"COPY {connection.ops.quote_name(model._meta.db_table)} "
            f"({', '.join(connection.ops.quote_name(c) for c in column_names)}) FROM STDIN"
        )
        self.tail = "".join("\t" + _copy_value(v) for v in tail_values) + "\n"
        # The same values for bulk_create, so both paths write the same rows.
        self.tail_values = {f.attname: v for f, v in zip(tail_columns, tail_values, strict=True)}

    def add(self, row: Sequence[Any]) -> None:
        """A row of Python values, in ``columns`` order."""
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def add_line(self, line: str, row: Sequence[Any]) -> None:
        """A row already rendered for COPY (``line``, no newline), or its values elsewhere."""
        self.rows.append(line if self.copy else row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            buffer = io.StringIO()
            tail = self.tail
            for row in self.rows:
                if isinstance(row, str):
                    buffer.write(row + tail)
                else:
                    buffer.write("\t".join(map(_copy_value, row)) + tail)
            buffer.seek(0)
            with connection.cursor() as cursor, connection.wrap_database_errors:
                cursor.copy_expert(self.sql, buffer, 1 << 20)
        else:
            names, tail = self.columns, self.tail_values
            objs = [self.model(**tail, **dict(zip(names, row, strict=True))) for row in self.rows]
            self.model._default_manager.bulk_create(objs, batch_size=1000)
        self.written += len(self.rows)
        self.progress.add(len(self.rows))
        self.rows = []

    def close(self) -> float:
        self.flush()
        if self.copy:
            # Fresh statistics before the children's COPY: the foreign-key checks plan their
            # look-ups once, and on a table the planner believes empty they may pick the
            # (organisation_id, id) index for "id = $1" and scan all of it for every row.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")
        elapsed = self.progress.finish()
        self.command.timings.append((self.progress.label, self.written, elapsed))
        return elapsed


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh primary keys for ``model``, reserved now so rows can point at each other."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        # Inside the transaction (SQLite holds the write lock): continue after the highest id.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {quoted}")
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
    return list(range(start + 1, start + n + 1))


# --- removing an organisation ---------------------------------------------------------------

DELETING = (models.CASCADE, models.PROTECT, models.RESTRICT)


def _dependants(root: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Every model whose rows hang off ``root`` rows through deleting foreign keys, with the
    lookup from it to ``root``; children before parents, so each DELETE leaves no row behind
    that still points at a deleted one (some same-organisation keys are checked at once)."""
    lookups: dict[type[models.Model], str] = {root: "pk"}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            for f in model._meta.concrete_fields:
                target = f.related_model if isinstance(f, models.ForeignKey) else None
                if target not in lookups or model is target:
                    continue
                if f.remote_field.on_delete not in DELETING:
                    continue
                hop = lookups[target]
                lookup = f.name if hop == "pk" else f"{f.name}__{hop}"
                if model not in lookups or lookup.count("__") < lookups[model].count("__"):
                    lookups[model] = lookup
                    changed = True
    order: list[type[models.Model]] = []
    remaining = set(lookups)
    while remaining:
        ready = [
            m
            for m in remaining
            if not any(
                isinstance(f, models.ForeignKey) and f.related_model is m and other is not m
                for other in remaining
                for f in other._meta.concrete_fields
            )
        ]
        if not ready:  # a cycle: the rest go in any order (their keys are deferred)
            ready = sorted(remaining, key=lambda m: m._meta.label)
        for model in sorted(ready, key=lambda m: m._meta.label):
            order.append(model)
            remaining.discard(model)
    return [(model, lookups[model]) for model in order]


def purge(root: type[models.Model], root_rows: models.QuerySet) -> dict[str, int]:
    """Delete ``root_rows`` and everything that hangs off them, one DELETE per table; links from
    other rows that are set to NULL on delete are cleared first. Runs in the caller's
    transaction; on PostgreSQL it opens the append-only check-ins for deletion meanwhile."""
    counts: dict[str, int] = {}
    dependants = _dependants(root)
    lookups = dict(dependants)
    roots = root_rows.values("pk")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL missionlead.purge = 'on'")
        for model in apps.get_models(include_auto_created=True):
            for f in model._meta.concrete_fields:
                target = f.related_model if isinstance(f, models.ForeignKey) else None
                if target not in lookups or f.remote_field.on_delete is not models.SET_NULL:
                    continue
                doomed = target._base_manager.filter(**{f"{lookups[target]}__in": roots})
                pointing = model._base_manager.filter(**{f"{f.name}__in": doomed.values("pk")})
                if model in lookups:  # rows deleted anyway need no update
                    pointing = pointing.exclude(**{f"{lookups[model]}__in": roots})
                pointing.update(**{f.name: None})
        for model, lookup in dependants:
            rows = model._base_manager.filter(**{f"{lookup}__in": roots})
            deleted = rows._raw_delete(connection.alias)
            if deleted:
                counts[model._meta.label] = deleted
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL missionlead.purge = 'off'")
    return counts


# --- the plan ------------------------------------------------------------------------------


@dataclass
class Plan:
    """The shape of the organisation, as indexes into lists; ids come later."""

    team_parent: list[int] = field(default_factory=list)  # -1: the top team
    team_name: list[str] = field(default_factory=list)
    team_leader: list[int] = field(default_factory=list)  # user index
    team_missions: list[list[int]] = field(default_factory=list)
    user_name: list[tuple[str, str]] = field(default_factory=list)
    user_team: list[int] = field(default_factory=list)  # -1: none (admin, coaches)
    user_role: list[str] = field(default_factory=list)
    user_title: list[str] = field(default_factory=list)
    mission_parent: list[int] = field(default_factory=list)  # -1: organisation level
    mission_level: list[int] = field(default_factory=list)
    mission_team: list[int] = field(default_factory=list)  # owner team, or the member's team
    mission_user: list[int] = field(default_factory=list)  # individual owner, else -1
    coaches: list[int] = field(default_factory=list)
    admin: int = -1


def build_plan(n: int, rng: random.Random) -> Plan:
    plan = Plan()
    n_org = min(5, max(1, n // 60))
    rest = n - n_org
    n_team_missions = round(rest * TEAM_MISSION_SHARE)
    n_teams = (n_team_missions + 1) // 2
    n_individual = rest - n_team_missions

    # Teams: the top team, directorates (one three times the others' size), then sub-teams
    # breadth first under each directorate. Parents always come before their children.
    def add_team(parent: int, name: str) -> int:
        plan.team_parent.append(parent)
        plan.team_name.append(name)
        plan.team_missions.append([])
        return len(plan.team_parent) - 1

    add_team(-1, "Leadership Team")
    n_directorates = min(n_teams, len(FUNCTIONS), max(1, round(n_teams ** (1 / 3)) + 1))
    weights = [3.0] + [rng.uniform(0.6, 1.4) for _ in range(n_directorates - 1)]
    extra = n_teams - n_directorates
    sizes = [int(extra * w / sum(weights)) for w in weights][:n_directorates]
    for i in range(extra - sum(sizes)):
        sizes[i % len(sizes)] += 1
    for d, size in enumerate(sizes):
        function = FUNCTIONS[d]
        queue = [add_team(0, f"{function} Directorate")]
        head, made = 0, 0
        while made < size:
            parent = queue[head]
            head += 1
            for _ in range(min(rng.randint(2, 6), size - made)):
                index = len(plan.team_parent)
                area = AREAS[index % len(AREAS)]
                queue.append(add_team(parent, f"{function} {area} {index}"))
                made += 1
    total_teams = len(plan.team_parent)

    # People: a leader per team, members spread unevenly, an admin and two coaches.
    def add_user(team: int, role: str, title: str) -> int:
        index = len(plan.user_name)
        plan.user_name.append((FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]))
        plan.user_team.append(team)
        plan.user_role.append(role)
        plan.user_title.append(title)
        return index

    for team in range(total_teams):
        title = "Chief Executive" if team == 0 else f"Head of {plan.team_name[team]}"
        plan.team_leader.append(add_user(team, Membership.Role.LEADER, title))
    n_members = min(n_individual, max(1 if n_individual else 0, round(n_individual / 1.6)))
    team_weights = [0.3] + [rng.uniform(0.5, 1.5) for _ in range(total_teams - 1)]
    members = [
        add_user(team, Membership.Role.STAFF, "Team member")
        for team in sorted(rng.choices(range(total_teams), team_weights, k=n_members))
    ]
    plan.admin = add_user(-1, Membership.Role.ADMIN, "Organisation admin")
    plan.coaches = [add_user(-1, Membership.Role.COACH, "Coach") for _ in range(2)]

    # Missions: organisation level, team level in team order, then individual ones.
    def add_mission(parent: int, level: int, team: int, user: int = -1) -> int:
        plan.mission_parent.append(parent)
        plan.mission_level.append(level)
        plan.mission_team.append(team)
        plan.mission_user.append(user)
        return len(plan.mission_parent) - 1

    for _ in range(n_org):
        plan.team_missions[0].append(add_mission(-1, ORG_LEVEL, 0))
    per_team = [1] * (total_teams - 1)
    for _ in range(n_team_missions - len(per_team)):
        per_team[rng.randrange(len(per_team))] += 1
    for team in range(1, total_teams):
        above = plan.team_missions[plan.team_parent[team]]
        for _ in range(per_team[team - 1]):
            parent = above[rng.randrange(len(above))]
            plan.team_missions[team].append(add_mission(parent, TEAM_LEVEL, team))
    per_member = [1] * len(members)
    for _ in range(n_individual - len(members)):
        per_member[rng.randrange(len(members))] += 1
    for member, count in zip(members, per_member, strict=True):
        team = plan.user_team[member]
        above = plan.team_missions[team]
        for _ in range(count):
            add_mission(above[rng.randrange(len(above))], PERSON_LEVEL, team, member)
    return plan


# --- the command ---------------------------------------------------------------------------------


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
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["missions"]
        if n < 1:
            raise CommandError("--missions must be at least 1.")
        for name in ("kpis_per_mission", "checkins_per_kpi", "tasks_per_mission"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        self.slug = options["slug"]
        try:
            validate_slug(self.slug)
        except ValidationError as error:
            raise CommandError(f"--slug: {error.messages[0]}") from error
        self.options = options
        self.batch_size = max(1, options["batch_size"])
        self.show_progress = not options["no_progress"] and options["verbosity"] > 0
        self.progress_stream = self.stderr
        self.timings: list[tuple[str, int, float]] = []
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rng = random.Random(options["seed"])
        started = time.monotonic()

        outer = connection.in_atomic_block
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            existing = Organisation.objects.filter(slug=self.slug).first()
            if existing is not None and not options["replace"]:
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
            if existing is not None:
                self.remove(existing)
            self.remove_leftover_users()
            step = time.monotonic()
            plan = build_plan(n, self.rng)
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
        if postgres and not outer:
            step = time.monotonic()
            tables = [m._meta.db_table for m in (Mission, Kpi, CheckIn, KeyTask, Review, Team)]
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(tables)}")
            self.timings.append(("analyze", 0, time.monotonic() - step))
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
        opts, rng, now, today = self.options, self.rng, self.now, self.today
        User = get_user_model()
        n = len(plan.mission_parent)
        name = opts["name"] or f"Synthetic organisation ({n:,} missions)"
        organisation = Organisation.objects.create(name=name, slug=self.slug)
        org_id = organisation.pk
        year_start = _first_of_month(today.replace(day=1), -6)
        year_end = _first_of_month(year_start, 12) - dt.timedelta(days=1)
        Vision.objects.create(
            organisation=organisation,
            purpose="Synthetic data for scale tests.",
            vision="Every team's work visibly serves the strategy.",
            horizon=_first_of_month(year_start, 60) - dt.timedelta(days=1),
            success_picture="Everyone can see how their mission serves the organisation's.",
            ceo_intent="Grow sustainably: fewer, clearer priorities, measured and reviewed.",
        )

        # Ids up front: paths and links are known before anything is written.
        step = time.monotonic()
        team_ids = allocate_ids(Team, len(plan.team_parent))
        user_ids = allocate_ids(User, len(plan.user_name))
        mission_ids = allocate_ids(Mission, n)
        self.timings.append(("ids", n, time.monotonic() - step))

        # People -----------------------------------------------------------------------------
        password = make_password(opts["password"])  # once: hashing is slow by design
        users = TableWriter(
            self,
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            len(user_ids),
            "users",
        )
        domain = f"{self.slug}.{EMAIL_DOMAIN}"
        for i, (first, last) in enumerate(plan.user_name):
            username = f"{self.user_prefix}{i:06d}"
            users.add(
                (
                    user_ids[i],
                    password,
                    False,
                    username,
                    first,
                    last,
                    f"{username}@{domain}",
                    False,
                    True,
                    now,
                )
            )
        users.close()

        teams = TableWriter(
            self,
            Team,
            ["id", "organisation_id", "name", "parent_id", "path", "leader_id"],
            len(team_ids),
            "teams",
        )
        team_paths: list[str] = []
        for i, parent in enumerate(plan.team_parent):
            path = tree.child_path(team_paths[parent], team_ids[parent]) if parent >= 0 else ""
            team_paths.append(path)
            parent_id = team_ids[parent] if parent >= 0 else None
            leader = user_ids[plan.team_leader[i]]
            teams.add((team_ids[i], org_id, plan.team_name[i], parent_id, path, leader))
        teams.close()

        memberships = TableWriter(
            self,
            Membership,
            ["organisation_id", "user_id", "role", "team_id", "job_title"],
            len(user_ids),
            "memberships",
        )
        for i, team in enumerate(plan.user_team):
            team_id = team_ids[team] if team >= 0 else None
            memberships.add((org_id, user_ids[i], plan.user_role[i], team_id, plan.user_title[i]))
        memberships.close()
        CoachAssignment.objects.create(
            organisation=organisation, coach_id=user_ids[plan.coaches[0]]
        )
        if len(team_ids) > 1:
            CoachAssignment.objects.create(
                organisation=organisation, coach_id=user_ids[plan.coaches[1]], team_id=team_ids[1]
            )

        # Missions ---------------------------------------------------------------------------
        children: list[list[int]] = [[] for _ in range(n)]
        for i, parent in enumerate(plan.mission_parent):
            if parent >= 0:
                children[parent].append(i)
        actor = [
            user_ids[plan.mission_user[i]]
            if plan.mission_user[i] >= 0
            else user_ids[plan.team_leader[plan.mission_team[i]]]
            for i in range(n)
        ]
        missions = TableWriter(
            self,
            Mission,
            [
                "id",
                "organisation_id",
                "level",
                "title",
                "statement",
                "intent",
                "parent_id",
                "path",
                "owner_team_id",
                "owner_user_id",
                "period_start",
                "period_end",
                "status",
                "alignment_status",
                "deadline",
                "scope",
                "budget",
                "headcount",
                "constraints",
                "decision_rights",
                "next_review_due",
                "created_by_id",
                "updated_by_id",
                "proposed_at",
                "aligned_at",
                "aligned_by_id",
            ],
            n,
            "missions",
        )
        paths: list[str] = [""] * n
        budgets: list[Decimal | None] = [None] * n
        heads: list[int | None] = [None] * n
        next_review: list[dt.date] = [today] * n
        cent = Decimal("0.01")
        for i in range(n):
            parent, level = plan.mission_parent[i], plan.mission_level[i]
            team = plan.mission_team[i]
            if parent >= 0:
                paths[i] = tree.child_path(paths[parent], mission_ids[parent])
            if level == ORG_LEVEL:
                title = THEMES[i % len(THEMES)]
                budgets[i] = Decimal(rng.randrange(2_000, 20_000) * 1000)
                heads[i] = rng.randrange(100, 2000)
                alignment = "aligned"
            else:
                title = f"{VERBS[rng.randrange(len(VERBS))]} {OBJECTS[rng.randrange(len(OBJECTS))]}"
                if level == TEAM_LEVEL:
                    # The team-level children share 80% of the parent's budget and headcount.
                    share = sum(1 for c in children[parent] if plan.mission_level[c] == TEAM_LEVEL)
                    if budgets[parent] is not None:
                        budgets[i] = (budgets[parent] * Decimal("0.8") / share).quantize(
                            cent, ROUND_DOWN
                        )
                    if heads[parent] is not None:
                        heads[i] = heads[parent] * 4 // (5 * share)
                roll = rng.random()
                alignment = (
                    "aligned"
                    if roll < 0.85
                    else "proposed"
                    if roll < 0.93
                    else "sent_back"
                    if roll < 0.96
                    else "draft"
                )
            due = today + dt.timedelta(days=rng.randrange(0, 30))
            if rng.random() < 0.05:
                due = today - dt.timedelta(days=rng.randrange(1, 15))
            next_review[i] = due
            approver = actor[parent] if parent >= 0 else actor[i]
            stamp = now - dt.timedelta(days=rng.randrange(20, 150))
            missions.add(
                (
                    mission_ids[i],
                    org_id,
                    LEVELS[level],
                    title,
                    f"{title} for {plan.team_name[team]} by {year_end:%B %Y}.",
                    INTENTS[rng.randrange(len(INTENTS))],
                    mission_ids[parent] if parent >= 0 else None,
                    paths[i],
                    team_ids[team] if level != PERSON_LEVEL else None,
                    user_ids[plan.mission_user[i]] if level == PERSON_LEVEL else None,
                    year_start,
                    year_end,
                    "active",
                    alignment,
                    year_end,
                    SCOPES[rng.randrange(len(SCOPES))],
                    budgets[i],
                    heads[i],
                    CONSTRAINTS[rng.randrange(len(CONSTRAINTS))],
                    RIGHTS[rng.randrange(len(RIGHTS))],
                    due,
                    actor[i],
                    actor[i],
                    stamp if alignment != "draft" else None,
                    stamp if alignment == "aligned" else None,
                    approver if alignment == "aligned" else None,
                )
            )
        missions.close()

        # KPIs -------------------------------------------------------------------------------
        kpm = opts["kpis_per_mission"]
        per_mission = [max(0, kpm + rng.choice((-1, 0, 1))) if kpm >= 2 else kpm for _ in range(n)]
        kpi_ids = allocate_ids(Kpi, sum(per_mission))
        kpis = TableWriter(
            self,
            Kpi,
            [
                "id",
                "organisation_id",
                "mission_id",
                "name",
                "unit",
                "direction",
                "baseline",
                "target",
                "target_max",
                "due_date",
                "cadence_days",
                "weight",
                "parent_kpi_id",
                "status",
                "created_by_id",
            ],
            len(kpi_ids),
            "KPIs",
        )
        mission_kpis: list[list[int]] = [[] for _ in range(n)]
        # (id, direction, baseline, target, target_max, cadence, author)
        kpi_rows: list[tuple[int, int, float, float, float, int, int]] = []
        next_kpi = 0
        for i in range(n):
            parent = plan.mission_parent[i]
            for _ in range(per_mission[i]):
                kpi_id = kpi_ids[next_kpi]
                next_kpi += 1
                metric, unit = METRICS[rng.randrange(len(METRICS))]
                roll = rng.random()
                high = None
                if roll < 0.5:
                    direction, baseline = 0, rng.uniform(10, 60)
                    target = baseline * rng.uniform(1.2, 2.0)
                elif roll < 0.85:
                    direction, baseline = 1, rng.uniform(20, 100)
                    target = baseline * rng.uniform(0.4, 0.8)
                else:
                    direction, target = 2, rng.uniform(40, 80)
                    high = target + rng.uniform(5, 15)
                    baseline = target + rng.uniform(-10, 25)
                cadence = (7, 14, 14, 30, 30, 30)[rng.randrange(6)]
                parent_kpi = None
                if parent >= 0 and mission_kpis[parent] and rng.random() < 0.6:
                    above = mission_kpis[parent]
                    parent_kpi = above[rng.randrange(len(above))]
                mission_kpis[i].append(kpi_id)
                kpis.add(
                    (
                        kpi_id,
                        org_id,
                        mission_ids[i],
                        metric,
                        unit,
                        ("increase", "decrease", "range")[direction],
                        f"{baseline:.2f}",
                        f"{target:.2f}",
                        f"{high:.2f}" if high is not None else None,
                        year_end,
                        cadence,
                        1,
                        parent_kpi,
                        "active",
                        actor[i],
                    )
                )
                kpi_rows.append(
                    (kpi_id, direction, baseline, target, high or 0.0, cadence, actor[i])
                )
        kpis.close()

        # Check-ins: the bulk of the rows, rendered straight into COPY lines -------------------
        per_kpi = opts["checkins_per_kpi"]
        check_ins = TableWriter(
            self,
            CheckIn,
            ["kpi_id", "value", "confidence", "comment", "recorded_on", "author_id", "created_at"],
            len(kpi_rows) * per_kpi,
            "check-ins",
        )
        elapsed_days = max(1, (today - year_start).days)
        period_days = (year_end - year_start).days
        days_back = elapsed_days + 400
        days = [today - dt.timedelta(days=d) for d in range(days_back + 1)]
        day_text = [d.isoformat() for d in days]
        # Written at 17:00 UTC on the day, today's not later than now. Rows carry the time on
        # both paths: created_at is NOT NULL and has no database default.
        stamps = [min(dt.datetime.combine(d, dt.time(17), tzinfo=dt.UTC), now) for d in days]
        stamp_text = [s.isoformat() for s in stamps]
        random_ = rng.random
        directions = ("increase", "decrease", "range")
        figures: list[tuple[Any, ...]] = []
        for kpi_id, direction, baseline, target, high, cadence, author in kpi_rows:
            if not per_kpi:
                break
            points: list[tuple[dt.date, float]] = []
            step = max(1, min(cadence, elapsed_days // per_kpi))
            offset = rng.randrange(step)
            if random_() < 0.08:  # a stale KPI: nobody has checked in for a while
                offset += 3 * cadence
            trend = TREND[rng.randrange(len(TREND))]
            confidence = 30 + int(45 * max(0.0, min(1.0, trend)))
            if direction == 2:
                middle, spread = (baseline + target + high) / 3, high - target
            else:
                middle, spread = 0.0, abs(target - baseline)
            for j in range(per_kpi - 1, -1, -1):
                back = min(offset + j * step, days_back)
                t = (elapsed_days - back) / period_days
                if direction == 2:
                    value = middle + (random_() - 0.5) * spread
                else:
                    value = baseline + (target - baseline) * trend * t
                    value += (random_() - 0.5) * 0.1 * spread
                comment = COMMENTS[int(random_() * len(COMMENTS))] if random_() < 0.08 else ""
                conf = confidence + int(random_() * 20) - 10
                check_ins.add_line(
                    f"{kpi_id}\t{value:.2f}\t{conf}\t{comment}\t{day_text[back]}\t{author}\t"
                    f"{stamp_text[back]}",
                    (kpi_id, f"{value:.2f}", conf, comment, days[back], author, stamps[back]),
                )
                points.append((days[back], round(value, 2)))
            # The stored figures the check-in service would have written (measures.forecast).
            goal = forecast.Target(directions[direction], baseline, target, high or None)
            outlook = forecast.forecast(goal, forecast.series(points), year_end)
            last_day, last_value = points[-1]
            figures.append(
                (
                    kpi_id,
                    f"{last_value:.2f}",
                    last_day,
                    conf,
                    forecast.progress(goal, last_value),
                    outlook.status,
                    outlook.value_at_due,
                    outlook.reach_date,
                )
            )
        check_ins.close()
        self.write_kpi_figures(figures)

        # Key tasks, reviews, interdependencies -----------------------------------------------
        tpm = opts["tasks_per_mission"]
        tasks = TableWriter(
            self,
            KeyTask,
            [
                "mission_id",
                "title",
                "owner_id",
                "due_date",
                "status",
                "completed_at",
                "created_by_id",
            ],
            n * tpm,
            "key tasks",
        )
        statuses = ["done"] * 7 + ["in_progress"] * 5 + ["todo"] * 6 + ["blocked", "cancelled"]
        for i in range(n):
            for _ in range(tpm):
                due = today + dt.timedelta(days=rng.randrange(-60, 90))
                status = statuses[rng.randrange(len(statuses))]
                completed = None
                if status == "done":
                    completed = min(now, dt.datetime.combine(due, dt.time(15), tzinfo=dt.UTC))
                tasks.add(
                    (
                        mission_ids[i],
                        TASKS[rng.randrange(len(TASKS))],
                        actor[i],
                        due,
                        status,
                        completed,
                        actor[i],
                    )
                )
        tasks.close()

        reviews = TableWriter(
            self,
            Review,
            [
                "mission_id",
                "due_date",
                "held_on",
                "held_by_id",
                "summary",
                "still_aligned",
                "status",
            ],
            2 * n,
            "reviews",
        )
        for i in range(n):
            last = next_review[i] - dt.timedelta(days=30)
            reviews.add((mission_ids[i], last, last, actor[i], "Reviewed.", True, "done"))
            reviews.add((mission_ids[i], next_review[i], None, None, "", None, "scheduled"))
        reviews.close()

        team_level = [i for i in range(n) if plan.mission_level[i] == TEAM_LEVEL]
        links = TableWriter(
            self,
            Interdependency,
            [
                "organisation_id",
                "from_mission_id",
                "to_mission_id",
                "kind",
                "description",
                "status",
                "created_by_id",
                "responded_by_id",
                "responded_at",
            ],
            n // 20,
            "interdependencies",
        )
        seen: set[tuple[int, int, str]] = set()
        link_statuses = (
            ["proposed"] * 7 + ["acknowledged"] * 8 + ["declined"] * 2 + ["resolved"] * 3
        )
        for _ in range(n // 20 if len(team_level) > 1 else 0):
            a, b = rng.sample(team_level, 2)
            kind = "depends_on" if rng.random() < 0.6 else "supports"
            if (a, b, kind) in seen:
                continue
            seen.add((a, b, kind))
            status = link_statuses[rng.randrange(len(link_statuses))]
            answered = status != "proposed"
            links.add(
                (
                    org_id,
                    mission_ids[a],
                    mission_ids[b],
                    kind,
                    "Synthetic link.",
                    status,
                    actor[a],
                    actor[b] if answered else None,
                    now if answered else None,
                )
            )
        links.close()

        # The largest subtree below an organisation mission, for benchmarks.
        size = [1] * n
        for i in range(n - 1, -1, -1):
            if plan.mission_parent[i] >= 0:
                size[plan.mission_parent[i]] += size[i]
        depth = max((tree.depth(p) for p in paths), default=0)
        below_top = [i for i in range(n) if plan.mission_level[i] != ORG_LEVEL]
        biggest = max(below_top, key=size.__getitem__, default=0)
        top = max(range(n), key=size.__getitem__)
        return {
            "organisation": organisation,
            "teams": len(team_ids),
            "people": len(user_ids),
            "missions": n,
            "kpis": len(kpi_ids),
            "check_ins": check_ins.written,
            "key_tasks": tasks.written,
            "reviews": reviews.written,
            "interdependencies": links.written,
            "depth": depth,
            "top": (mission_ids[top], size[top]),
            "biggest": (mission_ids[biggest], size[biggest]),
            "ceo": f"{self.user_prefix}{plan.team_leader[0]:06d}",
            "leader": f"{self.user_prefix}{plan.team_leader[plan.mission_team[biggest]]:06d}",
        }

    def write_kpi_figures(self, figures: list[tuple[Any, ...]]) -> None:
        """Set the KPIs' stored progress and forecast: one UPDATE from a COPY-filled temporary
        table on PostgreSQL, ``bulk_update`` elsewhere."""
        progress = Progress(self.progress_stream, "KPI figures", len(figures), self.show_progress)
        if connection.vendor == "postgresql":
            columns = ", ".join(f"{c} = f.{c}" for c in FIGURE_FIELDS)
            with connection.cursor() as cursor, connection.wrap_database_errors:
                cursor.execute(
                    "CREATE TEMPORARY TABLE kpi_figures (id bigint, latest_value numeric, "
                    "latest_on date, latest_confidence integer, progress double precision, "
                    "forecast_status varchar(10), forecast_value double precision, "
                    "forecast_reach_date date) ON COMMIT DROP"
                )
                buffer = io.StringIO()
                for row in figures:
                    buffer.write("\t".join(map(_copy_value, row)) + "\n")
                buffer.seek(0)
                cursor.copy_expert("COPY kpi_figures FROM STDIN", buffer, 1 << 20)
                cursor.execute(
                    f"UPDATE measures_kpi SET {columns} FROM kpi_figures f "
                    "WHERE measures_kpi.id = f.id"
                )
                cursor.execute("DROP TABLE kpi_figures")
        else:
            kpis = [
                Kpi(pk=row[0], **dict(zip(FIGURE_FIELDS, row[1:], strict=True))) for row in figures
            ]
            Kpi.objects.bulk_update(kpis, FIGURE_FIELDS, batch_size=1000)
        progress.add(len(figures))
        self.timings.append((progress.label, len(figures), progress.finish()))

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
