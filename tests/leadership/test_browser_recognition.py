"""Peer recognition in headless Chromium: staff recognises their team leader; the leader is
told and reads it; the team's themes count it without a name. No axe violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from leadership.models import Recognition
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STORY = "Won the GP practices over with one phone number that answers."


def test_a_colleague_recognised_told_and_counted(page: Page, live_server: Any, world: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")
    page.get_by_role("link", name="Recognition").first.click()
    colleague = page.get_by_role("combobox", name="Colleague")
    colleague.press_sequentially("lead", delay=30)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text(
        world.lead.get_full_name()
    )
    colleague.press("ArrowDown")
    colleague.press("Enter")
    page.get_by_label("Behaviour").select_option(label="Enrolling others")
    page.get_by_label("What they did").fill(STORY)
    page.get_by_role("button", name="Recognise").click()
    expect(page.get_by_role("status")).to_contain_text("is told")
    expect(page.get_by_role("region", name="You recognised")).to_contain_text(STORY)
    themes = page.get_by_role("region", name="Themes lived in Operations")
    expect(themes).to_contain_text("Enrolling others (1)")
    expect(themes).not_to_contain_text(world.lead.get_full_name())
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)
    stored = Recognition.objects.get()
    assert (stored.giver, stored.receiver, stored.theme) == (world.staff, world.lead, "inspiring")
    answer = page.request.get(f"{live_server.url}/api/v1/recognitions/{stored.pk}/")
    assert answer.ok and answer.json()["behaviour"] == "enrolling_others"

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/notifications/")
    expect(page.get_by_text("recognised you for enrolling others")).to_be_visible()
    page.goto(f"{live_server.url}/o/acme/recognition/")
    expect(page.get_by_role("region", name="You were recognised")).to_contain_text(STORY)
