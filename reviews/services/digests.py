"""The digest: once a day or once a week, in each person's time zone, one email with what
needs them (their open inbox items) and what moved in their part of the cascade.

Claimed once in the database, then sent exactly once, the way the review reminders are
(``reminders.py``): any number of workers, a beat that fires twice, a task delivered twice or a
worker killed in the middle cannot send a person two digests of one period.

1. ``digests_claim`` (the hourly sweep) works out, for everyone who gets a digest, the period
   whose hour has come in their time zone: today from ``MISSIONLEAD_DIGEST_HOUR`` (daily), or
   this ISO week from Monday at that hour (weekly). It inserts one ``DigestClaim`` per person
   and period; the unique constraint makes a second sweep insert nothing. It returns every
   claim not sent yet, so a send lost with the broker is handed out again by the next sweep.
   A period whose hour has come stays due until its end, so a sweep that did not run is
   caught up by the next one, still once.
2. ``digest_send`` marks one claim sent with ``UPDATE … WHERE id = … AND sent_at IS NULL`` and,
   in the same transaction, builds the digest and hands its email to the mail backend. If the
   update changes no row, someone else sent it: nothing happens. A worker that dies before the
   commit stores nothing, and the redelivered task sends it. A database that goes away after
   the email and before the commit raises ``DigestEmailedNotRecorded``: the task retries with
   ``with_email=False``, which records the claim without a second email. The email's
   Message-ID is the claim's, so a copy sent in the one window no sender can close (a process
   killed between the mail server's reply and the commit) is the same message.

A digest with nothing to say is recorded as sent with ``lines = 0``, and not emailed.

What a digest tells of moved between the claim's ``starts_at`` and ``ends_at``: the previous
period, up to the hour it became due. Fixed by the claim, so a retry tells the same, and a
person's consecutive digests neither skip nor repeat an event.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from kernel import tree
from kernel.models import AuditEvent, Membership, Notification, Organisation
from kernel.notifications import OPEN
from kernel.preferences import DIGEST, Channel, channel_expression, unsubscribe_url
from kernel.querysets import owned_by_person
from missionlead.emails import EmailedNotRecorded, absolute_url, send_email
from missions.models import Mission

from ..models import DigestClaim

logger = logging.getLogger(__name__)
User = get_user_model()
Frequency = Profile.Digest
# The most lines of each part of a digest; the rest is "and N more".
LIMIT = 20


@dataclass(frozen=True)
class Period:
    """A period of one person's digest: its key, and the span of what moved it tells of."""

    key: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass
class Line:
    when: dt.datetime
    text: str
    url: str
    mission: str = ""


@dataclass
class Group:
    label: str
    lines: list[Line]


@dataclass
class Digest:
    """One person's digest: what waits for them, by kind, and what moved, newest first;
    each part at most ``LIMIT`` lines, with how many more there are."""

    waiting: list[Group] = field(default_factory=list)
    waiting_total: int = 0
    moved: list[Line] = field(default_factory=list)
    moved_total: int = 0

    @property
    def lines(self) -> int:
        return self.waiting_total + self.moved_total

    @property
    def waiting_more(self) -> int:
        return self.waiting_total - sum(len(group.lines) for group in self.waiting)

    @property
    def moved_more(self) -> int:
        return self.moved_total - len(self.moved)


@dataclass
class DigestSweepResult:
    claimed: int
    sent: int = 0  # emailed
    empty: int = 0  # nothing to say: recorded, not emailed
    failed: int = 0  # raised while sending: logged with their ids, tried again next sweep


# --- When: each person's period ------------------------------------------------------------------


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """A time zone by name; the site's for a name that is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def digest_period(*, frequency: str, zone: dt.tzinfo, now: dt.datetime) -> Period | None:
    """The period whose digest is due at ``now`` in ``zone``, or None (before its hour, or a
    person who gets none). Daily: today, from the digest hour; weekly: this ISO week, from
    Monday at the digest hour."""
    local = now.astimezone(zone)
    if frequency == Frequency.DAILY:
        day, length = local.date(), dt.timedelta(days=1)
        key = day.isoformat()
    elif frequency == Frequency.WEEKLY:
        day, length = local.date() - dt.timedelta(days=local.weekday()), dt.timedelta(days=7)
        year, week, _ = day.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        return None
    hour = dt.time(settings.MISSIONLEAD_DIGEST_HOUR)
    ends_at = dt.datetime.combine(day, hour, tzinfo=zone)
    if local < ends_at:
        return None
    return Period(key, dt.datetime.combine(day - length, hour, tzinfo=zone), ends_at)


def _readers() -> Any:
    """Everyone who may get a digest, with how often and their time zone's name (their own,
    else the organisation they joined first): one query."""
    # A deactivated membership (SCIM deprovisioning) brings no digest of its organisation.
    first_membership = Membership.objects.filter(user=OuterRef("pk"), deactivated_at=None).order_by(
        "pk"
    )
    return (
        User.objects.filter(Exists(first_membership), is_active=True)
        .exclude(email="")
        .annotate(
            frequency=Coalesce("profile__digest", Value(Profile.DEFAULT_DIGEST)),
            zone_name=Coalesce(
                NullIf("profile__time_zone", Value("")),
                Subquery(first_membership.values("organisation__time_zone")[:1]),
                Value(""),
            ),
        )
        .exclude(frequency=Frequency.NEVER)
        .order_by("pk")
        .values_list("pk", "frequency", "zone_name")
    )


def digests_claim(*, now: dt.datetime | None = None, batch: int = 2000) -> list[int]:
    """Claim the digests due now; return the ids of every claim not sent yet."""
    now = now or timezone.now()
    due: dict[int, Period] = {}
    for user_id, frequency, zone_name in _readers().iterator(chunk_size=batch):
        period = digest_period(frequency=frequency, zone=zone_of(zone_name), now=now)
        if period is not None:
            due[user_id] = period
    # Most of a day's sweeps find the day's digests claimed already: insert only the others
    # (the unique constraint still settles a race with a concurrent sweep).
    claimed = set(
        DigestClaim.objects.filter(period__in={p.key for p in due.values()}).values_list(
            "user_id", "period"
        )
    )
    DigestClaim.objects.bulk_create(
        [
            DigestClaim(user_id=user_id, period=p.key, starts_at=p.starts_at, ends_at=p.ends_at)
            for user_id, p in due.items()
            if (user_id, p.key) not in claimed
        ],
        ignore_conflicts=True,
        batch_size=batch,
    )
    return list(
        DigestClaim.objects.filter(sent_at__isnull=True).order_by("id").values_list("id", flat=True)
    )


# --- What: one person's digest -------------------------------------------------------------------


@dataclass
class Reader:
    """What the digest needs to know of its person."""

    user: Any
    frequency: str
    zone: zoneinfo.ZoneInfo
    organisations: list[Organisation]


def _reader(user: Any) -> Reader:
    profile = Profile.objects.filter(user=user).first()
    organisations = list(
        Organisation.objects.filter(
            memberships__user=user, memberships__deactivated_at=None
        ).order_by("memberships__pk")
    )
    own_zone = profile.time_zone if profile is not None else ""
    return Reader(
        user=user,
        frequency=profile.digest if profile is not None else Profile.DEFAULT_DIGEST,
        zone=zone_of(own_zone or (organisations[0].time_zone if organisations else "")),
        organisations=organisations,
    )


def digest_build(*, user: Any, starts_at: dt.datetime, ends_at: dt.datetime) -> Digest:
    """What needs ``user`` now, and what moved in their part of the cascade between
    ``starts_at`` and ``ends_at``, in the organisations they are a member of.

    - Waiting: their open inbox items, of every kind they did not choose to see in the app
      only, by kind.
    - Moved: the notifications of kinds they read in the digest written in the span (those
      still open are under "waiting"), and the changes others made to the missions they own
      or lead and to every mission below those.
    """
    org_ids = list(
        Membership.objects.filter(user=user, deactivated_at=None).values_list(
            "organisation_id", flat=True
        )
    )
    digest = Digest()

    waiting = (
        Notification.objects.filter(OPEN, recipient=user, organisation_id__in=org_ids)
        .alias(channel=channel_expression())
        .exclude(channel=Channel.IN_APP)
    )
    digest.waiting_total = waiting.count()
    shown = list(waiting.select_related("mission").order_by("-created_at", "-id")[:LIMIT])
    for kind, label in Notification.Kind.choices:
        lines = [_notification_line(n) for n in shown if n.kind == kind]
        if lines:
            digest.waiting.append(Group(label=str(label), lines=lines))

    span = Q(created_at__gte=starts_at, created_at__lt=ends_at)
    told = (
        Notification.objects.filter(span, recipient=user, organisation_id__in=org_ids)
        .exclude(OPEN)
        .alias(channel=channel_expression())
        .filter(channel=Channel.DIGEST)
    )
    events = _events_below(user=user, org_ids=org_ids).filter(span).exclude(actor=user)
    digest.moved_total = told.count() + events.count()
    moved = [
        _notification_line(n)
        for n in told.select_related("mission").order_by("-created_at", "-id")[:LIMIT]
    ]
    moved += [
        _event_line(e)
        for e in events.select_related("actor", "mission__organisation").order_by(
            "-created_at", "-id"
        )[:LIMIT]
    ]
    digest.moved = sorted(moved, key=lambda line: line.when, reverse=True)[:LIMIT]
    return digest


def _events_below(*, user: Any, org_ids: list[int]) -> Any:
    """The audit events of the missions ``user`` owns or leads, and of every mission below."""
    own = list(
        Mission.objects.filter(owned_by_person(user.pk), organisation_id__in=org_ids)
        .exclude(status=Mission.Status.ARCHIVED)
        .values_list("pk", "path")
    )
    if not own:
        return AuditEvent.objects.none()
    below = [Q(mission__path__startswith=tree.child_path(path, pk)) for pk, path in own]
    return AuditEvent.objects.filter(reduce(or_, below, Q(mission_id__in=[pk for pk, _ in own])))


def _notification_line(notification: Notification) -> Line:
    mission = notification.mission
    return Line(
        when=notification.created_at,
        text=notification.message,
        url=absolute_url(notification.url),
        mission=mission.title if mission is not None else "",
    )


def _event_line(event: AuditEvent) -> Line:
    actor = event.actor
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "Someone"
    mission = event.mission
    assert mission is not None  # the events below a person's missions all have one
    return Line(
        when=event.created_at,
        text=f"{who} {event.get_verb_display()} “{event.object_repr}”",
        url=absolute_url(mission.get_absolute_url()),
        mission=mission.title,
    )


# --- Sending, exactly once -----------------------------------------------------------------------


class DigestEmailedNotRecorded(EmailedNotRecorded):
    what = "Digest"


def digest_send(*, claim_id: int, with_email: bool = True) -> bool:
    """Send one claimed digest, exactly once. True if this call sent (or recorded) it.

    ``with_email=False`` records it without emailing: the retry after
    ``DigestEmailedNotRecorded``, whose email is out already.
    """
    emailed = False
    try:
        with transaction.atomic():
            # A single-table UPDATE, as the reminders' claim: a concurrent sender waits for the
            # row lock, then re-reads ``sent_at`` on the new row version and updates nothing.
            claimed = DigestClaim.objects.filter(pk=claim_id, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
            if claimed != 1:
                return False  # sent already by someone else, or gone
            claim = DigestClaim.objects.select_related("user").get(pk=claim_id)
            reader = _reader(claim.user)
            digest = digest_build(user=claim.user, starts_at=claim.starts_at, ends_at=claim.ends_at)
            # Someone who stopped their digest since it was claimed, or has no address now,
            # gets none: recorded with nothing said.
            wanted = reader.frequency != Frequency.NEVER and bool(claim.user.email)
            lines = digest.lines if wanted else 0
            DigestClaim.objects.filter(pk=claim_id).update(lines=lines)
            if lines and with_email:
                # Times in the email are the person's.
                with timezone.override(reader.zone):
                    send_email(
                        name="digest",
                        key=f"digest-{claim.pk}",
                        to=[claim.user.email],
                        context=_email_context(claim, reader, digest),
                    )
                emailed = True
    except (DatabaseError, InterfaceError) as error:
        if emailed:  # only the commit can have failed: the email is out, its record not
            raise DigestEmailedNotRecorded(claim_id) from error
        raise
    return True


def _email_context(claim: DigestClaim, reader: Reader, digest: Digest) -> dict[str, Any]:
    organisations = reader.organisations
    weekly = "W" in claim.period  # the claim's key says which: "2026-W11" or "2026-03-11"
    local_end = claim.ends_at.astimezone(reader.zone)
    return {
        # One organisation: the email names it; several: the lines say where they belong.
        "organisation": organisations[0] if len(organisations) == 1 else None,
        "digest": digest,
        "frequency": "weekly" if weekly else "daily",
        "period": f"week of {local_end:%-d %B %Y}" if weekly else f"{local_end:%A %-d %B %Y}",
        "hour": f"{settings.MISSIONLEAD_DIGEST_HOUR:02d}:00",
        "zone": str(reader.zone),
        "inbox_url": absolute_url(
            reverse("missions:notifications", kwargs={"org": organisations[0].slug})
        )
        if organisations
        else absolute_url("/"),
        "unsubscribe_url": unsubscribe_url(user_id=reader.user.pk, topic=DIGEST),
    }


def digests_send_due(*, now: dt.datetime | None = None, progress: Any = None) -> DigestSweepResult:
    """Claim and send every digest due, in this process (the command). ``progress(done,
    total)`` is called after each claim."""
    ids = digests_claim(now=now)
    result = DigestSweepResult(claimed=len(ids))
    sent = []
    for done, pk in enumerate(ids, start=1):
        try:
            if digest_send(claim_id=pk):
                sent.append(pk)
        except Exception:
            # Its transaction rolled back: not marked sent, so the next sweep tries again.
            logger.exception("Digest sweep: digest %s not sent.", pk)
            result.failed += 1
        if progress is not None:
            progress(done, len(ids))
    result.sent = DigestClaim.objects.filter(pk__in=sent, lines__gt=0).count()
    result.empty = len(sent) - result.sent
    return result
