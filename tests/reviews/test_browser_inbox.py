"""The inbox round trip in headless Chromium: the lead proposes, the CEO's inbox shows it, the
CEO sends it back with a reason, the lead's inbox quotes the reason, the lead proposes again
(still one item for the CEO), the CEO aligns, and neither inbox holds it any more. What the
pages showed is what the database, the API and the history hold."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from kernel.models import AuditEvent, Notification
from missions.models import Mission
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Name the second site before winter."


def _inbox(page: Page, live_server: Any) -> Any:
    page.goto(f"{live_server.url}/o/acme/me/")
    return page.get_by_role("region", name="To do now")


def _api_inbox(user: Any) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    return [item["cause"] for item in client.get("/api/v1/inbox/").json()["results"]]


def test_propose_send_back_propose_again_align_through_both_inboxes(
    page: Page, live_server: Any, world: Any, new_context: Any
) -> None:
    mission = world.team_mission
    title = mission.title
    asked, sent_back = f"alignment:{mission.pk}", f"sent_back:{mission.pk}"
    url = f"{live_server.url}/o/acme/missions/{mission.pk}/"

    # The lead proposes the team mission.
    log_in(page, live_server, "lead")
    page.goto(url)
    page.get_by_role("region", name="Alignment").get_by_role("button", name="Propose").click()
    expect(page.locator(".mission-meta")).to_contain_text("Proposed")

    # The CEO's inbox shows it, counted in the navigation; the link leads to the decision.
    ceo = new_context().new_page()
    log_in(ceo, live_server, "ceo")
    inbox = _inbox(ceo, live_server)
    group = inbox.locator(".inbox__group", has_text="Waiting for your alignment")
    expect(group.get_by_role("link", name=title)).to_be_visible()
    expect(ceo.get_by_role("link", name="My work")).to_contain_text("1")
    assert _api_inbox(world.leader) == [asked]
    group.get_by_role("link", name=title).click()
    expect(ceo).to_have_url(url)

    # The CEO sends it back with a reason: the item is done, for the CEO.
    panel = ceo.get_by_role("region", name="Alignment")
    panel.get_by_label("What needs to change").fill(REASON)
    panel.get_by_role("button", name="Send back").click()
    expect(ceo.locator(".mission-meta")).to_contain_text("Sent back")
    expect(_inbox(ceo, live_server)).to_contain_text("Nothing waits for you")
    item = Notification.objects.get(recipient=world.leader, cause=asked)
    assert item.done_by == world.leader and item.done_at is not None

    # The lead's inbox quotes the reason.
    inbox = _inbox(page, live_server)
    group = inbox.locator(".inbox__group", has_text="Sent back to you")
    expect(group).to_contain_text(REASON)
    assert _api_inbox(world.lead) == [sent_back]

    # The lead proposes again: their item is done, the CEO has one item again, not two.
    group.get_by_role("link").first.click()
    expect(page).to_have_url(url)
    page.get_by_role("region", name="Alignment").get_by_role("button", name="Propose").click()
    expect(page.locator(".mission-meta")).to_contain_text("Proposed")
    expect(_inbox(page, live_server)).to_contain_text("Nothing waits for you")
    open_for_ceo = Notification.objects.filter(recipient=world.leader, done_at=None)
    assert list(open_for_ceo.values_list("cause", flat=True)) == [asked]
    inbox = _inbox(ceo, live_server)
    expect(inbox.locator(f'[data-cause="{asked}"]')).to_have_count(1)

    # The CEO aligns: both inboxes are empty of it, everywhere.
    inbox.get_by_role("link", name=title).click()
    ceo.get_by_role("region", name="Alignment").get_by_role("button", name="Align").click()
    expect(ceo.locator(".mission-meta")).to_contain_text("Aligned")
    for person, user in ((ceo, world.leader), (page, world.lead)):
        expect(_inbox(person, live_server)).to_contain_text("Nothing waits for you")
        expect(person.get_by_role("link", name="My work")).not_to_contain_text("1")
        assert _api_inbox(user) == []
    assert Mission.objects.get(pk=mission.pk).alignment_status == "aligned"
    assert not Notification.objects.filter(mission=mission, done_at=None).exclude(cause=None)
    # The notification centre keeps what was done, and the history says who did what.
    ceo.goto(f"{live_server.url}/o/acme/notifications/?show=done")
    expect(ceo.locator(f"#notification-{item.pk}")).to_contain_text("done")
    verbs = list(
        AuditEvent.objects.filter(mission=mission, verb__in=["proposed", "sent_back", "aligned"])
        .order_by("created_at", "id")
        .values_list("verb", "actor__username")
    )
    assert verbs == [
        ("proposed", "lead"),
        ("sent_back", "ceo"),
        ("proposed", "lead"),
        ("aligned", "ceo"),
    ]
