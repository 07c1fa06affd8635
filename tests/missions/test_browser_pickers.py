"""Asking another team for support in headless Chromium, with the mission picker: typing part
of the other mission's title, choosing it from the suggestions with the keyboard. What the
page sent is what the database and the API hold."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from missions.models import Interdependency, Mission
from tests.missions.factories import MissionFactory, TeamFactory
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEED = "Two nurses for the pilot weeks in March."


def test_the_lead_asks_finance_for_support_choosing_its_mission_with_the_keyboard(
    page: Page, live_server: Any, world: Any
) -> None:
    finance = TeamFactory(organisation=world.organisation, name="Finance", parent=world.top_team)
    budget = MissionFactory(
        parent=world.org_mission,
        level=Mission.Level.TEAM,
        owner_team=finance,
        title="Budget for home care",
    )
    mission = world.team_mission

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")

    page.get_by_text("Ask for support or offer it").click()
    page.get_by_label("Kind").select_option("depends_on")
    picker = page.get_by_role("combobox", name="Other mission")
    picker.press_sequentially("budget", delay=30)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("Budget for home care")
    expect(picker).to_have_attribute("aria-expanded", "true")
    picker.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    picker.press("Enter")  # chooses; does not send the form
    expect(picker).to_have_value("Budget for home care")
    expect(picker).to_have_attribute("aria-expanded", "false")
    page.get_by_label("Description").fill(NEED)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("The link is proposed")

    link = Interdependency.objects.get(from_mission=mission)
    assert (link.to_mission_id, link.kind, link.description) == (budget.pk, "depends_on", NEED)
    api = api_get(world.lead, f"/api/v1/interdependencies/{link.pk}/")
    assert (api["from_mission"], api["to_mission"]) == (mission.pk, budget.pk)
    assert (api["kind"], api["description"]) == ("depends_on", NEED)
