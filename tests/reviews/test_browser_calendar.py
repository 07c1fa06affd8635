"""Reviews in calendars in headless Chromium.

The feed: staff goes from the reviews page to their calendar page, makes their feed, copies
its address, which a calendar app (here a plain HTTP client with no session) reads as
iCalendar; then revokes it, and the address answers 404. Moving and cancelling a review from
its page: the invitation that reaches a real SMTP server follows. No axe violation, no
sideways scrolling."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from reviews.models import CalendarFeed, Review
from tests.browser import log_in
from tests.missions.factories import align
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fetch(url: str) -> tuple[int, bytes]:
    """What a calendar app gets: no cookie, no session."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the test's own server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_makes_reads_and_revokes_their_calendar_feed(
    page: Page, live_server: Any, world: Any, settings: Any, width: int
) -> None:
    settings.SITE_URL = live_server.url
    align(world.team_mission, world.staff_mission)
    due = timezone.localdate() + dt.timedelta(days=5)
    review = Review.objects.create(mission=world.staff_mission, due_date=due)

    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/reviews/")
    page.get_by_role("link", name="Your reviews in your calendar").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/calendar/")
    expect(page.get_by_text("You have no calendar feed here.")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, width)

    page.get_by_role("button", name="Make my calendar feed").click()
    address = page.get_by_label("Feed address")
    expect(address).to_be_visible()
    _no_overflow_and_no_axe_violation(page, width)
    url = address.input_value()
    assert url.startswith(f"{live_server.url}/calendar/") and url.endswith(".ics")

    status, body = fetch(url)
    assert status == 200
    calendar = Calendar.from_ical(body)
    events = {str(e["UID"]): e.decoded("DTSTART") for e in calendar.walk("VEVENT")}
    host = live_server.url.split("//")[1].split(":")[0]
    assert events == {f"review-{review.pk}@{host}": due}

    # Stored as a hash only, and in the history.
    feed = CalendarFeed.objects.get(user=world.staff, revoked_at=None)
    assert url.rsplit("/", 1)[1].removesuffix(".ics") not in feed.digest

    page.get_by_role("button", name="Revoke the feed").click()
    expect(page.get_by_text("Your calendar feed is revoked")).to_be_visible()
    expect(page.get_by_text("You have no calendar feed here.")).to_be_visible()
    assert fetch(url)[0] == 404
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    history = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(CalendarFeed), object_id=feed.pk
    ).order_by("id")
    assert [(e.verb, e.actor) for e in history] == [
        ("created", world.staff),
        ("removed", world.staff),
    ]


def test_the_lead_moves_then_cancels_a_review_and_its_invitation_follows(
    page: Page, live_server: Any, world: Any, mailbox: Any
) -> None:
    """lead (staff's boss) moves staff's review from its page; staff gets the invitation with
    the next SEQUENCE under the same UID; then cancels it, and staff gets METHOD:CANCEL."""
    align(world.team_mission, world.staff_mission)
    today = timezone.localdate()
    review = Review.objects.create(mission=world.staff_mission, due_date=today + dt.timedelta(3))
    moved_to = today + dt.timedelta(days=12)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/reviews/{review.pk}/")
    page.get_by_role("link", name="Move or cancel").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/reviews/{review.pk}/move/")
    _no_overflow_and_no_axe_violation(page, 1280)
    # The past is refused on the field, and nothing changes.
    page.get_by_label("New due date").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Move the review").click()
    expect(page.get_by_text("A review cannot be moved into the past.")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("New due date").fill(moved_to.isoformat())
    page.get_by_role("button", name="Move the review").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/reviews/{review.pk}/")
    expect(page.get_by_text("The review is now due on")).to_be_visible()

    review.refresh_from_db()
    assert (review.due_date, review.sequence, review.status) == (moved_to, 1, "scheduled")
    (moved,) = mailbox.to(world.staff.email)
    event = _event(moved)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (f"review-{review.pk}@{HOST}", 1)
    assert event.decoded("DTSTART") == moved_to

    mailbox.clear()
    page.get_by_role("link", name="Move or cancel").click()
    page.get_by_role("button", name="Cancel the review").click()
    expect(page.get_by_text("The review is cancelled.")).to_be_visible()
    review.refresh_from_db()
    assert (review.status, review.sequence) == ("cancelled", 2)
    (cancelled,) = mailbox.to(world.staff.email)
    calendar = _calendar(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (f"review-{review.pk}@{HOST}", 2)

    # The API says the same, and the history has both changes, by lead.
    client = APIClient()
    client.force_authenticate(world.lead)
    answer = client.get(f"/api/v1/reviews/{review.pk}/").json()
    assert (answer["due_date"], answer["status"]) == (moved_to.isoformat(), "cancelled")
    history = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Review), object_id=review.pk
    ).order_by("id")
    assert [(e.verb, e.actor, e.changes) for e in history] == [
        ("updated", world.lead, {"due_date": [str(today + dt.timedelta(3)), str(moved_to)]}),
        ("updated", world.lead, {"status": ["scheduled", "cancelled"]}),
    ]


HOST = "missions.example.test"  # the mailbox fixture's SITE_URL


def _calendar(message: Any) -> Calendar:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def _event(message: Any) -> Any:
    (event,) = _calendar(message).walk("VEVENT")
    return event
