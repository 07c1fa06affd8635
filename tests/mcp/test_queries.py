"""The assistants' tools cost a number of queries that does not grow with the organisation:
the cascade is read a level at a time, each level one query cut at the tool's ``limit``."""

from __future__ import annotations

from typing import Any

import pytest

from missionlead.mcp import tools
from missions.models import Mission
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

# The caller's organisation (1), their standing in it: membership and teams led (2), the scope
# narrowed to it (1), besides the tenant scope itself.
IN_ORGANISATION = 1 + 2 + 1 + TENANT_SCOPE_QUERIES


def _grow(world: Any, per_level: int) -> None:
    """``per_level`` missions under the staff mission, and as many under the first of them."""
    first = None
    for n in range(per_level):
        child = MissionFactory(
            parent=world.staff_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.staff,
            title=f"Ward {n:03}",
        )
        first = first or child
    for n in range(per_level):
        MissionFactory(
            parent=first,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.staff,
            title=f"Bed {n:03}",
        )


@pytest.mark.parametrize("per_level", [2, 150])
def test_the_cascade_costs_the_same_queries_whatever_its_size(
    world, django_assert_max_num_queries, per_level
) -> None:
    _grow(world, per_level)
    # The top missions (1), then one query per level (4).
    with django_assert_max_num_queries(IN_ORGANISATION + 1 + 4):
        tree = tools.cascade(user=world.lead, organisation="acme", depth=4, limit=30)
    assert tree["missions_shown"] == min(30, 3 + 2 * per_level)
    # The start mission (1), its children counted (1), one query per level (2).
    with django_assert_max_num_queries(IN_ORGANISATION + 2 + 2):
        below = tools.cascade(user=world.lead, mission_id=world.staff_mission.pk, depth=2, limit=40)
    assert below["missions_shown"] == min(40, 1 + 2 * per_level)
    with django_assert_max_num_queries(IN_ORGANISATION + 1 + tools.MAX_DEPTH):
        whole = tools.cascade(user=world.lead, depth=99, limit=10_000)
    # Each branch of a level gets a fair share of the room left: at most the limit in all.
    assert whole["missions_shown"] <= tools.MAX_MISSIONS
    assert whole["missions_shown"] >= min(tools.MAX_MISSIONS, 3 + per_level)


@pytest.mark.parametrize("per_level", [2, 150])
def test_the_other_reads_cost_the_same_whatever_the_size(
    world, django_assert_max_num_queries, per_level
) -> None:
    _grow(world, per_level)
    budgets = {
        tools.at_risk: IN_ORGANISATION + 5,  # the part, and one query per list
        tools.list_kpis: IN_ORGANISATION + 2,  # the missions owned, their KPIs
        tools.inbox: 1 + TENANT_SCOPE_QUERIES,
    }
    for tool, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            tool(user=world.lead)
    with django_assert_max_num_queries(IN_ORGANISATION + 13):  # the mission page's reads
        tools.get_mission(user=world.lead, mission_id=world.staff_mission.pk)
