"""The MCP server end to end, through the SDK's own client: streamable HTTP against the live
server (``/mcp/``), and stdio against ``manage.py mcp_stdio`` as a subprocess. The personas
are ``tests/conftest.py``'s: in "acme", ceo > lead > staff down the cascade, a coach and an
admin; the outsider leads another organisation."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
from django.db import connection
from django.utils import timezone
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from rest_framework.test import APIClient

from accounts.tokens import api_token_create, api_token_revoke
from kernel.models import AuditEvent
from measures import services as measures_services
from measures.models import CheckIn, Kpi
from measures.pages import history_of, kpi_of
from missions.models import Mission
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db(transaction=True)

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
TOOLS = {
    "list_organisations",
    "cascade",
    "get_mission",
    "list_kpis",
    "at_risk",
    "inbox",
    "brief",
    "check_in",
}


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on an event loop of its own thread: where the browser tests
    ran before in this process, Playwright keeps a loop running in this thread, and
    ``asyncio.run`` refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def token_of(user: Any) -> str:
    return api_token_create(user=user, name="My assistant")[1]


def over_http(url: str, token: str | None, steps: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    """Open an MCP session on ``url`` with the token and run ``steps`` in it."""

    async def main() -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            httpx.AsyncClient(headers=headers, timeout=30) as http,
            streamable_http_client(url, http_client=http) as (read, write, _),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await steps(session)

    return run_apart(main())


def call(url: str, token: str, tool: str, **arguments: Any) -> CallToolResult:
    async def steps(session: ClientSession) -> CallToolResult:
        return await session.call_tool(tool, arguments)

    result: CallToolResult = over_http(url, token, steps)
    return result


def data(result: CallToolResult) -> Any:
    assert not result.isError, result.content
    return json.loads(result.content[0].text)  # type: ignore[union-attr]


def error(result: CallToolResult) -> str:
    assert result.isError
    text: str = result.content[0].text  # type: ignore[union-attr]
    return text


def off_track_kpi(mission: Mission, author: Any) -> Kpi:
    """A KPI far from its target with a month to go, its forecast computed from check-ins."""
    today = timezone.localdate()
    kpi = KpiFactory(
        mission=mission,
        name="Patients cared for at home",
        baseline=Decimal("10"),
        target=Decimal("50"),
        due_date=today + dt.timedelta(days=30),
    )
    for days_ago, value in ((60, "10"), (30, "10.5"), (1, "11")):
        measures_services.kpi_record_value(
            kpi=kpi,
            value=Decimal(value),
            by=author,
            recorded_on=today - dt.timedelta(days=days_ago),
        )
    kpi.refresh_from_db()
    assert kpi.forecast_status == "off_track"
    return kpi


@pytest.fixture
def mcp_url(live_server: Any) -> str:
    return f"{live_server.url}/mcp/"


def test_it_lists_the_tools_with_descriptions_for_a_model(world, mcp_url) -> None:
    async def steps(session: ClientSession) -> Any:
        return (await session.list_tools()).tools

    listed = over_http(mcp_url, token_of(world.staff), steps)
    assert {tool.name for tool in listed} == TOOLS
    for tool in listed:
        assert tool.description and len(tool.description) > 80, tool.name
    check_in = next(tool for tool in listed if tool.name == "check_in")
    assert set(check_in.inputSchema["required"]) == {"kpi_id", "value"}


@pytest.mark.parametrize("persona", ["leader", "lead", "staff", "coach", "org_admin"])
def test_each_member_reads_the_cascade_and_a_mission(world, mcp_url, persona) -> None:
    token = token_of(getattr(world, persona))
    assert [
        o["slug"] for o in data(call(mcp_url, token, "list_organisations"))["organisations"]
    ] == ["acme"]
    tree = data(call(mcp_url, token, "cascade", organisation="acme", depth=3))
    (top,) = tree["missions"]
    assert top["title"] == world.org_mission.title
    (team,) = top["children"]
    assert team["title"] == world.team_mission.title
    assert [m["title"] for m in team["children"]] == [world.staff_mission.title]

    mission = data(
        call(mcp_url, token, "get_mission", organisation="acme", mission_id=world.staff_mission.pk)
    )
    assert mission["statement"] == world.staff_mission.statement
    assert mission["intent"] == world.staff_mission.intent
    assert [(a["step"], a["intent"]) for a in mission["intent_above"]] == [
        ("1-up", world.team_mission.intent),
        ("2-up", world.org_mission.intent),
    ]
    assert "decision_rights" in mission["operating_space"]


def test_the_cascade_starts_under_a_mission_and_says_what_is_left_out(world, mcp_url) -> None:
    for n in range(3):
        MissionFactory(
            parent=world.staff_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.staff,
            title=f"Ward {n}",
        )
    tree = data(
        call(
            mcp_url,
            token_of(world.lead),
            "cascade",
            mission_id=world.team_mission.pk,
            depth=1,
            limit=1 + 1,
        )
    )
    (team,) = tree["missions"]
    assert team["children_count"] == 1 and team["children_not_shown"] == 0
    (staff_mission,) = team["children"]
    assert staff_mission["children_count"] == 3
    assert staff_mission["children_not_shown"] == 3  # depth 1: the level below is not read
    assert tree["missions_shown"] == 2


def test_an_outsider_finds_nothing_of_another_organisation(world, mcp_url) -> None:
    token = token_of(world.outsider)
    refused = error(call(mcp_url, token, "get_mission", mission_id=world.staff_mission.pk))
    assert "Not found" in refused and world.staff_mission.title not in refused
    refused = error(
        call(mcp_url, token, "get_mission", organisation="acme", mission_id=world.org_mission.pk)
    )
    assert "Not found" in refused
    assert "Not found" in error(call(mcp_url, token, "cascade", organisation="acme"))
    theirs = data(call(mcp_url, token, "cascade", organisation=world.other_organisation.pk))
    assert [m["id"] for m in theirs["missions"]] == [world.other_mission.pk]


def test_at_risk_names_the_kpi_forecast_off_track(world, mcp_url) -> None:
    kpi = off_track_kpi(world.staff_mission, world.staff)
    for persona in (world.staff, world.lead, world.leader):
        found = data(call(mcp_url, token_of(persona), "at_risk", organisation="acme"))
        risky = found["kpis_off_track_or_at_risk"]["items"]
        assert [(k["id"], k["forecast"]["status"]) for k in risky] == [(kpi.pk, "off_track")]
        assert risky[0]["mission_title"] == world.staff_mission.title
    nothing = data(call(mcp_url, token_of(world.coach), "at_risk"))
    assert nothing["owns_nothing"] is True
    assert nothing["kpis_off_track_or_at_risk"]["items"] == []

    mine = data(call(mcp_url, token_of(world.staff), "list_kpis"))
    assert [k["id"] for k in mine["kpis"]] == [kpi.pk]
    assert mine["kpis"][0]["forecast"]["probability"] is not None
    assert mine["kpis"][0]["outlook"].startswith("Off track")


def test_a_check_in_is_stored_as_the_api_stores_it(world, mcp_url) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    key = token_of(world.staff)
    today = timezone.localdate()
    answer = data(
        call(
            mcp_url,
            key,
            "check_in",
            organisation="acme",
            kpi_id=kpi.pk,
            value=23.5,
            confidence=80,
            comment="Second ward open.",
            recorded_on=today.isoformat(),
        )
    )
    stored = CheckIn.objects.get(kpi=kpi)
    assert (stored.value, stored.confidence, stored.comment, stored.recorded_on) == (
        Decimal("23.5"),
        80,
        "Second ward open.",
        today,
    )
    assert stored.author == world.staff
    assert answer["check_in"]["id"] == stored.pk
    assert answer["kpi"]["latest_value"] == 23.5

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api.get(f"/api/v1/kpis/{kpi.pk}/check-ins/").json()["results"]
    assert [(c["id"], c["value"], c["author"]) for c in listed] == [
        (stored.pk, "23.5000", world.staff.pk)
    ]
    # In the KPI's history, with its author, as its page shows it; and in the audit log.
    history = history_of(kpi_of(actor=_actor(world.staff, world), pk=kpi.pk))
    assert [(h.check_in.pk, h.check_in.author) for h in history] == [(stored.pk, world.staff)]
    assert AuditEvent.objects.filter(
        verb=AuditEvent.Verb.CHECKED_IN, actor=world.staff, mission=world.staff_mission
    ).exists()


def _actor(user: Any, world: Any) -> Any:
    from kernel.permissions import actor_for

    return actor_for(user, world.organisation)


def test_a_coach_may_not_check_in_and_bad_input_stores_nothing(world, mcp_url) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    refused = error(call(mcp_url, token_of(world.coach), "check_in", kpi_id=kpi.pk, value=30))
    assert "Not allowed" in refused
    staff = token_of(world.staff)
    refused = error(call(mcp_url, staff, "check_in", kpi_id=kpi.pk, value="lots"))
    assert "Not recorded" in refused and "value" in refused
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = error(call(mcp_url, staff, "check_in", kpi_id=kpi.pk, value=30, recorded_on=tomorrow))
    assert "Not recorded" in refused and "recorded_on" in refused
    refused = error(call(mcp_url, staff, "check_in", kpi_id=kpi.pk, value=30, confidence=150))
    assert "confidence" in refused
    other_kpi = KpiFactory(mission=world.other_mission)
    refused = error(call(mcp_url, staff, "check_in", kpi_id=other_kpi.pk, value=30))
    assert "Not found" in refused
    assert not CheckIn.objects.exists()


def test_the_inbox_and_the_brief_are_the_apis(world, mcp_url) -> None:
    from kernel.models import Notification

    for organisation, recipient in (
        (world.organisation, world.lead),
        (world.organisation, world.staff),
    ):
        Notification.objects.create(
            organisation=organisation,
            recipient=recipient,
            kind=Notification.Kind.ALIGNMENT_REQUESTED,
            message="“Open two virtual wards” waits for your alignment.",
            mission=world.staff_mission,
            cause=f"alignment:{world.staff_mission.pk}",
        )
    key = token_of(world.lead)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    inbox = data(call(mcp_url, key, "inbox"))
    assert inbox["items"] == api.get("/api/v1/inbox/").json()["results"]
    assert [(i["kind"], i["cause"]) for i in inbox["items"]] == [
        ("alignment_requested", f"alignment:{world.staff_mission.pk}")
    ]  # the lead's own item, not the staff member's
    brief = data(call(mcp_url, key, "brief", organisation="acme"))
    from_api = api.get("/api/v1/brief/?organisation=acme").json()
    assert brief["sections"] == from_api["sections"]
    assert brief["owns_nothing"] is False


def _initialize() -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"},
        },
    }


def test_no_token_or_a_bad_one_is_401(world, mcp_url) -> None:
    revoked_token, revoked = api_token_create(user=world.staff, name="Old assistant")
    api_token_revoke(token=revoked_token)
    headers = {"Accept": "application/json, text/event-stream"}
    for authorization in (None, "Bearer", "Bearer not-a-token", f"Bearer {revoked}", "Basic x"):
        sent = {**headers, **({"Authorization": authorization} if authorization else {})}
        response = httpx.post(mcp_url, json=_initialize(), headers=sent, timeout=30)
        assert response.status_code == 401, authorization
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for scheme in ("Bearer", "Token"):
        response = httpx.post(
            mcp_url,
            json=_initialize(),
            headers={**headers, "Authorization": f"{scheme} {token_of(world.staff)}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["result"]["serverInfo"]["name"] == "Mission Leadership"
    with pytest.raises(Exception):  # noqa: B017 (the SDK raises its transport's error)
        over_http(mcp_url, None, lambda session: session.list_tools())


def test_a_session_cookie_opens_nothing(world, mcp_url, client) -> None:
    client.force_login(world.staff)
    response = client.post(mcp_url, _initialize(), content_type="application/json")
    assert response.status_code == 401


def _subprocess_env(token: str) -> dict[str, str]:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="missionlead.settings_test",
        DATABASE_URL=(
            f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{quote(db['NAME'], safe='')}"
        ),
        MISSIONLEAD_TOKEN=token,
        CONN_MAX_AGE="0",
    )
    return env


@pytest.mark.slow
def test_the_stdio_command_serves_the_same_tools(world) -> None:
    server = StdioServerParameters(
        command=sys.executable,
        args=[str(ROOT / "manage.py"), "mcp_stdio"],
        env=_subprocess_env(token_of(world.lead)),
        cwd=str(ROOT),
    )

    async def main() -> tuple[set[str], Any, Any]:
        async with (
            stdio_client(server) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            names = {tool.name for tool in (await session.list_tools()).tools}
            tree = await session.call_tool("cascade", {"mission_id": world.team_mission.pk})
            theirs = await session.call_tool("get_mission", {"mission_id": world.other_mission.pk})
            return names, tree, theirs

    names, tree, theirs = run_apart(main())
    assert names == TOOLS
    (team,) = data(tree)["missions"]
    assert [c["title"] for c in team["children"]] == [world.staff_mission.title]
    assert "Not found" in error(theirs)


def test_the_stdio_command_refuses_a_revoked_token(world) -> None:
    import subprocess

    token, key = api_token_create(user=world.lead, name="Old")
    api_token_revoke(token=token)
    finished = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "mcp_stdio"],
        env=_subprocess_env(key),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert finished.returncode != 0
    assert "no longer works" in finished.stderr


def test_the_apis_limit_per_person_counts_mcp_requests_too(world, mcp_url, settings) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {token_of(world.staff)}",
    }
    answers = [
        httpx.post(mcp_url, json=_initialize(), headers=headers, timeout=30).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
