"""``__any_of``: the rows whose field is one of many ids, as ``__in`` finds them, the ids sent
as one array on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.lookups import Ids
from measures.models import Kpi
from missions.models import Mission
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db


def test_it_finds_what_in_finds(world) -> None:
    ids = [world.team_mission.pk, world.staff_mission.pk, 10**12]
    assert set(Mission.objects.filter(pk__any_of=ids)) == set(Mission.objects.filter(pk__in=ids))
    assert set(Mission.objects.filter(pk__any_of=ids)) == {world.team_mission, world.staff_mission}


def test_it_works_through_a_foreign_key_and_on_nothing(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    assert list(Kpi.objects.filter(mission_id__any_of=[world.staff_mission.pk])) == [kpi]
    assert list(Kpi.objects.filter(mission__any_of=[world.staff_mission.pk])) == [kpi]
    assert not Kpi.objects.filter(mission_id__any_of=[]).exists()


def test_postgresql_gets_one_parameter_for_any_number_of_ids(world) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    with CaptureQueriesContext(connection) as queries:
        list(Mission.objects.filter(pk__any_of=range(1, 5001)))
    assert "= ANY(" in queries[0]["sql"] and queries[0]["sql"].count("%s") == 0
    assert len(queries[0]["sql"]) < 40_000  # the ids, not 5,000 placeholders and casts


def test_ids_read_once_serve_several_queries_as_one_literal(world) -> None:
    """``Ids``: read once, filtered by in several queries; PostgreSQL gets one text literal
    (``'{1,2,…}'``), parsed as one value, not an ``ARRAY[…]`` expression of 5,000 elements."""
    ids = Ids([world.team_mission.pk, world.staff_mission.pk])
    assert set(Mission.objects.filter(pk__any_of=ids)) == {world.team_mission, world.staff_mission}
    assert Kpi.objects.filter(mission_id__any_of=ids).count() == 0
    assert not Mission.objects.filter(pk__any_of=Ids([])).exists()
    if connection.vendor != "postgresql":
        return
    with CaptureQueriesContext(connection) as queries:
        list(Mission.objects.filter(pk__any_of=Ids(range(1, 5001))))
    assert "'{1,2,3," in queries[0]["sql"] and "ARRAY[" not in queries[0]["sql"]
