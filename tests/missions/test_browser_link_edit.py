"""A link's description corrected in headless Chromium by the asking mission's owner, with the
key task it is for chosen; read back from the database, the API and the history of both
missions; no axe violation on the edit page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from missions.models import Interdependency, KeyTask
from missions.services import interdependency_create
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAID = "Two nurses for the pilot weeks in March, and transport."


def test_the_staff_corrects_what_their_request_for_support_says(
    page: Page, live_server: Any, world: Any
) -> None:
    task = KeyTask.objects.create(mission=world.staff_mission, title="Start the pilot")
    link = interdependency_create(
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        description="Two nurses for the pilot weks.",
        by=world.staff,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/missions/{world.staff_mission.pk}/")
    page.get_by_role("link", name="Edit the link to “Community wards”").click()
    expect(page.get_by_role("heading", name="Edit the link to “Community wards”")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Description").fill(SAID)
    page.get_by_label("For key task").select_option(label="Start the pilot")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The link is saved.")).to_be_visible()
    expect(page.locator(f"#link-{link.pk}")).to_contain_text(SAID)

    stored = Interdependency.objects.get(pk=link.pk)
    assert (stored.description, stored.for_task) == (SAID, task)
    api = api_get(world.lead, f"/api/v1/interdependencies/{link.pk}/")
    assert (api["description"], api["for_task"]) == (SAID, task.pk)
    missions = set(
        AuditEvent.objects.filter(
            object_id=link.pk, verb=AuditEvent.Verb.UPDATED, actor=world.staff
        ).values_list("mission_id", flat=True)
    )
    assert missions == {world.staff_mission.pk, world.team_mission.pk}
