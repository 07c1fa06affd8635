"""What the browser tests share: logging in as one of the test organisation's personas."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

PASSWORD = "mission-test"  # every persona's, in tests/conftest.py


def log_in(page: Page, live_server: Any, username: str) -> None:
    """Log in through the form as ``username``; the persona lands on its organisation."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
