"""Writing a child mission in steps, in headless Chromium: with the mouse, with the keyboard
alone, and without JavaScript; then reading back what was stored, from the database and from
the API (``/api/v1/missions/<id>/``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from measures.models import Kpi
from missions.models import KeyTask, Mission
from tests.missions.factories import MissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
MISSION_URL = re.compile(r"/o/acme/missions/(\d+)/$")

# The accessible name of the focused element: its label's text without "(optional)", else
# its own name (a button's or a link's text).
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const text = el.labels && el.labels.length ? el.labels[0].innerText
    : el.getAttribute("aria-label") || el.innerText || "";
  return text.replace(/\\s*\\(optional\\)\\s*$/, "").trim();
}"""


def _space_under(world: Any) -> Mission:
    """The organisation mission with €10,000 and 5 people, of which another child takes
    €6,000 and 1 person, and a deadline of 30 Nov 2026."""
    parent = world.org_mission
    Mission.objects.filter(pk=parent.pk).update(
        budget=Decimal(10000), headcount=5, deadline=dt.date(2026, 11, 30)
    )
    parent.refresh_from_db()
    MissionFactory(parent=parent, owner_team=world.team, budget=Decimal(6000), headcount=1)
    return parent


def _read_back(page: Page, live_server: Any, mission_id: int) -> dict[str, Any]:
    """The mission as the API gives it to the same signed-in browser (its session)."""
    answer = page.request.get(f"{live_server.url}/api/v1/missions/{mission_id}/")
    assert answer.ok, answer.status
    return answer.json()


def test_a_lead_writes_a_child_mission_step_by_step(
    page: Page, live_server: Any, world: Any
) -> None:
    parent = _space_under(world)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")

    steps = page.get_by_role("navigation", name="Steps")
    expect(steps.get_by_role("link", name="The mission")).to_have_attribute("aria-current", "step")
    expect(page.get_by_role("group", name="Operating space")).to_be_hidden()
    expect(page.get_by_role("button", name="Back")).to_be_hidden()
    above = page.get_by_role("complementary", name="Intent above")
    expect(above).to_contain_text("1-up intent · Care closer to home")
    expect(above).to_contain_text("2-up intent · CEO's intent")  # as on the mission page
    essentials = page.get_by_role("group", name="Mission", exact=True)
    essentials.get_by_label("Title").fill("Community nursing at home")
    essentials.get_by_label("Intent").fill("Fewer admissions: patients are nursed at home.")
    page.get_by_role("button", name="Next").click()

    # The operating space, with what the parent leaves above its fields.
    expect(steps.get_by_role("link", name="Operating space")).to_have_attribute(
        "aria-current", "step"
    )
    space = page.get_by_role("group", name="Operating space")
    expect(space).to_contain_text("€4,000 left of €10,000: its other missions take €6,000")
    expect(space).to_contain_text("4 left of 5: its other missions take 1")
    expect(space).to_contain_text("a deadline no later than 30 Nov 2026")
    expect(page.get_by_label("Title").first).to_be_hidden()
    space.get_by_label("Deadline").fill("2026-10-31")
    space.get_by_label("Budget").fill("3500")
    space.get_by_label("Headcount").fill("2")
    space.get_by_label("Free to decide").fill("Rotas\nSuppliers")
    page.get_by_role("button", name="Back").click()
    expect(essentials.get_by_label("Title")).to_have_value("Community nursing at home")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()

    kpi = page.get_by_role("group", name=re.compile("^A first measure of success"))
    kpi.get_by_label("Name").fill("Patients nursed at home")
    kpi.get_by_label("Baseline").fill("100")
    kpi.get_by_label("Target", exact=True).fill("400")
    kpi.get_by_label("Due date").fill("2026-10-31")
    task = page.get_by_role("group", name=re.compile("^A first key task"))
    task.get_by_label("Title").fill("Hire two nurses")
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(MISSION_URL)
    expect(page.get_by_role("status")).to_contain_text("The mission is saved as a draft.")
    mission_id = int(MISSION_URL.search(page.url).group(1))  # type: ignore[union-attr]
    stored = Mission.objects.get(pk=mission_id)
    assert (stored.parent_id, stored.owner_team_id, stored.created_by_id) == (
        parent.pk,
        world.team.pk,
        world.lead.pk,
    )
    assert (stored.budget, stored.headcount, stored.deadline) == (
        Decimal(3500),
        2,
        dt.date(2026, 10, 31),
    )
    assert stored.decision_rights == {"free": ["Rotas", "Suppliers"]}
    assert Kpi.objects.get(mission=stored).target == Decimal(400)
    assert KeyTask.objects.get(mission=stored).title == "Hire two nurses"
    api = _read_back(page, live_server, mission_id)
    assert (api["title"], api["parent"], api["owner_team"]) == (
        "Community nursing at home",
        parent.pk,
        world.team.pk,
    )
    assert api["alignment_status"] == "draft"
    assert api["operating_space"]["budget"] == "3500.00"
    assert api["operating_space"]["headcount"] == 2
    assert api["operating_space"]["deadline"] == "2026-10-31"
    assert api["operating_space"]["decision_rights"] == {"free": ["Rotas", "Suppliers"]}


def test_an_over_budget_save_opens_the_operating_space_with_everything_kept(
    page: Page, live_server: Any, world: Any
) -> None:
    parent = _space_under(world)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")
    essentials = page.get_by_role("group", name="Mission", exact=True)
    essentials.get_by_label("Title").fill("Too dear")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Budget").fill("4000.01")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("group", name=re.compile("^A first key task")).get_by_label("Title").fill(
        "Hire two nurses"
    )
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.get_by_role("link", name="Operating space (needs correcting)")).to_have_attribute(
        "aria-current", "step"
    )
    budget = page.get_by_label("Budget")
    expect(budget).to_be_visible()
    expect(budget).to_have_value("4000.01")
    expect(page.locator(".field", has=budget)).to_contain_text(
        "its other missions take €6,000, so at most €4,000 is left for this one."
    )
    page.get_by_role("link", name="The mission").click()
    expect(essentials.get_by_label("Title")).to_have_value("Too dear")
    page.get_by_role("link", name="First KPI and key task").click()
    expect(
        page.get_by_role("group", name=re.compile("^A first key task")).get_by_label("Title")
    ).to_have_value("Hire two nurses")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways: {width}px wide"
    assert not Mission.objects.filter(title="Too dear").exists()


def _focused(page: Page) -> str:
    return str(page.evaluate(FOCUSED_NAME))


def _tab_to(page: Page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element is called ``name``, as a keyboard user would."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
        if seen[-1] == name:
            return
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def test_a_lead_writes_a_child_mission_with_the_keyboard_alone(
    live_server: Any, world: Any, new_context: Any
) -> None:
    """Tab, typing, Enter and Space only: no click, no filling of a field found by selector."""
    parent = _space_under(world)
    page = new_context(viewport=DESKTOP, locale="en-US").new_page()
    keys = page.keyboard
    page.goto(f"{live_server.url}/accounts/login/")
    _tab_to(page, "Username")
    keys.type("lead")
    _tab_to(page, "Password")
    keys.type("mission-test")
    keys.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")

    # 1. The mission.
    _tab_to(page, "Title")
    keys.type("Nursing at home, by keyboard")
    _tab_to(page, "Statement")
    keys.type("Nurse patients at home.")
    _tab_to(page, "Intent")
    keys.type("Fewer admissions.")
    _tab_to(page, "Period end")
    keys.press("Enter")  # Enter in a one-line field goes on to the next step, saves nothing

    # 2. The operating space: Next put the focus on its first field, the deadline.
    assert _focused(page) == "Deadline"
    keys.type("10312026")
    _tab_to(page, "Budget")
    keys.type("3000")
    _tab_to(page, "Headcount")
    keys.type("3")
    _tab_to(page, "Scope")
    keys.type("The north of the county.")
    _tab_to(page, "Must not")
    keys.type("Close beds")
    _tab_to(page, "Next")
    keys.press(" ")

    # 3. A first KPI and key task.
    assert _focused(page) == "Name"
    keys.type("Patients nursed at home")
    _tab_to(page, "Direction")
    keys.type("Decrease")
    _tab_to(page, "Baseline")
    keys.type("400")
    _tab_to(page, "Target")
    keys.type("100")
    _tab_to(page, "Due date")
    keys.type("10312026")
    _tab_to(page, "Title")
    keys.type("Hire two nurses")
    _tab_to(page, "Owner")
    keys.type("lead")
    owner = page.get_by_role("combobox", name="Owner")
    expect(owner).to_have_attribute("aria-expanded", "true")  # the suggestions opened
    keys.press("ArrowDown")
    keys.press("Enter")  # chooses the suggestion; the form is not sent
    expect(owner).to_have_attribute("aria-expanded", "false")
    _tab_to(page, "Save")
    keys.press("Enter")

    expect(page).to_have_url(MISSION_URL)
    stored = Mission.objects.get(title="Nursing at home, by keyboard")
    assert (stored.parent_id, stored.owner_team_id) == (parent.pk, world.team.pk)
    assert (stored.statement, stored.intent) == ("Nurse patients at home.", "Fewer admissions.")
    assert (stored.deadline, stored.budget, stored.headcount) == (
        dt.date(2026, 10, 31),
        Decimal(3000),
        3,
    )
    assert stored.scope == "The north of the county."
    assert stored.decision_rights == {"must_not": ["Close beds"]}
    kpi = Kpi.objects.get(mission=stored)
    assert (kpi.name, kpi.direction, kpi.baseline, kpi.target, kpi.due_date) == (
        "Patients nursed at home",
        "decrease",
        Decimal(400),
        Decimal(100),
        dt.date(2026, 10, 31),
    )
    task = KeyTask.objects.get(mission=stored)
    assert (task.title, task.owner_id) == ("Hire two nurses", world.lead.pk)
    api = _read_back(page, live_server, stored.pk)
    assert api["operating_space"]["budget"] == "3000.00"


def test_without_javascript_every_step_shows_on_one_page_and_saves(
    live_server: Any, world: Any, new_context: Any
) -> None:
    parent = _space_under(world)
    page = new_context(viewport=DESKTOP, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/missions/new/?parent={parent.pk}")

    for group in ("Mission", "Operating space", "A first measure of success"):
        expect(page.get_by_role("group", name=re.compile(f"^{group}")).first).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    expect(page.get_by_role("button", name="Back")).to_be_hidden()
    expect(page.get_by_role("group", name="Operating space")).to_contain_text(
        "€4,000 left of €10,000"
    )
    page.get_by_label("Title").first.fill("Nursing at home, no script")
    page.get_by_label("Budget").fill("5000")
    page.get_by_role("button", name="Save").click()
    # Refused: the page comes back with everything on it, the error beside the budget.
    expect(page.get_by_label("Budget")).to_have_value("5000")
    expect(page.get_by_label("Title").first).to_have_value("Nursing at home, no script")
    expect(page.locator(".field--error")).to_contain_text("at most €4,000 is left")
    page.get_by_label("Budget").fill("4000")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(MISSION_URL)
    assert Mission.objects.get(title="Nursing at home, no script").budget == Decimal(4000)
