"""Coaches and staff use the dashboards in a real browser (headless Chromium).

Screenshots go to ``test-results/`` (git-ignored), at desktop width and at 375px.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from missions.models import Mission
from reviews.checks import roll_up_day
from reviews.models import AlignmentSnapshot, Review
from tests.browser import log_in
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory
from tests.reviews.scores import set_score
from tests.reviews.test_dashboards import _finding, days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
NOTE = "You said the fourth priority keeps you up at night. Next time: what would you drop?"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


@pytest.fixture
def lively(world: Any) -> Any:
    """The world with a sub-team, scores, KPIs with check-ins, findings, reviews and two
    months of daily snapshots: enough for every chart to have something to draw."""
    squad = TeamFactory(organisation=world.organisation, name="Night squad", parent=world.team)
    squad_mission = MissionFactory(
        parent=world.team_mission, level=Mission.Level.TEAM, owner_team=squad, title="Night cover"
    )
    scores = {
        world.org_mission: 90,
        world.team_mission: 65,
        world.staff_mission: 40,
        squad_mission: 86,
    }
    for mission, score in scores.items():
        set_score(mission, score)
    for mission, name, status, values in (
        (world.staff_mission, "Virtual ward beds", "off_track", (12, 14, 15, 15)),
        (world.team_mission, "Readmissions within 30 days", "at_risk", (18, 16, 15, 13)),
        (squad_mission, "Night shifts covered", "on_track", (60, 72, 80, 91)),
        (world.org_mission, "Care at home share", "unknown", ()),
    ):
        kpi = KpiFactory(
            mission=mission,
            name=name,
            forecast_status=status,
            progress=0.4,
            baseline=Decimal(10),
            target=Decimal(50),
        )
        for i, value in enumerate(values):
            CheckInFactory(kpi=kpi, author=world.lead, value=value, recorded_on=days(-40 + 10 * i))
    _finding(world.staff_mission, "space_exceeds_parent", "critical")
    _finding(world.staff_mission, "kpi_off_track", "warning")
    _finding(world.team_mission, "review_overdue", "warning")
    _finding(world.team_mission, "task_overdue", "info")
    Review.objects.create(
        mission=world.team_mission, due_date=days(-20), held_on=days(-20), status="done"
    )
    Review.objects.create(mission=world.staff_mission, due_date=days(-3))
    Review.objects.create(mission=squad_mission, due_date=days(5))
    # The four findings above, as the checks count them into the snapshots.
    found = {
        "space_exceeds_parent:critical": 1,
        "kpi_off_track:warning": 1,
        "review_overdue:warning": 1,
        "task_overdue:info": 1,
    }
    for day in range(-60, 0):
        AlignmentSnapshot.objects.create(
            organisation=world.organisation,
            run_date=days(day),
            score=62 + (day + 60) / 4,
            missions=4,
            scored=4,
            open_findings=4,
            critical_findings=1,
            findings=found,
        )
        AlignmentSnapshot.objects.create(
            organisation=world.organisation,
            team=world.team,
            run_date=days(day),
            score=45 + (day + 60) / 8,
            missions=2,
            scored=2,
            open_findings=4,
            critical_findings=1,
            findings=found,
        )
    for team, score in ((world.top_team, 90), (squad, 86)):
        AlignmentSnapshot.objects.create(
            organisation=world.organisation,
            team=team,
            run_date=days(-1),
            score=score,
            missions=1,
            scored=1,
            open_findings=0,
        )
    for day in range(-60, 0):  # each team with its sub-teams, as the checks roll them up
        roll_up_day(organisation_id=world.organisation.pk, day=days(day))
    return world


def test_a_coach_drills_into_a_team_and_keeps_a_note_only_the_coachee_reads(
    page: Page, live_server: Any, lively: Any
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "coach")
    page.get_by_role("navigation", name="Acme Health").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Alignment dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Alignment score, 90 days")).to_be_visible()
    expect(page.get_by_role("img", name="KPIs by forecast")).to_be_visible()
    expect(page.get_by_role("img", name="Open findings by kind")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)  # coaches only read
    _shot(page, "dashboard-organisation-desktop.png")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    _shot(page, "dashboard-organisation-phone.png")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("columnheader", name="Score").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/dashboard/?sort=-score")
    teams = page.get_by_role("table").get_by_role("rowheader")
    expect(teams.first).to_contain_text("Night squad")  # best first, after the click
    page.get_by_role("link", name="Operations", exact=True).click()
    expect(page.get_by_role("heading", name="Operations", level=1)).to_be_visible()
    findings = page.get_by_role("region", name="Findings to act on")
    expect(findings.get_by_role("listitem").first).to_contain_text("Critical")
    expect(findings.get_by_role("link", name="Open two virtual wards").first).to_be_visible()
    kpis = page.get_by_role("region", name="KPIs and forecasts")
    expect(kpis.locator("svg.sparkline")).to_have_count(3)
    expect(kpis.get_by_role("row").nth(1)).to_contain_text("Virtual ward beds")  # worst first
    _shot(page, "dashboard-team-desktop.png")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    _shot(page, "dashboard-team-phone.png")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Print for the review meeting").click()
    expect(page.get_by_role("heading", name="Operations: review meeting")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    _shot(page, "dashboard-team-print.png")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/o/acme/dashboard/heatmap/")
    expect(page.get_by_role("heading", name="The cascade as a heat map")).to_be_visible()
    page.locator(".tree__branch > summary").first.click()
    branch = page.locator(".tree__children").first
    expect(branch.get_by_role("link", name="Community wards")).to_be_visible()  # loaded by htmx
    expect(branch).to_contain_text("Branch")
    _shot(page, "dashboard-heatmap-desktop.png")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    _shot(page, "dashboard-heatmap-phone.png")
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}/o/acme/dashboard/")
    page.get_by_role("link", name="Coaching notes").click()
    expect(page.get_by_role("heading", name="Coaching notes", level=1)).to_be_visible()
    lead_name = lively.lead.get_full_name()
    coachee = page.get_by_role("combobox", name="Coachee")
    coachee.press_sequentially(lively.lead.first_name[:4], delay=30)
    expect(page.get_by_role("option", name=lead_name)).to_be_visible()
    page.get_by_role("option", name=lead_name).click()
    expect(coachee).to_have_value(lead_name)
    page.get_by_label("Note", exact=True).fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status")).to_contain_text(f"Only you and {lead_name} can read it")
    expect(page.get_by_role("region", name="Notes you wrote")).to_contain_text(NOTE)
    _shot(page, "coaching-coach-desktop.png")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    _shot(page, "coaching-coach-phone.png")
    page.set_viewport_size(DESKTOP)
    _log_out(page)

    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/coaching/")
    expect(page.get_by_role("region", name="Notes about you")).to_contain_text(NOTE)
    _shot(page, "coaching-coachee-desktop.png")
    _log_out(page)

    log_in(page, live_server, "ceo")  # lead's boss
    page.goto(f"{live_server.url}/o/acme/coaching/")
    expect(page.get_by_role("heading", name="Coaching notes", level=1)).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_role("region", name="Notes about you")).to_contain_text("No coach has")


def test_staff_see_their_teams_dashboard_and_the_organisations_only_if_allowed(
    page: Page, live_server: Any, lively: Any
) -> None:
    organisation = lively.organisation
    organisation.staff_see_dashboard = False
    organisation.save()
    log_in(page, live_server, "staff")
    nav = page.get_by_role("navigation", name="Acme Health")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_count(0)
    response = page.goto(f"{live_server.url}/o/acme/dashboard/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("for leaders and coaches")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    _shot(page, "dashboard-refused-phone.png")
    page.get_by_role("link", name="See Operations's dashboard").click()
    expect(page.get_by_role("heading", name="Operations", level=1)).to_be_visible()
    _no_sideways_scroll(page)

    organisation.staff_see_dashboard = True
    organisation.save()
    page.reload()
    page.locator("summary", has_text="Menu").click()  # on a phone the navigation is folded
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Alignment dashboard", level=1)).to_be_visible()
