"""Two senders of overlapping batches of reminders at the same moment (a task redelivered
while its first run still works, two sweeps): every reminder is sent and emailed once."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from django.core import mail

from kernel.models import Notification
from missions.models import Mission
from reviews import services
from reviews.models import Reminder, Review
from tests.missions.factories import MissionFactory

from .helpers import run_together

pytestmark = pytest.mark.django_db(transaction=True)
DUE = dt.date(2026, 3, 10)


def test_overlapping_batches_at_once_send_each_reminder_once(world) -> None:
    world.staff.email = "staff@example.org"
    world.staff.save()
    for _ in range(30):
        mission = MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            aligned=True,
            owner_user=world.staff,
        )
        Review.objects.create(mission=mission, due_date=DUE)
    ids = sorted(services.reminders_claim(today=DUE))
    # One sender from the front, one from the back, both over the middle; and a third with all.
    results = run_together(
        partial(services.reminders_send, reminder_ids=ids[:20]),
        partial(services.reminders_send, reminder_ids=ids[10:]),
        partial(services.reminders_send, reminder_ids=list(reversed(ids))),
    )
    assert not [r for r in results if isinstance(r, BaseException)]
    assert sum(r.sent for r in results) == 30
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert len(mail.outbox) == 30
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 30
    assert Notification.objects.filter(kind="review_reminder").count() == 30
