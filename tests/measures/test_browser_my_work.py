"""Staff keep their KPIs current from My work in a real browser (headless Chromium)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from measures.models import CheckIn
from measures.pages import MISSIONS_PER_PAGE
from measures.services import kpi_refresh_figures
from missions.models import KeyTask, Mission
from reviews.inbox import inbox_sweep_organisation
from tests.browser import log_in
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory
from tests.roundtrip.helpers import api_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
ME_BULK = "/o/acme/me/check-in/bulk/"
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


@pytest.fixture
def kpi(world: Any) -> Any:
    today = timezone.localdate()
    kpi = KpiFactory(
        mission=world.staff_mission,
        name="Virtual ward beds",
        unit="beds",
        baseline=Decimal(10),
        target=Decimal(60),
        due_date=today + dt.timedelta(days=120),
    )
    for days, value, comment in ((60, 12, ""), (35, 20, "First ward open")):
        CheckInFactory(
            kpi=kpi,
            author=world.staff,
            value=value,
            recorded_on=today - dt.timedelta(days=days),
            comment=comment,
        )
    kpi_refresh_figures(kpi=kpi)  # factories write rows only; the service refreshes
    KeyTask.objects.create(
        mission=world.staff_mission, title="Recruit the night team", owner=world.staff
    )
    inbox_sweep_organisation(world.organisation)  # the hourly sweep: the check-in is due
    return kpi


def test_staff_check_in_from_my_work_and_see_the_row_and_chart_change(
    page: Page, live_server: Any, world: Any, kpi: Any
) -> None:
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/me/")
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    inbox = page.get_by_role("region", name="To do now")
    expect(inbox.get_by_role("link", name="Virtual ward beds")).to_be_visible()  # 35 days old
    row = page.locator(f"#kpi-row-{kpi.pk}")
    expect(row.locator(".kpi-row__latest")).to_have_text("20 beds")
    expect(row).to_contain_text("First ward open")  # the last check-in, beside the form
    _shot(page, "my-work-desktop.png")

    page.evaluate("window.stillTheSamePage = true")
    row.get_by_label("Value", exact=True).fill("42")
    row.get_by_label("Confidence", exact=True).fill("80")
    row.get_by_label("Comment").fill("Second ward open")
    row.get_by_role("button", name="Check in").click()
    expect(row.get_by_role("status")).to_contain_text("Checked in 42 beds on")
    expect(row.locator(".kpi-row__latest")).to_have_text("42 beds")
    expect(row).to_contain_text("confidence 80%")
    expect(page.locator(f"#inbox-check_in{kpi.pk}")).to_contain_text("checked in")  # the inbox too
    assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"
    stored = CheckIn.objects.get(kpi=kpi, value=42)
    assert (stored.author_id, stored.confidence, stored.comment) == (
        world.staff.pk,
        80,
        "Second ward open",
    )
    _shot(page, "my-work-checked-in.png")

    # Bad input: a clear message in the row, nothing stored.
    row.get_by_label("Value", exact=True).fill("abc")
    row.get_by_role("button", name="Check in").click()
    expect(row.get_by_role("alert")).to_contain_text("Nothing was stored.")
    expect(row.get_by_role("alert")).to_contain_text("Value: Enter a number.")
    expect(row.get_by_label("Value", exact=True)).to_have_attribute("aria-invalid", "true")
    _shot(page, "my-work-error-abc.png")
    row.get_by_label("Value", exact=True).fill("45")
    row.get_by_label("Confidence", exact=True).fill("150")
    row.get_by_role("button", name="Check in").click()
    expect(row.get_by_role("alert")).to_contain_text(
        "Confidence: Ensure this value is less than or equal to 100."
    )
    expect(row.locator(".kpi-row__latest")).to_have_text("42 beds")
    assert CheckIn.objects.filter(kpi=kpi).count() == 3

    # The KPI page: the chart now runs through the new value.
    page.get_by_role("link", name="Virtual ward beds").last.click()
    expect(page.get_by_role("heading", name="Virtual ward beds", level=1)).to_be_visible()
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    points = chart.locator("polyline.chart__history").get_attribute("points") or ""
    assert len(points.split()) == 3, points
    expect(chart.locator("desc")).to_contain_text("3 check-ins, from 12 beds")
    expect(chart.locator("desc")).to_contain_text("to 42 beds")
    expect(chart.locator(".chart__target")).to_have_count(1)
    expect(page.get_by_role("cell", name="Second ward open")).to_be_visible()
    _shot(page, "kpi-page-desktop.png")


def test_a_csv_with_one_bad_line_stores_nothing(
    page: Page, live_server: Any, world: Any, kpi: Any
) -> None:
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/me/")
    page.get_by_role("link", name="Upload values from a CSV file").click()
    text = f"kpi,value,date,comment\n{kpi.pk},30,,By id\nVirtual ward beds,lots,,Oops\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "values.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was stored.")
    expect(alert).to_contain_text("Line 3 has an error")
    expect(page.get_by_role("cell", name="Value: Enter a number.")).to_be_visible()
    expect(page.get_by_role("button", name="Store")).to_have_count(0)
    assert CheckIn.objects.filter(kpi=kpi).count() == 2
    _shot(page, "upload-error-desktop.png")

    # The corrected file is previewed, then stored on confirmation.
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "values.csv",
                "mimeType": "text/csv",
                "buffer": text.replace("lots", "31").encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("All 2 lines can be stored")
    assert CheckIn.objects.filter(kpi=kpi).count() == 2
    page.get_by_role("button", name="Store 2 check-ins").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/me/")
    expect(page.get_by_text("Stored 2 check-ins from the file.")).to_be_visible()
    assert CheckIn.objects.filter(kpi=kpi).count() == 4


def test_my_work_and_the_kpi_page_fit_a_phone(
    page: Page, live_server: Any, world: Any, kpi: Any
) -> None:
    log_in(page, live_server, "staff")
    page.set_viewport_size(PHONE)
    for path, name in (
        ("/o/acme/me/", "my-work-phone.png"),
        (f"/o/acme/kpis/{kpi.pk}/", "kpi-page-phone.png"),
    ):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px wide"
        _shot(page, name)
    # The check-in works at this width too, by keyboard.
    page.goto(f"{live_server.url}/o/acme/me/")
    row = page.locator(f"#kpi-row-{kpi.pk}")
    row.get_by_label("Value", exact=True).fill("25")
    row.get_by_label("Value", exact=True).press("Enter")
    expect(row.locator(".kpi-row__latest")).to_have_text("25 beds")
    page.goto(f"{live_server.url}{ME_BULK}")
    _shot(page, "bulk-phone.png")
    page.get_by_label("Value").first.fill("26")
    page.get_by_role("button", name="Check in all").click()
    expect(page.get_by_text("Checked in 1 KPI.")).to_be_visible()
    _shot(page, "my-work-phone-after-bulk.png")


def test_someone_with_many_missions_pages_through_my_work_and_checks_in_on_page_two(
    page: Page, live_server: Any, world: Any
) -> None:
    """An owner of more missions than a page: the first page says how many, "Next" leads to
    the rest, and a check-in there is stored and read back from the API."""
    for n in range(MISSIONS_PER_PAGE + 4):
        mission = MissionFactory(
            parent=world.team_mission,
            level="individual",
            owner_user=world.staff,
            title=f"Ward {n:02}",
        )
        KpiFactory(mission=mission, name=f"Beds of ward {n:02}", unit="beds")
    owned = Mission.objects.owned_by(world.staff).exclude(status="archived").count()
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/me/")
    missions = page.get_by_role("region", name="My missions")
    expect(missions).to_contain_text(f"Missions 1–{MISSIONS_PER_PAGE} of {owned}")
    expect(missions.get_by_role("link", name="Ward 23")).to_have_count(0)
    missions.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/me/?page=2")
    expect(missions).to_contain_text(f"of {owned}")
    kpi = world.organisation.kpis.get(name="Beds of ward 23")
    row = page.locator(f"#kpi-row-{kpi.pk}")
    row.get_by_label("Value", exact=True).fill("17")
    row.get_by_role("button", name="Check in").click()
    expect(row.get_by_role("status")).to_contain_text("Checked in 17 beds on")
    stored = CheckIn.objects.get(kpi=kpi)
    assert (stored.value, stored.author_id) == (17, world.staff.pk)
    assert api_get(world.staff, f"/api/v1/kpis/{kpi.pk}/")["latest_value"] == 17
