"""One status model: every page that says how a mission is doing says the same, and a score
printed as a number is the value its chart is labelled with.

Each test quotes a contradiction seen before (see the test's docstring)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.utils import timezone

from missions.models import Mission
from reviews.models import AlignmentSnapshot, Finding
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory
from tests.reviews.scores import set_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def mix(world):
    """Under the organisation mission: a draft without data, an aligned mission on track,
    an aligned one with an off-track KPI, a proposed one with a critical finding."""
    om = world.org_mission
    Mission.objects.filter(pk=om.pk).update(alignment_status="aligned")
    set_score(om, 100)
    KpiFactory(mission=om, forecast_status="on_track")

    def child(title: str, alignment: str, score: int | None) -> Mission:
        mission = MissionFactory(
            parent=om,
            level="team",
            owner_team=world.team,
            title=title,
            alignment_status=alignment,
        )
        set_score(mission, score)
        return mission

    draft = child("A new draft", "draft", 100)
    on_track = child("Aligned on track", "aligned", 100)
    KpiFactory(mission=on_track, forecast_status="on_track")
    off = child("Aligned, a KPI off track", "aligned", 90)
    KpiFactory(mission=off, forecast_status="on_track")
    KpiFactory(mission=off, forecast_status="off_track")
    proposed = child("Proposed, a critical finding", "proposed", 75)
    KpiFactory(mission=proposed, forecast_status="on_track")
    now = timezone.now()
    Finding.objects.create(
        organisation=world.organisation,
        mission=proposed,
        kind="space_exceeds_parent",
        severity="critical",
        message="Its budget is larger than its parent's.",
        opened_at=now,
        last_seen_at=now,
    )
    # world's own team and staff missions are drafts without data too: archived, out of view
    Mission.objects.filter(pk__in=[world.team_mission.pk, world.staff_mission.pk]).update(
        status="archived"
    )
    world.expected = {
        om.pk: "on_track",
        draft.pk: "not_started",
        on_track.pk: "on_track",
        off.pk: "off_track",
        proposed.pk: "off_track",
    }
    return world


def _health_in(html: str, title: str) -> str:
    """The health a page shows beside a mission's title (the first after it)."""
    after = html[html.index(title) :]
    return re.search(r'data-health="(\w+)"', after).group(1)


def test_it_says_the_same_health_on_the_dashboard_cascade_heat_map_and_home(client, mix):
    """Seen: all five organisation missions red "Off track" in the cascade while Home showed
    only green "Aligned"; a new draft with no data "Watch" and 100 on the heat map."""
    client.force_login(mix.leader)
    titles = dict(Mission.objects.filter(pk__in=mix.expected).values_list("pk", "title"))
    om = mix.org_mission

    children = {pk: h for pk, h in mix.expected.items() if pk != om.pk}
    pages = {
        "cascade": [("/o/acme/cascade/", {om.pk: mix.expected[om.pk]})],
        "heat map": [("/o/acme/dashboard/heatmap/", {om.pk: mix.expected[om.pk]})],
        "home": [("/o/acme/", {om.pk: mix.expected[om.pk]})],
    }
    pages["cascade"].append((f"/o/acme/cascade/{om.pk}/children/", children))
    pages["heat map"].append((f"/o/acme/dashboard/heatmap/{om.pk}/children/", children))
    for name, views in pages.items():
        for url, expected in views:
            html = client.get(url).content.decode()
            html = html[html.index("<main") :]
            if url.endswith("/children/"):  # past the breadcrumb naming the parent
                html = html[html.index(titles[om.pk]) + len(titles[om.pk]) :]
            for pk, health in expected.items():
                assert _health_in(html, titles[pk]) == health, (name, titles[pk])

    board = client.get("/o/acme/dashboard/").context["board"]
    assert board.states == {"on_track": 2, "watch": 0, "off_track": 2, "not_started": 1}
    assert board.states == dict(Counter(mix.expected.values()), watch=0)

    # The checks score the draft 100; the heat map shows no score for it, not "100".
    heat = client.get(f"/o/acme/dashboard/heatmap/{om.pk}/children/").content.decode()
    draft = heat[heat.index("A new draft") :]
    assert "<strong>—</strong>" in draft[: draft.index("</li>")]


def test_it_prints_the_headline_score_as_the_charts_last_label(client, world):
    """Seen: a team score of 90 beside a chart whose last point was labelled 88."""
    for mission, score in ((world.team_mission, 100), (world.staff_mission, 80)):
        set_score(mission, score)
    today = timezone.localdate()
    AlignmentSnapshot.objects.create(
        organisation=world.organisation, team=world.team, run_date=today - dt.timedelta(days=1),
        score=70, missions=2, scored=2, open_findings=0, critical_findings=0,
    )  # fmt: skip
    AlignmentSnapshot.objects.create(
        organisation=world.organisation,
        team=world.team,
        run_date=today,
        score=88,
        missions=2,
        scored=2,
        open_findings=0,
        critical_findings=0,
    )  # this morning's check; the scores moved since
    client.force_login(world.lead)

    for url in (f"/o/acme/dashboard/teams/{world.team.pk}/",):
        page = client.get(url)
        headline = page.context["board"].figures.score
        html = page.content.decode()
        shown = re.search(r'figure-card__value">(\d+)<span class="figure-card__unit"> / 100', html)
        label = re.findall(r'font-weight="700"[^>]*>(\d+)<', html)
        assert (round(headline), shown.group(1), label[-1]) == (90, "90", "90")
