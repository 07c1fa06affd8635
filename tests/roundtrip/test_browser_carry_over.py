"""Carrying a mission over in headless Chromium: the page suggests the next period, the copy
exists in the database and the API, the original is completed by the person who did it, and
the history says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from missions.models import Mission

from .helpers import history_changes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_carries_the_team_mission_into_the_next_period(
    page: Page, live_server: Any, world: Any
) -> None:
    mission = world.team_mission
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/")

    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/carry-over/")
    start, end = page.get_by_label("Period start"), page.get_by_label("Period end")
    suggested = mission.period_end.replace(year=mission.period_end.year + 1)
    expect(start).to_have_value((mission.period_end + dt.timedelta(days=1)).isoformat())
    expect(end).to_have_value(suggested.isoformat())
    page.get_by_role("button", name="Carry over").click()
    expect(page.get_by_role("status")).to_contain_text("Carried over into the next period.")

    copy = Mission.objects.get(carried_over_from=mission)
    expect(page).to_have_url(f"{live_server.url}/o/acme/missions/{copy.pk}/")
    assert copy.period_end == suggested
    original = Mission.objects.get(pk=mission.pk)
    assert (original.status, original.updated_by) == ("completed", world.lead)

    answer = page.request.get(f"{live_server.url}/api/v1/missions/{copy.pk}/")
    assert answer.ok, answer.status
    assert answer.json()["period_end"] == suggested.isoformat()
    assert (
        page.request.get(f"{live_server.url}/api/v1/missions/{mission.pk}/").json()["status"]
        == "completed"
    )

    history = history_changes(original)
    assert history["carried_over_to"] == [None, copy.pk]
    assert history["status"] == ["active", "completed"]
