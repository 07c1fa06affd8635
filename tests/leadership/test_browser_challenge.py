"""'Be brave' in headless Chromium: staff challenges the priorities of their mission; their
boss finds it in the inbox and the brief, answers on the mission page, and it is gone; the
answer is stored, in the API and in the history, and staff is told."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import Notification
from leadership.models import PriorityChallenge
from reviews.models import Review
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STATEMENT = "Two virtual wards and the winter rota at once: one of them will slip."


def test_a_challenge_raised_found_answered_and_gone(
    page: Page, live_server: Any, world: Any
) -> None:
    mission = world.staff_mission
    review = Review.objects.create(mission=world.team_mission, due_date=mission.period_end)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    page.get_by_text("Challenge the priorities").click()
    page.get_by_label("Too much at once").check()
    page.get_by_label("The challenge").fill(STATEMENT)
    page.get_by_role("button", name="Raise the challenge").click()
    expect(page.get_by_role("status")).to_contain_text("Your challenge is raised")
    region = page.get_by_role("region", name="Challenges to priorities")
    expect(region).to_contain_text("Waiting for an answer")
    expect(region.get_by_text("Answer this challenge")).to_have_count(0)  # not staff's to answer

    page.context.clear_cookies()
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/brief/?live=1")
    decision = page.get_by_role("link", name="Challenge to priorities: Too much at once")
    expect(decision).to_be_visible()
    page.goto(f"{live_server.url}/o/acme/reviews/{review.pk}/")
    expect(page.get_by_role("region", name="Challenges to priorities, waiting")).to_contain_text(
        STATEMENT
    )
    page.goto(f"{live_server.url}/o/acme/me/")
    group = page.locator(".inbox__group").filter(has_text="Waiting for your answer")
    group.get_by_role("link", name="Too much at once on “Open two virtual wards”").click()
    page.get_by_text("Answer this challenge").click()
    page.get_by_label("Priorities changed").check()
    page.get_by_label("Answer", exact=True).fill("The rota waits until March; the wards go first.")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Answer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Answered.")
    region = page.get_by_role("region", name="Challenges to priorities")
    expect(region).to_contain_text("Priorities changed")
    expect(region).to_contain_text("The rota waits until March")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("challenged the priorities of")
    expect(history).to_contain_text("answered a challenge to")

    page.goto(f"{live_server.url}/o/acme/me/")
    expect(page.get_by_role("link", name="Too much at once on")).to_have_count(0)
    challenge = PriorityChallenge.objects.get()
    assert (challenge.raised_by, challenge.answered_by, challenge.outcome) == (
        world.staff,
        world.lead,
        "changed",
    )
    answer = page.request.get(f"{live_server.url}/api/v1/challenges/{challenge.pk}/")
    assert answer.ok and answer.json()["answer"].startswith("The rota waits")
    assert not Notification.objects.filter(kind="challenge_raised", done_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.staff, kind="challenge_answered").exists()
