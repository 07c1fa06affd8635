"""Review reminders sent by the batch: a few queries whatever the batch's size, each reminder
once, and one that fails put back while the rest go out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.models import Notification
from missions.models import Mission
from reviews import services
from reviews.models import Reminder, Review
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 10)


def _due_reviews(world, n: int) -> list[int]:
    """``n`` aligned individual missions of the staff member, each with a review due on DUE;
    the ids of their claimed reminders."""
    world.staff.email = "staff@example.org"
    world.staff.save()
    for _ in range(n):
        mission = MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            aligned=True,
            owner_user=world.staff,
        )
        Review.objects.create(mission=mission, due_date=DUE)
    return sorted(services.reminders_claim(today=DUE))


def _queries_of_a_batch(world, n: int) -> list[str]:
    ids = _due_reviews(world, n)
    with CaptureQueriesContext(connection) as queries:
        assert services.reminders_send(reminder_ids=ids).sent == n
    return [query["sql"].split()[0] for query in queries.captured_queries]


def test_a_batch_of_forty_costs_the_queries_of_a_batch_of_three(world) -> None:
    three = _queries_of_a_batch(world, 3)
    Reminder.objects.all().delete()
    Review.objects.all().delete()
    assert _queries_of_a_batch(world, 40) == three


@pytest.mark.parametrize("n", [3, 40])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    world, n, django_assert_num_queries
) -> None:
    ids = _due_reviews(world, n)
    assert len(ids) == n
    # The savepoint (the test's transaction is around it) and its release; the reminders
    # locked and read with what they say; marked sent; the open items refreshed; the new ones
    # written; the items read with their channel; the items marked emailed. Never one per
    # reminder.
    with django_assert_num_queries(8):
        result = services.reminders_send(reminder_ids=ids)
    assert (result.sent, result.failed) == (n, 0)
    assert Reminder.objects.filter(sent_at__isnull=False).count() == n
    assert len(mail.outbox) == n
    assert {m.extra_headers["Message-ID"].split("@")[0] for m in mail.outbox} == {
        f"<reminder-{pk}" for pk in ids
    }
    items = Notification.objects.filter(kind="review_reminder", recipient=world.staff)
    assert items.count() == n and not items.filter(emailed_at__isnull=True).exists()


def test_a_batch_sent_again_sends_nothing(world) -> None:
    ids = _due_reviews(world, 5)
    assert services.reminders_send(reminder_ids=ids).sent == 5
    assert services.reminders_send(reminder_ids=ids).sent == 0
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(kind="review_reminder").count() == 5


def test_a_reminder_whose_email_fails_is_put_back_and_the_batch_goes_on(world, monkeypatch) -> None:
    from reviews.services import reminders

    ids = _due_reviews(world, 4)
    real_send = reminders.send_email
    failing = f"reminder-{ids[1]}"

    def send_email(*, key=None, **kwargs):
        if key == failing:
            raise ConnectionRefusedError("the mail server went away")
        return real_send(key=key, **kwargs)

    monkeypatch.setattr(reminders, "send_email", send_email)
    result = services.reminders_send(reminder_ids=ids)
    assert (result.sent, result.failed) == (3, 1)
    assert set(Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)) == {
        ids[1]
    }
    monkeypatch.setattr(reminders, "send_email", real_send)
    assert services.reminders_send_due(today=DUE).sent == 1
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    # Each reminder emailed once: the failed one by the next sweep, none twice.
    keys = [m.extra_headers["Message-ID"].split("@")[0] for m in mail.outbox]
    assert sorted(keys) == sorted(f"<reminder-{pk}" for pk in ids)


def test_the_sweep_queues_one_task_per_batch(
    world, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from reviews import tasks

    monkeypatch.setattr(services, "REMINDER_BATCH", 4)
    _due_reviews(world, 10)
    Reminder.objects.all().delete()
    queued: list[list[int]] = []
    delay = tasks.review_send_reminders.delay

    def spy(batch: list[int]):
        queued.append(batch)
        return delay(batch)

    monkeypatch.setattr(tasks.review_send_reminders, "delay", spy)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.review_reminder_sweep() == 10
    assert [len(batch) for batch in queued] == [4, 4, 2]
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
