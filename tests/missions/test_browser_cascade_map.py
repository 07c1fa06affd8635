"""The cascade's list and map, used as a person would in headless Chromium: switching to the
map, opening a box, Expand all and Collapse all by keyboard (aria-expanded following), the
next boxes of a long branch, the page without JavaScript, a phone, aligned filter labels,
and no axe-core violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python import __file__ as axe_package
from playwright.sync_api import Locator, Page, expect

from missions.models import Mission
from missions.views.cascade import MAP_BRANCH_PAGE
from tests.browser import log_in
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = (Path(axe_package).parent / "axe.min.js").read_text()
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def _expanded(toggles: Locator, state: str) -> None:
    for i in range(toggles.count()):
        expect(toggles.nth(i)).to_have_attribute("aria-expanded", state)


def _wide_world(world: Any, n: int = 11) -> list[Mission]:
    """n more team missions under the top mission: a map wider than any page."""
    return [
        MissionFactory(parent=world.org_mission, owner_team=world.team, title=f"Team {i:02d}")
        for i in range(n)
    ]


def test_a_leader_opens_the_map_a_box_then_expands_and_collapses_all_by_keyboard(
    page: Page, live_server: Any, world: Any
) -> None:
    KpiFactory(mission=world.org_mission, forecast_status="on_track", progress=0.5)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "ceo")
    page.goto(f"{live_server.url}/o/acme/cascade/")
    views = page.get_by_role("navigation", name="Views of the cascade")
    expect(views.get_by_role("link", name="List")).to_have_attribute("aria-current", "page")
    views.get_by_role("link", name="Map").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/cascade/?view=map")
    expect(views.get_by_role("link", name="Map")).to_have_attribute("aria-current", "page")

    region = page.get_by_role("region", name="Strategy map")
    top = region.get_by_role("listitem").filter(has_text="Care closer to home").first
    expect(top.locator(".avatar")).to_have_text("B")
    expect(top).to_contain_text("On track")
    expect(top.get_by_role("progressbar", name="Progress, on track")).to_have_attribute(
        "value", "50"
    )
    toggle = region.get_by_role("button", name="1 mission under “Care closer to home”")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    size = toggle.bounding_box()
    assert size and size["width"] >= 24 and size["height"] >= 24, size
    expect(region.get_by_role("link", name="Community wards")).to_have_count(0)

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(region.get_by_role("link", name="Community wards")).to_be_visible()
    expect(region.get_by_role("link", name="Open two virtual wards")).to_have_count(0)
    _shot(page, "cascade-map-one-open-desktop.png")

    expand_all = page.get_by_role("button", name="Expand all")
    expand_all.focus()
    page.keyboard.press("Enter")
    status = page.locator("#cascade-status")
    expect(status).to_have_text("Expanded: 3 levels of the cascade, 3 missions.")
    expect(region.get_by_role("link", name="Open two virtual wards")).to_be_visible()
    toggles = region.locator("[data-cascade-toggle]")
    expect(toggles).to_have_count(2)
    _expanded(toggles, "true")
    expect(expand_all).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}/o/acme/cascade/?view=map&expand=all")
    _shot(page, "cascade-map-expanded-desktop.png")

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Collapse all")).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_have_text("Every branch is closed.")
    _expanded(toggles, "false")
    expect(region.get_by_role("link", name="Community wards")).to_be_hidden()
    expect(page).to_have_url(f"{live_server.url}/o/acme/cascade/?view=map")

    # A branch opened again shows what it loaded; the keyboard opens it too.
    toggles.first.focus()
    page.keyboard.press("Enter")
    expect(toggles.first).to_have_attribute("aria-expanded", "true")
    expect(region.get_by_role("link", name="Community wards")).to_be_visible()
    expect(toggles.nth(1)).to_have_attribute("aria-expanded", "false")
    expect(region.get_by_role("link", name="Open two virtual wards")).to_be_hidden()


def test_the_list_expands_and_collapses_the_same_way(
    page: Page, live_server: Any, world: Any
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/cascade/")
    toggle = page.get_by_role("button", name="1 mission under “Care closer to home”")
    size = toggle.bounding_box()
    assert size and size["width"] >= 24 and size["height"] >= 24, size
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    inner = page.get_by_role("button", name="1 mission under “Community wards”")
    inner.click()
    expect(page.get_by_role("link", name="Open two virtual wards")).to_be_visible()
    page.get_by_role("button", name="Collapse all").click()
    _expanded(page.locator("[data-cascade-toggle]"), "false")
    expect(page.get_by_role("link", name="Community wards")).to_be_hidden()
    page.get_by_role("button", name="Expand all").click()
    expect(page.get_by_role("link", name="Open two virtual wards")).to_be_visible()
    _expanded(page.locator("[data-cascade-toggle]"), "true")
    _shot(page, "cascade-list-expanded-desktop.png")


def test_n_more_brings_the_next_boxes_of_a_long_branch_in_its_place(
    page: Page, live_server: Any, world: Any
) -> None:
    _wide_world(world)  # with the community wards: 12 under the top mission
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "coach")
    page.goto(f"{live_server.url}/o/acme/cascade/?view=map")
    region = page.get_by_role("region", name="Strategy map")
    region.get_by_role("button", name="12 missions under “Care closer to home”").click()
    branch = region.locator(f"#cascade-under-{world.org_mission.pk}")
    expect(branch.locator(":scope > .cascade__item:not(.cascade__item--more)")).to_have_count(
        MAP_BRANCH_PAGE
    )
    more = branch.get_by_role("link", name="4 more under “Care closer to home”")
    more.click()
    expect(branch.locator(":scope > .cascade__item")).to_have_count(12)
    expect(more).to_have_count(0)
    expect(branch.get_by_role("link", name="Team 07")).to_be_focused()  # the first new one
    # The map scrolls inside its own region, never the page.
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    _shot(page, "cascade-map-wide-desktop.png")


def test_without_javascript_the_map_reads_as_a_nested_list(
    new_context: Any, live_server: Any, world: Any
) -> None:
    page = new_context(viewport=DESKTOP, java_script_enabled=False).new_page()
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/cascade/?view=map")
    region = page.get_by_role("region", name="Strategy map")
    expect(region.get_by_role("button")).to_have_count(0)  # the toggles wait for the script
    region.get_by_role("link", name="Show the 1 mission under “Care closer to home”").click()
    expect(page.get_by_role("heading", name="Under “Care closer to home”", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Strategy map")).to_contain_text("Community wards")

    page.goto(f"{live_server.url}/o/acme/cascade/?view=map")
    page.get_by_role("button", name="Expand all").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/cascade/?view=map&expand=all")
    expect(page.locator("#cascade-status")).to_have_text(
        "Expanded: 3 levels of the cascade, 3 missions."
    )
    region = page.get_by_role("region", name="Strategy map")
    top = region.get_by_role("list").first.get_by_role("listitem").first
    team = top.get_by_role("list").get_by_role("listitem").first
    expect(team.get_by_role("link", name="Community wards")).to_be_visible()
    expect(
        team.get_by_role("list")
        .get_by_role("listitem")
        .get_by_role("link", name="Open two virtual wards")
    ).to_be_visible()
    page.get_by_role("button", name="Collapse all").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/cascade/?view=map&expand=none")
    expect(region.get_by_role("link", name="Community wards")).to_have_count(0)


def test_the_filter_labels_line_up_and_the_check_box_sits_with_the_fields(
    page: Page, live_server: Any, world: Any
) -> None:
    """Seen: in one row of filters, labels at four different heights (the fields with help
    text stood higher, the check box lower)."""
    log_in(page, live_server, "lead")
    for width in (1280, 900, 700):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/o/acme/cascade/")
        form = page.get_by_role("search", name="Filter the cascade")
        fields = []
        for name in ("q", "team", "owner", "status"):
            field = form.locator(".field").filter(has=page.locator(f"#id_{name}"))
            label = form.locator(f"label[for=id_{name}]").bounding_box()
            control = form.locator(f"#id_{name}").bounding_box()
            fields.append((field.bounding_box(), label, control))
        # The fields of one row of the grid (their boxes overlap): labels end on one line,
        # controls start on one line.
        rows: list[list[Any]] = []
        for box, label, control in sorted(fields, key=lambda f: f[0]["y"]):
            if rows and box["y"] < max(b["y"] + b["height"] for b, _, _ in rows[-1]):
                rows[-1].append((box, label, control))
            else:
                rows.append([(box, label, control)])
        for row in rows:
            assert len({round(label["y"] + label["height"]) for _, label, _ in row}) == 1, width
            assert len({round(control["y"]) for _, _, control in row}) == 1, width
        if width == 1280:  # one row; the check box in the middle of the controls' height
            assert len(rows) == 1
            check = form.get_by_label("Only problems").bounding_box()
            control = rows[0][0][2]
            middle = check["y"] + check["height"] / 2
            assert control["y"] <= middle <= control["y"] + control["height"], (check, control)
    page.set_viewport_size(DESKTOP)
    _shot(page, "cascade-filters-desktop.png")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_view_fits_and_passes_axe(
    new_context: Any, live_server: Any, world: Any, viewport: dict[str, int]
) -> None:
    _wide_world(world, 4)
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, "lead")
    problems = []
    for path in (
        "/o/acme/cascade/",
        "/o/acme/cascade/?expand=all",
        "/o/acme/cascade/?view=map",
        "/o/acme/cascade/?view=map&expand=all",
        "/o/acme/cascade/?view=map&q=Team",
        f"/o/acme/cascade/{world.org_mission.pk}/children/?view=map",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        toggles = page.locator("[data-cascade-toggle]:visible")
        for i in range(toggles.count()):
            size = toggles.nth(i).bounding_box()
            if not size or size["width"] < 24 or size["height"] < 24:
                problems.append(f"{path}: toggle {i} is {size}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{path}: {width} px wide")
        page.evaluate(AXE)
        violations = page.evaluate(
            "async () => (await axe.run()).violations"
            ".map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target).join(' ')}`)"
        )
        problems += [f"{path}: {v}" for v in violations]
    name = "phone" if viewport is PHONE else "desktop"
    page.goto(f"{live_server.url}/o/acme/cascade/?view=map&expand=all")
    _shot(page, f"cascade-map-expanded-{name}.png")
    assert problems == [] and errors == []
