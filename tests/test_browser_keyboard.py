"""The main flows with the keyboard alone, in headless Chromium: staff check in a KPI on My
work, and the CEO aligns a proposed mission. Every control on the way is reached with Tab and
shows where the focus is; what the page said is what the database and the API hold.

(Writing a mission by keyboard is in tests/missions/, beside the other tests of its form.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from measures.models import CheckIn
from missions.services.alignment import mission_propose
from tests.keyboard import log_in, tab_to
from tests.measures.factories import KpiFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mission-test"


def test_staff_check_in_a_kpi_with_the_keyboard_alone(
    page: Page, live_server: Any, world: Any
) -> None:
    kpi = KpiFactory(
        mission=world.staff_mission,
        name="Virtual ward beds",
        unit="beds",
        target=Decimal(40),
        due_date=timezone.localdate() + dt.timedelta(days=90),
    )
    log_in(page, live_server.url, "staff", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    # From Home to My work through the navigation, then into the KPI's check-in form.
    tab_to(page, "My work in the navigation", tag="a", text="My work")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/o/acme/me/")
    tab_to(page, "the KPI's value", label="Value", name="value")
    page.keyboard.type("27")
    tab_to(page, "the confidence", name="confidence")
    page.keyboard.press("Control+A")
    page.keyboard.type("80")
    tab_to(page, "the comment", name="comment")
    page.keyboard.type("Two more beds this week")
    tab_to(page, "the Check in button", tag="button", text="Check in")
    page.keyboard.press("Enter")
    row = page.locator(f"#kpi-row-{kpi.pk}")
    expect(row.get_by_role("status")).to_contain_text("27")

    stored = CheckIn.objects.get(kpi=kpi)
    assert (stored.value, stored.confidence, stored.comment) == (
        Decimal(27),
        80,
        "Two more beds this week",
    )
    assert stored.author == world.staff
    api = APIClient()
    api.force_authenticate(world.staff)
    listed = api.get(f"/api/v1/kpis/{kpi.pk}/check-ins/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(Decimal(r["value"]), r["confidence"]) for r in rows] == [(Decimal(27), 80)]


def test_the_ceo_aligns_a_proposal_with_the_keyboard_alone(
    page: Page, live_server: Any, world: Any
) -> None:
    mission = world.team_mission
    mission_propose(mission=mission, by=world.lead, comment="Ready for you.")
    log_in(page, live_server.url, "ceo", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    # The proposal waits in the CEO's inbox on My work; its link opens the mission.
    tab_to(page, "My work in the navigation", tag="a", text="My work")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/o/acme/me/")
    tab_to(page, "the proposal in the inbox", tag="a", text=f"“{mission.title}”")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    panel = page.get_by_role("region", name="Alignment")
    tab_to(page, "the alignment comment", tag="textarea", name="comment")
    page.keyboard.type("Aligned: it serves the districts we chose.")
    tab_to(page, "the Align button", tag="button", text="Align")
    page.keyboard.press("Enter")
    expect(page.locator(".mission-meta")).to_contain_text("Aligned")
    expect(panel).to_contain_text("Aligned: it serves the districts we chose.")

    mission.refresh_from_db()
    assert mission.alignment_status == "aligned"
    event = AuditEvent.objects.get(mission=mission, verb="aligned")
    assert (event.actor, event.comment) == (
        world.leader,
        "Aligned: it serves the districts we chose.",
    )
    api = APIClient()
    api.force_authenticate(world.leader)
    assert api.get(f"/api/v1/missions/{mission.pk}/").json()["alignment_status"] == "aligned"
