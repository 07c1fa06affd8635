"""Carrying a mission over, or archiving it, from two tabs at the same moment: one copy, one
history entry, and the second person is told what happened."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import partial

import pytest

from kernel.models import AuditEvent
from missions.models import Mission

from .helpers import TRIALS, browser, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _fresh(world) -> Mission:
    return Mission.objects.create(
        organisation=world.organisation,
        level="team",
        title="Community wards",
        parent=world.org_mission,
        owner_team=world.team,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        created_by=world.lead,
    )


def test_it_makes_one_copy_when_two_people_carry_a_mission_over_at_once(world) -> None:
    lead, admin = browser(world.lead), browser(world.org_admin)
    outcomes: Counter[str] = Counter()
    for _ in range(TRIALS):
        mission = _fresh(world)
        url = f"/o/acme/missions/{mission.pk}/carry-over/"
        body = {"period_start": "2027-01-01", "period_end": "2027-12-31"}
        responses = run_together(partial(lead.post, url, body), partial(admin.post, url, body))
        copies = Mission.objects.filter(carried_over_from=mission).count()
        codes = sorted(r.status_code for r in responses)
        loser = next((r for r in responses if r.status_code == 200), None)
        told = loser is not None and "carried it over" in loser.content.decode()
        outcomes[f"{codes}, copies {copies}, told {told}"] += 1
    assert dict(outcomes) == {"[200, 302], copies 1, told True": TRIALS}


def test_it_records_who_completed_the_original(world) -> None:
    mission = _fresh(world)
    response = browser(world.org_admin).post(
        f"/o/acme/missions/{mission.pk}/carry-over/",
        {"period_start": "2027-01-01", "period_end": "2027-12-31"},
    )
    assert response.status_code == 302
    mission.refresh_from_db()
    assert (mission.status, mission.updated_by) == ("completed", world.org_admin)


def test_it_archives_once_when_two_people_archive_at_once(world) -> None:
    lead, admin = browser(world.lead), browser(world.org_admin)
    entries: Counter[int] = Counter()
    for _ in range(TRIALS):
        mission = _fresh(world)
        url = f"/o/acme/missions/{mission.pk}/archive/"
        responses = run_together(partial(lead.post, url), partial(admin.post, url))
        assert [r.status_code for r in responses] == [302, 302]
        entries[AuditEvent.objects.filter(mission=mission, verb="archived").count()] += 1
    assert dict(entries) == {1: TRIALS}
