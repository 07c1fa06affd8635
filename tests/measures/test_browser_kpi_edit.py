"""A KPI edited and archived in headless Chromium by its mission's owner, then read back from
the database, the API and the mission's history; no axe violation on the edit page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from measures.models import Kpi
from tests.browser import log_in
from tests.measures.factories import KpiFactory
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_edit_a_kpi_then_archive_it(page: Page, live_server: Any, world: Any) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds", unit="beds")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/kpis/{kpi.pk}/")
    page.get_by_role("link", name="Edit KPI").click()
    expect(page.get_by_role("heading", name="Edit “Virtual ward beds”")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Name").fill("Virtual ward beds open")
    page.get_by_label("Target", exact=True).fill("120")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The KPI is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Virtual ward beds open")).to_be_visible()

    api = APIClient()
    api.force_authenticate(world.lead)
    read = api.get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert (read["name"], Decimal(read["target"])) == ("Virtual ward beds open", Decimal("120"))

    page.get_by_role("link", name="Edit KPI").click()
    page.get_by_role("button", name="Archive KPI").click()
    expect(page.get_by_text("is archived: its history stays here.")).to_be_visible()
    expect(page.get_by_text("Archived", exact=True)).to_be_visible()
    assert api.get(f"/api/v1/kpis/{kpi.pk}/").json()["status"] == "archived"
    assert Kpi.objects.get(pk=kpi.pk).status == Kpi.Status.ARCHIVED
    verbs = set(
        AuditEvent.objects.filter(object_id=kpi.pk, actor=world.staff).values_list(
            "verb", flat=True
        )
    )
    assert {AuditEvent.Verb.UPDATED, AuditEvent.Verb.ARCHIVED} <= verbs
    page.goto(f"{live_server.url}/o/acme/missions/{world.staff_mission.pk}/")
    expect(page.get_by_text("Virtual ward beds open").first).to_be_visible()
