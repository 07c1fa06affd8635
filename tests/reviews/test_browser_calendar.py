"""The calendar feed in headless Chromium: staff goes from the reviews page to their calendar
page, makes their feed, copies its address, which a calendar app (here a plain HTTP client
with no session) reads as iCalendar; then revokes it and the address answers 404. No axe
violation, no sideways scrolling, on a desktop and on a phone."""

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
