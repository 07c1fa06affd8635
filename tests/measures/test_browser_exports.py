"""The exports downloaded in headless Chromium as a person would: a link of the cascade page
reached by keyboard, one of My work clicked; each file parsed back and compared with the
database and the API. No axe violation on the pages that offer them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from missions.models import Mission
from tests.browser import log_in
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_the_cascade_and_the_kpis(page: Page, live_server: Any, world: Any) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="=Virtual ward beds", unit="beds")
    CheckInFactory(
        kpi=kpi, value=Decimal("14"), recorded_on=dt.date(2026, 3, 2), author=world.staff
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "staff")

    page.goto(f"{live_server.url}/o/acme/cascade/")
    _no_overflow_and_no_axe_violation(page, 1280)
    link = page.get_by_role("link", name="Export the cascade (Excel)")
    link.focus()
    expect(link).to_be_focused()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.startswith("acme-cascade-")
    with open(download.value.path(), "rb") as file:
        book = openpyxl.load_workbook(io.BytesIO(file.read()))
    rows = list(book["Cascade"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Id", "Parent id", "Depth", "Parent mission", "Mission")
    stored = list(
        Mission.objects.filter(organisation=world.organisation).values_list("pk", flat=True)
    )
    assert sorted(row[0] for row in rows[1:]) == sorted(stored)

    page.goto(f"{live_server.url}/o/acme/me/")
    _no_overflow_and_no_axe_violation(page, 1280)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the organisation's KPIs and check-ins (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8") as file:
        exported = list(csv.DictReader(io.StringIO(file.read())))
    assert [(r["KPI id"], r["KPI"], r["Value"]) for r in exported] == [
        (str(kpi.pk), "'=Virtual ward beds", "14.0000")
    ]
    api = APIClient()
    api.force_authenticate(world.staff)
    check_ins = api.get(f"/api/v1/kpis/{kpi.pk}/check-ins/").json()
    results = check_ins["results"] if isinstance(check_ins, dict) else check_ins
    assert [Decimal(c["value"]) for c in results] == [Decimal(exported[0]["Value"])]
    assert results[0]["recorded_on"] == exported[0]["Date"]
