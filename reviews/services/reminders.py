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

Each email carries the review's calendar invitation (``reviews.calendar``: METHOD:REQUEST, the
review's UID and sequence), built from the same row.

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
from typing import Any

from django.core.mail import get_connection
from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kernel.bulk import insert_rows
from kernel.delivery import notification_email_stencil
from kernel.formats import day
from kernel.models import Notification
from kernel.notifications import Ask, cause_of, notify_each
from kernel.preferences import Channel, channel_expression, unsubscribe_urls
from missionlead.emails import EmailedNotRecorded, Stencil, absolute_url, send_email
from missions.querysets import in_play

from .. import calendar
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
    now = timezone.now()
    rows: list[tuple[int, str, int, dt.datetime]] = []
    for kind, start, end in WINDOWS:
        window = Q(due_date__lte=today - dt.timedelta(days=start))
        if end is not None:
            window &= Q(due_date__gt=today - dt.timedelta(days=end))
        claimed = Reminder.objects.filter(review=OuterRef("pk"), kind=kind)
        due_now = (
            Review.objects.filter(window, in_play("mission__"), status=Review.Status.SCHEDULED)
            .exclude(Exists(claimed))
            .order_by("id")
            # Ids only, no model objects: who owns the mission, and who owns its parent.
            .values_list(
                "id",
                "mission__owner_user_id",
                "mission__owner_team__leader_id",
                "mission__parent_id",
                "mission__parent__owner_user_id",
                "mission__parent__owner_team__leader_id",
            )
        )
        for review_id, *owners in due_now.iterator(chunk_size=batch):
            try:
                rows.extend((review_id, kind, person, now) for person in _recipients(kind, *owners))
            except Exception:
                logger.exception("Review reminder sweep: skipped review %s (%s).", review_id, kind)
    for start in range(0, len(rows), batch):
        insert_rows(
            Reminder,
            ("review_id", "kind", "recipient_id", "created_at"),
            rows[start : start + batch],
            ignore_conflicts=True,
        )
    # Unsent reminders of earlier sweeps are handed out again (a lost task is caught up), but
    # not those of reviews held or cancelled since, nor of missions that left play (sent back,
    # archived): nobody needs reminding of those.
    return list(Reminder.objects.filter(_still_due()).values_list("id", flat=True))


def _still_due() -> Q:
    """Reminders not sent yet, of a review still to hold, of a mission in play."""
    return Q(sent_at__isnull=True, review__status=Review.Status.SCHEDULED) & in_play(
        "review__mission__"
    )


def _recipients(
    kind: str,
    owner_id: int | None,
    leader_id: int | None,
    parent_id: int | None,
    parent_owner_id: int | None,
    parent_leader_id: int | None,
) -> list[int]:
    """Who gets a reminder of ``kind``: the mission's owners (``mission_owners``: its owner, or
    the leader of its owning team), or for an escalation its parent's; a top mission has no boss
    to escalate to, so its owner is reminded."""
    if kind == Kind.ESCALATION and parent_id is not None:
        owner_id, leader_id = parent_owner_id, parent_leader_id
    person = owner_id or leader_id
    return [person] if person is not None else []


# What a reminder reads, in one query with its lock: no model objects.
_FIELDS = {
    "pk": "pk",
    "kind": "kind",
    "review_id": "review_id",
    "recipient_id": "recipient_id",
    "email": "recipient__email",
    "due_date": "review__due_date",
    "mission_id": "review__mission_id",
    "title": "review__mission__title",
    "organisation_id": "review__mission__organisation_id",
    "slug": "review__mission__organisation__slug",
    "owner_user_id": "review__mission__owner_user_id",
    "owner_first_name": "review__mission__owner_user__first_name",
    "owner_last_name": "review__mission__owner_user__last_name",
    "owner_username": "review__mission__owner_user__username",
    "owner_team_id": "review__mission__owner_team_id",
    "owner_team": "review__mission__owner_team__name",
    # For the invitation (``reviews.calendar``): its sequence, its organiser (the owner, or
    # the owning team's leader) and its attendee (the recipient).
    "sequence": "review__sequence",
    "owner_email": "review__mission__owner_user__email",
    "leader_email": "review__mission__owner_team__leader__email",
    "leader_first_name": "review__mission__owner_team__leader__first_name",
    "leader_last_name": "review__mission__owner_team__leader__last_name",
    "leader_username": "review__mission__owner_team__leader__username",
    "recipient_first_name": "recipient__first_name",
    "recipient_last_name": "recipient__last_name",
    "recipient_username": "recipient__username",
}


def _owner_display(row: dict[str, Any]) -> str:
    """``Mission.owner_display`` from the row: the owner's full name or user name, else the
    owning team's name."""
    if row["owner_user_id"] is not None:
        full_name = f"{row['owner_first_name']} {row['owner_last_name']}".strip()
        return full_name or row["owner_username"]
    return row["owner_team"] if row["owner_team_id"] else "—"


def _invitation(row: dict[str, Any]) -> tuple[str, str]:
    """The review's calendar invitation to the reminder's recipient, from the row."""
    if row["owner_user_id"] is not None:
        owner = (row["owner_email"], row["owner_first_name"], row["owner_last_name"])
        username = row["owner_username"]
    else:
        owner = (row["leader_email"], row["leader_first_name"], row["leader_last_name"])
        username = row["leader_username"]
    organiser = (
        calendar.Person(email=owner[0], name=calendar.person_name(owner[1], owner[2], username))
        if owner[0]
        else None
    )
    event = calendar.ReviewEvent(
        review_id=row["review_id"],
        due_date=row["due_date"],
        sequence=row["sequence"],
        title=row["title"],
        url=absolute_url(f"/o/{row['slug']}/reviews/{row['review_id']}/"),
        organiser=organiser,
    )
    attendee = calendar.Person(
        email=row["email"],
        name=calendar.person_name(
            row["recipient_first_name"], row["recipient_last_name"], row["recipient_username"]
        ),
    )
    return calendar.REQUEST, calendar.review_invitation(event, attendee=attendee)


def _message(row: dict[str, Any], days: dict[dt.date, str]) -> str:
    """What the reminder says; ``days``: the due dates in words, each formatted once a batch."""
    if row["due_date"] not in days:
        days[row["due_date"]] = day(row["due_date"])
    title, due = row["title"], days[row["due_date"]]
    if row["kind"] == Kind.BEFORE:
        return f"The 30-day review of “{title}” is due on {due}."
    if row["kind"] == Kind.DUE:
        return f"The 30-day review of “{title}” is due today."
    if row["kind"] == Kind.AFTER:
        return f"The 30-day review of “{title}” was due on {due} and is not held yet."
    return (
        f"The 30-day review of “{title}” ({_owner_display(row)}) was due on {due} "
        "and has not been held."
    )


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
            # Locked and read at once: what the reminders say, as rows, not model objects.
            rows = [
                dict(zip(_FIELDS, row, strict=True))
                for row in Reminder.objects.select_for_update(of=("self",))
                .filter(_still_due(), pk__in=reminder_ids, sent_at__isnull=True)
                .order_by("pk")
                .values_list(*_FIELDS.values())
            ]
            if not rows:
                return result
            mine = [row["pk"] for row in rows]
            # A single-table UPDATE of rows this transaction holds locked: nobody else can
            # mark them in between.
            Reminder.objects.filter(pk__in=mine).update(sent_at=timezone.now())
            days: dict[dt.date, str] = {}
            notify_each([_ask(row, days) for row in rows])
            failed = _email(rows, with_email=with_email, emailed=emailed)
            if failed:
                Reminder.objects.filter(pk__in=failed).update(sent_at=None)
            result.sent, result.failed = len(rows) - len(failed), len(failed)
    except (DatabaseError, InterfaceError) as error:
        if emailed:  # only the commit can have failed: the emails are out, their records not
            raise RemindersEmailedNotRecorded(emailed) from error
        raise
    return result


def _ask(row: dict[str, Any], days: dict[dt.date, str]) -> Ask:
    return Ask(
        recipient_id=row["recipient_id"],
        kind=(
            Notification.Kind.REVIEW_ESCALATION
            if row["kind"] == Kind.ESCALATION
            else Notification.Kind.REVIEW_REMINDER
        ),
        message=_message(row, days),
        mission_id=row["mission_id"],
        organisation_id=row["organisation_id"],
        url=f"/o/{row['slug']}/reviews/{row['review_id']}/",
        dedupe_key=f"reminder:{row['pk']}",
        # Each reminder refreshes the person's one item for the review, which is done once
        # the review is held.
        cause=cause_of("review", row["review_id"]),
    )


def _email(rows: list[dict[str, Any]], *, with_email: bool, emailed: list[int]) -> list[int]:
    """Email each reminder as its notification's email, to whoever reads its kind at once;
    mark those items emailed, so the delivery of emails at once (kernel.delivery) passes over
    them. Returns the reminders whose email failed (logged with their ids).

    The email is the one ``kernel.delivery`` sends for the item (``notification_email_context``),
    rendered by a stencil per kind for the batch (``notification_email_stencil``) rather than
    by the template engine per reminder: the same subject, text and HTML."""
    wanted = {(row["recipient_id"], cause_of("review", row["review_id"])) for row in rows}
    # The person's one open item for each review (each reminder refreshes it), and its channel.
    items = {
        (item["recipient_id"], item["cause"]): item
        for item in Notification.objects.filter(
            recipient_id__in={person for person, _ in wanted},
            cause__in={cause for _, cause in wanted},
            done_at__isnull=True,
        )
        .annotate(channel=channel_expression())
        .values(
            "pk",
            "recipient_id",
            "cause",
            "kind",
            "message",
            "url",
            "channel",
            "mission_id",
            "mission__title",
            "organisation__name",
        )
    }
    failed: list[int] = []
    sent_items: list[int] = []
    stencils: dict[str, Stencil] = {}
    unsubscribe_url = unsubscribe_urls()
    # One connection to the mail server for the batch, opened at the first message; a server
    # that refuses it fails each message, which is put back.
    with get_connection(fail_silently=False) as connection:
        for row in rows:
            item = items.get((row["recipient_id"], cause_of("review", row["review_id"])))
            if item is None or item["channel"] != Channel.AT_ONCE or not row["email"]:
                continue
            if with_email:
                try:
                    kind = item["kind"]
                    if kind not in stencils:
                        stencils[kind] = notification_email_stencil(kind)
                    values = {
                        "organisation": item["organisation__name"],
                        "mission": None if item["mission_id"] is None else item["mission__title"],
                        "message": item["message"],
                        "url": absolute_url(item["url"]),
                        "unsubscribe_url": unsubscribe_url(row["recipient_id"], kind),
                    }
                    context = stencils[kind].context(values)
                    send_email(
                        name="notification",
                        key=f"reminder-{row['pk']}",
                        to=[row["email"]],
                        context=context,
                        connection=connection,
                        rendered=stencils[kind].render(values),
                        invitation=_invitation(row),
                    )
                except Exception:
                    logger.exception("Review reminder sweep: reminder %s not sent.", row["pk"])
                    failed.append(row["pk"])
                else:
                    emailed.append(row["pk"])
            # A failed one too: its item's email is the reminder's, which the next sweep sends
            # again (the delivery must not send it a second way).
            sent_items.append(item["pk"])
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
