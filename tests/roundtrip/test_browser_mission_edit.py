"""Editing a mission in headless Chromium: what the page says is saved is in the database, the
API and the history on the mission page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from missions.models import Mission

from .helpers import history_changes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_edits_the_team_mission_and_every_reader_sees_the_change(
    page: Page, live_server: Any, world: Any
) -> None:
    mission = world.team_mission
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/")

    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/edit/")
    title = page.get_by_label("Title")
    expect(title).to_have_value("Community wards")
    title.fill("Community wards in every district")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Headcount").fill("7")
    page.get_by_label("Review every (days)").fill("14")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    expect(page.get_by_role("status")).to_contain_text("The mission is saved.")
    expect(
        page.get_by_role("heading", name="Community wards in every district", level=1)
    ).to_be_visible()

    stored = Mission.objects.get(pk=mission.pk)
    assert stored.title == "Community wards in every district"
    assert (stored.headcount, stored.review_cadence_days) == (7, 14)
    assert stored.updated_by == world.lead

    # The API, read by the same signed-in browser (session authentication).
    answer = page.request.get(f"{live_server.url}/api/v1/missions/{mission.pk}/")
    assert answer.ok, answer.status
    api = answer.json()
    assert api["title"] == "Community wards in every district"
    assert api["operating_space"]["headcount"] == 7
    assert api["review_cadence_days"] == 14

    history = history_changes(stored)
    assert history["title"] == ["Community wards", "Community wards in every district"]
    assert history["headcount"][1] == 7
    assert history["review_cadence_days"][1] == 14
    entry = (
        page.get_by_role("region", name="History")
        .get_by_role("listitem")
        .filter(has_text=f"{world.lead.get_full_name()} updated")
    )
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Title: Community wards → Community wards in every district")
    expect(entry).to_contain_text("Headcount: — → 7")
    expect(entry).to_contain_text("Review cadence (days): — → 14")
