"""Key tasks and interdependencies: the work under each mission, and links between team
missions, some answered and some still waiting."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from missions.generate.plan import TEAM_LEVEL
from missions.generate.tables import TableWriter
from missions.generate.vocabulary import TASKS
from missions.models import Interdependency, KeyTask

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

TASK_COLUMNS = [
    "mission_id",
    "title",
    "owner_id",
    "due_date",
    "status",
    "completed_at",
    "created_by_id",
]
LINK_COLUMNS = [
    "organisation_id",
    "from_mission_id",
    "to_mission_id",
    "kind",
    "description",
    "status",
    "created_by_id",
    "responded_by_id",
    "responded_at",
]
# Drawn by index: the share of each status.
TASK_STATUSES = ["done"] * 7 + ["in_progress"] * 5 + ["todo"] * 6 + ["blocked", "cancelled"]
LINK_STATUSES = ["proposed"] * 7 + ["acknowledged"] * 8 + ["declined"] * 2 + ["resolved"] * 3


def write_key_tasks(gen: Generator, build: Build) -> None:
    rng, now, today, actor = gen.rng, gen.now, gen.today, build.actor
    n, tpm = len(build.mission_ids), gen.options["tasks_per_mission"]
    tasks = TableWriter(gen, KeyTask, TASK_COLUMNS, n * tpm, "key tasks")
    for i in range(n):
        for _ in range(tpm):
            due = today + dt.timedelta(days=rng.randrange(-60, 90))
            status = TASK_STATUSES[rng.randrange(len(TASK_STATUSES))]
            completed = None
            if status == "done":
                completed = min(now, dt.datetime.combine(due, dt.time(15), tzinfo=dt.UTC))
            title = TASKS[rng.randrange(len(TASKS))]
            tasks.add((build.mission_ids[i], title, actor[i], due, status, completed, actor[i]))
    tasks.close()
    build.written["key_tasks"] = tasks.written


def write_interdependencies(gen: Generator, build: Build) -> None:
    """About one link per 20 missions, between two team missions (never twice the same)."""
    rng, now, actor, mission_ids = gen.rng, gen.now, build.actor, build.mission_ids
    n = len(mission_ids)
    team_level = [i for i in range(n) if build.plan.mission_level[i] == TEAM_LEVEL]
    links = TableWriter(gen, Interdependency, LINK_COLUMNS, n // 20, "interdependencies")
    seen: set[tuple[int, int, str]] = set()
    for _ in range(n // 20 if len(team_level) > 1 else 0):
        a, b = rng.sample(team_level, 2)
        kind = "depends_on" if rng.random() < 0.6 else "supports"
        if (a, b, kind) in seen:
            continue
        seen.add((a, b, kind))
        status = LINK_STATUSES[rng.randrange(len(LINK_STATUSES))]
        answered = status != "proposed"
        links.add(
            (
                build.org_id,
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
    build.written["interdependencies"] = links.written
