"""The materialized path: one indexed query for a subtree and for the ancestors."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from kernel import tree
from missions import selectors, services
from missions.models import Mission
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


def test_it_encodes_and_decodes_paths() -> None:
    path = tree.child_path(tree.child_path("", 7), 12345)
    assert path == "0000000007" + "0000012345"
    assert tree.ancestor_ids(path) == [7, 12345]
    assert tree.depth(path) == 2
    assert tree.ancestor_ids("") == []


def _chain(world, length: int) -> list[Mission]:
    missions = [world.team_mission]
    for _ in range(length):
        missions.append(MissionFactory(parent=missions[-1], owner_team=world.team))
    return missions


def test_it_fetches_a_subtree_in_one_query(world, django_assert_num_queries) -> None:
    chain = _chain(world, 4)
    siblings = [MissionFactory(parent=chain[1], owner_team=world.team) for _ in range(3)]
    with django_assert_num_queries(1):
        subtree = list(selectors.mission_subtree(mission=chain[1]))
    assert {m.pk for m in subtree} == {m.pk for m in chain[1:]} | {m.pk for m in siblings}


def test_it_excludes_a_node_whose_id_shares_a_prefix(world) -> None:
    """Segments are fixed-width, so mission 1's subtree never swallows mission 12's."""
    subtree = set(selectors.mission_subtree(mission=world.staff_mission))
    assert subtree == {world.staff_mission}


def test_it_fetches_ancestors_in_one_query_root_first(world, django_assert_num_queries) -> None:
    chain = _chain(world, 3)
    with django_assert_num_queries(1):
        ancestors = list(selectors.mission_ancestors(mission=chain[-1]))
    assert ancestors == [world.org_mission, *chain[:-1]]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # The tables are tiny in tests; forbid sequential scans to see what the index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _assert_indexed(plan: str) -> None:
    """What matters is an index scan and no sequential one; which index the planner prefers
    (the primary key, the path, a composite key) depends on statistics and load, so it is not
    asserted."""
    assert "Seq Scan" not in plan, plan
    assert re.search(r"Index (Only )?Scan|Bitmap Index Scan", plan), plan


def test_the_subtree_query_is_one_indexed_scan(world) -> None:
    _assert_indexed(_plan(selectors.mission_subtree(mission=world.org_mission)))


def test_the_ancestor_query_is_one_indexed_scan(world) -> None:
    _assert_indexed(_plan(selectors.mission_ancestors(mission=world.staff_mission)))


def test_moving_a_mission_moves_its_subtree(world) -> None:
    chain = _chain(world, 3)
    other_branch = MissionFactory(parent=world.org_mission, owner_team=world.team)
    services.mission_update(mission=chain[1], data={"parent": other_branch}, by=world.leader)
    for mission in Mission.objects.filter(organisation=world.organisation).select_related("parent"):
        expected = tree.child_path(mission.parent.path, mission.parent.pk) if mission.parent else ""
        assert mission.path == expected, mission
    assert chain[3].pk in {m.pk for m in selectors.mission_subtree(mission=other_branch)}


def test_a_mission_cannot_move_under_its_own_descendant(world) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="itself or its own descendants"):
        services.mission_update(
            mission=world.team_mission, data={"parent": world.staff_mission}, by=world.leader
        )
