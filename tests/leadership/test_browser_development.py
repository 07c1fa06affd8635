"""A development plan in headless Chromium: staff writes where they want to grow and a goal on
a behaviour, and asks their leader for a review; the leader finds it in their inbox, notes
evidence and records the review, and the item is gone; staff reads both, and the recognition
they had for that behaviour shows as evidence. The admin cannot reach the plan. Then the rows
and the API agree. No axe violation, at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import Notification
from kernel.permissions import actor_for
from leadership.models import DevelopmentEvidence, DevelopmentPlan, DevelopmentReview
from leadership.services import recognition_give
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_written_reviewed_and_private(page: Page, live_server: Any, world: Any) -> None:
    recognition_give(
        actor=actor_for(world.leader, world.organisation),
        data={
            "receiver": world.staff,
            "behaviour": "communicating_with_impact",
            "story": "Put the decision on the first slide of the bed-state briefing.",
        },
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")
    page.get_by_role("link", name="Development").first.click()
    page.get_by_role("link", name="Start your development plan").click()
    page.get_by_role("textbox", name="Where I want to grow").fill(
        "Lead a ward team within two years."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.get_by_text("Add a goal").click()
    behaviour = page.get_by_label("Behaviour")
    behaviour.select_option("communicating_with_impact")
    expect(behaviour).to_have_value("communicating_with_impact")
    page.get_by_label("Goal", exact=True).fill("Say the one thing the board must decide, first.")
    page.get_by_label("Actions").fill("Write the ask first\nRehearse with a peer")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("status")).to_contain_text("Goal added.")
    goals = page.get_by_role("region", name="Goals")
    expect(goals).to_contain_text("Put the decision on the first slide")  # recognition
    page.get_by_label("Review it with").select_option(label=world.lead.get_full_name())
    page.get_by_role("button", name="Ask for a review").click()
    expect(page.get_by_role("status")).to_contain_text("is asked to review your plan")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.context.clear_cookies()
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/me/")
    group = page.locator(".inbox__group").filter(has_text="Development reviews asked of you")
    group.get_by_role("link", name="asks you to review their development plan").click()
    page.get_by_text("Note evidence").click()
    page.get_by_label("What happened").fill("Opened the winter plan with the one decision.")
    page.get_by_role("button", name="Note it").click()
    expect(page.get_by_role("status")).to_contain_text("Evidence noted.")
    page.get_by_text("Record a review held").click()
    page.get_by_label("What you agreed").fill("Keep the goal; the board paper in March.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("status")).to_contain_text("Review recorded")
    page.goto(f"{live_server.url}/o/acme/me/")
    expect(page.get_by_text("Development reviews asked of you")).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, live_server, "staff")
    plan = DevelopmentPlan.objects.get(person=world.staff)
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    expect(page.get_by_role("region", name="Goals")).to_contain_text("Opened the winter plan")
    expect(page.get_by_role("region", name="Reviews")).to_contain_text("the board paper in March")
    answer = page.request.get(f"{live_server.url}/api/v1/development-plans/{plan.pk}/reviews/")
    assert answer.ok and answer.json()["results"][0]["note"].startswith("Keep the goal")

    page.context.clear_cookies()
    log_in(page, live_server, "admin")
    refused = page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    assert refused is not None and refused.status == 404

    assert plan.aspiration == "Lead a ward team within two years."
    assert DevelopmentEvidence.objects.get().by == world.lead
    assert DevelopmentReview.objects.get().reviewer == world.lead
    assert plan.review_asked_of is None
    assert not Notification.objects.filter(kind="development_review", done_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.staff, kind="development_news").count() == 2
