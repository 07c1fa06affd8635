"""Review reminders: the right days, the right people, each exactly once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from kernel import delivery
from kernel.models import Notification, NotificationPreference
from kernel.preferences import notification_preferences_set
from reviews import services
from reviews.models import Reminder, Review
from tests.missions.factories import align
from tests.smtp import text_of

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 10)


@pytest.fixture
def review(world):
    """The review of the staff mission, aligned (in play); its owner and boss have emails."""
    world.staff.email, world.lead.email = "staff@example.org", "lead@example.org"
    world.staff.save(), world.lead.save()
    align(world.staff_mission)
    return Review.objects.create(mission=world.staff_mission, due_date=DUE)


def sent_on(day: dt.date) -> list[tuple[str, str]]:
    services.reminders_send_due(today=day)
    return sorted(
        Reminder.objects.filter(sent_at__isnull=False).values_list("kind", "recipient__username")
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (DUE - dt.timedelta(days=4), []),
        (DUE - dt.timedelta(days=3), [("before", "staff")]),
        (DUE, [("due", "staff")]),
        (DUE + dt.timedelta(days=1), [("after", "staff")]),
        (DUE + dt.timedelta(days=6), [("after", "staff")]),
        (DUE + dt.timedelta(days=7), [("escalation", "lead")]),  # the boss: lead's team mission
    ],
)
def test_the_reminder_of_each_day(review, day, expected) -> None:
    assert sent_on(day) == expected


def test_a_whole_cycle_sends_each_reminder_once(review) -> None:
    for offset in range(-5, 12):
        services.reminders_send_due(today=DUE + dt.timedelta(days=offset))
    kinds = list(Reminder.objects.order_by("kind").values_list("kind", "recipient__username"))
    assert kinds == [
        ("after", "staff"),
        ("before", "staff"),
        ("due", "staff"),
        ("escalation", "lead"),
    ]
    # Three reminders, one inbox item: each reminder refreshed the same open item.
    item = Notification.objects.get(recipient__username="staff", kind="review_reminder")
    assert item.cause == f"review:{review.pk}" and item.done_at is None
    assert "is not held yet" in item.message  # the wording of the last one, "after"
    escalation = Notification.objects.get(recipient__username="lead", kind="review_escalation")
    assert f"/o/acme/reviews/{review.pk}/" == escalation.url
    assert len(mail.outbox) == 4
    assert mail.outbox[0].to == ["staff@example.org"]
    assert f"/o/acme/reviews/{review.pk}/" in mail.outbox[0].body


def test_running_the_command_twice_sends_nothing_twice(review, time_machine) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)
    out = io.StringIO()
    call_command("send_review_reminders", stdout=out)
    call_command("send_review_reminders", stdout=out)
    assert Reminder.objects.filter(review=review).count() == 1
    assert Notification.objects.filter(kind="review_reminder", mission=review.mission).count() == 1
    assert len([m for m in mail.outbox if "staff@example.org" in m.to]) == 1
    assert "0 reminders to send" in out.getvalue().splitlines()[-1]


def test_a_claimed_reminder_is_sent_by_one_caller_only(review) -> None:
    [reminder_id] = services.reminders_claim(today=DUE)
    assert services.reminder_send(reminder_id=reminder_id) is True
    assert services.reminder_send(reminder_id=reminder_id) is False
    assert Notification.objects.count() == 1


def test_held_reviews_get_no_reminders(review, world) -> None:
    services.review_complete(
        review=review, data={"still_aligned": True, "held_on": DUE}, by=world.staff
    )
    services.reminders_send_due(today=DUE + dt.timedelta(days=1))
    assert list(Reminder.objects.values_list("review_id", "kind")) == []


def test_every_mission_in_play_gets_a_scheduled_review(world) -> None:
    align(world.team_mission, world.staff_mission)  # the top mission is in play as it is
    created = services.review_schedule_missing(organisation_id=world.organisation.pk)
    assert created == 3
    assert services.review_schedule_missing(organisation_id=world.organisation.pk) == 0
    for mission in (world.org_mission, world.team_mission, world.staff_mission):
        mission.refresh_from_db()
        assert (
            Review.objects.get(mission=mission, status="scheduled").due_date
            == mission.next_review_due
        )


# --- The reminder's email follows the person's channel for reviews --------------------------------


def test_a_reminder_is_emailed_with_its_claim_and_not_again_by_the_delivery(
    review, mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # notify's hand-over runs too
        services.reminders_send_due(today=DUE)
    (email,) = mailbox.messages
    reminder = Reminder.objects.get()
    assert str(email["Message-ID"]).strip() == f"<reminder-{reminder.pk}@missions.example.test>"
    text = text_of(email)
    assert f"http://missions.example.test/o/acme/reviews/{review.pk}/" in text
    assert "its 30-day review is due" in text  # why
    assert "/unsubscribe/" in str(email["List-Unsubscribe"])
    assert Notification.objects.get().emailed_at is not None
    assert delivery.emails_pending() == []


def test_a_reminder_of_someone_who_reads_reviews_in_the_digest_goes_there(
    review, world, mailbox, time_machine, django_capture_on_commit_callbacks
) -> None:
    notification_preferences_set(
        user=world.staff,
        channels={Notification.Kind.REVIEW_REMINDER: NotificationPreference.Channel.DIGEST},
    )
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send_due(today=DUE)
    assert mailbox.messages == []
    assert Reminder.objects.get().sent_at is not None  # sent: in the app, and once
    assert Notification.objects.get().emailed_at is None
    time_machine.move_to(dt.datetime(2026, 3, 11, 7, 30, tzinfo=dt.UTC), tick=False)
    services.digests_send_due()
    (digest,) = mailbox.to("staff@example.org")
    assert "The 30-day review of “Open two virtual wards” is due today." in text_of(digest)
