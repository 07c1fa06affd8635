"""Planning periods in headless Chromium: the organisation's admin generates a fiscal year and
its quarters, a lead puts the team mission in Q2, and the cascade filtered by Q2 shows it and
not a Q1 mission; then the lead carries it over, to Q3. Each step is read back from the
database, the API and the history; no axe violation on the pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kernel.models import AuditEvent
from missions import services
from missions.models import Mission, Period
from tests.browser import log_in
from tests.missions.test_browser_mission_page import _no_overflow_and_no_axe_violation
from tests.roundtrip.helpers import history_changes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _generate_fy2027(page: Page, live_server: Any) -> dict[str, Period]:
    """As the admin: from Teams and people to Planning periods, FY2027 from April 2026."""
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Planning periods").click()
    expect(page.get_by_role("heading", name="Planning periods", level=1)).to_be_visible()
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_label("Starts in the year").fill("2026")
    page.get_by_label("First month").select_option(label="April")
    page.get_by_role("button", name="Generate the year").click()
    expect(page.get_by_role("status")).to_contain_text("FY2027 and its four quarters are defined.")
    table = page.get_by_role("table", name="The organisation's planning periods")
    expect(table.get_by_role("row")).to_have_count(6)  # the header, the year, four quarters
    expect(table).to_contain_text("Q2 FY2027")
    _no_overflow_and_no_axe_violation(page, 1280)
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: no sideways scrolling
    _no_overflow_and_no_axe_violation(page, 375)
    page.set_viewport_size({"width": 1280, "height": 800})
    return {p.name: p for p in Period.objects.filter(organisation__slug="acme")}


def test_the_cascade_filtered_by_a_quarter_shows_its_missions_only(
    page: Page, live_server: Any, world: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    periods = _generate_fy2027(page, live_server)
    assert sorted(periods) == ["FY2027", "Q1 FY2027", "Q2 FY2027", "Q3 FY2027", "Q4 FY2027"]
    year, q1, q2 = periods["FY2027"], periods["Q1 FY2027"], periods["Q2 FY2027"]
    assert (year.starts_on, year.ends_on) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert (q2.starts_on, q2.ends_on, q2.parent) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        year,
    )
    created = AuditEvent.objects.filter(
        object_id__in=[p.pk for p in periods.values()], verb=AuditEvent.Verb.CREATED
    )
    assert {event.actor for event in created} == {world.org_admin}
    assert created.count() == 5
    answer = page.request.get(f"{live_server.url}/api/v1/periods/?parent={year.pk}")
    assert answer.ok, answer.status
    assert [p["name"] for p in answer.json()["results"]] == [f"Q{n} FY2027" for n in range(1, 5)]

    # A Q1 mission under the team mission, written through the service as a page would.
    q1_mission = services.mission_create(
        organisation=world.organisation,
        data={
            "level": Mission.Level.INDIVIDUAL,
            "title": "Hire a ward clerk",
            "parent": world.team_mission,
            "owner_user": world.staff,
            "period": q1,
        },
        by=world.lead,
    )
    assert (q1_mission.period_start, q1_mission.period_end) == (q1.starts_on, q1.ends_on)

    # The lead puts the team mission in Q2.
    page.context.clear_cookies()
    log_in(page, live_server, "lead")
    mission = world.team_mission
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/edit/")
    page.get_by_label("Period (optional)", exact=True).select_option(label="Q2 FY2027")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The mission is saved.")
    expect(page.locator(".mission-meta")).to_contain_text("Q2 FY2027")

    stored = Mission.objects.get(pk=mission.pk)
    assert (stored.period, stored.period_start, stored.period_end) == (
        q2,
        q2.starts_on,
        q2.ends_on,
    )
    api = page.request.get(f"{live_server.url}/api/v1/missions/{mission.pk}/").json()
    assert (api["period"], api["period_start"], api["period_end"]) == (
        q2.pk,
        "2026-07-01",
        "2026-09-30",
    )
    history = history_changes(stored)
    assert history["period"] == [None, q2.pk]
    assert history["period_start"][1] == "2026-07-01"
    expect(
        page.get_by_role("region", name="History")
        .get_by_role("listitem")
        .filter(has_text=f"{world.lead.get_full_name()} updated")
    ).to_contain_text("Q2 FY2027")

    # The cascade, filtered by Q2: the team mission, not the Q1 one (nor the year-long ones).
    page.goto(f"{live_server.url}/o/acme/cascade/")
    page.get_by_label("Period (optional)", exact=True).select_option(label="Q2 FY2027")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"/o/acme/cascade/\?.*period={q2.pk}"))
    expect(page.get_by_role("heading", name="1 mission found")).to_be_visible()
    expect(page.locator(".node__title", has_text="Community wards")).to_have_count(1)
    expect(page.locator(".node__title", has_text="Hire a ward clerk")).to_have_count(0)
    _no_overflow_and_no_axe_violation(page, 1280)
    # And by Q1: the other way round.
    page.goto(f"{live_server.url}/o/acme/cascade/?period={q1.pk}")
    expect(page.locator(".node__title", has_text="Hire a ward clerk")).to_have_count(1)
    expect(page.locator(".node__title", has_text="Community wards")).to_have_count(0)
    # The API filters by period too.
    found = page.request.get(f"{live_server.url}/api/v1/missions/?period={q2.pk}").json()
    assert [m["id"] for m in found["results"]] == [mission.pk]


def test_carry_over_moves_a_quarter_mission_to_the_next_quarter(
    page: Page, live_server: Any, world: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    periods = _generate_fy2027(page, live_server)
    q2, q3 = periods["Q2 FY2027"], periods["Q3 FY2027"]
    mission = services.mission_update(
        mission=world.team_mission, data={"period": q2}, by=world.lead
    )

    page.context.clear_cookies()
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/o/acme/missions/{mission.pk}/carry-over/")
    next_period = page.get_by_label("Next period")
    expect(next_period.locator("option:checked")).to_have_text("Q3 FY2027")
    _no_overflow_and_no_axe_violation(page, 1280)
    page.get_by_role("button", name="Carry over").click()
    expect(page.get_by_role("status")).to_contain_text("Carried over into the next period.")

    copy = Mission.objects.get(carried_over_from=mission)
    assert (copy.period, copy.period_start, copy.period_end) == (q3, q3.starts_on, q3.ends_on)
    api = page.request.get(f"{live_server.url}/api/v1/missions/{copy.pk}/").json()
    assert (api["period"], api["period_start"]) == (q3.pk, "2026-10-01")
    assert history_changes(Mission.objects.get(pk=mission.pk))["carried_over_to"] == [
        None,
        copy.pk,
    ]
    assert (
        AuditEvent.objects.get(
            object_id=copy.pk, verb=AuditEvent.Verb.CREATED, mission_id=copy.pk
        ).actor
        == world.lead
    )
