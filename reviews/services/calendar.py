"""Reviews in calendars: moving and cancelling a review (each raises its invitation's
SEQUENCE and sends the new invitation to the people who hold one), and a person's private
calendar feed (made, shown once, revoked).

Why a stored sequence rather than one derived from the history: the withdrawal sweep cancels
reviews in one ``UPDATE`` with no audit entry per review, and a count of the audit log's
entries would also move with changes a calendar does not care about (a held review's text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kernel.audit import audit_record
from kernel.errors import StateConflict
from kernel.formats import day
from kernel.models import AuditEvent
from kernel.notifications import mission_owners
from missionlead.emails import absolute_url, send_email
from missions.models import Mission

from .. import calendar
from ..models import CalendarFeed, Reminder, Review
from .reviews import review_cadence, review_schedule

if TYPE_CHECKING:
    from kernel.permissions import Actor
    from kernel.types import User

logger = logging.getLogger(__name__)


def _locked(review: Review) -> Review:
    locked = (
        Review.objects.select_for_update(of=("self",))
        .select_related("mission__organisation")
        .get(pk=review.pk)
    )
    if locked.status != Review.Status.SCHEDULED:
        raise StateConflict("This review has already been held or cancelled.")
    return locked


def _invited(review: Review) -> list[int]:
    """Who holds the review's invitation: the people it belongs to, and whoever a reminder
    of it reached (the boss, once escalated)."""
    people = {person.pk for person in mission_owners(review.mission)}
    people.update(
        Reminder.objects.filter(review=review, sent_at__isnull=False).values_list(
            "recipient_id", flat=True
        )
    )
    return sorted(people)


def _send_invitations_after_commit(review: Review, people: list[int]) -> None:
    from ..tasks import review_invitations_send  # the tasks module imports the services

    if people:
        transaction.on_commit(partial(review_invitations_send.delay, review.pk, people))


@transaction.atomic
def review_reschedule(*, review: Review, due_date: dt.date, by: User) -> Review:
    """Move a scheduled review to ``due_date``: its invitation's sequence goes up and the
    people who hold it get the new one. Its reminders start again for the new date."""
    review = _locked(review)
    if due_date == review.due_date:
        return review
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "A review cannot be moved into the past."})
    if Review.objects.filter(mission_id=review.mission_id, due_date=due_date).exists():
        raise ValidationError({"due_date": "This mission already has a review on that day."})
    people = _invited(review)
    old = review.due_date
    review.due_date = due_date
    review.sequence += 1
    review.full_clean()
    review.save(update_fields=["due_date", "sequence", "updated_at"])
    Mission.objects.filter(pk=review.mission_id).update(next_review_due=due_date)
    # The reminders were of the old date: claimed again for the new one by the next sweep.
    Reminder.objects.filter(review=review).delete()
    audit_record(
        obj=review,
        organisation=review.mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=review.mission,
        changes={"due_date": [str(old), str(due_date)]},
    )
    _send_invitations_after_commit(review, people)
    return review


@transaction.atomic
def review_cancel(*, review: Review, by: User) -> Review:
    """Cancel a scheduled review: the people who hold its invitation get its cancellation
    (``METHOD:CANCEL``, the same UID, the next sequence), and the mission's next review is
    scheduled a cadence after it (or after today, for an overdue one)."""
    review = _locked(review)
    review.status = Review.Status.CANCELLED
    review.sequence += 1
    review.save(update_fields=["status", "sequence", "updated_at"])
    audit_record(
        obj=review,
        organisation=review.mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=review.mission,
        changes={"status": [Review.Status.SCHEDULED, Review.Status.CANCELLED]},
    )
    _send_invitations_after_commit(review, _invited(review))
    # The mission's next review, a cadence on: the sweep would not schedule one on the day
    # of the cancelled review (one review per mission and day), and would leave it without.
    today = timezone.localdate()
    review_schedule(
        mission=review.mission,
        due_date=max(review.due_date, today) + dt.timedelta(days=review_cadence(review.mission)),
    )
    return review


def review_cancellations_send(*, review_ids: list[int]) -> None:
    """For reviews the withdrawal sweep cancelled: their cancellation goes, when the sweep
    commits, to whoever a reminder of each reached (nobody else holds its invitation yet).
    One query, whatever the number of reviews."""
    invited: dict[int, list[int]] = {}
    for review_id, person in (
        Reminder.objects.filter(review_id__in=review_ids, sent_at__isnull=False)
        .order_by("review_id", "recipient_id")
        .values_list("review_id", "recipient_id")
        .distinct()
    ):
        invited.setdefault(review_id, []).append(person)
    from ..tasks import review_invitations_send  # the tasks module imports the services

    for review_id, people in invited.items():
        transaction.on_commit(partial(review_invitations_send.delay, review_id, people))


def review_event(review: Review) -> calendar.ReviewEvent:
    """The review as its invitation says it (``review.mission`` and its owners loaded)."""
    owners = mission_owners(review.mission)
    organiser = (
        calendar.Person(
            email=owners[0].email,
            name=calendar.person_name(
                owners[0].first_name, owners[0].last_name, owners[0].username
            ),
        )
        if owners and owners[0].email
        else None
    )
    return calendar.ReviewEvent(
        review_id=review.pk,
        due_date=review.due_date,
        sequence=review.sequence,
        title=review.mission.title,
        url=absolute_url(f"/o/{review.mission.organisation.slug}/reviews/{review.pk}/"),
        organiser=organiser,
        cancelled=review.status == Review.Status.CANCELLED,
    )


def review_invitations_send(*, review_id: int, people: list[int]) -> int:
    """Email the review's invitation as it stands now (moved: ``REQUEST``; cancelled:
    ``CANCEL``) to each of ``people`` with an address; returns how many went. Sent again (a
    retried task), each has the same Message-ID, so mail clients show it once."""
    from django.contrib.auth import get_user_model

    review = Review.objects.select_related(
        "mission__organisation", "mission__owner_user", "mission__owner_team__leader"
    ).get(pk=review_id)
    event = review_event(review)
    method = calendar.CANCEL if event.cancelled else calendar.REQUEST
    what = (
        "is cancelled" if event.cancelled else f"has moved: it is now due on {day(review.due_date)}"
    )
    sent = 0
    for person in get_user_model().objects.filter(pk__in=people).exclude(email="").order_by("pk"):
        attendee = calendar.Person(
            email=person.email,
            name=calendar.person_name(person.first_name, person.last_name, person.username),
        )
        sent += send_email(
            name="review_calendar",
            key=f"review-{review.pk}-sequence-{review.sequence}-to-{person.pk}",
            to=[person.email],
            context={
                "organisation": review.mission.organisation,
                "mission": review.mission,
                "message": f"The 30-day review of “{review.mission.title}” {what}.",
                "url": event.url,
                "cancelled": event.cancelled,
            },
            invitation=(method, calendar.review_invitation(event, attendee=attendee)),
        )
    return sent


# --- The feed ---------------------------------------------------------------------------


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: Actor) -> tuple[CalendarFeed, str]:
    """A new feed for the actor in their organisation, and its token, which is never stored
    and cannot be shown again; a feed they had stops working."""
    _revoke_open(actor=actor)
    token = secrets.token_urlsafe(32)  # 256 bits
    feed = CalendarFeed(organisation=actor.organisation, user=actor.user, digest=feed_digest(token))
    feed.full_clean()
    feed.save()
    audit_record(
        obj=feed, organisation=actor.organisation, verb=AuditEvent.Verb.CREATED, by=actor.user
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor: Actor) -> CalendarFeed | None:
    """The actor's feed in their organisation stops working now (None: they had none)."""
    return _revoke_open(actor=actor)


def _revoke_open(*, actor: Actor) -> CalendarFeed | None:
    feed = (
        CalendarFeed.objects.select_for_update()
        .filter(organisation=actor.organisation, user=actor.user, revoked_at=None)
        .first()
    )
    if feed is None:
        return None
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        obj=feed,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.REMOVED,
        by=actor.user,
        changes={"revoked_at": [None, feed.revoked_at.isoformat()]},
        comment="The calendar feed was revoked: its address no longer works.",
    )
    return feed
