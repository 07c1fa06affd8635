"""The weekly brief (reviews.brief): each leader's part of the cascade, its four sections, every
item linked to evidence that leader may open, nothing of another organisation, and a cost in
queries that does not grow with the organisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kernel.permissions import actor_for
from reviews.brief import brief_for, plain
from reviews.brief.scope import scope_of
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory
from tests.reviews.brief_world import BriefWorld, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def bw(world: Any) -> BriefWorld:
    return build(world)


def _brief(bw: BriefWorld, user: Any) -> Any:
    return brief_for(actor=actor_for(user, bw.world.organisation))


def _section(brief: Any, key: str) -> list[str]:
    return [item.text for s in brief.sections if s.key == key for item in s.items]


def test_it_scopes_each_leader_to_their_part_of_the_cascade(bw: BriefWorld) -> None:
    w = bw.world
    assert [pk for pk, _ in scope_of(actor_for(w.leader, w.organisation)).roots] == [
        w.org_mission.pk
    ]
    assert [pk for pk, _ in scope_of(actor_for(w.lead, w.organisation)).roots] == [
        w.team_mission.pk
    ]
    assert [pk for pk, _ in scope_of(actor_for(w.staff, w.organisation)).roots] == [
        w.staff_mission.pk
    ]
    assert scope_of(actor_for(w.coach, w.organisation)).empty


def test_the_ceo_hears_of_the_whole_organisation(bw: BriefWorld) -> None:
    brief = _brief(bw, bw.world.leader)
    moved = _section(brief, "moved")
    assert moved[0] == (
        "“Virtual ward beds” (Open two virtual wards) rose from 8 beds to 18 beds this week, "
        "25% of the way towards its target."
    )
    beds = next(s for s in brief.sections if s.key == "moved").items[0]
    assert beds.notes[0].endswith("“The second ward opened on Monday.”")
    at_risk = _section(brief, "at_risk")
    assert at_risk[0].startswith("“Urgent referrals seen in 2 hours” (Community wards) has a 12%")
    assert any(text.startswith("Predicted (KPI likely to miss)") for text in at_risk)
    (preceded,) = _section(brief, "preceded")
    assert preceded.startswith("On “Home visits a week” (Community wards): “Start the evening")
    assert "followed by the trend rising" in preceded
    # The CEO decides nothing here: the alignment waits for lead.
    assert _section(brief, "decisions") == []
    assert "No decision waits for you." in brief.summary


def test_the_lead_hears_of_their_team_and_what_waits_for_them(bw: BriefWorld) -> None:
    brief = _brief(bw, bw.world.lead)
    assert _section(brief, "moved")[0].startswith("“Virtual ward beds”")
    (decision,) = _section(brief, "decisions")
    assert decision.startswith("Alignment requested: “Open two virtual wards”")
    assert _section(brief, "preceded")[0].startswith("On “Home visits a week”")
    assert "1 decision waits for you." in brief.summary


def test_staff_hear_of_their_own_mission_only(bw: BriefWorld) -> None:
    brief = _brief(bw, bw.world.staff)
    assert [t.split(" (")[0] for t in _section(brief, "moved")] == ["“Virtual ward beds”"]
    at_risk = _section(brief, "at_risk")
    assert len(at_risk) == 1 and at_risk[0].startswith("Predicted")  # not the team's KPI
    assert "Expected by" in at_risk[0]
    assert _section(brief, "preceded") == []  # the team's key task, not theirs
    empty = next(s for s in brief.sections if s.key == "preceded")
    assert empty.empty.startswith("No key task completed in the last 28 days")


@pytest.mark.parametrize("who", ["leader", "lead", "staff"])
def test_every_item_links_to_evidence_its_reader_may_open(bw: BriefWorld, who: str) -> None:
    user = getattr(bw.world, who)
    brief = _brief(bw, user)
    client = Client()
    client.force_login(user)
    items = [item for section in brief.sections for item in section.items]
    assert items
    for item in items:
        assert item.url.startswith("/o/acme/"), item
        assert client.get(item.url.split("#")[0]).status_code == 200, item
    # The page shows every sentence as the link to its evidence.
    html = client.get("/o/acme/brief/").content.decode()
    for item in items:
        assert f'href="{item.url}"' in html


def test_nothing_of_another_organisation_shows(bw: BriefWorld) -> None:
    for user in (bw.world.leader, bw.world.lead, bw.world.staff):
        text = plain(_brief(bw, user))
        assert "secret" not in text.lower()
    # The other organisation's own leader hears of theirs, and of nothing of acme's.
    theirs = plain(brief_for(actor=actor_for(bw.world.outsider, bw.world.other_organisation)))
    assert "Their secret measure" in theirs and "Virtual ward beds" not in theirs


def test_the_wording_is_the_same_for_the_same_data(bw: BriefWorld) -> None:
    assert plain(_brief(bw, bw.world.leader)) == plain(_brief(bw, bw.world.leader))


def test_a_coach_is_told_plainly_that_they_own_nothing(world: Any, client: Client) -> None:
    client.force_login(world.coach)
    html = client.get("/o/acme/brief/").content.decode()
    assert "You own or lead no mission here" in html
    assert "Nothing waits for your decision" in html
    assert "No KPI in your part of the cascade changed" in html


def test_the_navigation_offers_the_brief_to_leaders(world: Any, client: Client) -> None:
    client.force_login(world.lead)
    assert 'href="/o/acme/brief/"' in client.get("/o/acme/").content.decode()
    client.force_login(world.coach)
    assert 'href="/o/acme/brief/"' not in client.get("/o/acme/").content.decode()


def _grow(bw: BriefWorld, n: int, start: int = 0) -> None:
    """``n`` more missions under the team's, each with a KPI that moved this week and is at
    risk, and a key task done."""
    w = bw.world
    for i in range(start, start + n):
        mission = MissionFactory(
            parent=w.team_mission, owner_user=w.staff, title=f"Grown {i}", level="individual"
        )
        kpi = KpiFactory(
            mission=mission,
            name=f"Grown KPI {i}",
            baseline=Decimal(0),
            target=Decimal(100),
            due_date=bw.today + dt.timedelta(days=60),
        )
        CheckInFactory(kpi=kpi, author=w.staff, recorded_on=bw.today - dt.timedelta(days=30))
        CheckInFactory(
            kpi=kpi, author=w.staff, recorded_on=bw.today, value=30 + i, comment=f"Note {i}"
        )
        from measures.services import kpi_refresh_figures
        from missions.models import KeyTask

        kpi_refresh_figures(kpi=kpi)
        KeyTask.objects.create(
            mission=mission,
            title=f"Task {i}",
            status=KeyTask.Status.DONE,
            completed_at=bw.visits.created_at,
        )


# The brief's own queries, page and API alike:
BRIEF_QUERIES = [
    "set_config('jit', 'off'): the planner's JIT costs more than these queries (data.py)",
    "scope: the missions the reader owns or leads, not archived",
    "moved: the KPIs checked in this week, ranked, with their count",
    "moved: the week's comments of the KPIs shown",
    "at risk: the KPIs least likely to meet their target",
    "at risk: how many there are (asked only when all five places are taken)",
    "at risk: the open predicted findings, with their count",
    "needs a decision: the reader's open inbox items that ask for one, with their count",
    "preceded: the missions whose key tasks were completed last",
    "preceded: their KPIs",
    "preceded: their completed key tasks (moves_for)",
    "preceded: their KPIs' check-ins (moves_for)",
]
PAGE = [
    "the session",
    "the user",
    "the organisation",
    "the membership",
    "the teams they lead",
    "savepoint (the page's transaction)",
    "set_config: the tenant",
    *BRIEF_QUERIES,
    "the navigation's counts",
    "set_config: the tenant reset",
    "release savepoint",
]
API = [
    "the session",
    "savepoint (the request's transaction)",
    "the user",
    "set_config: the tenant (the caller's organisations)",
    "the organisation",
    "the membership",
    "the teams they lead",
    *BRIEF_QUERIES,
    "set_config: the tenant reset",
    "release savepoint",
]


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/o/acme/brief/", PAGE), ("/api/v1/brief/?organisation=acme", API)],
)
def test_the_cost_in_queries_does_not_grow_with_the_organisation(
    bw: BriefWorld, client: Client, url: str, expected: list[str], django_assert_num_queries: Any
) -> None:
    _grow(bw, 5, start=0)  # every part of the brief full
    client.force_login(bw.world.leader)
    client.get(url)  # the session's first request reads what later ones have cached
    with django_assert_num_queries(len(expected)):
        client.get(url)
    _grow(bw, 20, start=5)
    with django_assert_num_queries(len(expected)):
        client.get(url)
