"""A key task edited in headless Chromium by the team's lead, from its row on the mission page:
every field changed (the owner chosen in the picker by typing), then read back from the
database, the API and the history; no axe violation on the edit page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from missions.models import KeyTask
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_edits_every_field_of_a_key_task(page: Page, live_server: Any, world: Any) -> None:
    world.staff.first_name, world.staff.last_name = "Sam", "Taylor"
    world.staff.save()
    mission = world.team_mission
    task = KeyTask.objects.create(mission=mission, title="Hire nurses", owner=world.lead)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    page.get_by_role("link", name="Edit “Hire nurses”").click()
    expect(page.get_by_role("heading", name="Edit “Hire nurses”")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)

    page.get_by_label("Title").fill("Hire 30 nurses")
    page.get_by_label("Description").fill("Band 5, for the night rota.")
    picker = page.get_by_role("combobox", name="Owner")
    picker.fill("")
    picker.press_sequentially("taylor", delay=30)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("Sam Taylor")
    picker.press("ArrowDown")
    picker.press("Enter")
    page.get_by_label("Due date").fill("2026-10-15")
    page.get_by_label("Status").select_option("blocked")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The key task is saved.")).to_be_visible()
    row = page.locator(f"#key-task-{task.pk}")
    expect(row).to_contain_text("Hire 30 nurses")
    expect(row).to_contain_text("Sam Taylor")

    stored = KeyTask.objects.get(pk=task.pk)
    assert (stored.title, stored.description) == ("Hire 30 nurses", "Band 5, for the night rota.")
    assert (stored.owner, stored.due_date, stored.status) == (
        world.staff,
        dt.date(2026, 10, 15),
        "blocked",
    )
    api = api_get(world.staff, f"/api/v1/key-tasks/{task.pk}/")
    assert (api["title"], api["owner"], api["due_date"], api["status"]) == (
        "Hire 30 nurses",
        world.staff.pk,
        "2026-10-15",
        "blocked",
    )
    event = AuditEvent.objects.get(object_id=task.pk, verb=AuditEvent.Verb.UPDATED)
    assert event.actor == world.lead
    assert set(event.changes) == {"title", "description", "owner", "due_date", "status"}
