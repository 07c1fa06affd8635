"""Channels per person and kind: the defaults, the choices, and the signed unsubscribe links."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from kernel.models import Notification, NotificationPreference
from kernel.notifications import notify
from kernel.preferences import (
    DEFAULT_CHANNELS,
    DIGEST,
    REASONS,
    channel_expression,
    channel_of,
    channels_for,
    notification_preferences_set,
    unsubscribe_read,
    unsubscribe_token,
)

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
Channel = NotificationPreference.Channel

# The defaults as the issue asks for them: a decision asked of me at once, the rest in the digest.
EXPECTED_DEFAULTS = {
    "alignment_requested": "at_once",
    "sent_back": "at_once",
    "support_requested": "at_once",
    "review_reminder": "at_once",
    "review_escalation": "at_once",
    "challenge_raised": "at_once",
    "aligned": "digest",
    "support_answered": "digest",
    "finding": "digest",
    "check_in_due": "digest",
    "key_task_overdue": "digest",
    "contact_due": "digest",
    "challenge_answered": "digest",
    "recognised": "at_once",
    "ideas_invited": "digest",
    "idea_submitted": "digest",
    "idea_news": "at_once",
    "development_review": "at_once",
    "development_news": "digest",
    "coalition_invited": "at_once",
    "contribution_offered": "at_once",
    "coalition_news": "digest",
    "mentioned": "at_once",
    "webhook_disabled": "at_once",
}


def test_every_kind_has_a_default_channel_and_a_reason() -> None:
    """A new kind of notification fails here until it is given both."""
    assert DEFAULT_CHANNELS == EXPECTED_DEFAULTS
    assert set(REASONS) == set(Kind.values)


def test_it_reads_the_defaults_without_any_row(world) -> None:
    assert channels_for(user_id=world.staff.pk) == EXPECTED_DEFAULTS
    assert list(channels_for(user_id=world.staff.pk)) == Kind.values  # in the kinds' order
    assert channel_of(user_id=world.staff.pk, kind=Kind.FINDING) == Channel.DIGEST


def test_it_stores_only_the_choices_that_differ_from_the_default(world) -> None:
    staff = world.staff
    notification_preferences_set(
        user=staff,
        channels={Kind.FINDING: Channel.AT_ONCE, Kind.ALIGNMENT_REQUESTED: Channel.AT_ONCE},
    )
    assert list(NotificationPreference.objects.values_list("kind", "channel")) == [
        ("finding", "at_once")
    ]
    # Back to the default: the row goes, and the person follows the default again.
    table = notification_preferences_set(user=staff, channels={Kind.FINDING: Channel.DIGEST})
    assert not NotificationPreference.objects.exists()
    assert table == EXPECTED_DEFAULTS
    # A change of mind updates the row in place.
    notification_preferences_set(user=staff, channels={Kind.ALIGNED: Channel.IN_APP})
    notification_preferences_set(user=staff, channels={Kind.ALIGNED: Channel.AT_ONCE})
    assert channel_of(user_id=staff.pk, kind=Kind.ALIGNED) == Channel.AT_ONCE
    assert NotificationPreference.objects.count() == 1


def test_it_refuses_what_is_not_a_kind_or_a_channel(world) -> None:
    with pytest.raises(ValidationError) as error:
        notification_preferences_set(
            user=world.staff, channels={Kind.FINDING: "carrier_pigeon", "gossip": Channel.DIGEST}
        )
    assert set(error.value.message_dict) == {"finding", "gossip"}
    assert not NotificationPreference.objects.exists()


def test_the_channel_in_sql_agrees_with_the_channel_in_python(world) -> None:
    """``channel_expression`` (the delivery's and the digest's queries) and ``channel_of`` (a
    single look-up) read one rule: every kind, with and without a choice stored."""
    notification_preferences_set(
        user=world.staff,
        channels={Kind.FINDING: Channel.AT_ONCE, Kind.SENT_BACK: Channel.IN_APP},
    )
    for kind in Kind.values:
        notify(
            recipients=[world.staff, world.lead],
            kind=kind,
            message=f"About {kind}",
            mission=world.staff_mission,
        )
    rows = Notification.objects.annotate(channel=channel_expression()).values_list(
        "recipient_id", "kind", "channel"
    )
    assert len(rows) == 2 * len(Kind.values)
    for recipient_id, kind, channel in rows:
        assert channel == channel_of(user_id=recipient_id, kind=kind), (recipient_id, kind)


def test_an_unsubscribe_token_names_its_person_and_topic(world) -> None:
    token = unsubscribe_token(user_id=world.staff.pk, topic=Kind.ALIGNED)
    assert unsubscribe_read(token) == (world.staff.pk, "aligned")
    assert unsubscribe_read(unsubscribe_token(user_id=world.lead.pk, topic=DIGEST)) == (
        world.lead.pk,
        "digest",
    )


def test_a_changed_or_foreign_token_is_refused(world) -> None:
    token = unsubscribe_token(user_id=world.staff.pk, topic=Kind.ALIGNED)
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # tampered signature
        signing.dumps({"u": world.staff.pk, "t": "aligned"}, salt="another purpose"),
        unsubscribe_token(user_id=world.staff.pk, topic="everything"),  # no such topic
        "not-a-token",
    ):
        with pytest.raises(signing.BadSignature):
            unsubscribe_read(bad)
