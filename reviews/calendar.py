"""Reviews in people's calendars, as iCalendar (RFC 5545, with iTIP's methods of RFC 5546).

- **The invitation** of a review goes with each of its reminders (and on its own when the
  review is moved or cancelled): ``METHOD:REQUEST``, or ``METHOD:CANCEL`` for a cancelled
  review. Its UID is the review's (``review-<id>@<site host>``), the same in every copy, and
  its SEQUENCE is ``Review.sequence``, raised each time the review is moved or cancelled: a
  calendar replaces the copy it holds with one of a higher sequence. A review has a day, not
  an hour, so the event is a whole day (``DTSTART;VALUE=DATE``). The ORGANIZER is the person
  the mission belongs to (its owner, or its team's leader), the ATTENDEE the person the
  email is to.
- **The feed** (``/calendar/<token>.ics``, ``reviews.calendar_views``) is a plain calendar
  (no method) of a person's reviews and check-ins due: what a calendar app subscribes to.

Rows, not model objects, go in: the reminder batch reads them with its lock in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

PRODUCT_ID = "-//Mission Leadership//Reviews//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Person:
    """Someone in an invitation: their address and the name their calendar shows."""

    email: str
    name: str


@dataclass(frozen=True)
class ReviewEvent:
    """What an invitation says of one review."""

    review_id: int
    due_date: dt.date
    sequence: int
    title: str  # the mission's
    url: str  # absolute: the review's page
    organiser: Person | None
    cancelled: bool = False


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def review_uid(review_id: int) -> str:
    """The review's UID in every calendar, the same in every copy of its invitation."""
    return f"review-{review_id}@{site_host()}"


def check_in_uid(kpi_id: int) -> str:
    """A KPI's next check-in: one event that moves as check-ins are made."""
    return f"check-in-{kpi_id}@{site_host()}"


def person_name(first_name: str, last_name: str, username: str) -> str:
    return f"{first_name} {last_name}".strip() or username


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.name
    return address


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method is not None:
        calendar.add("method", method)
    return calendar


def _review_event(review: ReviewEvent, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", review_uid(review.review_id))
    event.add("dtstamp", stamp)
    event.add("sequence", review.sequence)
    event.add("dtstart", review.due_date)
    event.add("dtend", review.due_date + dt.timedelta(days=1))
    event.add("summary", f"30-day review: {review.title}")
    event.add("description", f"The 30-day review of “{review.title}”: {review.url}")
    event.add("url", review.url)
    event.add("status", "CANCELLED" if review.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a day to hold it on, not a day taken up
    return event


def review_invitation(review: ReviewEvent, *, attendee: Person) -> str:
    """The invitation of ``review`` to ``attendee``: ``METHOD:REQUEST``, or ``CANCEL`` when
    the review is cancelled, as the text of an ``.ics`` file."""
    method = CANCEL if review.cancelled else REQUEST
    calendar = _calendar(method)
    event = _review_event(review, timezone.now())
    # iTIP needs an organiser; a mission whose owner has no address is organised by the site.
    organiser = review.organiser or Person(email=settings.DEFAULT_FROM_EMAIL, name="Reviews")
    event.add("organizer", _address(organiser))
    guest = _address(attendee)
    guest.params["ROLE"] = "REQ-PARTICIPANT"
    guest.params["PARTSTAT"] = "NEEDS-ACTION"
    guest.params["RSVP"] = "FALSE"
    event.add("attendee", guest)
    calendar.add_component(event)
    return str(calendar.to_ical().decode())


@dataclass(frozen=True)
class CheckInDue:
    """A KPI's next check-in in the feed."""

    kpi_id: int
    due_on: dt.date
    name: str
    mission_title: str
    url: str


def feed_calendar(*, name: str, reviews: list[ReviewEvent], check_ins: list[CheckInDue]) -> bytes:
    """A person's feed: every review and check-in due, as one calendar of whole-day events."""
    calendar = _calendar()
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for review in reviews:
        calendar.add_component(_review_event(review, stamp))
    for due in check_ins:
        event = Event()
        event.add("uid", check_in_uid(due.kpi_id))
        event.add("dtstamp", stamp)
        event.add("dtstart", due.due_on)
        event.add("dtend", due.due_on + dt.timedelta(days=1))
        event.add("summary", f"Check-in due: {due.name}")
        event.add("description", f"A check-in of “{due.name}” ({due.mission_title}): {due.url}")
        event.add("url", due.url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
