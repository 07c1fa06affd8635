"""The cascade flows of issue 3, walked as a user would in headless Chromium.

The vision and CEO's intent, a child mission written with its operating space and first KPI,
proposed and aligned; a budget that does not fit; a forged Align; the org chart import.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from kernel.models import Team
from measures.models import Kpi
from missions.models import Mission
from tests.browser import log_in
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
MISSION_URL = re.compile(r"/o/acme/missions/(\d+)/$")
CHART_HEADER = "email,name,team,parent team,role,manager email\n"
GOOD_CHART = (
    CHART_HEADER
    + "ana@example.org,Ana Lopez,Community,Operations,leader,lead@example.org\n"
    + "ben@example.org,Ben Hill,Community,Operations,staff,ana@example.org\n"
    + "cy@example.org,Cy Park,Night Nursing,Community,leader,ana@example.org\n"
)
BAD_CHART = GOOD_CHART.replace("cy@example.org,Cy Park", "not-an-email,Cy Park")  # line 4


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def _log_in(page: Page, live_server: Any, username: str) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, username)


def _assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], f"{page.url} scrolls sideways: {width}px wide"


def _csv(text: str) -> list[dict[str, Any]]:
    return [{"name": "chart.csv", "mimeType": "text/csv", "buffer": text.encode()}]


def _open_child_form(page: Page, live_server: Any, parent: Mission) -> None:
    page.goto(f"{live_server.url}/o/acme/missions/{parent.pk}/")
    page.get_by_role("link", name="Write a mission under this").click()
    expect(
        page.get_by_role("heading", name=f"Write a mission under “{parent.title}”", level=1)
    ).to_be_visible()


def _fill_child(page: Page, *, title: str, budget: str, headcount: str) -> None:
    """The mission, its operating space and a first KPI, by their labels, a step at a time."""
    mission = page.get_by_role("group", name="Mission", exact=True)
    mission.get_by_label("Title").fill(title)
    mission.get_by_label("Intent").fill("Fewer admissions: patients are nursed at home.")
    mission.get_by_label("Owner team").fill("Operations")  # a picker: typed
    page.get_by_role("button", name="Next").click()
    space = page.get_by_role("group", name="Operating space")
    space.get_by_label("Deadline").fill("2026-11-30")
    space.get_by_label("Budget").fill(budget)
    space.get_by_label("Headcount").fill(headcount)
    page.get_by_role("button", name="Next").click()
    kpi = page.get_by_role("group", name=re.compile("^A first measure of success"))
    kpi.get_by_label("Name").fill("Patients nursed at home")
    kpi.get_by_label("Baseline").fill("100")
    kpi.get_by_label("Target", exact=True).fill("400")
    kpi.get_by_label("Due date").fill("2026-12-31")


def test_the_ceo_changes_the_intent_and_the_home_shows_it(
    page: Page, live_server: Any, world: Any
) -> None:
    _log_in(page, live_server, "ceo")
    page.goto(f"{live_server.url}/o/acme/vision/")
    expect(page.get_by_role("heading", name="Vision", level=1)).to_be_visible()
    _shot(page, "vision-desktop.png")
    page.get_by_role("link", name="Edit vision").click()
    intent = page.get_by_label("CEO's intent")
    expect(intent).to_have_value("Shift care out of hospital without losing quality.")
    intent.fill("Care at home first; the hospital is the exception.")
    _shot(page, "vision-edit-desktop.png")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/o/acme/vision/")
    expect(page.get_by_role("status")).to_contain_text("The vision is saved.")
    page.get_by_role("link", name="Home").first.click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    vision = page.get_by_role("region", name="Vision")
    expect(vision).to_contain_text("Care at home first; the hospital is the exception.")
    expect(page.get_by_text("Shift care out of hospital")).to_have_count(0)
    world.organisation.vision.refresh_from_db()
    assert world.organisation.vision.updated_by == world.leader
    _shot(page, "home-desktop.png")


def test_a_lead_writes_and_proposes_a_child_and_the_ceo_aligns_it(
    page: Page, live_server: Any, world: Any, new_context: Any
) -> None:
    Mission.objects.filter(pk=world.org_mission.pk).update(budget=Decimal(10000), headcount=5)
    _log_in(page, live_server, "lead")
    _open_child_form(page, live_server, world.org_mission)
    expect(page.get_by_role("complementary", name="Intent above")).to_contain_text(
        "1-up intent · Care closer to home"
    )
    page.get_by_role("link", name="Operating space").click()
    expect(page.get_by_role("group", name="Operating space")).to_contain_text(
        "Budget€10,000: its other missions take none of it yet"
    )
    page.get_by_role("link", name="The mission").click()
    _fill_child(page, title="Community nursing at home", budget="4000", headcount="2")
    _shot(page, "child-form-desktop.png")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(MISSION_URL)
    mission_url = page.url
    expect(page.get_by_role("heading", name="Community nursing at home", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The mission is saved as a draft.")
    space = page.get_by_role("region", name="Operating space")
    expect(space.locator("div", has_text=re.compile("^Deadline"))).to_contain_text("30 Nov 2026")
    expect(space.locator("div", has_text=re.compile("^Budget"))).to_have_text("Budget€4,000")
    expect(space.locator("div", has_text=re.compile("^Headcount"))).to_contain_text("2")
    kpis = page.get_by_role("region", name="Measures of success")
    kpi_card = kpis.get_by_role("listitem").filter(has_text="Patients nursed at home")
    expect(kpi_card.get_by_role("link", name="Patients nursed at home", exact=True)).to_be_visible()
    expect(kpi_card).to_contain_text("by 31 Dec 2026")
    expect(kpi_card.locator("dd", has_text="by 31 Dec 2026")).to_contain_text("400")
    meta = page.locator(".mission-meta")
    expect(meta).to_contain_text("Draft")
    child = Mission.objects.get(title="Community nursing at home")
    assert (child.parent_id, child.owner_team_id) == (world.org_mission.pk, world.team.pk)
    assert (child.budget, child.headcount) == (Decimal(4000), 2)
    assert list(Kpi.objects.filter(mission=child).values_list("name", flat=True)) == [
        "Patients nursed at home"
    ]
    _shot(page, "mission-draft-desktop.png")

    page.get_by_role("button", name="Propose").click()
    expect(meta).to_contain_text("Proposed")
    expect(page.get_by_role("button", name="Propose")).to_have_count(0)
    expect(page.get_by_role("button", name="Align")).to_have_count(0)  # not the lead's to align
    child.refresh_from_db()
    assert child.alignment_status == "proposed"

    ceo = new_context(viewport=DESKTOP).new_page()
    _log_in(ceo, live_server, "ceo")
    ceo.goto(mission_url)
    decision = ceo.get_by_role("region", name="Alignment")
    expect(decision).to_contain_text("proposes this mission under yours")
    expect(decision.get_by_role("button", name="Send back")).to_be_visible()
    decision.get_by_label("Comment").fill("Fits the intent.")
    decision.get_by_role("button", name="Align").click()

    expect(ceo).to_have_url(mission_url)
    expect(ceo.locator(".mission-meta .badge--aligned")).to_have_text(re.compile(r"Aligned$"))
    # The panel keeps the conversation, with nothing left to decide.
    panel = ceo.get_by_role("region", name="Alignment")
    expect(panel).to_contain_text(f"{world.leader.get_full_name()} aligned it")
    expect(panel.locator("blockquote")).to_have_text("Fits the intent.")
    expect(panel.get_by_role("button")).to_have_count(0)
    history = ceo.get_by_role("region", name="History")
    ceo_name = world.leader.get_full_name()
    aligned = history.get_by_role("listitem").filter(has_text=f"{ceo_name} aligned")
    expect(aligned).to_contain_text(f"{ceo_name} aligned it: “Fits the intent.”")
    lead_name = world.lead.get_full_name()
    expect(history.get_by_role("listitem").filter(has_text=f"{lead_name} proposed")).to_have_count(
        1
    )
    child.refresh_from_db()
    assert (child.alignment_status, child.aligned_by_id) == ("aligned", world.leader.pk)
    _shot(ceo, "mission-aligned-desktop.png")


def test_a_budget_larger_than_what_is_left_is_refused_next_to_the_field(
    page: Page, live_server: Any, world: Any
) -> None:
    Mission.objects.filter(pk=world.org_mission.pk).update(budget=Decimal(10000), headcount=5)
    MissionFactory(parent=world.org_mission, owner_team=world.team, budget=Decimal(8000))
    missions_before = Mission.objects.count()
    _log_in(page, live_server, "lead")
    _open_child_form(page, live_server, world.org_mission)
    _fill_child(page, title="Too expensive nursing", budget="5000", headcount="2")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    # The step with the error opens, and the list of steps says which one needs correcting.
    expect(page.get_by_role("link", name="Operating space (needs correcting)")).to_have_attribute(
        "aria-current", "step"
    )
    budget = page.get_by_label("Budget")
    expect(budget).to_have_attribute("aria-invalid", "true")
    expect(budget).to_have_value("5000")
    field = page.locator(".field", has=budget)
    expect(field).to_contain_text(
        "its other missions take €8,000, so at most €2,000 is left for this one."
    )
    # Only the budget: the headcount and deadline fit, and the key task was left empty.
    expect(page.locator(".field--error")).to_have_count(1)
    # What was typed on the other steps is kept.
    page.get_by_role("link", name="The mission").click()
    expect(
        page.get_by_role("group", name="Mission", exact=True).get_by_label("Title")
    ).to_have_value("Too expensive nursing")
    page.get_by_role("link", name="First KPI and key task").click()
    expect(
        page.get_by_role("group", name=re.compile("^A first measure of success")).get_by_label(
            "Name"
        )
    ).to_have_value("Patients nursed at home")
    assert Mission.objects.count() == missions_before
    assert not Mission.objects.filter(title="Too expensive nursing").exists()
    assert not Kpi.objects.filter(name="Patients nursed at home").exists()
    _shot(page, "child-form-budget-error-desktop.png")


def test_staff_see_no_align_and_a_forged_align_is_refused(
    page: Page, live_server: Any, world: Any
) -> None:
    mission = world.staff_mission
    Mission.objects.filter(pk=mission.pk).update(alignment_status="proposed")
    _log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    expect(page.get_by_role("heading", name=mission.title, level=1)).to_be_visible()
    expect(page.locator(".mission-meta")).to_contain_text("Proposed")
    expect(page.get_by_role("button", name="Align")).to_have_count(0)
    expect(page.get_by_role("button", name="Send back")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/o/acme/missions/{mission.pk}/align/",
        headers={"X-CSRFToken": token, "Referer": page.url},
        form={"comment": "Aligned by myself"},
        max_redirects=0,
    )
    assert response.status == 403
    body = response.text()
    assert "CSRF verification failed" not in body, "refused for the token, not for the role"
    assert "You can't do that here" in body
    mission.refresh_from_db()
    assert (mission.alignment_status, mission.aligned_by_id) == ("proposed", None)
    page.reload()
    expect(page.locator(".mission-meta")).to_contain_text("Proposed")


def test_an_org_chart_with_one_bad_line_imports_nothing_and_names_the_line(
    page: Page, live_server: Any, world: Any
) -> None:
    users_before, teams_before = get_user_model().objects.count(), Team.objects.count()
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Import an org chart (CSV)").click()
    expect(page.get_by_role("heading", name="Import an org chart", level=1)).to_be_visible()
    page.get_by_label("Org chart (CSV)").set_input_files(files=_csv(BAD_CHART))
    page.get_by_role("button", name="Preview").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported.")
    preview = page.get_by_role("table", name="Preview")
    bad = preview.get_by_role("row").filter(has_text="not-an-email")
    expect(bad.get_by_role("cell").first).to_have_text("4")
    expect(bad).to_contain_text("“not-an-email” is not an email address.")
    expect(preview.get_by_role("row").filter(has_text="ben@example.org")).to_contain_text("OK")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert (get_user_model().objects.count(), Team.objects.count()) == (users_before, teams_before)
    assert not Team.objects.filter(name__in=["Community", "Night Nursing"]).exists()
    assert not get_user_model().objects.filter(email="ana@example.org").exists()
    _shot(page, "import-error-desktop.png")


def test_the_main_pages_render_at_desktop_width(
    page: Page, live_server: Any, world: Any, new_context: Any
) -> None:
    KpiFactory(mission=world.team_mission, name="Community beds", unit="beds")
    _log_in(page, live_server, "ceo")
    pages = (
        ("/o/acme/", "Acme Health", "home-ceo-desktop.png"),
        ("/o/acme/cascade/", "The cascade", "cascade-desktop.png"),
        (f"/o/acme/missions/{world.team_mission.pk}/", "Community wards", "mission-desktop.png"),
        (
            f"/o/acme/missions/new/?parent={world.org_mission.pk}",
            "Write a mission under “Care closer to home”",
            "child-form-empty-desktop.png",
        ),
    )
    for path, heading, name in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        _assert_no_sideways_scroll(page)
        _shot(page, name)

    admin = new_context(viewport=DESKTOP).new_page()
    _log_in(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/o/acme/people/")
    expect(admin.get_by_role("heading", name="Teams and people", level=1)).to_be_visible()
    teams = admin.get_by_role("region", name="Teams", exact=True)
    expect(teams.get_by_role("row").filter(has_text="Operations")).to_contain_text("Board")
    _assert_no_sideways_scroll(admin)
    _shot(admin, "people-desktop.png")
    admin.goto(f"{live_server.url}/o/acme/people/import/")
    admin.get_by_label("Org chart (CSV)").set_input_files(files=_csv(GOOD_CHART))
    admin.get_by_role("button", name="Preview").click()
    expect(admin.get_by_role("status")).to_contain_text(
        "Ready: 3 people (3 new to Acme Health), 2 new teams"
    )
    expect(admin.get_by_role("button", name="Import")).to_be_visible()
    _assert_no_sideways_scroll(admin)
    _shot(admin, "import-preview-desktop.png")
    assert not Team.objects.filter(name="Community").exists()  # a preview stores nothing
