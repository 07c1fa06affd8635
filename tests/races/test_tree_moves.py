"""A branch moves while someone adds a mission deep inside it: the new mission moves with it.

The move rewrites its subtree's paths in one UPDATE, which sees only rows committed when it
starts; a child inserted at the same moment used to keep the old path for ever (found in the
cascade under its old branch, missing from its new one).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import partial

import pytest

from kernel import services as kernel_services
from kernel import tree
from kernel.models import Team
from missions import services
from missions.models import Mission
from tests.missions.factories import TeamFactory

from .helpers import TRIALS, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _misplaced(model) -> list[int]:
    """Ids whose path is not their parent's path plus their parent's id."""
    rows = {
        pk: (parent, path) for pk, parent, path in model.objects.values_list("pk", "parent", "path")
    }
    return [
        pk
        for pk, (parent, path) in rows.items()
        if path != (tree.child_path(rows[parent][1], parent) if parent else "")
    ]


def _mission(world, title: str, parent: Mission) -> Mission:
    return services.mission_create(
        organisation=world.organisation,
        data={
            "level": "team",
            "title": title,
            "parent": parent,
            "owner_team": world.team,
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 12, 31),
        },
        by=world.leader,
    )


def test_a_mission_added_under_a_moving_branch_moves_with_it(world) -> None:
    outcomes: Counter[str] = Counter()
    for n in range(TRIALS):
        branch = _mission(world, f"Branch {n}", world.org_mission)
        middle = _mission(world, f"Middle {n}", branch)
        leaf = _mission(world, f"Leaf {n}", middle)
        other = _mission(world, f"Other {n}", world.org_mission)
        results = run_together(
            partial(
                services.mission_update, mission=branch, data={"parent": other}, by=world.leader
            ),
            partial(_mission, world, f"New {n}", leaf),
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        outcomes[f"errors {len(errors)}, misplaced {len(_misplaced(Mission))}"] += 1
    assert dict(outcomes) == {"errors 0, misplaced 0": TRIALS}


def test_a_team_added_under_a_moving_branch_moves_with_it(world) -> None:
    outcomes: Counter[str] = Counter()
    for n in range(TRIALS):
        branch = kernel_services.team_create(
            organisation=world.organisation, name=f"Branch {n}", parent=world.top_team
        )
        leaf = kernel_services.team_create(
            organisation=world.organisation, name=f"Leaf {n}", parent=branch
        )
        other = TeamFactory(
            organisation=world.organisation, name=f"Other {n}", parent=world.top_team
        )
        results = run_together(
            partial(
                kernel_services.team_update, team=branch, data={"parent": other}, by=world.leader
            ),
            partial(
                kernel_services.team_create,
                organisation=world.organisation,
                name=f"New {n}",
                parent=leaf,
            ),
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        outcomes[f"errors {len(errors)}, misplaced {len(_misplaced(Team))}"] += 1
    assert dict(outcomes) == {"errors 0, misplaced 0": TRIALS}
