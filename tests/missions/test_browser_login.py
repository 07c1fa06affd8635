"""Log in through the real form in headless Chromium and land on the organisation home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTENT = "Shift care out of hospital without losing quality."
PHONE = {"width": 375, "height": 812}


def _log_in(page: Page, live_server: Any, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_it_logs_in_and_lands_on_the_home(
    page: Page, live_server: Any, world: Any, tmp_path: Path
) -> None:
    _log_in(page, live_server, "ceo", "mission-test")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    expect(page.get_by_role("heading", name="Acme Health", level=1)).to_be_visible()
    expect(page.get_by_text(INTENT)).to_be_visible()
    top_missions = page.get_by_role("region", name="Organisation missions")
    expect(top_missions.get_by_role("link", name="Care closer to home")).to_be_visible()
    page.screenshot(path=tmp_path / "home-desktop.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_text(INTENT)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page scrolls sideways: {scroll_width}px wide"
    page.screenshot(path=tmp_path / "home-phone.png", full_page=True)


def test_it_reaches_the_navigation_by_keyboard(page: Page, live_server: Any, world: Any) -> None:
    _log_in(page, live_server, "ceo", "mission-test")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    first_nav_link = page.locator(".site-nav a").first
    for _ in range(5):  # the skip link and the brand come first
        page.keyboard.press("Tab")
        if first_nav_link.evaluate("link => link === document.activeElement"):
            break
    expect(first_nav_link).to_be_focused()
    expect(first_nav_link).to_have_text("Home")


def test_it_skips_to_the_content_by_keyboard(page: Page, live_server: Any, world: Any) -> None:
    _log_in(page, live_server, "ceo", "mission-test")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_it_says_clearly_when_the_password_is_wrong(
    page: Page, live_server: Any, world: Any, tmp_path: Path
) -> None:
    _log_in(page, live_server, "ceo", "not-the-password")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("ceo")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=tmp_path / "login-error-phone.png", full_page=True)
