"""A mission written from a template, in headless Chromium: a leader starts a child mission
from one of the product's templates, changes what is theirs to change and saves; the mission,
its KPIs and key tasks are read back from the database and the API and found in its history.
Then the mission is saved as a template of the organisation's own, and offered from then on.
No axe violation on the form, the save page or the library."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from missions.models import Mission, MissionTemplate
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSION_URL = re.compile(r"/o/acme/missions/(\d+)/$")


def test_a_leader_writes_a_mission_from_a_template_then_saves_one(
    page: Page, live_server: Any, world: Any
) -> None:
    parent = world.org_mission
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")

    picker = page.get_by_role("region", name="Start from a template")
    picker.get_by_label("Template", exact=True).select_option(label="Grow in a chosen market")
    picker.get_by_role("button", name="Use this template").click()
    expect(
        page.get_by_role("heading", name="Started from the template “Grow in a chosen market”")
    ).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    essentials = page.get_by_role("group", name="Mission", exact=True)
    expect(essentials.get_by_label("Title")).to_have_value("Grow revenue in our chosen market")
    essentials.get_by_label("Title").fill("Grow home care in the north")
    page.get_by_role("button", name="Next").click()
    space = page.get_by_role("group", name="Operating space")
    expect(space.get_by_label("Must not")).to_have_value(
        "Sell products we cannot deliver\nCommit other teams' people"
    )
    page.get_by_role("button", name="Next").click()
    second = page.get_by_role("group", name="Measure of success 2")
    expect(second.get_by_label("Name")).to_have_value("New customers")
    second.get_by_label("Target", exact=True).fill("55")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(MISSION_URL)
    expect(page.get_by_role("status")).to_contain_text("The mission is saved as a draft.")
    mission_id = int(MISSION_URL.search(page.url).group(1))  # type: ignore[union-attr]
    stored = Mission.objects.get(pk=mission_id)
    assert (stored.title, stored.parent_id, stored.created_by_id) == (
        "Grow home care in the north",
        parent.pk,
        world.lead.pk,
    )
    assert [(k.name, k.target) for k in stored.kpis.order_by("id")] == [
        ("Revenue in the market", Decimal(500)),
        ("New customers", Decimal(55)),
        ("Customers lost", Decimal(5)),
    ]
    assert stored.key_tasks.count() == 3
    api = page.request.get(f"{live_server.url}/api/v1/missions/{mission_id}/").json()
    assert api["title"] == "Grow home care in the north"
    assert api["operating_space"]["decision_rights"]["must_not"] == [
        "Sell products we cannot deliver",
        "Commit other teams' people",
    ]
    kpis = page.request.get(f"{live_server.url}/api/v1/kpis/?mission={mission_id}").json()
    assert sorted((k["name"], Decimal(k["target"])) for k in kpis["results"]) == [
        ("Customers lost", Decimal(5)),
        ("New customers", Decimal(55)),
        ("Revenue in the market", Decimal(500)),
    ]
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Written from the template “Grow in a chosen market”.")
    assert AuditEvent.objects.filter(mission=stored, actor=world.lead, verb="created").count() == 7

    # The mission, as written, saved as a template of the organisation's own.
    page.get_by_role("link", name="Save as template").click()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Name").fill("Northern growth")
    page.get_by_label("Description").fill("Growth in a region we are new to.")
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as the template “Northern growth”")
    own = page.get_by_role("region", name="Your organisation's templates")
    expect(own.get_by_role("heading", name="Northern growth")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    template = MissionTemplate.objects.get(name="Northern growth")
    assert (template.organisation, template.created_by, template.title) == (
        world.organisation,
        world.lead,
        "Grow home care in the north",
    )
    assert [k["target"] for k in template.kpis] == ["500", "55", "5"]
    assert AuditEvent.objects.filter(object_id=template.pk, verb="created", actor=world.lead)

    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")
    page.get_by_label("Template", exact=True).select_option(label="Northern growth (ours)")
    page.get_by_role("button", name="Use this template").click()
    essentials = page.get_by_role("group", name="Mission", exact=True)
    expect(essentials.get_by_label("Title")).to_have_value("Grow home care in the north")


def test_the_template_pages_fit_a_phone_without_axe_violations(
    page: Page, live_server: Any, world: Any
) -> None:
    MissionTemplate.objects.create(
        organisation=world.organisation,
        name="Virtual wards",
        title="Open a virtual ward",
        kpis=[{"name": "Beds", "baseline": "0", "target": "20"}],
        key_tasks=["Hire two nurses"],
        created_by=world.staff,
    )
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server, "staff")
    for path in (
        "/o/acme/templates/",
        f"/o/acme/missions/new/?parent={world.team_mission.pk}&template=shipped-capability",
        f"/o/acme/missions/{world.staff_mission.pk}/save-as-template/",
    ):
        page.goto(f"{live_server.url}{path}")
        _no_overflow_and_no_axe_violation(page, 390)
    page.goto(f"{live_server.url}/o/acme/templates/")
    page.get_by_role("button", name="Remove the template “Virtual wards”").click()
    expect(page.get_by_role("status")).to_contain_text("The template “Virtual wards” is removed.")
    assert not MissionTemplate.objects.exists()
