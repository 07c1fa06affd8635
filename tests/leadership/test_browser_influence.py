"""Influence in headless Chromium, as the personas would: a team leader maps a stakeholder of
their mission with a communication plan; the plan's owner finds the contact due in their inbox,
logs it, and the item is gone; the stance moved is in the database, the API and the history.
No axe violation on the map, at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kernel.models import Notification
from leadership.models import Contact, Stakeholder
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stakeholder_mapped_planned_contacted_and_moved(
    page: Page, live_server: Any, world: Any
) -> None:
    today = timezone.localdate()
    mission = world.team_mission  # lead's
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/")
    page.get_by_role("link", name="the stakeholder map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stakeholders of “Community wards”")

    page.get_by_text("Add a stakeholder").click()
    page.get_by_label("Name (optional)", exact=True).fill("Patients' council")
    page.get_by_label("Why they matter").fill("Their voice decides whether the wards are trusted.")
    page.get_by_label("Values and interests").fill("Safety; being heard before changes.")
    page.get_by_label("Influence", exact=True).select_option("4")
    page.get_by_label("Interest", exact=True).select_option("5")
    page.get_by_label("Stance now").select_option(label="Sceptical")
    page.get_by_label("Stance needed").select_option(label="Supportive")
    page.get_by_label("Message").fill("Virtual wards keep people safe at home.")
    page.get_by_label("Channel").select_option(label="One-to-one meeting")
    page.get_by_label("Every (days)").fill("30")
    owner = page.get_by_role("combobox", name="Plan owner")
    owner.press_sequentially("staff", delay=30)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text(world.staff.get_full_name())
    owner.press("ArrowDown")
    owner.press("Enter")
    page.get_by_label("Next contact").fill(today.isoformat())
    page.get_by_role("button", name="Add stakeholder").click()

    expect(page.get_by_role("status")).to_contain_text("Patients' council is on the map.")
    grid = page.get_by_role("img", name="Stakeholders by influence and interest")
    expect(grid).to_contain_text("Patients' council")
    row = page.get_by_role("row").filter(has_text="Patients' council")
    expect(row).to_contain_text("Manage closely")
    expect(row).to_contain_text("Sceptical → Supportive")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _no_overflow_and_no_axe_violation(page, width)

    stored = Stakeholder.objects.get()
    assert (stored.mission, stored.plan_owner, stored.created_by) == (
        mission,
        world.staff,
        world.lead,
    )
    assert (stored.influence, stored.interest, stored.stance, stored.cadence_days) == (4, 5, -1, 30)
    answer = page.request.get(f"{live_server.url}/api/v1/stakeholders/{stored.pk}/")
    assert answer.ok, answer.status
    assert answer.json()["quadrant"] == "Manage closely"
    assert answer.json()["plan_owner"] == world.staff.pk

    # The plan's owner: the contact due waits in their inbox, and leaves it once logged.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/me/")
    group = page.locator(".inbox__group").filter(has_text="Stakeholders to contact")
    item = group.get_by_role("link", name="Contact Patients' council")
    expect(item).to_be_visible()
    item.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients' council")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)  # the owner's, not theirs
    page.get_by_text("Log a contact").click()
    page.get_by_label("What was said").fill("They asked for the safety data; I will send it.")
    page.get_by_label("Where they stand now").select_option(label="Neutral")
    page.get_by_role("button", name="Log contact").click()
    expect(page.get_by_role("status")).to_contain_text("Contact logged.")
    expect(page.locator("#stance-now")).to_have_text("Neutral")
    history = page.get_by_role("region", name="History").get_by_role("listitem").first
    expect(history).to_contain_text(f"{world.staff.get_full_name()} logged a contact with it")
    expect(history).to_contain_text("Stance now: Sceptical → Neutral")

    page.goto(f"{live_server.url}/o/acme/me/")
    expect(page.get_by_role("link", name="Contact Patients' council")).to_have_count(0)
    stored.refresh_from_db()
    assert stored.stance == 0
    assert (stored.next_contact_on - today).days == 30
    contact = Contact.objects.get()
    assert (contact.by, contact.channel, contact.stance_after) == (world.staff, "meeting", 0)
    assert not Notification.objects.filter(
        kind=Notification.Kind.CONTACT_DUE, done_at__isnull=True
    ).exists()
    contacts = page.request.get(f"{live_server.url}/api/v1/stakeholders/{stored.pk}/contacts/")
    assert contacts.json()["results"][0]["note"].startswith("They asked for the safety data")

    # Another member of the team reads the mission, not what its leader thinks of people.
    page.context.clear_cookies()
    log_in(page, live_server, "coach")
    missing = page.goto(f"{live_server.url}/o/acme/stakeholders/{stored.pk}/")
    assert missing is not None and missing.status == 404
