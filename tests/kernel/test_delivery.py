"""Email at once, and where each kind of notification goes by default.

Email goes through a real SMTP server that the tests start (``mailbox``); the task that
``notify`` hands its items to runs when the change commits (eager Celery in the tests; a real
worker in tests/reviews/test_email_workers.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kernel import delivery, tasks
from kernel.models import Membership, Notification, NotificationPreference
from kernel.notifications import CAUSES, notifications_done, notify
from kernel.preferences import DEFAULT_CHANNELS, notification_preferences_set, unsubscribe_read
from reviews import services as review_services
from tests.faults import lose_the_session_after_sending
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
Channel = NotificationPreference.Channel
# Tuesday 10 March 2026, mid-morning UTC (the organisation's time zone); the next digest is
# Wednesday's, from 07:00.
WRITTEN = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
NEXT_DIGEST = dt.datetime(2026, 3, 11, 7, 30, tzinfo=dt.UTC)
# The cause each asking kind is written with (an escalation asks about a review too).
CAUSE_OF_KIND = {kind: what for what, kind in CAUSES.items()} | {Kind.REVIEW_ESCALATION: "review"}


def tell(world, kind: str, *, message: str | None = None, cause: str | None = None) -> str:
    """A notification of ``kind`` to ``staff`` about their mission, written as its senders
    write it: with a cause when it asks for something."""
    message = message or f"Something of the kind {kind} about “Open two virtual wards”."
    if cause is None and kind in CAUSE_OF_KIND:
        cause = f"{CAUSE_OF_KIND[kind]}:{world.staff_mission.pk}"
    notify(
        recipients=[world.staff],
        kind=kind,
        message=message,
        mission=world.staff_mission,
        by=world.lead,
        cause=cause,
    )
    return message


def digests_of(mailbox, address: str) -> list[str]:
    return [text_of(m) for m in mailbox.to(address) if "digest" in str(m["Subject"])]


def emails_at_once(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if "digest" not in str(m["Subject"])]


# --- Each kind, its default channel ---------------------------------------------------------------


@pytest.mark.parametrize("kind", Kind.values)
def test_each_kind_goes_where_its_default_channel_says(
    kind, world, mailbox, time_machine, django_capture_on_commit_callbacks
) -> None:
    time_machine.move_to(WRITTEN)
    with django_capture_on_commit_callbacks(execute=True):
        message = tell(world, kind)
    at_once = emails_at_once(mailbox, world.staff.email)
    if DEFAULT_CHANNELS[kind] == Channel.AT_ONCE:
        assert len(at_once) == 1 and message in text_of(at_once[0])
    else:
        assert at_once == []

    time_machine.move_to(NEXT_DIGEST)
    review_services.digests_send_due()
    digests = digests_of(mailbox, world.staff.email)
    if DEFAULT_CHANNELS[kind] == Channel.DIGEST:
        assert len(digests) == 1 and message in digests[0]
    # At once: emailed already; in the digest too only while it waits as an open item.
    assert len(emails_at_once(mailbox, world.staff.email)) == len(at_once)


@pytest.mark.parametrize("kind", Kind.values)
def test_a_kind_seen_in_the_app_only_is_neither_emailed_nor_in_the_digest(
    kind, world, mailbox, time_machine, django_capture_on_commit_callbacks
) -> None:
    notification_preferences_set(user=world.staff, channels={kind: Channel.IN_APP})
    time_machine.move_to(WRITTEN)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, kind)
    time_machine.move_to(NEXT_DIGEST)
    review_services.digests_send_due()
    assert mailbox.to(world.staff.email) == []  # nothing to say: no digest either
    assert Notification.objects.get().read_at is None  # it waits in the app


@pytest.mark.parametrize("kind", [Kind.ALIGNED, Kind.FINDING])
def test_a_digest_kind_chosen_at_once_is_emailed_at_once(
    kind, world, mailbox, django_capture_on_commit_callbacks
) -> None:
    notification_preferences_set(user=world.staff, channels={kind: Channel.AT_ONCE})
    with django_capture_on_commit_callbacks(execute=True):
        message = tell(world, kind)
    (email,) = mailbox.to(world.staff.email)
    assert message in text_of(email)


# --- The email ------------------------------------------------------------------------------------


def test_the_email_shows_the_mission_the_message_the_link_and_why(
    world, mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[world.lead],
            kind=Kind.ALIGNMENT_REQUESTED,
            message="“Open two virtual wards” waits for your alignment.",
            mission=world.staff_mission,
            by=world.staff,
            cause=f"alignment:{world.staff_mission.pk}",
        )
    (email,) = mailbox.messages
    assert email["To"] == world.lead.email
    assert str(email["Subject"]).strip() == (
        "Acme Health: alignment requested — “Open two virtual wards”"
    )
    text, html = text_of(email), html_of(email)
    link = f"http://missions.example.test/o/acme/missions/{world.staff_mission.pk}/"
    for part in (text, html):
        assert "Open two virtual wards" in part
        assert "waits for your alignment" in part
        assert link in part
        assert "you own the mission it serves" in part  # why it was sent
    # One-click unsubscribe (RFC 8058): the header and the footer carry the same signed link.
    unsubscribe = str(email["List-Unsubscribe"]).strip().strip("<>")
    assert str(email["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in html.replace("&amp;", "&")
    token = unsubscribe.removeprefix("http://missions.example.test/unsubscribe/").strip("/")
    assert unsubscribe_read(token) == (world.lead.pk, "alignment_requested")
    assert "http://missions.example.test/accounts/email/" in text


# --- Exactly once --------------------------------------------------------------------------------


def test_an_item_is_emailed_once_however_often_its_tasks_run(
    world, mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, Kind.SENT_BACK)
    note = Notification.objects.get()
    assert note.emailed_at is not None
    # The hand-over delivered again, the catch-up, and the send itself delivered twice.
    assert tasks.notifications_email_pending.delay([world.staff.pk]).get() == 0
    assert tasks.notifications_email_pending.delay().get() == 0
    assert tasks.notification_email_send.delay(note.pk).get() is False
    assert delivery.notification_email_send(notification_id=note.pk) is False
    assert len(mailbox.messages) == 1


def test_an_item_asked_again_is_emailed_again(
    world, mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, Kind.SUPPORT_REQUESTED, message="First ask.", cause="support:1")
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, Kind.SUPPORT_REQUESTED, message="Asked again.", cause="support:1")
    assert Notification.objects.count() == 1  # one open item, refreshed
    first, second = mailbox.to(world.staff.email)
    assert "First ask." in text_of(first) and "Asked again." in text_of(second)
    assert first["Message-ID"] != second["Message-ID"]  # two messages, not one sent twice


def test_an_item_done_before_its_email_went_is_not_emailed(
    world, mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as hand_overs:
        tell(world, Kind.ALIGNMENT_REQUESTED, cause="alignment:7")
        notifications_done(causes=["alignment:7"], by=world.lead)
    for hand_over in hand_overs:
        hand_over()
    assert mailbox.messages == []


def test_the_catch_up_emails_what_a_lost_hand_over_left(world, mailbox) -> None:
    """No commit callback ran (the broker was down when the change committed): the periodic
    task finds the item and sends it, once."""
    tell(world, Kind.REVIEW_ESCALATION)
    assert tasks.notifications_email_pending.delay().get() == 1
    assert tasks.notifications_email_pending.delay().get() == 0
    assert len(mailbox.to(world.staff.email)) == 1


def test_an_item_older_than_a_day_is_left_to_the_inbox_and_the_digest(world, mailbox) -> None:
    tell(world, Kind.ALIGNMENT_REQUESTED)
    Notification.objects.update(created_at=timezone.now() - delivery.PENDING_FOR)
    assert delivery.emails_pending() == []


def test_no_email_to_a_person_without_an_address_or_gone(world, mailbox) -> None:
    world.staff.email = ""
    world.staff.save()
    tell(world, Kind.SENT_BACK)
    world.lead.is_active = False
    world.lead.save()
    notify(
        recipients=[world.lead],
        kind=Kind.ALIGNMENT_REQUESTED,
        message="Waits.",
        mission=world.staff_mission,
    )
    assert delivery.emails_pending() == []
    for note in Notification.objects.all():
        assert delivery.notification_email_send(notification_id=note.pk) is False
    assert mailbox.messages == [] and not Notification.objects.filter(emailed_at__isnull=False)


def test_no_email_of_an_organisation_whose_membership_is_deactivated(world, mailbox) -> None:
    """Deprovisioned (SCIM) between the listing and the sending, or before: no email."""
    tell(world, Kind.SENT_BACK)
    (pending,) = delivery.emails_pending()
    Membership.objects.filter(user=world.staff).update(deactivated_at=timezone.now())
    assert delivery.emails_pending() == []
    assert delivery.notification_email_send(notification_id=pending) is False
    assert mailbox.messages == []


def test_a_choice_changed_after_the_listing_is_honoured(world, mailbox) -> None:
    tell(world, Kind.SENT_BACK)
    (pending,) = delivery.emails_pending()
    notification_preferences_set(user=world.staff, channels={Kind.SENT_BACK: Channel.DIGEST})
    assert delivery.notification_email_send(notification_id=pending) is False
    assert mailbox.messages == []
    assert Notification.objects.get().emailed_at is None  # unclaimed: left for the digest


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_commit_lost_after_the_email_is_retried_without_a_second_email(
    world, mailbox, monkeypatch
) -> None:
    """The database goes away after the email went out and before the claim committed (a
    PostgreSQL restart): the task's retry records the claim and sends nothing again."""
    # Written as notify writes it, without its hand-over (outside a transaction, the commit
    # callback would run, and send, at once).
    Notification.objects.create(
        organisation=world.organisation,
        recipient=world.staff,
        kind=Kind.SENT_BACK,
        message="Sent back.",
        url=world.staff_mission.get_absolute_url(),
        mission=world.staff_mission,
    )
    (pending,) = delivery.emails_pending()
    send_email = delivery.send_email  # put back for the retry
    lose_the_session_after_sending(delivery, monkeypatch)
    with pytest.raises(delivery.EmailedNotRecorded):
        delivery.notification_email_send(notification_id=pending)
    connection.close()
    assert len(mailbox.messages) == 1
    assert Notification.objects.get().emailed_at is None  # out, though nothing of it is stored

    # What the task does on EmailedNotRecorded: retry with with_email=False.
    monkeypatch.setattr(delivery, "send_email", send_email)
    assert tasks.notification_email_send.delay(pending, with_email=False).get() is True
    assert Notification.objects.get().emailed_at is not None
    assert delivery.emails_pending() == []
    assert len(mailbox.messages) == 1
