"""Every main page, as each role, on a desktop and on a phone, in headless Chromium: no
server error, no console error, no sideways scrolling, and no axe-core violation of any
impact. On the phone, the header is one short row, no table scrolls sideways (tables become
cards) and the team dashboard stays within a height budget. Pages a role may not open (a 403,
a 404) are passed over: the security matrix says who may open what.

A full-page screenshot of every page, role and width is kept in the directory named by
MISSIONLEAD_ARTEFACTS (by default a folder of the test's temporary directory), to look at
after a run; they are never committed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python import __file__ as axe_package
from playwright.sync_api import Page

from kernel.permissions import actor_for
from kernel.services.integrations import webhook_endpoint_create
from kernel.services.invitations import invitation_create
from leadership.services import (
    development_goal_add,
    development_plan_of,
    idea_submit,
    innovation_open,
)
from measures.services import kpi_refresh_figures
from missions.models import Mission
from reviews.checks import run_checks
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Review
from tests.browser import log_in
from tests.measures.factories import KpiFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(axe_package).parent / "axe.min.js").read_text()
WIDTHS = [1280, 390]
ROLES = ["ceo", "lead", "staff", "coach", "admin"]
PHONE = 390
HEADER_MAX = 64  # px: the phone's header, its menu folded, is one row
TEAM_DASHBOARD_MAX = 4000  # px: the team dashboard on a phone, its long sections folded
# The page's header height, and the tables that scroll sideways inside their .table-wrap.
HEADER_HEIGHT = "document.querySelector('.site-header').getBoundingClientRect().height"
WIDE_TABLES = """[...document.querySelectorAll('.table-wrap')]
    .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
    .map(wrap => (wrap.querySelector('caption, th') || wrap).textContent.trim().slice(0, 40))"""


def _pages(world: Any) -> list[str]:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds")
    kpi_refresh_figures(kpi=kpi)
    # In play, so that the reviews list has rows (cards on a phone).
    Mission.objects.filter(pk__in=[world.team_mission.pk, world.staff_mission.pk]).update(
        alignment_status=Mission.AlignmentStatus.ALIGNED
    )
    review = Review.objects.create(mission=world.team_mission, due_date=kpi.due_date)
    run_checks(organisation=world.organisation)
    inbox_sweep_organisation(world.organisation)
    invitation_create(  # the people page's table of invitations, with a long address
        organisation=world.organisation,
        email="alexandra.featherstonehaugh@community-services.example",
        team=world.team,
        by=world.org_admin,
    )
    endpoint = webhook_endpoint_create(  # the integrations pages, with a long address
        organisation=world.organisation,
        data={
            "name": "Data warehouse",
            "url": "https://hooks.community-services.example/mission-leadership/events/incoming",
            "events": ["mission.aligned", "check_in.created"],
        },
        by=world.org_admin,
    )
    m = world.staff_mission.pk
    challenge, idea = _an_idea(world)
    plan = development_plan_of(actor=actor_for(world.staff, world.organisation))
    development_goal_add(
        actor=actor_for(world.staff, world.organisation),
        plan=plan,
        data={"behaviour": "earning_trust", "goal": "Be the one the night team calls."},
    )
    return [
        "/o/acme/",
        "/o/acme/vision/",
        "/o/acme/cascade/",
        "/o/acme/me/",
        "/o/acme/reviews/",
        f"/o/acme/reviews/{review.pk}/",
        "/o/acme/notifications/",
        "/o/acme/brief/",
        "/o/acme/calendar/",
        "/o/acme/dashboard/",
        f"/o/acme/dashboard/teams/{world.team.pk}/",
        "/o/acme/dashboard/heatmap/",
        "/o/acme/coaching/",
        "/o/acme/influence/",
        "/o/acme/learning/",
        "/o/acme/recognition/",
        "/o/acme/development/",
        plan.get_absolute_url(),
        "/o/acme/innovation/",
        challenge.get_absolute_url(),
        idea.get_absolute_url(),
        f"/o/acme/missions/{world.team_mission.pk}/innovation/",
        "/o/acme/people/",
        "/o/acme/people/provisioning/",
        "/o/acme/people/sso/",
        "/o/acme/settings/",
        "/o/acme/integrations/",
        f"/o/acme/integrations/{endpoint.pk}/",
        "/o/acme/periods/",
        f"/o/acme/missions/{m}/",
        f"/o/acme/missions/{m}/edit/",
        "/o/acme/missions/new/",
        f"/o/acme/missions/new/?parent={world.org_mission.pk}&template=shipped-growth",
        "/o/acme/templates/",
        f"/o/acme/missions/{m}/save-as-template/",
        f"/o/acme/kpis/{kpi.pk}/",
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/security/",
    ]


def _an_idea(world: Any) -> tuple[Any, Any]:
    """lead's challenge on team_mission, for everyone, closing on the last day accepted, and
    staff's idea to it."""
    challenge = innovation_open(
        actor=actor_for(world.lead, world.organisation),
        mission=world.team_mission,
        data={
            "question": "How could one nurse watch more beds at night?",
            "closes_on": dt.date(2100, 12, 31),
        },
    )
    idea = idea_submit(
        actor=actor_for(world.staff, world.organisation),
        challenge=challenge,
        data={"title": "Sort the night list by risk", "description": "The riskiest first."},
    )
    return challenge, idea


@pytest.fixture
def artefacts(tmp_path: Path) -> Path:
    """Where the screenshots go: $MISSIONLEAD_ARTEFACTS, else the test's temporary directory."""
    folder = Path(os.environ.get("MISSIONLEAD_ARTEFACTS") or tmp_path / "artefacts") / "walk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_as_every_role_at_desktop_and_phone_width(
    live_server: Any, world: Any, new_context: Any, artefacts: Path
) -> None:
    pages = _pages(world)
    team_dashboard = f"/o/acme/dashboard/teams/{world.team.pk}/"
    problems: list[str] = []
    opened = 0
    for role in ROLES:
        for width in WIDTHS:
            # bypass_csp: axe is injected into pages whose policy allows only our scripts.
            page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
            log_in(page, live_server, role)
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
                if width == PHONE:
                    problems += _phone_problems(
                        page,
                        f"{role} {width} {path}",
                        team_dashboard=path == team_dashboard,
                    )
                    if path == pages[0]:  # the menu open, for axe and the screenshot
                        page.locator(".site-menu__toggle").click()
                name = path.strip("/").replace("/", "_") or "root"
                page.screenshot(path=artefacts / f"{role}-{width}-{name}.png", full_page=True)
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


def _phone_problems(page: Page, where: str, *, team_dashboard: bool) -> list[str]:
    """What is wrong with this page on a phone: a tall header, tables that scroll sideways,
    and, for the team dashboard, a page taller than its budget."""
    problems = []
    header = page.evaluate(HEADER_HEIGHT)
    if header > HEADER_MAX:
        problems.append(f"{where}: header {header} px tall")
    wide = page.evaluate(WIDE_TABLES)
    if wide:
        problems.append(f"{where}: tables scroll sideways {wide}")
    height = page.evaluate("document.documentElement.scrollHeight")
    if team_dashboard and height > TEAM_DASHBOARD_MAX:
        problems.append(f"{where}: {height} px tall")
    return problems
