"""The organisation dashboard's table of teams in headless Chromium, as the CEO pages and
sorts it the morning after the checks: each page lists the teams in the order the check's
figures give, each with its leader and its figures, read back from the stored rows.

A page is sorted on the narrow columns its order needs, then its rows are read whole
(``reviews.dashboards.teams.CheckedTable``): the rows must still come in the sorted order."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kernel.models import Team
from reviews.checks import run_checks
from reviews.models import SubtreeSnapshot
from tests.browser import log_in
from tests.reviews.test_subtree_snapshots import _branches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shown(page: Page) -> list[tuple[str, str, int]]:
    """Each row of the table: the team, its leader as shown, its missions."""
    rows = page.locator("table.team-table tbody tr")
    shown = []
    for i in range(rows.count()):
        row = rows.nth(i)
        leader = row.locator(".team-table__leader")
        shown.append(
            (
                row.locator("th a").inner_text(),
                leader.inner_text() if leader.count() else "",
                int(row.locator('td[data-label="Missions"]').inner_text()),
            )
        )
    return shown


def _stored(teams: list[Team], rows: dict[int, SubtreeSnapshot]) -> list[tuple[str, str, int]]:
    return [
        (
            t.name,
            (t.leader.get_full_name() or t.leader.get_username()) if t.leader else "",
            rows[t.pk].missions,
        )
        for t in teams
    ]


def test_the_ceo_pages_through_the_teams_worst_first_and_by_name(
    page: Page, live_server: Any, world: Any
) -> None:
    _branches(world, wide=60)
    run_checks(organisation=world.organisation)
    rows = {
        s.team_id: s
        for s in SubtreeSnapshot.objects.filter(
            organisation=world.organisation, run_date=timezone.localdate()
        )
    }
    teams = list(Team.objects.filter(organisation=world.organisation).select_related("leader"))
    assert len(teams) == len(rows) == 65
    worst_first = sorted(
        teams,
        key=lambda t: (rows[t.pk].score is None, rows[t.pk].score or 0, t.name.lower(), t.pk),
    )
    by_name = sorted(teams, key=lambda t: (t.name.lower(), t.pk))
    assert [t.pk for t in worst_first] != [t.pk for t in by_name]  # two orders to tell apart

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ceo")
    page.goto(f"{live_server.url}/o/acme/dashboard/")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert _shown(page) == _stored(worst_first[:50], rows)
    page.get_by_role("link", name="Next ›").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert _shown(page) == _stored(worst_first[50:], rows)

    page.get_by_role("columnheader", name="Team").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Team")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert _shown(page) == _stored(by_name[:50], rows)
    page.get_by_role("link", name="Next ›").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert _shown(page) == _stored(by_name[50:], rows)
