"""Predicted findings where people read them: the mission page (a "Predicted" tag and the day
expected), the dashboards (counted apart, and listed under "Problems foreseen" at no extra
query) and the findings API (``predicted``, ``expected_on``, ``?predicted=``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.formats import day
from reviews.models import Finding

pytestmark = pytest.mark.django_db
NOW = timezone.now()
TODAY = timezone.localdate()
EXPECTED = TODAY + dt.timedelta(days=5)


def _finding(mission, kind: str, severity: str = "info", **extra) -> Finding:
    return Finding.objects.create(
        organisation=mission.organisation,
        mission=mission,
        kind=kind,
        severity=severity,
        message=f"{kind} on {mission.title}",
        opened_at=NOW,
        last_seen_at=NOW,
        **extra,
    )


@pytest.fixture
def foreseen(world):
    """One finding that holds (a warning) and one predicted, on the staff mission."""
    return {
        "now": _finding(world.staff_mission, "no_kpi", "warning"),
        "predicted": _finding(
            world.staff_mission, "review_lapsing", subject="", expected_on=EXPECTED
        ),
    }


def test_the_mission_page_tags_a_predicted_finding_with_its_day(world, foreseen, client) -> None:
    client.force_login(world.staff)
    html = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert html.count("data-predicted") == 1
    assert f"expected {day(EXPECTED)}" in html
    assert "review_lapsing on" in html and "Hold the 30-day review before it falls due." in html
    # The predicted one comes after the one that holds now.
    assert html.index("no_kpi on") < html.index("review_lapsing on")


def test_the_organisation_dashboard_counts_problems_foreseen_apart(world, foreseen, client) -> None:
    client.force_login(world.leader)
    response = client.get("/o/acme/dashboard/")
    figures = response.context["board"].figures
    assert figures.open_findings == 1 and figures.foreseen == 1
    assert figures.foreseen_kinds == [("Review about to lapse", 1)]
    html = response.content.decode()
    assert "Problems foreseen" in html and "Review about to lapse: <strong>1</strong>" in html


def _team_page(client, world) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/o/acme/dashboard/teams/{world.team.pk}/")
    assert response.status_code == 200
    return response, len(queries)


def test_the_team_dashboard_lists_problems_foreseen_at_no_extra_query(world, client) -> None:
    client.force_login(world.lead)
    _finding(world.staff_mission, "no_kpi", "warning")
    _team_page(client, world)  # warm: sessions, caches
    _, without = _team_page(client, world)
    _finding(world.team_mission, "likely_miss", subject="kpi:1", expected_on=EXPECTED)
    for n in range(3):
        _finding(
            world.staff_mission,
            "support_late",
            subject=f"link:{n}",
            expected_on=EXPECTED + dt.timedelta(days=n),
        )
    response, with_some = _team_page(client, world)
    assert with_some == without
    board = response.context["board"]
    assert [f.kind for f in board.findings] == ["no_kpi"]
    assert sorted(f.kind for f in board.foreseen) == ["likely_miss"] + ["support_late"] * 3
    expected = [f.expected_on for f in board.foreseen]
    assert expected == sorted(expected) and expected[0] == EXPECTED
    html = response.content.decode()
    assert 'id="foreseen-heading"' in html and f"expected {day(EXPECTED)}" in html


def test_the_team_dashboard_keeps_fifty_of_each(world, client, monkeypatch) -> None:
    from reviews.dashboards import team

    monkeypatch.setattr(team, "LIST_LIMIT", 2)
    for n in range(3):
        _finding(world.staff_mission, "task_overdue", subject=f"task:{n}")
        _finding(world.staff_mission, "support_late", subject=f"link:{n}", expected_on=EXPECTED)
    client.force_login(world.lead)
    board, _ = _team_page(client, world)
    board = board.context["board"]
    assert len(board.findings) == 2 and len(board.foreseen) == 2


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_says_predicted_and_expected_on(world, foreseen) -> None:
    rows = {r["id"]: r for r in _api(world.staff).get("/api/v1/findings/").json()["results"]}
    assert rows[foreseen["predicted"].pk]["predicted"] is True
    assert rows[foreseen["predicted"].pk]["expected_on"] == EXPECTED.isoformat()
    assert rows[foreseen["now"].pk]["predicted"] is False
    assert rows[foreseen["now"].pk]["expected_on"] is None


def test_the_api_filters_on_predicted(world, foreseen) -> None:
    def ids(query: str) -> set[int]:
        body = _api(world.staff).get(f"/api/v1/findings/?{query}").json()
        return {r["id"] for r in body["results"]}

    assert ids("predicted=true") == {foreseen["predicted"].pk}
    assert ids("predicted=false") == {foreseen["now"].pk}
    assert ids("predicted=true&open=true&kind=review_lapsing") == {foreseen["predicted"].pk}


def test_the_schema_describes_the_fields_and_the_filter(db) -> None:
    from django.test import Client

    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    finding = schema["components"]["schemas"]["Finding"]["properties"]
    assert finding["predicted"]["type"] == "boolean"
    assert finding["expected_on"]["format"] == "date" and finding["expected_on"]["nullable"]
    params = {p["name"] for p in schema["paths"]["/api/v1/findings/"]["get"]["parameters"]}
    assert "predicted" in params
