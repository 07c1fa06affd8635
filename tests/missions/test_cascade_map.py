"""The cascade's two views, the list and the map (``?view=map``): each mission a box with its
owner's initials, its health and a progress bar in its health's colour; branches that open
on demand, at most a page of them at a time; "Expand all" bounded; query counts that do not
grow with the organisation.

The walk in a browser (opening a box, Expand all and Collapse all by keyboard, no JavaScript,
a phone) is ``test_browser_cascade_map.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from kernel import tree
from missions.models import Mission
from missions.templatetags.cascade_tags import initials
from missions.views.cascade import (
    BRANCH_PAGE,
    EXPAND_LEVELS,
    EXPAND_MOST,
    MAP_BRANCH_PAGE,
    TOP_PAGE,
)
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _grow(parent: Mission, n: int, *, title: str = "Grown") -> list[Mission]:
    """n team missions under ``parent`` (owned by its team), in one insert."""
    return Mission.objects.bulk_create(
        Mission(
            organisation=parent.organisation,
            level="team",
            title=f"{title} {i:05d}",
            parent=parent,
            path=tree.child_path(parent.path, parent.pk),
            owner_team_id=parent.owner_team_id,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
        for i in range(n)
    )


class _Lists(HTMLParser):
    """The missions of the page's nested lists, as (depth of their <ul>, their title): the
    text of each mission item's first link ("N more" items left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.items: list[tuple[int, str]] = []
        self._in_item_link = False
        self._seen_link = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ul" and ("class", "cascade") in attrs or tag == "ul" and self.depth:
            self.depth += 1
        elif tag == "li" and self.depth and ("class", "cascade__item") in attrs:
            self._seen_link = False
        elif tag == "a" and self.depth and not self._seen_link:
            self._in_item_link, self._seen_link = True, True
            self.items.append((self.depth, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self.depth:
            self.depth -= 1
        elif tag == "a":
            self._in_item_link = False

    def handle_data(self, data: str) -> None:
        if self._in_item_link:
            depth, text = self.items[-1]
            self.items[-1] = (depth, text + data)


def nested_titles(html: str) -> list[tuple[int, str]]:
    parser = _Lists()
    parser.feed(html)
    return parser.items


def test_it_writes_an_owners_initials_from_the_first_and_last_words() -> None:
    assert initials("Ann Lee") == "AL"
    assert initials("Mary Jane van der Berg") == "MB"
    assert initials("Night Nursing") == "NN"
    assert initials("Board") == "B"
    assert initials("A&E") == "AE"
    assert initials("—") == "?"


def test_the_list_and_the_map_are_two_views_kept_in_the_address(world, client) -> None:
    client.force_login(world.lead)
    listed = client.get("/o/acme/cascade/").content.decode()
    assert '<a href="?" aria-current="page">List</a>' in listed
    assert '<a href="?view=map">Map</a>' in listed
    assert 'aria-label="Strategy map"' not in listed

    mapped = client.get("/o/acme/cascade/?view=map").content.decode()
    assert '<a href="?view=map" aria-current="page">Map</a>' in mapped
    region = 'class="cascade-map" role="region" aria-label="Strategy map" tabindex="0"'
    assert region in mapped
    assert "cascade-tree--map" in mapped
    # Filtering, and Expand all, keep the view.
    assert mapped.count('<input type="hidden" name="view" value="map">') == 2
    found = client.get("/o/acme/cascade/?view=map&q=ward").content.decode()
    assert '<a href="?view=map&amp;q=ward" aria-current="page">Map</a>' in found
    assert '<a href="?q=ward">List</a>' in found
    assert 'href="/o/acme/cascade/?view=map">Show the whole tree</a>' in found


@pytest.mark.parametrize("view", ["", "map"])
def test_a_box_shows_the_owners_initials_the_health_and_a_bar_in_its_colour(
    world, client, view
) -> None:
    world.staff.first_name, world.staff.last_name = "Sam", "Taylor"
    world.staff.save()
    Mission.objects.filter(pk=world.org_mission.pk).update(alignment_status="aligned")
    KpiFactory(mission=world.org_mission, forecast_status="off_track", progress=0.4)
    client.force_login(world.lead)
    html = client.get(f"/o/acme/cascade/?view={view}&expand=all").content.decode()

    top = html[html.index("Care closer to home") :]
    top = top[: top.index("</li>")]
    assert '<span class="avatar avatar--team" aria-hidden="true">B</span>Board' in top
    assert 'data-health="off_track"' in top and "Off track" in top
    assert re.search(
        r'<progress class="meter meter--off_track" max="100" value="40" '
        r'aria-label="Progress, off track">40%</progress>',
        top,
    )
    person = html[html.index("Open two virtual wards") :]
    assert '<span class="avatar" aria-hidden="true">ST</span>Sam Taylor' in person
    assert "No progress yet" in person[: person.index("</li>")]
    assert html.count('class="meter meter--') == 1  # the other two have no KPI


def test_without_javascript_an_expanded_map_is_a_nested_list(world, client) -> None:
    """The toggles are hidden buttons until the script shows them; the opened branches are
    lists inside the items of the missions they serve."""
    client.force_login(world.leader)
    html = client.get("/o/acme/cascade/?view=map&expand=all").content.decode()
    assert nested_titles(html) == [
        (1, "Care closer to home"),
        (2, "Community wards"),
        (3, "Open two virtual wards"),
    ]
    toggles = re.findall(r"<button[^>]*data-cascade-toggle[^>]*>", html)
    assert len(toggles) == 2 and all(" hidden" in t for t in toggles)
    assert all('aria-expanded="true"' in t for t in toggles)
    assert "Expanded: 3 levels of the cascade, 3 missions." in html

    closed = client.get("/o/acme/cascade/?view=map").content.decode()
    assert nested_titles(closed) == [(1, "Care closer to home")]
    toggle = r'<button[^>]*aria-expanded="false"[^>]*data-cascade-toggle[^>]*hidden'
    assert re.search(toggle, closed)
    assert (
        f'<a class="cascade__fallback" href="/o/acme/cascade/{world.org_mission.pk}/children/'
        f'?view=map" data-cascade-fallback>Show the 1 mission under “Care closer to home”</a>'
    ) in closed


def test_a_branch_opens_a_page_of_boxes_at_a_time_and_says_how_many_more(world, client) -> None:
    parent = world.team_mission
    _grow(parent, MAP_BRANCH_PAGE * 2 + 3)  # with the staff mission: 2 pages and 4 more
    client.force_login(world.lead)
    url = f"/o/acme/cascade/{parent.pk}/children/?view=map"

    first = client.get(url, **HTMX).content.decode()
    assert "<html" not in first
    assert first.count('class="cascade__item"') == MAP_BRANCH_PAGE
    more = MAP_BRANCH_PAGE + 4
    assert (
        f'href="/o/acme/cascade/{parent.pk}/children/?page=2&amp;view=map" data-cascade-more>'
        f"{more} more under “Community wards”</a>"
    ) in first
    second = client.get(f"{url}&page=2", **HTMX).content.decode()
    assert "Grown 00007" in second and "Grown 00006" not in second
    assert "4 more under “Community wards”" in second
    last = client.get(f"{url}&page=3", **HTMX).content.decode()
    assert "more under" not in last and last.count('class="cascade__item"') == 4

    # The list shows as many as a page of the list; without JavaScript it is a page of its own.
    listed = client.get(f"/o/acme/cascade/{parent.pk}/children/", **HTMX).content.decode()
    assert listed.count('class="cascade__item"') == min(BRANCH_PAGE, MAP_BRANCH_PAGE * 2 + 4)
    page = client.get(url).content.decode()
    assert "<h1>Under “Community wards”</h1>" in page and 'aria-label="Strategy map"' in page
    assert "Page 1 of 3" in page


def test_expand_all_stops_at_its_bounds_and_says_so(world, client) -> None:
    """Under the top mission a wide level: Expand all opens it a page per branch, and the
    next level only while the missions shown stay within the bound."""
    teams = _grow(world.org_mission, 30, title="Team")
    for team in teams[:12]:
        _grow(team, 25, title=f"Under {team.pk}")
    client.force_login(world.leader)

    listed = client.get("/o/acme/cascade/?expand=all").content.decode()
    # 1 top mission, 31 under it; a third level would bring 12 × 25 + 1 = 301 more.
    assert EXPAND_MOST < 1 + 31 + 301
    assert (
        f"Expanded 2 levels of the cascade, 32 missions. Expand all opens at most "
        f"{EXPAND_LEVELS} levels and {EXPAND_MOST} missions; open deeper branches one at a time."
    ) in listed
    assert max(depth for depth, _ in nested_titles(listed)) == 2

    mapped = client.get("/o/acme/cascade/?view=map&expand=all").content.decode()
    # The map shows 8 a branch: 1 + 8, then 8 × 8 = 64 (the community wards have 1).
    titles = nested_titles(mapped)
    assert len(titles) == 1 + MAP_BRANCH_PAGE + (MAP_BRANCH_PAGE - 1) * MAP_BRANCH_PAGE + 1
    assert max(depth for depth, _ in titles) == 3
    assert "23 more under “Care closer to home”" in mapped
    assert "17 more under “Team 00000”" in mapped
    assert "Expanded: 3 levels of the cascade" in mapped


def test_the_top_of_the_cascade_comes_a_page_at_a_time(world, client) -> None:
    for i in range(TOP_PAGE + 2):
        MissionFactory(
            organisation=world.organisation,
            level="organisation",
            owner_team=world.top_team,
            title=f"Top {i:03d}",
        )
    client.force_login(world.lead)
    html = client.get("/o/acme/cascade/?view=map").content.decode()
    assert len(nested_titles(html)) == TOP_PAGE
    assert f"{TOP_PAGE + 3} missions at the top of the cascade, {TOP_PAGE} on this page." in html
    assert 'href="?view=map&amp;page=2">Next ›</a>' in html
    second = client.get("/o/acme/cascade/?view=map&page=2").content.decode()
    assert len(nested_titles(second)) == 3


def _grow_deep(world, n: int) -> None:
    """n more missions: half under the team mission, half under those, with KPIs."""
    upper = _grow(world.team_mission, n // 2)
    lower = [m for parent in upper[:5] for m in _grow(parent, n // 10, title=f"Deep {parent.pk}")]
    for mission in (upper + lower)[:: max(1, n // 40)]:
        KpiFactory(mission=mission)


@pytest.mark.parametrize(
    "url",
    [
        "/o/acme/cascade/",
        "/o/acme/cascade/?view=map",
        "/o/acme/cascade/?expand=all",
        "/o/acme/cascade/?view=map&expand=all",
        "team-branch",
        "team-branch-map",
    ],
)
def test_query_counts_do_not_grow_with_the_organisation(
    world, client, django_assert_max_num_queries, url
) -> None:
    if url.startswith("team-branch"):
        view = "?view=map" if url.endswith("map") else ""
        url = f"/o/acme/cascade/{world.team_mission.pk}/children/{view}"
    client.force_login(world.lead)
    _grow_deep(world, 200)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _grow_deep(world, 2000)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, **HTMX).status_code == 200
