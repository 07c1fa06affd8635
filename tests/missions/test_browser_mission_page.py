"""The mission page as a person sees it, in headless Chromium: the KPI cards with their charts
and forecasts in words, the 1-up and 2-up intent quieter than the mission, an overdue key task,
a key task's status changed in place that keeps its move tool; nothing past the edge of a
phone and no axe-core violation, on a desktop and on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python import __file__ as axe_package
from playwright.sync_api import Page, expect

from measures.summary import figures_for
from missions.models import Interdependency, KeyTask, Mission
from reviews.checks import run_checks
from tests.browser import log_in
from tests.missions.factories import MissionFactory
from tests.missions.test_mission_page import days, kpi_with_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(axe_package).parent / "axe.min.js").read_text()


def _no_overflow_and_no_axe_violation(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.evaluate(AXE)
    violations = page.evaluate(
        "async () => (await axe.run()).violations"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target).join(' ')}`)"
    )
    assert violations == []


def test_the_lead_sees_the_picture_and_moves_a_task_on(
    page: Page, live_server: Any, world: Any
) -> None:
    world.organisation.vision.ceo_intent = "Care at home first; the hospital is the exception."
    world.organisation.vision.save()
    mission = world.team_mission
    Mission.objects.filter(pk=world.org_mission.pk).update(intent="Fewer nights in hospital.")
    Mission.objects.filter(pk=mission.pk).update(
        statement="Open 120 virtual ward beds.", intent="Patients recover at home."
    )
    beds = kpi_with_history(
        mission, name="Beds open", unit="beds", baseline=40, target=120, values=(60, 70, 80)
    )
    kpi_with_history(mission, name="Occupancy", unit="%", baseline=50, target=90)
    overdue = KeyTask.objects.create(
        mission=mission, title="Hire 30 nurses", owner=world.staff, due_date=days(-4)
    )
    peer = MissionFactory(parent=world.org_mission, owner_team=world.team, title="Finance help")
    Interdependency.objects.create(
        organisation=world.organisation, from_mission=mission, to_mission=peer, kind="depends_on"
    )
    run_checks(organisation=world.organisation)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")

    # The mission first; the intent above it present and quieter.
    above = page.get_by_role("complementary", name="Intent above this mission")
    expect(above).to_contain_text("1-up intent · Care closer to home")
    expect(above).to_contain_text("Fewer nights in hospital.")
    expect(above).to_contain_text("2-up intent · CEO's intent")
    expect(above).to_contain_text("Care at home first; the hospital is the exception.")
    statement = page.locator(".mission-brief__statement")
    expect(statement).to_have_text("Open 120 virtual ward beds.")
    style = "el => [getComputedStyle(el).fontWeight, parseFloat(getComputedStyle(el).fontSize)]"
    own_weight, own_size = statement.evaluate(style)
    for text in above.locator(".intent-above__text").all():
        weight, size = text.evaluate(style)
        assert int(weight) == 400 and size < own_size and int(own_weight) > 400

    # A card per KPI: its chart, where it stands and the forecast in a sentence.
    kpis = page.get_by_role("region", name="Measures of success")
    card = kpis.get_by_role("listitem").filter(has_text="Beds open").first
    expect(card.get_by_role("img", name="Beds open: history against the target")).to_be_visible()
    said = figures_for(beds).outlook.sentence
    assert said.startswith("On track: likely ") and "against a target of 120 beds" in said
    expect(card).to_contain_text(said)
    expect(card).to_contain_text("80 beds")
    expect(card.get_by_role("link", name="Beds open", exact=True)).to_have_attribute(
        "href", f"/o/acme/kpis/{beds.pk}/"
    )
    expect(card.get_by_role("link", name="Check in “Beds open”")).to_be_visible()
    expect(kpis.locator(".kpi-card svg.chart")).to_have_count(2)

    # The overdue key task says so; its status changes in place and it keeps its move tool.
    row = page.locator(f"#key-task-{overdue.pk}")
    expect(row).to_contain_text("Overdue by 4 days")
    with page.expect_response(re.compile(rf"/key-tasks/{overdue.pk}/$")):
        row.get_by_label("Status of “Hire 30 nurses”").select_option("in_progress")
    expect(row.get_by_label("Status of “Hire 30 nurses”")).to_have_value("in_progress")
    expect(row.locator("summary", has_text="Move")).to_be_visible()
    overdue.refresh_from_db()
    assert overdue.status == "in_progress"
    row.locator("summary", has_text="Move").click()
    expect(row.get_by_role("button", name="Move key task")).to_be_visible()

    # Health and findings, each with what to do; the link waits for an answer.
    health = page.get_by_role("region", name="Health and findings")
    expect(health).to_contain_text("Key task “Hire 30 nurses” was due on")
    expect(health.get_by_role("link", name=re.compile("Deliver the key task"))).to_have_attribute(
        "href", f"#key-task-{overdue.pk}"
    )
    links = page.get_by_role("region", name="Interdependencies")
    expect(links).to_contain_text("Finance help")
    expect(links).to_contain_text("waiting for an answer since")

    _no_overflow_and_no_axe_violation(page, 1280)
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(kpis.locator(".kpi-card").first).to_be_visible()
    # One column of cards on a phone.
    lefts = kpis.locator(".kpi-card").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().left)"
    )
    assert len(set(lefts)) == 1
    _no_overflow_and_no_axe_violation(page, 390)
