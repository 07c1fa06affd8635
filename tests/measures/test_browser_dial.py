"""What moved the dial, as a person sees it in headless Chromium: a staff member completes a
key task, checks in the weeks that follow, and the KPI page tells what came after the task."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kernel.formats import day
from measures.dial import moves_of
from measures.models import CheckIn
from measures.services import kpi_refresh_figures
from missions.models import KeyTask
from tests.browser import log_in
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKS_AFTER = 9
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_staff_complete_a_key_task_check_in_and_see_what_moved_the_dial(
    page: Page, live_server: Any, world: Any, time_machine: Any
) -> None:
    today = timezone.localdate()
    kpi = KpiFactory(
        mission=world.staff_mission,
        name="Patients seen at the clinics",
        unit="patients",
        baseline=Decimal(100),
        target=Decimal(400),
        due_date=today + dt.timedelta(days=300),
    )
    # Twelve weeks of slow growth before: about 3 patients a month.
    for week in range(12, -1, -1):
        offset = -7 * week
        wobble = (0.3, -0.2, 0.1)[week % 3]
        CheckInFactory(
            kpi=kpi,
            author=world.staff,
            recorded_on=today + dt.timedelta(days=offset),
            value=Decimal(str(round(100 + 0.1 * offset + wobble, 1))),
        )
    kpi_refresh_figures(kpi=kpi)
    task = KeyTask.objects.create(
        mission=world.staff_mission, title="Open the second clinic", owner=world.staff
    )

    # Today: the staff member marks the key task done on their mission's page.
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/o/acme/missions/{world.staff_mission.pk}/")
    row = page.locator(f"#key-task-{task.pk}")
    with page.expect_response(re.compile(rf"/key-tasks/{task.pk}/$")):
        row.get_by_label("Status of “Open the second clinic”").select_option("done")
    task.refresh_from_db()
    assert task.status == "done" and timezone.localdate(task.completed_at) == today
    page.goto(f"{live_server.url}/o/acme/kpis/{kpi.pk}/")
    dial = page.get_by_role("region", name="What moved the dial")
    expect(dial).to_contain_text("Not enough check-ins either side of a completed key task")

    # Nine weeks on, they check in each week since, about 30 patients a month more.
    time_machine.move_to(timezone.now() + dt.timedelta(days=7 * WEEKS_AFTER), tick=True)
    log_in(page, live_server, "staff")  # a new session, nine weeks on
    page.goto(f"{live_server.url}/o/acme/kpis/{kpi.pk}/")
    form = page.get_by_role("form", name="Check in “Patients seen at the clinics”")
    for week in range(1, WEEKS_AFTER + 1):
        when = today + dt.timedelta(days=7 * week)
        form.get_by_label("Value", exact=True).fill(str(100 + 7 * week + week % 2))
        if week < WEEKS_AFTER:  # the last one is today's
            form.locator("summary", has_text="For an earlier date").click()
            form.get_by_label("Date").fill(when.isoformat())
        form.get_by_role("button", name="Check in").click()
        expect(page.get_by_role("status").first).to_contain_text(f"on {day(when)}")
    assert CheckIn.objects.filter(kpi=kpi, author=world.staff).count() == 13 + WEEKS_AFTER

    page.reload()  # the page as it is read later, without the last check-in's message
    (move,) = moves_of(kpi)
    assert move.slope_before == pytest.approx(3, abs=1)
    assert move.slope_after == pytest.approx(30, abs=3)
    assert move.favourable
    expect(dial).to_contain_text(
        f"“Open the second clinic” was completed on {day(today)}, followed by the trend rising "
        f"from +"
    )
    link = dial.get_by_role("link", name=move.sentence)
    expect(link).to_be_visible()
    expect(dial).to_contain_text("The KPI's way · 13 check-ins before, 9 after")
    chart = page.locator("svg.chart")
    expect(chart.locator(".chart__mark")).to_have_count(1)
    expect(chart.locator("desc")).to_contain_text("Marked: “Open the second clinic” completed on")
    _no_overflow_and_no_axe_violation(page, 1280)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "kpi-page-dial.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    _no_overflow_and_no_axe_violation(page, 375)

    # The sentence leads to the key task on its mission's page.
    link.click()
    expect(page).to_have_url(
        f"{live_server.url}/o/acme/missions/{world.staff_mission.pk}/#key-task-{task.pk}"
    )
    expect(page.locator(f"#key-task-{task.pk}")).to_contain_text("Open the second clinic")
