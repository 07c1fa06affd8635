"""A held review's notes corrected in headless Chromium by the mission owner's boss; read back
from the database, the API and the history, and the page says who corrected it; no axe
violation on the correction page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from reviews.models import Review
from reviews.services import review_complete
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_corrects_a_held_review(page: Page, live_server: Any, world: Any) -> None:
    world.lead.first_name, world.lead.last_name = "Lee", "Adams"
    world.lead.save()
    due = Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())
    review = review_complete(
        review=due,
        data={
            "summary": "Two wards opne.",
            "still_aligned": True,
            "held_on": timezone.localdate() - dt.timedelta(days=1),
        },
        by=world.staff,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/reviews/{review.pk}/")
    page.get_by_role("link", name="Correct the review").click()
    expect(page.get_by_role("heading", name="Correct the review of")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Summary").fill("Two wards open.")
    page.get_by_label("What we change").fill("Book transport a week ahead.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The review is corrected.")).to_be_visible()
    expect(page.get_by_text("Corrected by Lee Adams on")).to_be_visible()
    expect(page.get_by_text("Book transport a week ahead.")).to_be_visible()

    stored = Review.objects.get(pk=review.pk)
    assert (stored.summary, stored.changes) == ("Two wards open.", "Book transport a week ahead.")
    api = api_get(world.staff, f"/api/v1/reviews/{review.pk}/")
    assert (api["summary"], api["changes"]) == ("Two wards open.", "Book transport a week ahead.")
    event = AuditEvent.objects.get(object_id=review.pk, verb=AuditEvent.Verb.UPDATED)
    assert event.actor == world.lead
    assert event.changes == {
        "summary": ["Two wards opne.", "Two wards open."],
        "changes": ["", "Book transport a week ahead."],
    }
