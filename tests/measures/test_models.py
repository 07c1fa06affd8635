"""KPI and check-in rules, enforced by the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from measures.models import CheckIn, Kpi
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = pytest.mark.django_db


def _kpi_data(world, **overrides):
    data = {
        "organisation": world.organisation,
        "mission": world.team_mission,
        "name": "Patients seen at home",
        "direction": "increase",
        "baseline": Decimal(10),
        "target": Decimal(50),
        "due_date": dt.date(2026, 12, 31),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"direction": "range"}, "range_has_upper_bound"),
        ({"direction": "range", "target_max": Decimal(40)}, "range_has_upper_bound"),
        ({"target_max": Decimal(60)}, "range_has_upper_bound"),  # only ranges have a maximum
        ({"direction": "sideways"}, "direction_valid"),
        ({"cadence_days": 0}, "cadence_positive"),
        ({"weight": Decimal(-1)}, "weight_not_negative"),
    ],
)
def test_it_rejects_a_bad_kpi(world, overrides, constraint) -> None:
    with pytest.raises(IntegrityError, match=constraint):
        Kpi.objects.create(**_kpi_data(world, **overrides))


def test_it_accepts_a_range_kpi(world) -> None:
    kpi = Kpi.objects.create(
        **_kpi_data(world, direction="range", target=Decimal(90), target_max=Decimal(95))
    )
    assert kpi.pk


def test_a_kpi_belongs_to_a_mission_of_its_own_organisation(world) -> None:
    with pytest.raises(IntegrityError, match="mission_same_org"):
        Kpi.objects.create(**_kpi_data(world, mission=world.other_mission))


def test_a_kpi_contributes_only_within_its_organisation(world) -> None:
    foreign = KpiFactory(mission=world.other_mission)
    with pytest.raises(IntegrityError, match="parent_kpi_same_org"):
        Kpi.objects.create(**_kpi_data(world, parent_kpi=foreign))


def test_a_kpi_cannot_contribute_to_itself(world) -> None:
    kpi = KpiFactory(mission=world.team_mission)
    with pytest.raises(IntegrityError, match="not_own_parent"):
        Kpi.objects.filter(pk=kpi.pk).update(parent_kpi=kpi)


@pytest.mark.parametrize("confidence", [-1, 101, 150])
def test_confidence_is_0_to_100(world, confidence) -> None:
    kpi = KpiFactory(mission=world.team_mission)
    with pytest.raises(IntegrityError, match="confidence"):
        CheckIn.objects.create(
            kpi=kpi,
            value=1,
            confidence=confidence,
            recorded_on=dt.date(2026, 3, 1),
            author=world.lead,
        )


def test_check_ins_cannot_be_updated_by_the_database(world) -> None:
    check_in = CheckInFactory(kpi=KpiFactory(mission=world.team_mission), author=world.lead)
    with pytest.raises(IntegrityError, match="append-only"):
        CheckIn.objects.filter(pk=check_in.pk).update(value=99)


def test_check_ins_cannot_be_deleted_by_the_database(world) -> None:
    check_in = CheckInFactory(kpi=KpiFactory(mission=world.team_mission), author=world.lead)
    with transaction.atomic(), pytest.raises(IntegrityError, match="append-only"):
        CheckIn.objects.filter(pk=check_in.pk).delete()
    # A deliberate purge of an organisation's data is the one way out.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL missionlead.purge = 'on'")
        CheckIn.objects.filter(pk=check_in.pk).delete()
    assert not CheckIn.objects.filter(pk=check_in.pk).exists()


def test_check_ins_cannot_be_changed_through_the_orm(world) -> None:
    check_in = CheckInFactory(kpi=KpiFactory(mission=world.team_mission), author=world.lead)
    check_in.value = Decimal(99)
    with pytest.raises(ValueError, match="append-only"):
        check_in.save()
