"""A team leader sees a problem foreseen (a KPI likely to miss) on their mission's page and on
their team's dashboard, checks in a better value, and once the checks have run it is gone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kernel.formats import day
from measures.models import Kpi
from missions.models import Mission
from reviews.checks import run_checks
from reviews.models import Finding
from tests.browser import log_in
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=120)


@pytest.fixture
def foreseen(world: Any) -> Kpi:
    """The team mission's KPI has a one-in-four chance of meeting its target: predicted."""
    Mission.objects.filter(organisation=world.organisation).update(alignment_status="aligned")
    kpi = KpiFactory(
        mission=world.team_mission,
        name="Patients home by noon",
        baseline=Decimal(10),
        target=Decimal(50),
        due_date=DUE,
        latest_on=TODAY,
        latest_value=Decimal(20),
    )
    CheckInFactory(kpi=kpi, author=world.lead, value=Decimal(20), recorded_on=TODAY)
    Kpi.objects.filter(pk=kpi.pk).update(forecast_status="at_risk", forecast_probability=0.25)
    run_checks(organisation=world.organisation)
    assert Finding.objects.filter(kind="likely_miss", resolved_at__isnull=True).count() == 1
    return kpi


def test_a_team_leader_acts_on_a_problem_foreseen(
    page: Page, live_server: Any, world: Any, foreseen: Kpi
) -> None:
    log_in(page, live_server, "lead")
    mission_url = f"{live_server.url}/o/acme/missions/{world.team_mission.pk}/"
    page.goto(mission_url)
    finding = page.locator(".finding-list li", has_text="Patients home by noon")
    expect(finding).to_contain_text("Predicted")
    expect(finding).to_contain_text(f"expected {day(DUE)}")
    expect(finding).to_contain_text("25% chance")

    page.goto(f"{live_server.url}/o/acme/dashboard/teams/{world.team.pk}/")
    foreseen_section = page.locator("section[data-foreseen]").last
    expect(foreseen_section).to_contain_text("Problems foreseen")
    expect(foreseen_section).to_contain_text("“Patients home by noon” is likely to miss")
    expect(page.locator("#fig-foreseen + .figure-card__value")).to_have_text("1")

    # The leader checks in: the KPI has reached its target.
    page.goto(mission_url)
    finding.get_by_role("link").first.click()
    page.get_by_label("Value").fill("55")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("body")).to_contain_text("55")

    run_checks(organisation=world.organisation)  # the nightly run, or the one a change asks
    page.goto(mission_url)
    expect(page.locator(".finding-list")).not_to_contain_text("Patients home by noon")
    page.goto(f"{live_server.url}/o/acme/dashboard/teams/{world.team.pk}/")
    expect(page.locator("section[data-foreseen]").last).to_contain_text("Nothing foreseen")
