"""A conversation in headless Chromium: staff ask their boss a question on their mission's page,
mentioning them; the mention waits in the lead's inbox, leads to the comment, and is gone once
the lead answers in the thread. Read back from the database, the API and the history; no axe
violation, no sideways scrolling on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from reviews.models import Comment, Mention
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUESTION = "@lead can we open the second ward in May?"


def _api_inbox(user: Any) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    return [item["kind"] for item in client.get("/api/v1/inbox/").json()["results"]]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_mention_reaches_the_inbox_and_leaves_it_with_the_answer(
    page: Page, live_server: Any, world: Any, new_context: Any, width: int
) -> None:
    mission = world.staff_mission
    url = f"{live_server.url}/o/acme/missions/{mission.pk}/"
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(url)
    conversation = page.get_by_role("region", name="Conversation")
    conversation.get_by_text("Write a comment").click()
    conversation.get_by_label("Comment", exact=True).fill(QUESTION)
    conversation.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    comment = Comment.objects.get()
    expect(page).to_have_url(f"{url}#comment-{comment.pk}")
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("second ward in May?")
    _no_overflow_and_no_axe_violation(page, width)
    assert list(Mention.objects.values_list("person__username", flat=True)) == ["lead"]
    assert "mentioned" in _api_inbox(world.lead)

    lead = new_context().new_page()
    lead.set_viewport_size({"width": width, "height": 900})
    log_in(lead, live_server, "lead")
    lead.goto(f"{live_server.url}/o/acme/me/")
    inbox = lead.get_by_role("region", name="To do now")
    group = inbox.locator(".inbox__group", has_text="Mentioned in a comment")
    group.get_by_role("link", name=re.compile("mentioned you on")).click()
    expect(lead).to_have_url(f"{url}#comment-{comment.pk}")
    thread = lead.locator(".thread", has=lead.locator(f"#comment-{comment.pk}"))
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply").fill("Yes, if estates agree by Friday.")
    thread.get_by_role("button", name="Reply").click()
    expect(lead.get_by_text("Yes, if estates agree by Friday.")).to_be_visible()

    assert "mentioned" not in _api_inbox(world.lead)
    lead.goto(f"{live_server.url}/o/acme/me/")
    expect(lead.get_by_role("region", name="To do now")).not_to_contain_text("Mentioned")
    reply = Comment.objects.get(parent=comment)
    assert reply.author == world.lead
    assert AuditEvent.objects.filter(
        mission=mission, actor=world.lead, verb=AuditEvent.Verb.CREATED, object_id=reply.pk
    ).exists()
    lead.goto(url)
    expect(lead.get_by_role("region", name="History")).to_contain_text("a comment on the mission")
