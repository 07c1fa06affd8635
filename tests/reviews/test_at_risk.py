"""What is at risk in a person's part of the cascade (``reviews.at_risk``): the assistants'
``at_risk`` tool reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kernel.permissions import actor_for
from measures.models import ForecastStatus, Kpi
from missions.models import Mission
from reviews.at_risk import at_risk_of
from reviews.models import Finding, Review
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db


def _finding(world, kind: str, severity: str, **extra) -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        kind=kind,
        severity=severity,
        message=f"{kind} on the staff mission",
        opened_at=now,
        last_seen_at=now,
        **extra,
    )


def test_it_lists_what_is_at_risk_under_what_one_owns(world) -> None:
    today = timezone.localdate()
    Mission.objects.filter(pk=world.staff_mission.pk).update(
        alignment_status=Mission.AlignmentStatus.ALIGNED
    )
    off = KpiFactory(mission=world.staff_mission, name="Off")
    risky = KpiFactory(mission=world.staff_mission, name="Risky")
    fine = KpiFactory(mission=world.staff_mission, name="Fine")
    for kpi, status in ((off, "off_track"), (risky, "at_risk"), (fine, "on_track")):
        Kpi.objects.filter(pk=kpi.pk).update(forecast_status=ForecastStatus(status))
    warning = _finding(world, Finding.Kind.NO_KPI, Finding.Severity.WARNING)
    critical = _finding(world, Finding.Kind.ORPHAN, Finding.Severity.CRITICAL)
    predicted = _finding(
        world,
        Finding.Kind.LIKELY_MISS,
        Finding.Severity.INFO,
        expected_on=today + dt.timedelta(days=20),
    )
    overdue = Review.objects.create(
        mission=world.staff_mission, due_date=today - dt.timedelta(days=3)
    )
    Review.objects.create(mission=world.staff_mission, due_date=today + dt.timedelta(days=3))

    for user in (world.staff, world.lead, world.leader):
        found = at_risk_of(actor=actor_for(user, world.organisation), limit=10, today=today)
        assert [k.pk for k in found.kpis.items] == [off.pk, risky.pk]
        assert [f.pk for f in found.findings.items] == [critical.pk, warning.pk]
        assert [f.pk for f in found.predicted.items] == [predicted.pk]
        assert [r.pk for r in found.overdue_reviews.items] == [overdue.pk]
        assert not found.owns_nothing

    shortened = at_risk_of(actor=actor_for(world.staff, world.organisation), limit=1)
    assert (len(shortened.kpis.items), shortened.kpis.total, shortened.kpis.more) == (1, 2, 1)

    nothing = at_risk_of(actor=actor_for(world.coach, world.organisation))
    assert nothing.owns_nothing and nothing.kpis.items == [] and nothing.findings.items == []


def test_a_part_reads_nothing_beside_it(world) -> None:
    """A part holds what is under what one owns: a boss's KPI is in the boss's part only."""
    boss_kpi = KpiFactory(mission=world.team_mission)
    Kpi.objects.filter(pk=boss_kpi.pk).update(forecast_status=ForecastStatus.OFF_TRACK)
    found = at_risk_of(actor=actor_for(world.staff, world.organisation))
    assert found.kpis.items == []
    lead = at_risk_of(actor=actor_for(world.lead, world.organisation))
    assert [k.pk for k in lead.kpis.items] == [boss_kpi.pk]
