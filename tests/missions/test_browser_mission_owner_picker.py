"""A lead writes a child mission in headless Chromium, picking its owner team by typing part
of its name: only the teams the form accepts are suggested; the first key task's owner is
then suggested among that team's people. What the page sent is what the database and the API
hold."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import Membership
from missions.models import KeyTask, Mission
from tests.browser import log_in
from tests.missions.factories import MembershipFactory, TeamFactory, UserFactory
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSION_URL = re.compile(r"/o/acme/missions/(\d+)/$")


def test_a_lead_writes_a_child_mission_picking_its_owner_team_by_typing(
    page: Page, live_server: Any, world: Any
) -> None:
    night = TeamFactory(organisation=world.organisation, name="Night nursing", parent=world.team)
    TeamFactory(organisation=world.organisation, name="Night porters")  # not under the parent
    nina = UserFactory(username="nina", first_name="Nina", last_name="Night")
    MembershipFactory(
        organisation=world.organisation, user=nina, role=Membership.Role.STAFF, team=night
    )
    parent = world.team_mission  # owned by Operations, which the lead leads

    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")
    mission = page.get_by_role("group", name="Mission", exact=True)
    mission.get_by_label("Title").fill("Night visits at home")
    mission.get_by_label("Intent").fill("Fewer night admissions.")
    picker = mission.get_by_role("combobox", name="Owner team")
    expect(picker).to_have_value("Operations")  # the team the lead leads, by name
    picker.fill("")
    picker.press_sequentially("nig", delay=30)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("Night nursing")
    expect(options).to_have_count(1)  # Night porters is outside the parent's teams
    picker.press("ArrowDown")
    picker.press("Enter")  # chooses; does not send the form
    expect(picker).to_have_value("Night nursing")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()

    task = page.get_by_role("group", name=re.compile("^A first key task"))
    task.get_by_label("Title").fill("Rota the night visits")
    owner = task.get_by_role("combobox", name="Owner")
    owner.press_sequentially("nin", delay=30)
    page.get_by_role("option", name=re.compile("Nina Night")).click()
    expect(owner).to_have_value("Nina Night")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(MISSION_URL)
    expect(page.get_by_role("status")).to_contain_text("The mission is saved as a draft.")
    stored = Mission.objects.get(title="Night visits at home")
    assert (stored.parent_id, stored.owner_team_id, stored.owner_user_id) == (
        parent.pk,
        night.pk,
        None,
    )
    assert KeyTask.objects.get(mission=stored).owner == nina
    api = api_get(world.lead, f"/api/v1/missions/{stored.pk}/")
    assert (api["parent"], api["owner_team"], api["owner_user"]) == (parent.pk, night.pk, None)
