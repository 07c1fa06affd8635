"""The Django admin in headless Chromium, as an operator uses it: its modules are registered
when the URLs are first loaded (the settings install the admin without autodiscovery), so a
fresh server's first visit finds every model listed. A mission retitled there is read back
from the database, the API and the history."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from missions.models import Mission
from tests.browser import PASSWORD
from tests.missions.factories import UserFactory
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_retitles_a_mission_in_the_admin(
    page: Page, live_server: Any, world: Any
) -> None:
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    operator.set_password(PASSWORD)
    operator.save()
    mission = world.staff_mission
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The index lists the apps' models: their admin modules were registered on first load.
    page.get_by_role("link", name="Missions", exact=True).first.click()
    page.get_by_role("link", name=mission.title, exact=True).click()
    page.get_by_label("Title").fill("Open three virtual wards")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    assert Mission.objects.get(pk=mission.pk).title == "Open three virtual wards"
    assert api_get(world.lead, f"/api/v1/missions/{mission.pk}/")["title"] == (
        "Open three virtual wards"
    )
    event = AuditEvent.objects.filter(object_id=mission.pk, verb=AuditEvent.Verb.UPDATED).get()
    assert event.actor == operator and "title" in event.changes
