"""Email at once: the notifications a person hears about by email the moment they are written.

``notify`` hands its recipients to ``kernel.tasks.notifications_email_pending`` when its
transaction commits. That task finds their items waiting to be emailed (``emails_pending``) and
queues one ``notification_email_send`` per item, which claims the item and sends it. The
periodic catch-up runs the same task for everyone, for a hand-over lost with the broker.

Exactly once per item, the way the review reminders are sent (reviews/services/reminders.py):

1. ``emails_pending`` only lists: items not emailed yet (``emailed_at IS NULL``), still open or
   only telling, written or refreshed within ``PENDING_FOR``, whose recipient reads their kind
   at once (``kernel.preferences``) and has an address.
2. ``notification_email_send`` claims the item with ``UPDATE … SET emailed_at = now() WHERE
   id = … AND emailed_at IS NULL`` and, in the same transaction, hands the email to the mail
   backend. Two senders of one item serialise on the row lock; the second updates no row and
   sends nothing. A worker that dies before the commit stores nothing, and the redelivered
   task sends the item. A database that goes away after the email and before the commit
   raises ``EmailedNotRecorded``: the task retries with ``with_email=False``, which records the
   claim without a second email.
3. An item asked again (``notify`` refreshes an open item of the same cause) has its
   ``emailed_at`` cleared there: it is pending again, and emailed again, once more.

The review reminders send their own email with their claim, and mark their notification's
``emailed_at`` in that transaction; ``emails_pending`` then passes over it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from missionlead import emails
from missionlead.emails import absolute_url, send_email

from .models import Membership, Notification
from .preferences import REASONS, Channel, channel_expression, channel_of, unsubscribe_url

# An item not emailed within this long (the broker was down for longer, the mail server
# refused it all day) is left to the inbox and the digest rather than emailed late.
PENDING_FOR = dt.timedelta(hours=24)


class EmailedNotRecorded(emails.EmailedNotRecorded):
    what = "Notification"


def _still_a_member() -> Exists:
    """The notification's recipient is an active member of its organisation: a membership
    deactivated (SCIM deprovisioning) since it was made gets no email of that organisation."""
    return Exists(
        Membership.objects.filter(
            organisation=OuterRef("organisation_id"),
            user=OuterRef("recipient_id"),
            deactivated_at=None,
        )
    )


def emails_pending(*, recipient_ids: list[int] | None = None) -> list[int]:
    """The items waiting to be emailed at once: of these recipients, or of everyone. One query
    (the inbox index on recipient and creation time serves the recipients' case)."""
    pending = (
        Notification.objects.filter(
            done_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gte=timezone.now() - PENDING_FOR,
            recipient__is_active=True,
        )
        .filter(_still_a_member())
        .exclude(recipient__email="")
    )
    if recipient_ids is not None:
        pending = pending.filter(recipient_id__in=recipient_ids)
    return list(
        pending.alias(channel=channel_expression())
        .filter(channel=Channel.AT_ONCE)
        .order_by("id")
        .values_list("id", flat=True)
    )


def notification_email_context(notification: Notification) -> dict[str, Any]:
    """What the ``notification`` email shows: the organisation, the mission, the message, the
    link to where it is done, why the person gets it, and how to stop it. The review reminders
    send the same email for their notification."""
    return {
        "organisation": notification.organisation,
        "mission": notification.mission,
        "message": notification.message,
        "url": absolute_url(notification.url),
        "kind_label": Notification.Kind(notification.kind).label,
        "reason": REASONS[notification.kind],
        "unsubscribe_url": unsubscribe_url(
            user_id=notification.recipient_id, topic=notification.kind
        ),
    }


# The values a ``notification`` email of one kind differs by, for ``notification_email_stencil``.
NOTIFICATION_EMAIL_VALUES = ("organisation", "mission", "message", "url", "unsubscribe_url")


def notification_email_stencil(kind: str) -> emails.Stencil:
    """The ``notification`` email of items of one kind, for a batch (the review reminders):
    ``.render(values)`` gives what ``notification_email_context`` renders, from the
    ``NOTIFICATION_EMAIL_VALUES`` of the item: its organisation's name, its mission's title
    (None without one), message, absolute url and unsubscribe url."""

    def context(values: Mapping[str, str | None]) -> dict[str, Any]:
        # The templates read only the organisation's name and the mission's title.
        title = values["mission"]
        return {
            "organisation": {"name": values["organisation"]},
            "mission": None if title is None else {"title": title},
            "message": values["message"],
            "url": values["url"],
            "kind_label": Notification.Kind(kind).label,
            "reason": REASONS[kind],
            "unsubscribe_url": values["unsubscribe_url"],
        }

    return emails.Stencil("notification", context, NOTIFICATION_EMAIL_VALUES)


def notification_email_key(notification: Notification) -> str:
    """What the email is about, for its Message-ID: the item as asked at that moment (a
    refreshed item is a new message; the same one sent twice is one)."""
    asked = notification.created_at.astimezone(dt.UTC)
    return f"notification-{notification.pk}-{asked:%Y%m%dT%H%M%S%f}"


def notification_email_send(*, notification_id: int, with_email: bool = True) -> bool:
    """Email one item at once, exactly once. True if this call sent (or, ``with_email=False``,
    recorded) it.

    ``with_email=False`` records the claim without emailing: the retry after
    ``EmailedNotRecorded``, whose email is out already.
    """
    emailed = False
    try:
        with transaction.atomic():
            # A single-table UPDATE: a concurrent sender waits for the row lock, then re-reads
            # ``emailed_at`` on the new row version and updates nothing.
            claimed = Notification.objects.filter(
                pk=notification_id, emailed_at__isnull=True
            ).update(emailed_at=timezone.now())
            if claimed != 1:
                return False  # emailed already, or gone
            notification = (
                Notification.objects.select_related("recipient", "organisation", "mission")
                .annotate(still_a_member=_still_a_member())
                .get(pk=notification_id)
            )
            recipient = notification.recipient
            if (
                notification.done_at is not None  # handled before its email went
                or not (recipient.is_active and recipient.email)
                or not notification.still_a_member
                or channel_of(user_id=recipient.pk, kind=notification.kind) != Channel.AT_ONCE
            ):
                # Not to be emailed (the person changed their mind since it was listed):
                # leave it unclaimed, for the digest or a later choice to find as it is.
                transaction.set_rollback(True)
                return False
            if with_email:
                send_email(
                    name="notification",
                    key=notification_email_key(notification),
                    to=[recipient.email],
                    context=notification_email_context(notification),
                )
                emailed = True
    except (DatabaseError, InterfaceError) as error:
        if emailed:  # only the commit can have failed: the email is out, its record not
            raise EmailedNotRecorded(notification_id) from error
        raise
    return True
