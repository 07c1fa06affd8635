"""The email settings page with the keyboard only, in headless Chromium: each radio button is
found by its accessible name (its row and its column), arrow keys move a group's choice, and
Enter on the button saves."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Profile
from kernel.preferences import channels_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_email_settings_work_from_the_keyboard(page: Page, live_server: Any, world) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/email/")

    at_once = page.get_by_role("radio", name="Mission aligned Email at once", exact=True)
    digest = page.get_by_role("radio", name="Mission aligned In the digest", exact=True)
    expect(digest).to_be_checked()
    # Focus the group's checked button, then the arrow keys move the choice within the row.
    digest.focus()
    page.keyboard.press("ArrowLeft")
    expect(at_once).to_be_checked()
    expect(at_once).to_be_focused()
    expect(digest).not_to_be_checked()
    page.get_by_role("radio", name="Weekly, on Mondays").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your email settings are saved.")).to_be_visible()
    assert channels_for(user_id=world.staff.pk)["aligned"] == "at_once"
    assert Profile.objects.get(user=world.staff).digest == "weekly"
