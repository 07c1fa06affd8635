from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from measures.models import CheckIn, Kpi
from tests.missions.factories import MissionFactory, UserFactory


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    mission = factory.SubFactory(MissionFactory)
    organisation = factory.LazyAttribute(lambda k: k.mission.organisation)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    direction = Kpi.Direction.INCREASE
    baseline = Decimal("10")
    target = Decimal("50")
    due_date = dt.date(2026, 12, 31)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    kpi = factory.SubFactory(KpiFactory)
    value = Decimal("20")
    confidence = 70
    recorded_on = dt.date(2026, 3, 1)
    author = factory.SubFactory(UserFactory)
