"""The alignment conversation in headless Chromium: the lead proposes with a comment, the CEO
reads it in the Alignment panel and sends the mission back (first without a reason, which is
refused on the field, then with one), and the lead's page quotes the reason. What the pages
showed is what the database and the API hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from missions.models import Mission
from missions.services.alignment import SEND_BACK_NEEDS_A_REASON
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PROPOSAL = "Ready: the wards open in the districts you named."
REASON = "Bring the deadline to November, before the winter pressures."


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def _alignment_events(mission: Mission) -> list[tuple[str, str, str]]:
    return [
        (event.verb, event.actor.username, event.comment)
        for event in AuditEvent.objects.filter(
            mission=mission, verb__in=["proposed", "aligned", "sent_back"]
        )
        .select_related("actor")
        .order_by("created_at", "id")
    ]


def test_the_ceo_reads_the_proposal_and_sends_it_back_with_a_reason_the_lead_then_reads(
    page: Page, live_server: Any, world: Any, new_context: Any
) -> None:
    mission = world.team_mission
    url = f"{live_server.url}/o/acme/missions/{mission.pk}/"
    lead_name, ceo_name = world.lead.get_full_name(), world.leader.get_full_name()

    # The lead proposes the team mission, saying why it is ready.
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "lead")
    page.goto(url)
    panel = page.get_by_role("region", name="Alignment")
    panel.get_by_label("Comment", exact=False).fill(PROPOSAL)
    panel.get_by_role("button", name="Propose").click()
    expect(page).to_have_url(url)
    expect(page.locator(".mission-meta")).to_contain_text("Proposed")
    assert _alignment_events(mission) == [("proposed", "lead", PROPOSAL)]

    # The CEO, who owns the mission above, reads the proposal in the panel.
    ceo = new_context(viewport=DESKTOP).new_page()
    log_in(ceo, live_server, "ceo")
    ceo.goto(url)
    panel = ceo.get_by_role("region", name="Alignment")
    expect(panel).to_contain_text(f"{lead_name} proposed it for alignment")
    expect(panel.locator("blockquote")).to_have_text(PROPOSAL)
    reason = panel.get_by_label("What needs to change")
    expect(panel.locator("label", has_text="What needs to change")).to_contain_text("(required)")
    _shot(ceo, "alignment-proposed-desktop.png")

    # Sending back without a reason is refused on the field; nothing is stored.
    panel.get_by_role("button", name="Send back").click()
    panel = ceo.get_by_role("region", name="Alignment")
    reason = panel.get_by_label("What needs to change")
    expect(reason).to_have_attribute("aria-invalid", "true")
    field = ceo.locator(".field", has=ceo.get_by_label("What needs to change"))
    expect(field).to_contain_text(SEND_BACK_NEEDS_A_REASON)
    expect(ceo.locator(".mission-meta")).to_contain_text("Proposed")
    _shot(ceo, "alignment-send-back-error-desktop.png")
    stored = Mission.objects.get(pk=mission.pk)
    assert stored.alignment_status == "proposed"
    assert _alignment_events(mission) == [("proposed", "lead", PROPOSAL)]

    # With a reason it goes back to the lead.
    reason.fill(REASON)
    panel.get_by_role("button", name="Send back").click()
    expect(ceo).to_have_url(url)
    expect(ceo.locator(".mission-meta")).to_contain_text("Sent back")
    expect(ceo.get_by_role("region", name="Alignment")).to_contain_text(f"{ceo_name} sent it back")

    # The lead's page quotes the reason, and who gave it, where it says what to do next.
    page.set_viewport_size(PHONE)
    page.goto(url)
    panel = page.get_by_role("region", name="Alignment")
    sent_back = panel.locator(".conversation__turn--latest")
    expect(sent_back).to_contain_text(f"{ceo_name} sent it back")
    expect(sent_back.locator("blockquote")).to_have_text(REASON)
    expect(panel).to_contain_text("Change what was asked, then propose it again.")
    expect(panel.get_by_role("button", name="Propose")).to_be_visible()
    earlier = panel.get_by_role("group").filter(has_text="Earlier")
    earlier.locator("summary").click()
    expect(earlier).to_contain_text(f"{lead_name} proposed it for alignment")
    expect(earlier.locator("blockquote")).to_have_text(PROPOSAL)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    _shot(page, "alignment-sent-back-phone.png")

    # The history says the same in words.
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem").first).to_contain_text(
        f"{ceo_name} sent it back: “{REASON}”"
    )
    expect(history).not_to_contain_text("alignment_status")

    # What the pages showed is stored, and the API says where the mission stands.
    stored = Mission.objects.get(pk=mission.pk)
    assert (stored.alignment_status, stored.updated_by) == ("sent_back", world.leader)
    assert _alignment_events(mission) == [
        ("proposed", "lead", PROPOSAL),
        ("sent_back", "ceo", REASON),
    ]
    answer = page.request.get(f"{live_server.url}/api/v1/missions/{mission.pk}/")
    assert answer.ok, answer.status
    assert answer.json()["alignment_status"] == "sent_back"
