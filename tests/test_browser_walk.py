"""Every main page, as each role, on a desktop and on a phone, in headless Chromium: no
server error, no console error, no sideways scrolling, and no axe-core violation of any
impact. Pages a role may not open (a 403, a 404) are passed over: the security matrix says
who may open what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python import __file__ as axe_package
from playwright.sync_api import Page, expect

from measures.services import kpi_refresh_figures
from reviews.checks import run_checks
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Review
from tests.measures.factories import KpiFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(axe_package).parent / "axe.min.js").read_text()
WIDTHS = [1280, 390]
ROLES = ["ceo", "lead", "staff", "coach", "admin"]


def _pages(world: Any) -> list[str]:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds")
    kpi_refresh_figures(kpi=kpi)
    review = Review.objects.create(mission=world.team_mission, due_date=kpi.due_date)
    run_checks(organisation=world.organisation)
    inbox_sweep_organisation(world.organisation)
    m = world.staff_mission.pk
    return [
        "/o/acme/",
        "/o/acme/vision/",
        "/o/acme/cascade/",
        "/o/acme/me/",
        "/o/acme/reviews/",
        f"/o/acme/reviews/{review.pk}/",
        "/o/acme/notifications/",
        "/o/acme/dashboard/",
        f"/o/acme/dashboard/teams/{world.team.pk}/",
        "/o/acme/dashboard/heatmap/",
        "/o/acme/coaching/",
        "/o/acme/people/",
        "/o/acme/settings/",
        f"/o/acme/missions/{m}/",
        f"/o/acme/missions/{m}/edit/",
        "/o/acme/missions/new/",
        f"/o/acme/kpis/{kpi.pk}/",
        "/accounts/profile/",
        "/accounts/email/",
    ]


def _log_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("mission-test")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/")


def test_every_page_as_every_role_at_desktop_and_phone_width(
    live_server: Any, world: Any, new_context: Any
) -> None:
    pages = _pages(world)
    problems: list[str] = []
    opened = 0
    for role in ROLES:
        for width in WIDTHS:
            # bypass_csp: axe is injected into pages whose policy allows only our scripts.
            page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
            _log_in(page, live_server, role)
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            for path in pages:
                errors.clear()
                response = page.goto(f"{live_server.url}{path}")
                status = response.status if response else 0
                if status >= 500:
                    problems.append(f"{role} {width} {path}: {status}")
                if status >= 400:
                    continue  # not this role's page
                opened += 1
                page.wait_for_load_state("networkidle")
                if errors:
                    problems.append(f"{role} {width} {path}: console {errors}")
                overflow = page.evaluate("document.documentElement.scrollWidth")
                if overflow > width:
                    problems.append(f"{role} {width} {path}: {overflow} px wide")
                page.evaluate(AXE)
                violations = page.evaluate(
                    "async () => (await axe.run()).violations"
                    ".map(v => `${v.id} (${v.impact}, ${v.nodes.length})`)"
                )
                if violations:
                    problems.append(f"{role} {width} {path}: axe {violations}")
            page.context.close()
    assert opened >= len(ROLES) * len(WIDTHS) * 12, opened  # most pages open for most roles
    assert problems == []
