"""The app on a phone (390 px), in headless Chromium: the header folds behind a Menu button
that carries the counts and works by keyboard, with and without JavaScript; tables become
cards of labelled values; the team dashboard opens folded to its headings. The desktop keeps
its navigation in view."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from kernel.models import Notification
from kernel.notifications import notify
from missions.models import Mission
from reviews.models import Review
from tests.browser import log_in
from tests.measures.factories import KpiFactory
from tests.reviews.test_dashboards import _finding, days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
Kind = Notification.Kind


@pytest.fixture
def waiting(world: Any) -> Any:
    """Something for the CEO to do (an alignment request) and two unread notifications."""
    notify(
        recipients=[world.leader],
        kind=Kind.ALIGNMENT_REQUESTED,
        message="Operations asks you to align its mission",
        mission=world.team_mission,
        cause=f"alignment:{world.team_mission.pk}",
    )
    notify(
        recipients=[world.leader],
        kind=Kind.ALIGNED,
        message="Your mission was aligned",
        mission=world.org_mission,
    )
    return world


def _tab_to(page: Page, target: Locator, most: int = 8) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    expect(target).to_be_focused()


def _header_height(page: Page) -> float:
    return page.locator(".site-header").evaluate("header => header.getBoundingClientRect().height")


def test_the_phone_menu_opens_by_keyboard_with_its_counts_on_the_button(
    page: Page, live_server: Any, waiting: Any
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "ceo")
    menu = page.locator("summary", has_text="Menu")
    nav = page.get_by_role("navigation", name="Acme Health")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text("1 to do")  # the counts, while the menu is folded
    expect(menu).to_contain_text("2 unread")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    assert _header_height(page) <= 64
    assert page.locator(".site-menu").evaluate("menu => menu.open") is False

    _tab_to(page, menu)  # after the skip link and the brand
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    assert page.locator(".site-menu").evaluate("menu => menu.open") is True
    reviews = nav.get_by_role("link", name="Reviews")
    _tab_to(page, reviews)
    expect(nav.get_by_role("link", name="My work")).to_contain_text("1")
    expect(nav.get_by_role("link", name="Notifications")).to_contain_text("2")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    page.keyboard.press("Enter")
    _tab_to(page, reviews)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/o/acme/reviews/")
    expect(page.get_by_role("heading", name="Reviews", level=1)).to_be_visible()
    expect(nav).to_be_hidden()  # a new page opens with the menu folded

    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Reviews")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_phone_menu_works_without_javascript(
    browser: Any, live_server: Any, waiting: Any
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, "ceo")
    menu = page.locator("summary", has_text="Menu")
    nav = page.get_by_role("navigation", name="Acme Health")
    expect(menu).to_contain_text("1 to do")
    expect(nav).to_be_hidden()
    _tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Notifications").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/notifications/")
    menu.click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    context.close()


def test_tables_are_cards_of_labelled_values_on_a_phone(
    page: Page, live_server: Any, world: Any
) -> None:
    Mission.objects.filter(pk=world.team_mission.pk).update(alignment_status="aligned")
    for n in range(3):
        Review.objects.create(mission=world.team_mission, due_date=days(n * 30 - 5))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/reviews/")
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth + 1")
    owner = wrap.locator("td[data-label='Owner']").first
    label = owner.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Owner"'
    title = wrap.get_by_role("link", name=world.team_mission.title).first
    box, cell = title.bounding_box(), owner.bounding_box()
    assert box and cell and box["y"] < cell["y"]  # the mission is the card's title, above
    # The column headers are still there for screen readers.
    expect(page.get_by_role("columnheader", name="Owner").first).to_be_attached()

    page.set_viewport_size(DESKTOP)
    assert owner.evaluate("cell => getComputedStyle(cell, '::before').content") == "none"
    expect(page.get_by_role("columnheader", name="Owner").first).to_be_visible()


@pytest.fixture
def busy_team(world: Any) -> Any:
    """A team whose dashboard is long: thirty KPIs, thirty findings, a dozen reviews due."""
    statuses = ["off_track", "at_risk", "unknown"]
    for n in range(30):
        KpiFactory(
            mission=world.staff_mission, name=f"Measure {n}", forecast_status=statuses[n % 3]
        )
        _finding(world.staff_mission, "stale_kpi", "warning", subject=f"kpi:{n}")
    for n in range(12):
        Review.objects.create(mission=world.team_mission, due_date=days(n - 6))
    return world


def test_the_team_dashboard_opens_folded_on_a_phone(
    page: Page, live_server: Any, busy_team: Any
) -> None:
    team = busy_team.team
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/dashboard/teams/{team.pk}/")
    findings = page.get_by_role("region", name="Findings to act on")
    expect(findings).to_contain_text("30")  # the count is on the folded heading
    expect(findings.get_by_role("listitem").first).to_be_hidden()
    folded = page.evaluate("document.documentElement.scrollHeight")
    assert folded <= 4000, folded

    findings.get_by_text("Findings to act on").click()
    expect(findings.get_by_role("listitem").first).to_be_visible()
    page.locator("summary", has_text="KPIs and forecasts").focus()
    page.keyboard.press("Enter")
    kpis = page.get_by_role("region", name="KPIs and forecasts")
    expect(kpis.get_by_role("link", name="Measure 0", exact=True)).to_be_visible()
    unfolded = page.evaluate("document.documentElement.scrollHeight")
    assert unfolded > 2 * folded, (folded, unfolded)

    page.set_viewport_size(DESKTOP)
    page.reload()  # on a desktop every section is open
    expect(findings.get_by_role("listitem").first).to_be_visible()
    expect(kpis.get_by_role("link", name="Measure 0", exact=True)).to_be_visible()
