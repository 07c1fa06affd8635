"""The search box in headless Chromium: staff add a key task on their mission's page, then
find it from the header by a word of its title and follow it back; on a desktop and on a
phone, with no axe violation and no sideways scrolling."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from missions.models import KeyTask
from reviews.models import SearchEntry
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_find_a_key_task_by_a_word_of_its_title(
    page: Page, live_server: Any, world: Any, width: int
) -> None:
    mission = world.staff_mission
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    page.get_by_text("Add a key task").click()
    page.locator("#key-tasks ~ details").get_by_label("Title").fill("Book the recruitment fair")
    page.get_by_role("button", name="Add key task").click()
    expect(page.get_by_text("The key task is added.")).to_be_visible()

    if width < 700:
        page.locator(".site-menu__toggle").click()
    box = page.get_by_role("searchbox", name="Search Acme Health")
    box.fill("recruit fair")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/acme/search/\?q=recruit\+fair$"))
    expect(page.get_by_role("heading", name="Key tasks 1")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, width)

    page.get_by_role("link", name="Book the recruitment fair").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/missions/{mission.pk}/#key-tasks")

    task = KeyTask.objects.get(mission=mission, title="Book the recruitment fair")
    assert SearchEntry.objects.filter(kind="key_task", object_id=task.pk).exists()
    api = APIClient()
    api.force_authenticate(world.staff)
    listed = api.get("/api/v1/key-tasks/", {"mission": mission.pk}).json()["results"]
    assert [t["title"] for t in listed if t["id"] == task.pk] == ["Book the recruitment fair"]
