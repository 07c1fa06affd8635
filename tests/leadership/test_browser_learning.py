"""Action learning in headless Chromium: a coach starts a group and plans a session, a member
keeps a note, and a leader outside the group cannot reach it. No axe violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from leadership.models import LearningGroup, SessionNote
from tests.browser import log_in
from tests.missions.factories import MembershipFactory, UserFactory
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_group_started_met_noted_and_private(page: Page, live_server: Any, world: Any) -> None:
    nurse = UserFactory(username="nurse")
    MembershipFactory(organisation=world.organisation, user=nurse, role="staff", team=world.team)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "coach")
    page.get_by_role("link", name="Learning").first.click()
    page.get_by_text("Start a group").click()
    page.get_by_label("Name", exact=True).fill("New leaders' set")
    page.get_by_label("What the group works on").fill("Saying no to good ideas.")
    page.get_by_role("combobox", name="Facilitator").fill("coach")
    for n, who in enumerate(("staff", "lead", "nurse"), start=1):
        page.get_by_role("combobox", name=f"Member {n}").fill(who)
    page.get_by_role("button", name="Start the group").click()
    expect(page.get_by_role("status")).to_contain_text("is started")
    page.get_by_text("Add a session").click()
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("Topic").fill("When to say no")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_role("heading", name="When to say no")).to_be_visible()
    group = LearningGroup.objects.get()
    assert group.member_ids == {world.coach.pk, world.staff.pk, world.lead.pk, nurse.pk}

    page.context.clear_cookies()
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/learning/{group.pk}/")
    page.get_by_label("Your note").fill("I say yes to avoid the conversation.")
    page.get_by_role("button", name="Keep the note").click()
    expect(page.get_by_role("status")).to_contain_text("Only the group's people read it")
    expect(page.locator(".note")).to_contain_text("I say yes to avoid the conversation.")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    assert SessionNote.objects.get().author == world.staff

    page.context.clear_cookies()
    log_in(page, live_server, "ceo")
    answer = page.goto(f"{live_server.url}/o/acme/learning/{group.pk}/")
    assert answer is not None and answer.status == 404
