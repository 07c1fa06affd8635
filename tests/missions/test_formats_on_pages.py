"""What people read: budgets in the organisation's currency, dates as "26 Nov 2026", never ISO."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kernel.formats import day
from missions.models import KeyTask
from reviews.models import Finding
from tests.agreement.builders import checked

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _text(html: str) -> str:
    """The page as read: no tags, so no attributes (a ``<time datetime>`` is for machines)."""
    return re.sub(r"<[^>]*>", " ", html)


def test_the_mission_page_shows_the_budget_in_the_currency_and_no_iso_date(world, client) -> None:
    world.organisation.currency = "GBP"
    world.organisation.save(update_fields=["currency"])
    mission = world.staff_mission
    mission.budget = Decimal("9800000.00")
    mission.save(update_fields=["budget"])
    client.force_login(world.staff)
    text = _text(client.get(f"/o/acme/missions/{mission.pk}/").content.decode())
    assert "£9,800,000" in text and "9,800,000.00" not in text
    assert day(mission.period_end) in text
    assert not ISO_DATE.search(text)


def test_an_overdue_key_tasks_finding_writes_its_date_for_people(world) -> None:
    due = timezone.localdate() - dt.timedelta(days=3)
    KeyTask.objects.create(mission=world.staff_mission, title="Recruit two nurses", due_date=due)
    checked(world.organisation)
    finding = Finding.objects.get(kind=Finding.Kind.TASK_OVERDUE, mission=world.staff_mission)
    assert finding.message == f"Key task “Recruit two nurses” was due on {day(due)}."
