"""The fault suite's instruments (scripts/chaos/): what `make chaos` counts must be right, or
its "0 lost, 0 duplicated" says nothing. These start no worker and no server but the
harness's own SMTP server (a thread), and take well under a second."""

from __future__ import annotations

import threading

import pytest
from django.core.mail import EmailMessage, get_connection
from django.test import override_settings
from django.utils import timezone

from kernel.models import Notification
from missionlead.emails import message_id
from reviews import services
from reviews.models import Reminder, Review
from scripts.chaos.effects import ReminderEmails, ReminderNotifications, tally
from scripts.chaos.mailbox import Mailbox, Received
from tests.missions.factories import align

pytestmark = pytest.mark.slow


def smtp_send(mailbox: Mailbox, to: str, body: str) -> None:
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=mailbox.port
    )
    EmailMessage(subject="Review", body=body, to=[to], connection=connection).send()


def test_it_counts_each_reminders_emails_as_the_smtp_server_received_them() -> None:
    users = {"ceo@acme.example": 1, "lead@acme.example": 2, "staff@acme.example": 3}
    due = {(10, 1), (11, 2), (12, 3)}
    with Mailbox() as mailbox:
        smtp_send(mailbox, "ceo@acme.example", "Open the review: https://x/o/acme/reviews/10/")
        for _ in range(2):  # a reminder emailed twice
            smtp_send(mailbox, "Lead@acme.example", "Open: https://x/o/acme/reviews/11/")
        smtp_send(mailbox, "ceo@acme.example", "Open: https://x/o/acme/reviews/99/")  # not due
        result = tally(ReminderEmails(due, mailbox, users), due)
    assert (result.due, result.sent, result.lost) == (3, 2, 1)  # staff's never arrived
    assert (result.duplicated, result.extra, result.unexpected) == (1, 1, 1)
    assert not result.ok


def test_a_copy_sent_again_with_the_same_message_id_is_one_message() -> None:
    """A sender killed after the mail server accepted its message sends it again when its task
    is redelivered; with the same Message-ID the person sees one message. A second message with
    another Message-ID is a duplicate."""
    users = {"ceo@acme.example": 1, "lead@acme.example": 2}
    due = {(10, 1), (11, 2)}
    mailbox = Mailbox()  # not started: the messages are added as the server would store them
    for to, review, identity in (
        ("ceo@acme.example", 10, "<reminder-1@example.org>"),
        ("ceo@acme.example", 10, "<reminder-1@example.org>"),  # re-sent after a kill
        ("lead@acme.example", 11, "<reminder-2@example.org>"),
        ("lead@acme.example", 11, "<another@example.org>"),  # a second reminder: a bug
    ):
        mailbox.add(Received((to,), identity, f"/reviews/{review}/", 0.0))
    result = tally(ReminderEmails(due, mailbox, users), due)
    assert (result.sent, result.duplicated, result.resent, result.ok) == (2, 1, 1, False)


@pytest.mark.django_db
def test_the_product_sends_a_reminder_again_with_the_same_message_id(world) -> None:
    align(world.team_mission)  # in play: its review is reminded
    Review.objects.create(mission=world.team_mission, due_date=timezone.localdate())
    (reminder_id,) = services.reminders_claim()
    with Mailbox() as mailbox:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=mailbox.port,
        ):
            assert services.reminder_send(reminder_id=reminder_id)
            Reminder.objects.filter(pk=reminder_id).update(sent_at=None)  # as if never recorded
            Notification.objects.filter(dedupe_key=f"reminder:{reminder_id}").delete()
            assert services.reminder_send(reminder_id=reminder_id)
        first, second = mailbox.messages()
    assert first.message_id == second.message_id == message_id(f"reminder-{reminder_id}")


def test_a_held_reply_keeps_the_sender_waiting_with_the_message_already_stored() -> None:
    with Mailbox() as mailbox:
        with mailbox.hold_next() as held:
            sender = threading.Thread(
                target=smtp_send, args=(mailbox, "a@acme.example", "/reviews/1/")
            )
            sender.start()
            assert held.wait(timeout=10)
            assert len(mailbox.messages()) == 1  # stored: on its way to the person
            assert sender.is_alive()  # and the sender has not heard so
        sender.join(timeout=10)
        assert not sender.is_alive()


@pytest.mark.django_db
def test_it_counts_in_app_notifications_by_the_reminder_they_belong_to(world) -> None:
    align(world.team_mission)  # in play: its review is reminded
    review = Review.objects.create(mission=world.team_mission, due_date=timezone.localdate())
    (reminder_id,) = services.reminders_claim()
    assert services.reminder_send(reminder_id=reminder_id)
    due = {(review.pk, world.lead.pk)}
    effect = ReminderNotifications(due)
    assert tally(effect, due).ok
    # The same reminder's notification to someone it was not due to is counted, not hidden.
    Notification.objects.create(
        organisation=world.organisation,
        recipient=world.staff,
        kind=Notification.Kind.REVIEW_REMINDER,
        message="Again",
        dedupe_key=f"reminder:{reminder_id}",
    )
    result = tally(effect, due)
    assert (result.sent, result.unexpected, result.ok) == (1, 1, False)
    assert Reminder.objects.get().sent_at is not None
