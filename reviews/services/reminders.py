"""Review reminders: claimed once in the database, then sent exactly once.

Two steps, so that any number of workers, a beat that fires twice, or a worker killed in the
middle cannot send a reminder twice:

1. ``reminders_claim`` (the sweep) inserts one ``Reminder`` row per review, kind and recipient
   that is due today. The unique constraint makes a second sweep insert nothing.
2. ``reminders_send`` takes a batch (up to ``BATCH``): it locks the rows still unsent
   (``SELECT … FOR UPDATE``, in id order) and marks them sent, then, in the same transaction,
   writes their in-app notifications (``notify_each``) and hands their emails to Django's mail
   backend over one connection. A row someone else sent is not selected: nothing happens to
   it. If the worker dies before the commit, nothing is stored and the retry sends the batch;
   the only window for a duplicate is an email handed to the mail server just before the
   process died. If instead the database goes away between the emails and the commit (a
   restart, a failover), the process knows the emails are out:
   ``RemindersEmailedNotRecorded`` tells the task to retry with ``with_email=False``, which
   writes the claims and the notifications and no second email. ``reminder_send`` is the
   batch of one.

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
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kernel.delivery import notification_email_context
from kernel.formats import day
from kernel.models import Notification
from kernel.notifications import Ask, cause_of, mission_owners, notify_each
from kernel.preferences import Channel, channel_expression
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


class RemindersEmailedNotRecorded(Exception):
    """A batch's emails went out, but the transaction recording them did not commit: the
    retry records the batch with ``with_email=False``."""

    def __init__(self, pks: Sequence[int]) -> None:
        super().__init__(f"Reminders {list(pks)} were emailed, but their records were not stored.")
        self.pks = list(pks)


class _EmailFailed(Exception):
    def __init__(self, reminder: Reminder) -> None:
        super().__init__(f"Reminder {reminder.pk} could not be emailed.")
        self.reminder = reminder


# Reminders sent in one transaction: a few queries per batch instead of four per reminder.
BATCH = 500


def reminder_send(*, reminder_id: int, with_email: bool = True) -> bool:
    """Send one claimed reminder, exactly once. True if this call sent it."""
    try:
        return reminders_send(reminder_ids=[reminder_id], with_email=with_email).sent == 1
    except RemindersEmailedNotRecorded as error:
        raise ReminderEmailedNotRecorded(reminder_id) from error


def reminders_send(*, reminder_ids: Sequence[int], with_email: bool = True) -> SweepResult:
    """Send a batch of claimed reminders, each exactly once, in one transaction.

    The batch's rows still due are locked in the order of their ids (a concurrent sender of
    the same ids waits, then finds them sent: PostgreSQL re-checks ``sent_at IS NULL`` on the
    row version it waited for; the same order for everyone means no deadlock) and marked; their
    notifications are written together (``notify_each``); then each is emailed to whoever reads
    reminders at once. A reminder whose email fails is put back (not sent: the next sweep sends
    it again) and the others go on: one bad address stops no one else. ``with_email=False``
    records the batch without emailing: the retry after ``RemindersEmailedNotRecorded``, whose
    emails are out already.
    """
    result = SweepResult(claimed=len(reminder_ids), sent=0)
    emailed: list[int] = []
    try:
        with transaction.atomic():
            mine = list(
                Reminder.objects.select_for_update(of=("self",))
                .filter(_still_due(), pk__in=reminder_ids, sent_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not mine:
                return result
            # A single-table UPDATE of rows this transaction holds locked: nobody else can
            # mark them in between.
            Reminder.objects.filter(pk__in=mine).update(sent_at=timezone.now())
            reminders = list(
                Reminder.objects.select_related(
                    "recipient",
                    "review__mission__organisation",
                    "review__mission__owner_user",
                    "review__mission__owner_team",
                ).filter(pk__in=mine)
            )
            notify_each([_ask(reminder) for reminder in reminders])
            failed = _email(reminders, with_email=with_email, emailed=emailed)
            if failed:
                Reminder.objects.filter(pk__in=failed).update(sent_at=None)
            result.sent, result.failed = len(reminders) - len(failed), len(failed)
    except (DatabaseError, InterfaceError) as error:
        if emailed:  # only the commit can have failed: the emails are out, their records not
            raise RemindersEmailedNotRecorded(emailed) from error
        raise
    return result


def _ask(reminder: Reminder) -> Ask:
    mission = reminder.review.mission
    return Ask(
        recipient=reminder.recipient,
        kind=(
            Notification.Kind.REVIEW_ESCALATION
            if reminder.kind == Kind.ESCALATION
            else Notification.Kind.REVIEW_REMINDER
        ),
        message=_message(reminder),
        mission=mission,
        url=f"/o/{mission.organisation.slug}/reviews/{reminder.review_id}/",
        dedupe_key=f"reminder:{reminder.pk}",
        # Each reminder refreshes the person's one item for the review, which is done once
        # the review is held.
        cause=cause_of("review", reminder.review_id),
    )


def _email(reminders: list[Reminder], *, with_email: bool, emailed: list[int]) -> list[int]:
    """Email each reminder as its notification's email, to whoever reads its kind at once;
    mark those items emailed, so the delivery of emails at once (kernel.delivery) passes over
    them. Returns the reminders whose email failed (logged with their ids)."""
    wanted = {(r.recipient_id, cause_of("review", r.review_id)) for r in reminders}
    # The person's one open item for each review (each reminder refreshes it), and its channel.
    items = {
        (note.recipient_id, note.cause): note
        for note in Notification.objects.select_related("organisation", "mission")
        .filter(
            recipient_id__in={person for person, _ in wanted},
            cause__in={cause for _, cause in wanted},
            done_at__isnull=True,
        )
        .annotate(channel=channel_expression())
    }
    failed: list[int] = []
    sent_items: list[int] = []
    # One connection to the mail server for the batch, opened at the first message; a server
    # that refuses it fails each message, which is put back.
    with get_connection(fail_silently=False) as connection:
        for reminder in reminders:
            note = items.get((reminder.recipient_id, cause_of("review", reminder.review_id)))
            if note is None or note.channel != Channel.AT_ONCE or not reminder.recipient.email:
                continue
            if with_email:
                try:
                    send_email(
                        name="notification",
                        key=f"reminder-{reminder.pk}",
                        to=[reminder.recipient.email],
                        context=notification_email_context(note),
                        connection=connection,
                    )
                except Exception:
                    logger.exception("Review reminder sweep: reminder %s not sent.", reminder.pk)
                    failed.append(reminder.pk)
                else:
                    emailed.append(reminder.pk)
            # A failed one too: its item's email is the reminder's, which the next sweep sends
            # again (the delivery must not send it a second way).
            sent_items.append(note.pk)
    Notification.objects.filter(pk__in=sent_items).update(emailed_at=timezone.now())
    return failed


def reminders_send_due(*, today: dt.date | None = None) -> SweepResult:
    """Claim and send everything due, in this process (the command and the eager path), in
    batches of ``BATCH``; a batch that fails as a whole is logged and left for the next sweep,
    and the others go on."""
    ids = reminders_claim(today=today)
    result = SweepResult(claimed=len(ids), sent=0)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        try:
            done = reminders_send(reminder_ids=batch)
        except Exception:
            # Its transaction rolled back: not marked sent, so the next sweep tries again.
            logger.exception("Review reminder sweep: reminders %s not sent.", list(batch))
            result.failed += len(batch)
            continue
        result.sent += done.sent
        result.failed += done.failed
    return result
