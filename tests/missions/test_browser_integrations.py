"""An organisation admin adds a webhook endpoint in the browser, sends it a test event, sees it
in the delivery log and replays it; a real receiver on 127.0.0.1 gets both, and the API and the
database then show the same endpoint and deliveries. No axe-core violation on either page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python import __file__ as axe_package
from playwright.sync_api import Page, expect
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kernel.models import WebhookDelivery, WebhookEndpoint
from tests.browser import log_in
from tests.webhook_receiver import receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(axe_package).parent / "axe.min.js").read_text()


def _no_axe_violations(page: Page) -> None:
    page.evaluate(AXE)
    violations = page.evaluate("async () => (await axe.run()).violations")
    assert [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations] == []


def test_an_admin_adds_an_endpoint_tests_it_and_replays_the_delivery(
    page: Page, live_server: Any, world: Any, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    with receiver() as hooks:
        log_in(page, live_server, "admin")
        page.goto(f"{live_server.url}/o/acme/people/")
        page.get_by_role("link", name="Integrations").click()
        expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
        _no_axe_violations(page)
        page.get_by_label("Name").fill("Data warehouse")
        page.get_by_label("Sent as").select_option("webhook")
        page.get_by_label("Address").fill(hooks.url)
        page.get_by_label("Check-in made").check()
        page.get_by_label("Mission aligned").check()
        page.get_by_role("button", name="Add endpoint").click()

        expect(page.get_by_role("heading", name="Data warehouse", level=1)).to_be_visible()
        expect(page.get_by_text("Nothing sent yet.")).to_be_visible()
        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("A test event is on its way")).to_be_visible()
        log = page.get_by_role("table", name="Deliveries to Data warehouse, newest first")
        expect(log.get_by_role("row")).to_have_count(2)  # the header and the test event
        expect(log.get_by_role("cell", name="webhook.test", exact=True)).to_be_visible()
        expect(log.get_by_role("cell", name="Delivered", exact=True)).to_be_visible()
        _no_axe_violations(page)

        log.get_by_role("button", name="Replay").click()
        expect(page.get_by_text("The event is sent again")).to_be_visible()
        expect(log.get_by_role("row")).to_have_count(3)
        expect(log.get_by_role("cell", name="Delivered", exact=True)).to_have_count(2)

    assert len(hooks.received) == 2
    first, again = hooks.received
    assert first.json["type"] == "webhook.test"
    assert again.headers["webhook-id"] == first.headers["webhook-id"]  # one message, again

    endpoint = WebhookEndpoint.objects.get(organisation=world.organisation)
    assert endpoint.name == "Data warehouse" and endpoint.url == hooks.url
    assert sorted(endpoint.events) == ["check_in.created", "mission.aligned"]
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))
    assert [(d.event, d.status, d.attempts) for d in deliveries] == [
        ("webhook.test", "succeeded", 1),
        ("webhook.test", "succeeded", 1),
    ]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.org_admin).key}")
    listed = client.get("/api/v1/webhooks/").json()["results"]
    assert [(e["id"], e["name"], e["url"], e["is_active"]) for e in listed] == [
        (endpoint.pk, "Data warehouse", hooks.url, True)
    ]
    assert sorted(listed[0]["events"]) == ["check_in.created", "mission.aligned"]
    assert listed[0]["secret"] == endpoint.secret
    log_rows = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert [(r["id"], r["status"], r["response_status"]) for r in log_rows] == [
        (d.pk, "succeeded", 200) for d in reversed(deliveries)
    ]
