"""The cascade: every mission with its materialized path, owner, period, operating space,
alignment and next review. Parents come before their children, so each path is known from its
parent's before anything is written."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from kernel import tree
from missions.generate.plan import ORG_LEVEL, PERSON_LEVEL, TEAM_LEVEL
from missions.generate.tables import TableWriter
from missions.generate.vocabulary import (
    CONSTRAINTS,
    INTENTS,
    OBJECTS,
    RIGHTS,
    SCOPES,
    THEMES,
    VERBS,
)
from missions.models import Mission
from missions.querysets import is_in_play

if TYPE_CHECKING:
    from missions.generate.generator import Build, Generator

LEVELS = (Mission.Level.ORGANISATION, Mission.Level.TEAM, Mission.Level.INDIVIDUAL)
COLUMNS = [
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
]


def draw_missions(gen: Generator, build: Build) -> None:
    """Draw the missions (``build.mission_rows``); they are written after the check-ins
    (``write_missions``), while the workers forecast."""
    rng, now, today = gen.rng, gen.now, gen.today
    plan, mission_ids, team_ids, user_ids = (
        build.plan,
        build.mission_ids,
        build.team_ids,
        build.user_ids,
    )
    year_start, year_end = build.year_start, build.year_end
    n = len(mission_ids)
    children: list[list[int]] = [[] for _ in range(n)]
    for i, parent in enumerate(plan.mission_parent):
        if parent >= 0:
            children[parent].append(i)
    # Who acts for a mission: its owner, or its owner team's leader.
    actor = build.actor = [
        user_ids[plan.mission_user[i]]
        if plan.mission_user[i] >= 0
        else user_ids[plan.team_leader[plan.mission_team[i]]]
        for i in range(n)
    ]
    rows = build.mission_rows
    paths = build.paths = [""] * n
    budgets: list[Decimal | None] = [None] * n
    heads: list[int | None] = [None] * n
    next_review: list[dt.date | None] = [None] * n
    build.next_review = next_review
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
                parent_budget, parent_heads = budgets[parent], heads[parent]
                if parent_budget is not None:
                    budgets[i] = (parent_budget * Decimal("0.8") / share).quantize(cent, ROUND_DOWN)
                if parent_heads is not None:
                    heads[i] = parent_heads * 4 // (5 * share)
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
        # Only a mission in play has reviews (missions.querysets.in_play); the dice are thrown
        # for every mission all the same, so a seed still gives the same organisation.
        if is_in_play(status="active", top=parent < 0, alignment_status=alignment):
            next_review[i] = due
        approver = actor[parent] if parent >= 0 else actor[i]
        stamp = now - dt.timedelta(days=rng.randrange(20, 150))
        rows.append(
            (
                mission_ids[i],
                build.org_id,
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
                next_review[i],
                actor[i],
                actor[i],
                stamp if alignment != "draft" else None,
                stamp if alignment == "aligned" else None,
                approver if alignment == "aligned" else None,
            )
        )


def write_missions(gen: Generator, build: Build) -> None:
    missions = TableWriter(gen, Mission, COLUMNS, len(build.mission_rows), "missions")
    for row in build.mission_rows:
        missions.add(row)
    missions.close()
