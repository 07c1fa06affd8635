"""A team renamed, moved and handed a leader in headless Chromium by the organisation's admin,
choosing the parent and the leader in the pickers; read back from the database, the API and
the history; no axe violation on the edit page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent, Team
from tests.browser import log_in
from tests.missions.factories import TeamFactory
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_edits_a_team(page: Page, live_server: Any, world: Any) -> None:
    world.staff.first_name, world.staff.last_name = "Sam", "Taylor"
    world.staff.save()
    wards = TeamFactory(organisation=world.organisation, name="Wards", parent=world.team)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Wards", exact=True).click()
    expect(page.get_by_role("heading", name="Edit the team “Wards”")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Name", exact=True).fill("Virtual wards")
    for label, typed, chosen in (("Parent team", "boar", "Board"), ("Leader", "taylor", "Sam")):
        picker = page.get_by_role("combobox", name=label)
        picker.fill("")
        picker.press_sequentially(typed, delay=30)
        options = page.get_by_role("listbox").get_by_role("option")
        expect(options.first).to_contain_text(chosen)
        picker.press("ArrowDown")
        picker.press("Enter")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The team is saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Virtual wards", exact=True)).to_be_visible()

    stored = Team.objects.get(pk=wards.pk)
    assert (stored.name, stored.parent, stored.leader) == (
        "Virtual wards",
        world.top_team,
        world.staff,
    )
    api = api_get(world.lead, f"/api/v1/teams/{wards.pk}/")
    assert (api["name"], api["parent"], api["leader"]) == (
        "Virtual wards",
        world.top_team.pk,
        world.staff.pk,
    )
    event = AuditEvent.objects.get(object_id=wards.pk, verb=AuditEvent.Verb.UPDATED)
    assert event.actor == world.org_admin
    assert set(event.changes) == {"name", "parent", "leader"}
