"""Asking another team for support in headless Chromium, with the mission picker: typing part
of the other mission's title, choosing it from the suggestions with the keyboard. What the
page sent is what the database and the API hold."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import Team
from missions.models import Interdependency, Mission
from tests.browser import log_in
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

    log_in(page, live_server, "lead")
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


def test_an_admin_adds_a_team_picking_its_parent_and_leader(
    page: Page, live_server: Any, world: Any
) -> None:
    """The People page's pickers: the parent team and the leader typed in part and chosen,
    then read back from the database and the API."""
    world.lead.first_name, world.lead.last_name = "Lee", "Adams"
    world.lead.save()
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_text("Add a team").click()
    page.get_by_label("Name", exact=True).fill("Pharmacy")
    for label, typed, chosen in (
        ("Parent team", "opera", "Operations"),
        ("Leader", "adams", "Lee Adams"),
    ):
        picker = page.get_by_role("combobox", name=label)
        picker.press_sequentially(typed, delay=30)
        # The suggestions of the whole word, not of a part typed earlier whose answer came
        # late (on a busy machine "ada" still listed Adam Brooks first): only then the keys.
        options = page.locator(f"#{picker.get_attribute('aria-controls')}")
        expect(options.get_by_role("option")).to_have_count(1)
        expect(options.get_by_role("option", name=chosen)).to_be_visible()
        picker.press("ArrowDown")
        picker.press("Enter")
        expect(picker).to_have_value(chosen)
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_role("status")).to_contain_text("The team is added.")

    pharmacy = Team.objects.get(organisation=world.organisation, name="Pharmacy")
    assert (pharmacy.parent, pharmacy.leader) == (world.team, world.lead)
    api = api_get(world.org_admin, f"/api/v1/teams/{pharmacy.pk}/")
    assert (api["parent"], api["leader"]) == (world.team.pk, world.lead.pk)
