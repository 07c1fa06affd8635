"""Innovation in headless Chromium, from a challenge to an idea to a key task: a team leader
asks Operations for ideas from their mission's page; staff hears of it, submits an idea with
a colleague; the CEO supports it and comments; the leader shortlists it and makes it a key
task, which credits its authors on the mission's page. Then the stored rows, the API and the
history agree, and the authors were told. No axe violation, at desktop and phone widths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent, Notification
from leadership.models import Idea, IdeaSupport, InnovationChallenge
from missions.models import KeyTask
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUESTION = "How could we halve the wait for a first appointment without more staff?"


def test_a_challenge_to_an_idea_to_a_key_task(page: Page, live_server: Any, world: Any) -> None:
    mission = world.team_mission  # lead's; staff is in its team, Operations
    closes = timezone.localdate() + dt.timedelta(days=14)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    page.get_by_role("link", name="Ask for ideas").click()
    page.get_by_label("The question").fill(QUESTION)
    page.get_by_label("Ideas until").fill(closes.isoformat())
    page.get_by_role("combobox", name="Team 1").fill("Operations")
    page.get_by_role("button", name="Open the challenge").click()
    expect(page.get_by_role("status")).to_contain_text("The challenge is open")
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)

    # Staff is told, and answers from the notification.
    page.context.clear_cookies()
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/notifications/")
    page.get_by_role("link", name="Ideas invited until").first.click()
    page.get_by_label("Your idea in a line").fill("Triage by phone first")
    page.get_by_label("How it would work").fill("A nurse calls each referral back within a day.")
    page.get_by_role("combobox", name="Co-author 1").fill("ceo")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Submit the idea").click()
    expect(page.get_by_role("status")).to_contain_text("Your idea is in")
    expect(page.get_by_role("button", name="Support this idea")).to_have_count(0)  # theirs

    # The admin supports it and asks a question.
    idea = Idea.objects.get()
    page.context.clear_cookies()
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/ideas/{idea.pk}/")
    page.get_by_role("button", name="Support this idea").click()
    expect(page.locator("#support-count")).to_have_text("1 person")
    page.get_by_label("Your comment").fill("Who calls back at night?")
    page.get_by_role("button", name="Comment").click()
    expect(page.get_by_role("region", name="Comments")).to_contain_text("Who calls back at night?")

    # The leader shortlists it and makes it a key task.
    page.context.clear_cookies()
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/innovation/")
    page.get_by_role("link", name=QUESTION).click()
    page.get_by_role("link", name="Triage by phone first").click()
    page.get_by_role("button", name="Shortlist").click()
    expect(page.locator("#idea-status")).to_have_text("Shortlisted")
    page.get_by_text("As a key task of").click()
    page.get_by_label("Title").fill("Pilot phone triage in two practices")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Make it a key task").click()
    expect(page.get_by_role("status")).to_contain_text("Taken forward as a key task")
    ideas = page.get_by_role("region", name="Ideas")
    expect(ideas).to_contain_text(
        "The key task “Pilot phone triage in two practices” came from the idea"
    )
    expect(ideas).to_contain_text(world.leader.get_full_name())
    expect(page.get_by_role("region", name="History")).to_contain_text("took forward")

    # What is stored, the API and the people told agree.
    task = KeyTask.objects.get(title="Pilot phone triage in two practices")
    idea.refresh_from_db()
    challenge = InnovationChallenge.objects.get()
    assert (idea.key_task, idea.status, task.mission) == (task, "adopted", mission)
    assert idea.author_ids == {world.staff.pk, world.leader.pk}
    assert challenge.team_ids == {world.team.pk}
    assert IdeaSupport.objects.get().person == world.org_admin
    assert task.description.startswith("From the idea “Triage by phone first” by ")
    answer = page.request.get(f"{live_server.url}/api/v1/ideas/{idea.pk}/")
    assert answer.ok and answer.json()["key_task"] == task.pk
    assert answer.json()["support_count"] == 1
    assert AuditEvent.objects.filter(verb="adopted", actor=world.lead, mission=mission).exists()
    told = Notification.objects.filter(recipient=world.staff, kind="idea_news")
    assert [n.message for n in told.order_by("created_at", "id")] == [
        f"{world.org_admin.get_full_name()} commented on your idea “Triage by phone first”: "
        "Who calls back at night?",
        "Your idea “Triage by phone first” is on the shortlist.",
        f"Your idea “Triage by phone first” was taken forward as a key task of “{mission.title}”.",
    ]
