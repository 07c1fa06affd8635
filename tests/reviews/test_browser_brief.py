"""The weekly brief in headless Chromium: the lead opens it from the navigation, reads each
section, and follows a sentence to its evidence (the KPI's page); no axe violation, no
sideways scrolling, on a desktop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from reviews import tasks
from reviews.brief import prepared
from reviews.checks import run_checks
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation
from tests.reviews.brief_world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_lead_reads_the_brief_and_follows_a_sentence_to_its_evidence(
    page: Page, live_server: Any, world: Any, width: int
) -> None:
    bw = build(world)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "lead")
    if width < 700:
        page.locator(".site-menu__toggle").click()
    page.get_by_role("link", name="Brief", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/brief/")
    expect(page.get_by_role("heading", name="Your weekly brief")).to_be_visible()
    for title in ("What moved", "At risk", "Needs a decision", "Which actions preceded movement"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("The second ward opened on Monday.")).to_be_visible()
    _no_overflow_and_no_axe_violation(page, width)

    page.get_by_role("link", name="“Virtual ward beds” (Open two virtual wards) rose").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/kpis/{bw.beds.pk}/#history-heading")
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()


def test_the_ceo_reads_the_brief_prepared_overnight_and_then_as_of_now(
    page: Page, live_server: Any, world: Any, monkeypatch: Any
) -> None:
    """A brief prepared by the worker after the night's checks: the page says so, and the
    link reads it now; the API gives the same brief with when it was prepared."""
    monkeypatch.setattr(prepared, "PREPARE_FROM", 2)  # the rule of 5,000, at this size
    bw = build(world)
    run_checks(organisation=world.organisation)
    assert tasks.brief_prepare.apply(args=[world.organisation.pk]).get() == 2

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ceo")
    page.get_by_role("link", name="Brief", exact=True).click()
    expect(page.get_by_text("Prepared at")).to_be_visible()
    expect(page.get_by_text(bw.beds.name).first).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)

    page.get_by_role("link", name="Read it as of now").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/brief/?live=1")
    expect(page.get_by_role("heading", name="Your weekly brief")).to_be_visible()
    expect(page.get_by_text("Prepared at")).to_have_count(0)
    expect(page.get_by_text(bw.beds.name).first).to_be_visible()

    api = APIClient()
    api.force_authenticate(world.leader)
    kept = api.get("/api/v1/brief/", {"organisation": "acme"}).json()
    assert kept["prepared_at"] is not None
    assert kept["sections"] == api.get("/api/v1/brief/", {"live": "1"}).json()["sections"]
