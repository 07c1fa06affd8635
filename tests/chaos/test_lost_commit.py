"""The finding of `make chaos`'s ``postgres-restarted-mid-email`` scenario, in one process: the
database goes away after a reminder's email went out and before its transaction committed.
The email must not go out a second time when the task retries."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from kernel.models import Notification
from reviews import services
from reviews.models import Reminder, Review
from reviews.services import reminders
from reviews.services.reminders import ReminderEmailedNotRecorded
from tests.faults import lose_the_session_after_sending
from tests.missions.factories import align

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_commit_lost_after_the_email_is_retried_without_a_second_email(
    world, monkeypatch
) -> None:
    align(world.team_mission)  # in play: its review is reminded
    Review.objects.create(mission=world.team_mission, due_date=timezone.localdate())
    (reminder_id,) = services.reminders_claim()
    lose_the_session_after_sending(reminders, monkeypatch)
    with pytest.raises(ReminderEmailedNotRecorded):
        services.reminder_send(reminder_id=reminder_id)
    connection.close()
    assert len(mail.outbox) == 1  # out, though nothing of it is stored
    assert Reminder.objects.get().sent_at is None and not Notification.objects.exists()

    # The task's retry: the claim and the notification, no second email.
    assert services.reminder_send(reminder_id=reminder_id, with_email=False)
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().sent_at is not None
    assert Notification.objects.get().dedupe_key == f"reminder:{reminder_id}"
