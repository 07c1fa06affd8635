"""A week of the cascade of ``world`` ("acme") for the brief's tests: something in each of its
sections, for each of ceo (the whole organisation), lead (Operations' mission and below) and
staff (their own mission), and the same in another organisation that must never show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from measures.models import Kpi
from measures.services import kpi_refresh_figures
from missions.models import KeyTask, Mission
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Finding
from tests.measures.factories import CheckInFactory, KpiFactory


@dataclass
class BriefWorld:
    world: Any
    today: dt.date
    beds: Kpi  # staff_mission: moved this week, with comments
    referrals: Kpi  # team_mission: at risk
    visits: Kpi  # team_mission: a key task was followed by a change in its trend
    finding: Finding  # staff_mission: predicted
    theirs: Kpi  # the other organisation's: moved, at risk


def _at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def build(world: Any) -> BriefWorld:
    today = timezone.localdate()
    beds = KpiFactory(
        mission=world.staff_mission,
        name="Virtual ward beds",
        unit="beds",
        baseline=Decimal(0),
        target=Decimal(40),
        due_date=today + dt.timedelta(days=200),
    )
    CheckInFactory(kpi=beds, author=world.staff, recorded_on=today - dt.timedelta(days=20), value=8)
    CheckInFactory(
        kpi=beds,
        author=world.staff,
        recorded_on=today - dt.timedelta(days=2),
        value=18,
        comment="The second ward opened on Monday.",
    )
    kpi_refresh_figures(kpi=beds)

    referrals = KpiFactory(
        mission=world.team_mission,
        name="Urgent referrals seen in 2 hours",
        unit="%",
        baseline=Decimal(60),
        target=Decimal(90),
        due_date=today + dt.timedelta(days=90),
    )
    CheckInFactory(
        kpi=referrals, author=world.lead, recorded_on=today - dt.timedelta(days=30), value=61
    )
    kpi_refresh_figures(kpi=referrals)
    Kpi.objects.filter(pk=referrals.pk).update(forecast_probability=0.12)

    # Flat for twelve weeks, then climbing steeply after the key task (three weeks ago).
    visits = KpiFactory(
        mission=world.team_mission,
        name="Home visits a week",
        unit="visits",
        baseline=Decimal(0),
        target=Decimal(100),
        due_date=today + dt.timedelta(days=300),
    )
    done_on = today - dt.timedelta(days=21)
    wobble = [0.4, -0.3, 0.2, -0.5, 0.1, 0.3, -0.2, 0.5, -0.4, 0.2, -0.1, 0.3, -0.3]
    for week, noise in zip(range(-12, 1), wobble, strict=True):
        CheckInFactory(
            kpi=visits,
            author=world.lead,
            recorded_on=done_on + dt.timedelta(days=7 * week),
            value=round(20 + noise, 2),
        )
    for days, noise in ((3, 0.2), (7, -0.3), (10, 0.1), (14, 0.4), (17, -0.2), (21, 0.3)):
        CheckInFactory(
            kpi=visits,
            author=world.lead,
            recorded_on=done_on + dt.timedelta(days=days),
            value=round(20 + 1.5 * days + noise, 2),
        )
    kpi_refresh_figures(kpi=visits)
    KeyTask.objects.create(
        mission=world.team_mission,
        title="Start the evening rota",
        status=KeyTask.Status.DONE,
        completed_at=_at_noon(done_on),
    )

    now = timezone.now()
    finding = Finding.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        kind=Finding.Kind.LIKELY_MISS,
        severity=Finding.Severity.WARNING,
        message="“Virtual ward beds” is likely to miss its target of 40 beds.",
        expected_on=today + dt.timedelta(days=45),
        opened_at=now,
        last_seen_at=now,
    )
    # Proposed: its alignment waits for lead, the owner of the mission above.
    Mission.objects.filter(pk=world.staff_mission.pk).update(
        alignment_status=Mission.AlignmentStatus.PROPOSED
    )
    inbox_sweep_organisation(world.organisation)

    theirs = KpiFactory(
        mission=world.other_mission,
        name="Their secret measure",
        baseline=Decimal(0),
        target=Decimal(10),
        due_date=today + dt.timedelta(days=100),
    )
    CheckInFactory(kpi=theirs, author=world.outsider, recorded_on=today, value=5)
    kpi_refresh_figures(kpi=theirs)
    Kpi.objects.filter(pk=theirs.pk).update(forecast_probability=0.01)
    Finding.objects.create(
        organisation=world.other_organisation,
        mission=world.other_mission,
        kind=Finding.Kind.LIKELY_MISS,
        severity=Finding.Severity.CRITICAL,
        message="Their secret finding.",
        expected_on=today + dt.timedelta(days=5),
        opened_at=now,
        last_seen_at=now,
    )
    return BriefWorld(world, today, beds, referrals, visits, finding, theirs)
