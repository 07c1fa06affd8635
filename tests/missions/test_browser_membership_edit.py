"""A member's role, team and job title changed in headless Chromium by the organisation's
admin from the People page, the team chosen in the picker; read back from the database and
the history; no axe violation on the edit page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent, Membership
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_changes_a_members_role_team_and_job_title(
    page: Page, live_server: Any, world: Any
) -> None:
    world.staff.first_name, world.staff.last_name = "Sam", "Taylor"
    world.staff.save()
    membership = Membership.objects.get(organisation=world.organisation, user=world.staff)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Change Sam Taylor").click()
    expect(page.get_by_role("heading", name="Sam Taylor")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Role").select_option("leader")
    picker = page.get_by_role("combobox", name="Team")
    picker.fill("")
    picker.press_sequentially("boar", delay=30)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text("Board")
    picker.press("ArrowDown")
    picker.press("Enter")
    page.get_by_label("Job title").fill("Ward nurse")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sam Taylor is saved.")).to_be_visible()

    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.role, stored.team, stored.job_title) == (
        "leader",
        world.top_team,
        "Ward nurse",
    )
    event = AuditEvent.objects.get(object_id=membership.pk, verb=AuditEvent.Verb.UPDATED)
    assert event.actor == world.org_admin
    assert set(event.changes) == {"role", "team", "job_title"}
