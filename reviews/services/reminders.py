"""Review reminders: claimed once in the database, then sent exactly once.

Two steps, so that any number of workers, a beat that fires twice, or a worker killed in the
middle cannot send a reminder twice:

1. ``reminders_claim`` (the sweep) inserts one ``Reminder`` row per review, kind and recipient
   that is due today. The unique constraint makes a second sweep insert nothing.
2. ``reminder_send`` marks one row sent with ``UPDATE … WHERE sent_at IS NULL`` and, in the
   same transaction, writes the in-app notification and hands the email to Django's mail
   backend. If the update changes no row, someone else sent it: nothing happens. If the worker
   dies before the commit, nothing is stored and the retry sends it; the only window for a
   duplicate is an email handed to the mail server just before the process died. If instead
   the database goes away between the email and the commit (a restart, a failover), the
   process knows the email is out: ``ReminderEmailedNotRecorded`` tells the task to retry
   with ``with_email=False``, which writes the claim and the notification and no second email.

Whose reviews: only those of missions in play (``missions.querysets.in_play``: active, and
the top of their cascade or proposed or aligned). A draft is still being written and a
sent-back mission is being rewritten; nobody is reminded of their reviews, neither when the
sweep claims nor when a claim made earlier is sent.

When, relative to the due date: 3 days before (``before``), on the day (``due``), the day after
(``after``), to the owner; from 7 days after, escalated to the boss — the owner of the parent
mission (``escalation``). Each kind has a window rather than a single day, so a day the job did
not run is caught up the next day, still once.

One bad row never stops a sweep: a review that cannot be claimed or a reminder that cannot be
sent is logged with its id (``logger.exception``, with the traceback) and skipped, and every
other one goes out. Why a log line rather than a finding: findings belong to the alignment
checks, which resolve every open finding their rules do not produce (a finding written here
would close the next night while the row is still bad), and a row that makes the code fail is
work for whoever runs the service, whose error tracking reads this log. A skipped reminder
keeps ``sent_at`` empty, so the next sweep tries it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kernel.delivery import notification_email_context
from kernel.formats import day
from kernel.models import Notification
from kernel.notifications import cause_of, mission_owners, notify
from kernel.preferences import Channel, channel_of
from missionlead.emails import EmailedNotRecorded, send_email
from missions.querysets import in_play

from ..models import Reminder, Review

logger = logging.getLogger(__name__)
Kind = Reminder.Kind
# (kind, first day relative to the due date, first day of the next kind)
WINDOWS = [
    (Kind.BEFORE, -3, 0),
    (Kind.DUE, 0, 1),
    (Kind.AFTER, 1, 7),
    (Kind.ESCALATION, 7, None),
]


@dataclass
class SweepResult:
    claimed: int
    sent: int
    failed: int = 0  # raised while sending: logged with their ids, tried again next sweep


def reminders_claim(*, today: dt.date | None = None, batch: int = 2000) -> list[int]:
    """Insert the reminders due today; return the ids to send.

    One query per kind of reminder, for the reviews inside that kind's window that have no
    reminder of that kind yet: a review claimed yesterday costs nothing today, so the sweep
    stays proportional to what is new, not to every overdue review.
    """
    today = today or timezone.localdate()
    rows = []
    for kind, start, end in WINDOWS:
        window = Q(due_date__lte=today - dt.timedelta(days=start))
        if end is not None:
            window &= Q(due_date__gt=today - dt.timedelta(days=end))
        claimed = Reminder.objects.filter(review=OuterRef("pk"), kind=kind)
        due_now = (
            Review.objects.filter(window, in_play("mission__"), status=Review.Status.SCHEDULED)
            .exclude(Exists(claimed))
            .select_related(
                "mission__owner_user",
                "mission__owner_team__leader",
                "mission__parent__owner_user",
                "mission__parent__owner_team__leader",
            )
            .order_by("id")
        )
        for review in due_now.iterator(chunk_size=batch):
            try:
                rows.extend(_claims(review, kind))
            except Exception:
                logger.exception("Review reminder sweep: skipped review %s (%s).", review.pk, kind)
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=batch)
    # Unsent reminders of earlier sweeps are handed out again (a lost task is caught up), but
    # not those of reviews held or cancelled since, nor of missions that left play (sent back,
    # archived): nobody needs reminding of those.
    return list(Reminder.objects.filter(_still_due()).values_list("id", flat=True))


def _still_due() -> Q:
    """Reminders not sent yet, of a review still to hold, of a mission in play."""
    return Q(sent_at__isnull=True, review__status=Review.Status.SCHEDULED) & in_play(
        "review__mission__"
    )


def _claims(review: Review, kind: str) -> list[Reminder]:
    mission = review.mission
    target = mission.parent if kind == Kind.ESCALATION else mission
    if target is None:  # a top mission has no boss to escalate to: remind its owner
        target = mission
    return [
        Reminder(review=review, kind=kind, recipient=person) for person in mission_owners(target)
    ]


def _message(reminder: Reminder) -> str:
    review, mission = reminder.review, reminder.review.mission
    due = day(review.due_date)
    messages: dict[str, str] = {
        Kind.BEFORE: f"The 30-day review of “{mission.title}” is due on {due}.",
        Kind.DUE: f"The 30-day review of “{mission.title}” is due today.",
        Kind.AFTER: f"The 30-day review of “{mission.title}” was due on {due} and is not held yet.",
        Kind.ESCALATION: (
            f"The 30-day review of “{mission.title}” ({mission.owner_display}) was due on {due} "
            "and has not been held."
        ),
    }
    return messages[reminder.kind]


class ReminderEmailedNotRecorded(EmailedNotRecorded):
    what = "Reminder"


def reminder_send(*, reminder_id: int, with_email: bool = True) -> bool:
    """Send one claimed reminder, exactly once. True if this call sent it.

    ``with_email=False`` claims and notifies without emailing: the retry after
    ``ReminderEmailedNotRecorded``, whose email is out already.
    """
    if not Reminder.objects.filter(_still_due(), pk=reminder_id).exists():
        return False  # sent already, gone, its review held or its mission sent back since
    emailed = False
    try:
        with transaction.atomic():
            # The claim stays a single-table ``UPDATE … WHERE id = … AND sent_at IS NULL``: a
            # concurrent sender waits for this row's lock and then re-checks ``sent_at`` on the
            # new row version, so exactly one of them updates it. (A filter across the join to the
            # review would become an ``id IN (subquery)``, whose re-check uses the old snapshot.)
            claimed = Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
            if claimed != 1:
                return False  # already sent by someone else, or gone
            reminder = Reminder.objects.select_related(
                "recipient",
                "review__mission__organisation",
                "review__mission__owner_user",
                "review__mission__owner_team",
            ).get(pk=reminder_id)
            mission = reminder.review.mission
            message = _message(reminder)
            kind = (
                Notification.Kind.REVIEW_ESCALATION
                if reminder.kind == Kind.ESCALATION
                else Notification.Kind.REVIEW_REMINDER
            )
            url = f"/o/{mission.organisation.slug}/reviews/{reminder.review_id}/"
            cause = cause_of("review", reminder.review_id)
            notify(
                recipients=[reminder.recipient],
                kind=kind,
                message=message,
                mission=mission,
                url=url,
                dedupe_key=f"reminder:{reminder.pk}",
                # Each reminder refreshes the person's one item for the review, which is done
                # once the review is held.
                cause=cause,
            )
            # The reminder's email is its notification's email at once, sent here with the
            # reminder's claim, to whoever reads this kind at once (the digest carries it to
            # the others). Marked emailed in this transaction, so the delivery of emails at
            # once (kernel.delivery) passes over it.
            # The item is the person's one open item for the review (each reminder refreshes
            # it): found by its cause.
            note = (
                Notification.objects.select_related("organisation", "mission")
                .filter(recipient=reminder.recipient, cause=cause, done_at__isnull=True)
                .first()
            )
            at_once = channel_of(user_id=reminder.recipient_id, kind=kind) == Channel.AT_ONCE
            if note is not None and at_once and reminder.recipient.email:
                Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
                if with_email:
                    send_email(
                        name="notification",
                        key=f"reminder-{reminder.pk}",
                        to=[reminder.recipient.email],
                        context=notification_email_context(note),
                    )
                    emailed = True
    except (DatabaseError, InterfaceError) as error:
        if emailed:  # only the commit can have failed: the email is out, its record not
            raise ReminderEmailedNotRecorded(reminder_id) from error
        raise
    return True


def reminders_send_due(*, today: dt.date | None = None) -> SweepResult:
    """Claim and send everything due, in this process (the command and the eager path)."""
    ids = reminders_claim(today=today)
    result = SweepResult(claimed=len(ids), sent=0)
    for pk in ids:
        try:
            result.sent += reminder_send(reminder_id=pk)
        except Exception:
            # Its transaction rolled back: not marked sent, so the next sweep tries again.
            logger.exception("Review reminder sweep: reminder %s not sent.", pk)
            result.failed += 1
    return result
