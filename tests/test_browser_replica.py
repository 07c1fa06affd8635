"""In Chromium, with the read replica's router on: a leader's dashboard reads from the replica;
once they change a mission, their next pages read from the primary (read-your-writes), and the
change is stored, served by the API and in the mission's history.

The replica is a mirror of the primary here (one database; the data is committed); which
connection the server opened for each page tells where its reads went."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.backends.signals import connection_created
from django.test.utils import override_settings
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from kernel.replica import PIN_COOKIE, PIN_SECONDS
from missions.models import Mission
from tests.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture
def opened() -> Any:
    """The aliases of the connections opened (one per request: no persistent connections in
    the test settings)."""
    aliases: list[str] = []

    def record(sender: Any, connection: Any, **kwargs: Any) -> None:
        aliases.append(connection.alias)

    connection_created.connect(record)
    with override_settings(DATABASE_ROUTERS=["kernel.replica.ReplicaRouter"]):
        yield aliases
    connection_created.disconnect(record)


def test_the_dashboard_reads_the_replica_until_its_person_writes(
    page: Page, live_server: Any, world: Any, opened: list[str]
) -> None:
    mission = world.team_mission
    log_in(page, live_server, "ceo")
    # Logging in wrote (the session, the last log-in): pinned to the primary for a moment.
    assert PIN_COOKIE in {cookie["name"] for cookie in page.context.cookies()}
    page.wait_for_timeout((PIN_SECONDS + 0.5) * 1000)
    assert PIN_COOKIE not in {cookie["name"] for cookie in page.context.cookies()}
    opened.clear()
    page.goto(f"{live_server.url}/o/acme/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "replica" in opened

    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/edit/")
    title = page.get_by_role("group", name="Mission", exact=True).get_by_label("Title")
    title.fill("Community wards, closer to home")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Community wards, closer to home")).to_be_visible()
    assert PIN_COOKIE in {cookie["name"] for cookie in page.context.cookies()}

    opened.clear()
    page.goto(f"{live_server.url}/o/acme/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "replica" not in opened, "a person who just wrote read from the replica"

    # Stored, served by the API, and in the history.
    assert Mission.objects.get(pk=mission.pk).title == "Community wards, closer to home"
    api = APIClient()
    api.force_authenticate(world.leader)
    assert api.get(f"/api/v1/missions/{mission.pk}/").json()["title"] == (
        "Community wards, closer to home"
    )
    assert AuditEvent.objects.filter(
        mission=mission, verb=AuditEvent.Verb.UPDATED, actor=world.leader
    ).exists()
