"""Notifications: who hears about a change, and the inbox items that complete themselves.

A notification that asks for something carries its *cause*, a short key naming what waits
(``cause_of("alignment", mission.pk)``). It is an open item of its recipient's inbox until
``notifications_done`` marks the cause handled, whoever handled it; asking again for the same
cause refreshes the open item instead of adding a second one. A notification without a cause
(a mission aligned, a support request answered) only tells; it is never an inbox item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from .bulk import insert_rows
from .models import Notification
from .tasks import notifications_email_pending
from .validators import parse_id

if TYPE_CHECKING:
    from .permissions import Actor
    from .types import User

Kind = Notification.Kind

# What each kind of cause names: "alignment:42" is mission 42 waiting for its boss.
CAUSES = {
    "alignment": Kind.ALIGNMENT_REQUESTED,  # a proposed mission, of its parent's owners
    "sent_back": Kind.SENT_BACK,  # a sent-back mission, of its owners
    "support": Kind.SUPPORT_REQUESTED,  # a proposed interdependency, of the other side
    "review": Kind.REVIEW_REMINDER,  # a scheduled review (escalated: Kind.REVIEW_ESCALATION)
    "check_in": Kind.CHECK_IN_DUE,  # a KPI without a check-in within its cadence
    "key_task": Kind.KEY_TASK_OVERDUE,  # an open key task past its due date
    "finding": Kind.FINDING,  # an open finding of the alignment checks
    "contact": Kind.CONTACT_DUE,  # a stakeholder whose planned contact is due, of its owner
    "challenge": Kind.CHALLENGE_RAISED,  # an open challenge to priorities, of who answers it
    "development": Kind.DEVELOPMENT_REVIEW,  # a development plan's review, of whom it is asked
    "coalition": Kind.COALITION_INVITED,  # an organisation invited (its row), of its leaders
    "contribution": Kind.CONTRIBUTION_OFFERED,  # a contribution, of the other members' leaders
    "mention": Kind.MENTIONED,  # a member named in a comment, until they answer in its thread
}
ASKING_KINDS = [*CAUSES.values(), Kind.REVIEW_ESCALATION]


def cause_of(what: str, pk: int) -> str:
    """The cause of an item about object ``pk``: ``cause_of("review", 7) == "review:7"``."""
    if what not in CAUSES:
        raise ValueError(f"Unknown cause {what!r}")
    return f"{what}:{pk}"


def mission_owners(mission: Any) -> list[Any]:
    """The people a mission belongs to: its owner, or the leader of its owning team."""
    if mission.owner_user_id:
        return [mission.owner_user]
    leader = mission.owner_team.leader if mission.owner_team_id else None
    return [leader] if leader is not None else []


@dataclass(frozen=True)
class Ask:
    """One notification to one person about a mission, for ``notify_each``: by ids, so that a
    batch of them needs no model objects."""

    recipient_id: int
    kind: str
    message: str
    mission_id: int | None  # None: of no mission (a leader's own stakeholder)
    organisation_id: int
    url: str
    dedupe_key: str | None = None
    cause: str | None = None


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    message: str,
    mission: Any,
    by: User | None = None,
    dedupe_key: str | None = None,
    cause: str | None = None,
    url: str | None = None,
) -> None:
    """Notifications about a mission, never to the person who caused them: the one way every
    sender writes one (the alignment workflow, links, reviews, reminders, the inbox sweep).

    With ``cause`` it is an inbox item: a recipient who has an open item for that cause gets
    it refreshed (new wording, unread, on top again) rather than a second one. With
    ``dedupe_key`` each recipient gets it at most once, whoever sends it and however often:
    the unique constraint turns a second send into nothing. ``url``: where it leads (the
    mission's page unless given).
    """
    people = dict.fromkeys(
        u.pk for u in recipients if u is not None and (by is None or u.pk != by.pk)
    )
    url = url or mission.get_absolute_url()
    notify_each(
        [
            Ask(
                recipient_id=pk,
                kind=kind,
                message=message,
                mission_id=mission.pk,
                organisation_id=mission.organisation_id,
                url=url,
                dedupe_key=dedupe_key,
                cause=cause,
            )
            for pk in people
        ]
    )


_COLUMNS = (
    "organisation_id",
    "recipient_id",
    "kind",
    "message",
    "url",
    "mission_id",
    "dedupe_key",
    "cause",
    "created_at",
)


def notify_each(asks: Sequence[Ask]) -> None:
    """``notify`` for many notifications at once, each with its own wording (a batch of
    review reminders): two queries whatever their number (three on SQLite)."""
    if not asks:
        return
    now = timezone.now()
    asked: dict[tuple[int, str | None], Ask] = {
        (a.recipient_id, a.cause): a for a in asks if a.cause is not None
    }
    if asked:
        # The open items of these causes, refreshed: new wording, unread, on top again, and
        # (asked again, so told again) emailed anew by the delivery, per preference.
        _refresh(list(asked.values()), now=now)
    # ON CONFLICT DO NOTHING when an ask has a cause or a key: an open item for the cause
    # (refreshed above, or written by a concurrent sender a moment ago) or a send with the same
    # key already stands.
    insert_rows(
        Notification,
        _COLUMNS,
        [
            (
                a.organisation_id,
                a.recipient_id,
                a.kind,
                a.message[:500],
                a.url,
                a.mission_id,
                a.dedupe_key,
                a.cause,
                now,
            )
            for a in asks
        ],
        ignore_conflicts=any(a.dedupe_key is not None or a.cause is not None for a in asks),
    )
    # Once committed, the new and refreshed items are emailed to whoever reads their kind at
    # once (kernel.delivery). Robust: a broker that is down must not fail a change that has
    # committed; the periodic catch-up emails what this hand-over lost.
    people = sorted({a.recipient_id for a in asks})
    transaction.on_commit(partial(notifications_email_pending.delay, people), robust=True)


def _refresh(asks: list[Ask], *, now: Any) -> None:
    """Each open item of an ask's recipient and cause takes the ask's wording, and is unread,
    on top and not emailed again. On PostgreSQL one ``UPDATE … FROM unnest(…)``, whatever the
    number of items (``bulk_update`` builds a ``CASE`` of every item for every column: most
    of the cost of a batch of reminders' notifications)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {Notification._meta.db_table} AS item
                SET kind = asked.kind, message = asked.message, url = asked.url,
                    created_at = %s, read_at = NULL, emailed_at = NULL
                FROM unnest(%s::integer[], %s::text[], %s::text[], %s::text[], %s::text[])
                    AS asked (recipient_id, cause, kind, message, url)
                WHERE item.recipient_id = asked.recipient_id AND item.cause = asked.cause
                    AND item.done_at IS NULL
                """,
                [
                    now,
                    [a.recipient_id for a in asks],
                    [a.cause for a in asks],
                    [a.kind for a in asks],
                    [a.message[:500] for a in asks],
                    [a.url for a in asks],
                ],
            )
        return
    by_key = {(a.recipient_id, a.cause): a for a in asks}
    refreshed = []
    for item in Notification.objects.filter(
        recipient_id__in={a.recipient_id for a in asks},
        cause__in={a.cause for a in asks},
        done_at__isnull=True,
    ).only("pk", "recipient_id", "cause"):
        ask = by_key.get((item.recipient_id, item.cause))
        if ask is not None:
            item.kind, item.message, item.url = ask.kind, ask.message[:500], ask.url
            item.created_at, item.read_at, item.emailed_at = now, None, None
            refreshed.append(item)
    Notification.objects.bulk_update(
        refreshed, ["kind", "message", "url", "created_at", "read_at", "emailed_at"]
    )


def notifications_done(*, causes: Iterable[str], by: User | None = None) -> int:
    """The causes are handled: every open item asking for them is done (and read), whoever
    it was asked of. ``by``: who handled it (None: it stopped being asked, e.g. a KPI that
    was archived). One UPDATE; returns how many items it completed."""
    causes = list(causes)
    if not causes:
        return 0
    now = timezone.now()
    return Notification.objects.filter(cause__in=causes, done_at__isnull=True).update(
        done_at=now, done_by=by, read_at=Coalesce("read_at", now)
    )


def notifications_mark_read(*, actor: Any, ids: list[str] | None = None) -> int:
    """Mark the actor's notifications read: the given ones, or all when ``ids`` is empty.

    Reading an inbox item does not complete it: only handling its cause does."""
    unread = Notification.objects.filter(
        recipient=actor.user, organisation=actor.organisation, read_at__isnull=True
    )
    if ids:
        unread = unread.filter(pk__in=[pk for pk in map(parse_id, ids) if pk is not None])
    return unread.update(read_at=timezone.now())


# --- What waits for a person ----------------------------------------------------------------

OPEN = Q(done_at__isnull=True, cause__isnull=False)


def open_items(*, actor: Actor) -> QuerySet[Notification]:
    """The actor's inbox: every open item, newest first (the partial index on open items)."""
    return (
        Notification.objects.filter(OPEN, recipient=actor.user, organisation=actor.organisation)
        .select_related("mission")
        .order_by("-created_at", "-id")
    )


def nav_counts(*, actor: Actor) -> dict[str, int]:
    """For the navigation, in one query: ``todo`` (open items: the length of the inbox) and
    ``unread`` (notifications not read yet)."""
    return Notification.objects.filter(
        Q(read_at__isnull=True) | OPEN, recipient=actor.user, organisation=actor.organisation
    ).aggregate(
        todo=Count("pk", filter=OPEN),
        unread=Count("pk", filter=Q(read_at__isnull=True)),
    )


# --- Items the state asks for, reconciled ---------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """An open item the state of an organisation asks for: ``recipient_id`` must do ``cause``."""

    recipient_id: int
    cause: str
    kind: str
    message: str
    url: str
    mission_id: int | None  # None: an item of no mission (a leader's own stakeholder)


def items_reconcile(
    *,
    organisation_id: int,
    what: str,
    wanted: Iterable[Wanted] | None,
    still_open: set[str] | None = None,
) -> tuple[int, int]:
    """Make the open items of one kind of cause (``what``) in one organisation what the state
    asks for: write the wanted items nobody has yet, and complete the open ones it no longer
    asks for (the cause handled in a way no event reported, the object archived, its owner
    changed). Returns (opened, completed).

    ``wanted`` None: the sweep does not write this kind (a review's items come from its
    reminders); it only completes the open items whose cause is not in ``still_open``.
    """
    open_rows = Notification.objects.filter(
        organisation_id=organisation_id, done_at__isnull=True, cause__startswith=f"{what}:"
    ).values_list("pk", "recipient_id", "cause")
    by_key = {(recipient_id, cause): pk for pk, recipient_id, cause in open_rows}
    if wanted is None:
        keep = still_open or set()
        stale = [pk for (_, cause), pk in by_key.items() if cause not in keep]
        new: list[Wanted] = []
    else:
        wanted_by_key = {(w.recipient_id, w.cause): w for w in wanted}
        stale = [pk for key, pk in by_key.items() if key not in wanted_by_key]
        new = [w for key, w in wanted_by_key.items() if key not in by_key]
    now = timezone.now()
    completed = 0
    for start in range(0, len(stale), 1000):
        completed += Notification.objects.filter(
            pk__in=stale[start : start + 1000], done_at__isnull=True
        ).update(done_at=now, read_at=Coalesce("read_at", now))
    Notification.objects.bulk_create(
        [
            Notification(
                organisation_id=organisation_id,
                recipient_id=w.recipient_id,
                kind=w.kind,
                message=w.message[:500],
                url=w.url,
                mission_id=w.mission_id,
                cause=w.cause,
            )
            for w in new
        ],
        ignore_conflicts=True,  # written a moment ago by the event itself
        batch_size=1000,
    )
    if new:  # emailed to whoever reads their kind at once, as notify's are
        recipients = sorted({w.recipient_id for w in new})
        transaction.on_commit(partial(notifications_email_pending.delay, recipients), robust=True)
    return len(new), completed


# The inbox's groups, in the order a person should look at them: decisions others wait for,
# then their own overdue work, then what the checks found.
INBOX_GROUPS: list[tuple[str, list[str]]] = [
    ("Waiting for your alignment", [Kind.ALIGNMENT_REQUESTED]),
    ("Sent back to you", [Kind.SENT_BACK]),
    ("Waiting for your answer", [Kind.SUPPORT_REQUESTED, Kind.CHALLENGE_RAISED]),
    ("Mentioned in a comment", [Kind.MENTIONED]),
    ("Reviews due", [Kind.REVIEW_ESCALATION, Kind.REVIEW_REMINDER]),
    ("Development reviews asked of you", [Kind.DEVELOPMENT_REVIEW]),
    ("For your organisation to answer", [Kind.COALITION_INVITED, Kind.CONTRIBUTION_OFFERED]),
    ("Check-ins due", [Kind.CHECK_IN_DUE]),
    ("Overdue key tasks", [Kind.KEY_TASK_OVERDUE]),
    ("New findings on your missions", [Kind.FINDING]),
    ("Stakeholders to contact", [Kind.CONTACT_DUE]),
]


@dataclass
class InboxGroup:
    label: str
    items: list[Notification]


def inbox_groups(items: Iterable[Notification]) -> list[InboxGroup]:
    """The open items by group (``INBOX_GROUPS``), empty groups left out."""
    by_kind: dict[str, list[Notification]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    groups = [
        InboxGroup(label, [item for kind in kinds for item in by_kind.get(kind, [])])
        for label, kinds in INBOX_GROUPS
    ]
    return [group for group in groups if group.items]


# The notification centre's views: what each tab shows.
CENTRE_VIEWS: dict[str, tuple[str, Q]] = {
    "unread": ("Unread", Q(read_at__isnull=True)),
    "todo": ("To do", OPEN),
    "done": ("Done", Q(done_at__isnull=False)),
    "all": ("All", Q()),
}


def notification_centre(*, actor: Actor, show: str, kind: str = "") -> QuerySet[Notification]:
    """The actor's notifications in one of ``CENTRE_VIEWS`` (unknown: all), of one kind if
    given (unknown: none); done items by when they were done, the others newest first."""
    _, condition = CENTRE_VIEWS.get(show, CENTRE_VIEWS["all"])
    rows = Notification.objects.filter(
        condition, recipient=actor.user, organisation=actor.organisation
    ).select_related("done_by")
    if kind:
        rows = rows.filter(kind=kind)
    if show == "done":
        return rows.order_by("-done_at", "-id")
    return rows.order_by("-created_at", "-id")


GROUP_OF_KIND = {kind: label for label, kinds in INBOX_GROUPS for kind in kinds}
