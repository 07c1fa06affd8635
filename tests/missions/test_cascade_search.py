"""The cascade's search (``/o/<org>/cascade/?q=…``) and the heat map's, which takes the same
filters: a page of 50 matches, taken before anything is counted per mission.

The page's rows are those a plain reading of the rule gives (every mission of the organisation
not archived whose title holds the words, in any case, ordered by place in the cascade, then
title, then id; each with its children not archived counted), and those of the query the page
ran before it limited first (every match counted, then sorted and cut). Its queries do not grow
with the number of matches.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q

from kernel import tree
from kernel.permissions import actor_for
from missions.models import Mission
from missions.selectors import cascade_search
from missions.selectors.cascade import SEARCH_COUNT_LIMIT, SEARCH_PAGE
from reviews.health import with_health
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

TITLES = ["Grown", "grown", "GROWN", "Overgrown", "Grow", "Shrunk"]


def _grow(parent: Mission, n: int, *, title: str = "Grown") -> list[Mission]:
    """n team missions under ``parent``, titles cycling through case and near misses, in one
    insert; some archived."""
    made = Mission.objects.bulk_create(
        Mission(
            organisation=parent.organisation,
            level="team",
            # Titles repeat, so that the id breaks ties in the order.
            title=f"{TITLES[i % len(TITLES)]} {title} {i % 7}",
            parent=parent,
            path=tree.child_path(parent.path, parent.pk),
            owner_team_id=parent.owner_team_id,
            status=Mission.Status.ARCHIVED if i % 11 == 0 else Mission.Status.ACTIVE,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
        for i in range(n)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE missions_mission")
    return made


@pytest.fixture
def grown(world) -> list[Mission]:
    """About 130 matches of "grown" on three levels: enough for three pages."""
    upper = _grow(world.team_mission, 60)
    lower = _grow(upper[1], 40, title="lower") + _grow(upper[2], 30, title="lower")
    _grow(lower[1], 12, title="deepest")
    MissionFactory(organisation=world.organisation, title="Grown elsewhere")  # top level
    return upper


def expected_rows(organisation, q: str) -> list[tuple[int, str, int]]:
    """(id, title, children not archived) of the matches, in order, by plain Python."""
    everything = list(Mission.objects.filter(organisation=organisation))
    children: dict[int, int] = {}
    for m in everything:
        if m.parent_id and m.status != Mission.Status.ARCHIVED:
            children[m.parent_id] = children.get(m.parent_id, 0) + 1
    found = [
        m
        for m in everything
        if m.status != Mission.Status.ARCHIVED and q.lower() in m.title.lower()
    ]
    found.sort(key=lambda m: (m.path, m.title, m.pk))
    return [(m.pk, m.title, children.get(m.pk, 0)) for m in found]


def old_rows(actor, q: str, number: int) -> list[tuple[int, str, int]]:
    """The page as the query before gave it: every match with its child count, then sorted
    and cut (the id added last, as the order now breaks ties with it)."""
    matches = (
        cascade_search(actor=actor, q=q)
        .annotate(
            child_count=Count("children", filter=~Q(children__status=Mission.Status.ARCHIVED))
        )
        .order_by("path", "title", "id")
    )
    page = Paginator(matches, SEARCH_PAGE).get_page(number)
    return [(m.pk, m.title, m.child_count) for m in page]


def shown_rows(response) -> list[tuple[int, str, int]]:
    return [
        (n.mission.pk, n.mission.title, n.mission.child_count) for n in response.context["results"]
    ]


@pytest.mark.parametrize("q", ["grown", "GROWN", "lower", "deepest", "e", "nothing like it"])
def test_each_page_of_the_search_shows_the_matches_in_order_with_their_children(
    world, grown, client, q
) -> None:
    client.force_login(world.lead)
    expected = expected_rows(world.organisation, q)
    pages = max(1, -(-len(expected) // SEARCH_PAGE))
    actor = actor_for(world.lead, world.organisation)
    for number in range(1, pages + 1):
        response = client.get(f"/o/acme/cascade/?q={q}&page={number}")
        assert response.status_code == 200
        want = expected[(number - 1) * SEARCH_PAGE : number * SEARCH_PAGE]
        assert shown_rows(response) == want
        assert old_rows(actor, q, number) == want
        page = response.context["page"]
        assert page.paginator.count == len(expected)
        assert page.has_next() == (number < pages)
        assert f"{len(expected)} mission{'s' if len(expected) != 1 else ''} found" in (
            response.content.decode()
        )
    if q == "grown":
        assert pages == 3 and any(children for _, _, children in expected)


def test_a_page_past_the_last_shows_the_last(world, grown, client) -> None:
    client.force_login(world.lead)
    expected = expected_rows(world.organisation, "grown")
    response = client.get("/o/acme/cascade/?q=grown&page=99")
    assert shown_rows(response) == expected[2 * SEARCH_PAGE :]
    assert response.context["page"].number == 3


def test_the_other_filters_page_the_same_way(world, grown, client) -> None:
    client.force_login(world.lead)
    response = client.get("/o/acme/cascade/?q=grown&team=Operations&page=2")
    expected = [
        row
        for row in expected_rows(world.organisation, "grown")
        if Mission.objects.get(pk=row[0]).owner_team_id == world.team_mission.owner_team_id
    ]
    assert shown_rows(response) == expected[SEARCH_PAGE : 2 * SEARCH_PAGE]


def test_the_heat_map_search_shows_the_same_rows_with_their_health(world, grown, client) -> None:
    client.force_login(world.lead)
    expected = expected_rows(world.organisation, "grown")
    health = dict(with_health(Mission.objects.all()).values_list("id", "health"))
    response = client.get("/o/acme/dashboard/heatmap/?q=grown&page=2")
    assert response.status_code == 200
    assert shown_rows(response) == expected[SEARCH_PAGE : 2 * SEARCH_PAGE]
    assert [n.health for n in response.context["results"]] == [
        health[pk] for pk, _, _ in expected[SEARCH_PAGE : 2 * SEARCH_PAGE]
    ]
    assert response.context["page"].paginator.count == len(expected)


@pytest.mark.parametrize("url", ["/o/acme/cascade/?q=grown", "/o/acme/dashboard/heatmap/?q=grown"])
def test_the_search_costs_the_same_queries_for_ten_times_the_matches(
    world, client, django_assert_max_num_queries, url
) -> None:
    client.force_login(world.lead)
    _grow(world.team_mission, 200)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    upper = _grow(world.team_mission, 1000)
    _grow(upper[3], 1000, title="below")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == SEARCH_COUNT_LIMIT  # of 2,200
    assert response.context["page"].paginator.more
    assert f"{SEARCH_COUNT_LIMIT}+ missions found" in response.content.decode()


@pytest.mark.parametrize("url", ["/o/acme/cascade/?q=grown", "/o/acme/dashboard/heatmap/?q=grown"])
def test_matches_are_counted_up_to_the_limit_and_every_one_is_reachable_below_it(
    world, client, monkeypatch, url
) -> None:
    from missions.selectors import cascade

    client.force_login(world.lead)
    grown = _grow(world.team_mission, 12)
    matching = client.get(url).context["page"].paginator.count  # under the real limit
    monkeypatch.setattr(cascade, "SEARCH_COUNT_LIMIT", matching)
    page = client.get(url).context["page"]
    assert (page.paginator.count, page.paginator.more) == (matching, False)
    assert len(page.object_list) == matching
    _grow(grown[1], 12)
    response = client.get(url)
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.more) == (matching, True)
    assert f"{matching}+ missions found" in response.content.decode()


def test_the_page_of_matches_is_limited_before_children_are_counted(
    world, client, django_assert_max_num_queries
) -> None:
    """The query of the page's missions takes the page's ids from a subquery with a limit:
    its GROUP BY (the child counts) sees 50 missions, not every match."""
    client.force_login(world.lead)
    _grow(world.team_mission, 300)
    with django_assert_max_num_queries(30) as captured:
        client.get("/o/acme/cascade/?q=grown")
    counted = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert counted and all(f"LIMIT {SEARCH_PAGE}" in sql for sql in counted)
    assert not any(
        "COUNT(*)" in q["sql"] and "GROUP BY" in q["sql"] for q in captured.captured_queries
    )
