"""The MCP server: the tools an organisation's own AI assistant calls, described for a model.

Each tool runs ``tools.<name>`` as the caller (``caller``), in a thread that may use the ORM:
in a request to ``/mcp/`` (``views``) the request's own thread, whose database connection and
transaction the request owns; under ``mcp_stdio`` the SDK's one worker thread. What a tool
refuses (not found, not allowed, bad input) reaches the assistant as a tool error it reads;
anything else is logged and said as a fault, never as its details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from kernel.types import User

from . import tools

logger = logging.getLogger(__name__)

# Who calls: set by the HTTP view for one request (the token's user), or by ``mcp_stdio`` for
# its process (a function that checks the token again on each call, so a revoked token stops
# working at once).
_caller: ContextVar[Callable[[], User] | None] = ContextVar("mcp_caller", default=None)
# Under ``mcp_stdio`` the worker thread outlives any request: its connection is refreshed
# before each call, as Django does at the start of a request.
_long_lived: ContextVar[bool] = ContextVar("mcp_long_lived", default=False)


@contextmanager
def caller(who: Callable[[], User], *, long_lived: bool = False) -> Iterator[None]:
    """Run the tools as the user ``who()`` returns."""
    token = _caller.set(who)
    lived = _long_lived.set(long_lived)
    try:
        yield
    finally:
        _caller.reset(token)
        _long_lived.reset(lived)


def _run(tool: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    who = _caller.get()
    if who is None:
        raise ToolError("Not signed in: send your API token.")
    if _long_lived.get():
        close_old_connections()
    try:
        return tool(user=who(), **arguments)
    except tools.Refused as refusal:
        raise ToolError(str(refusal)) from refusal
    except ToolError:
        raise
    except Exception as error:
        logger.exception("The assistants' tool %s failed", tool.__name__)
        raise ToolError("The server failed to answer; nothing was changed. Try again.") from error


async def call(tool: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    # thread_sensitive: under the HTTP view, back on the request's thread (its connection).
    result: dict[str, Any] = await sync_to_async(_run, thread_sensitive=True)(tool, **arguments)
    return result


INSTRUCTIONS = """\
Mission Leadership: an organisation's vision cascaded into missions. Each mission says what a
team or person will achieve (statement) and why (intent), within an operating space (deadline,
scope, budget, headcount, constraints, decision rights), under the intent of the missions one
and two levels up. KPIs measure a mission; people record check-ins (a value, with confidence),
and each KPI carries a forecast (on_track, at_risk, off_track, unknown; the probability of
meeting its target by its due date; the date it is likely reached). The nightly alignment
checks open findings (problems now, and predicted ones expected on a date).
You act as the signed-in person and see exactly what they see in the web app, no more.
Organisation: pass its slug (from list_organisations); omitted, the person's first one.
"""

server = FastMCP("Mission Leadership", instructions=INSTRUCTIONS)

READ = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
Organisation = Annotated[
    str | int | None,
    Field(description="The organisation's slug (or id); omitted: your first organisation."),
]


@server.tool(annotations=READ)
async def list_organisations() -> dict[str, Any]:
    """The organisations you belong to: id, slug, name and your role in each (leader, staff,
    coach, admin). Use a slug as the `organisation` of the other tools."""
    return await call(tools.list_organisations)


@server.tool(annotations=READ)
async def cascade(
    organisation: Organisation = None,
    mission_id: Annotated[
        int | None,
        Field(description="Start under this mission; omitted: the top of the cascade."),
    ] = None,
    depth: Annotated[
        int, Field(ge=0, le=tools.MAX_DEPTH, description="Levels below the start to include.")
    ] = 2,
    limit: Annotated[
        int,
        Field(ge=1, le=tools.MAX_MISSIONS, description="The most missions to return in all."),
    ] = 50,
) -> dict[str, Any]:
    """The cascade of missions as a tree: the organisation's top missions (or one mission) and
    the missions under them, `depth` levels down, at most `limit` missions. Each mission has its
    id, title, level (organisation, team, individual), owner, status, alignment status
    (draft, proposed, aligned, sent_back), period end, `children_count` and
    `children_not_shown`: where that is above 0, call cascade again with that mission's id.
    Archived missions are left out. Use get_mission for one mission's intent, KPIs and findings."""
    return await call(
        tools.cascade,
        organisation=organisation,
        mission_id=mission_id,
        depth=depth,
        limit=limit,
    )


@server.tool(annotations=READ)
async def get_mission(
    mission_id: Annotated[int, Field(description="The mission's id (from cascade).")],
    organisation: Organisation = None,
) -> dict[str, Any]:
    """One mission as its page shows it: statement, intent, operating space (deadline, scope,
    budget, headcount, constraints, decision rights), the 1-up and 2-up intent it serves (the
    CEO's intent above a top mission), its health and alignment score, its KPIs with progress
    (0-1), latest value and forecast (status, probability, value likely at the due date, reach
    date, and the outlook in words), its key tasks, its open findings (predicted ones marked,
    with advice on what clears each), its first children, and what you may do to it."""
    return await call(tools.get_mission, organisation=organisation, mission_id=mission_id)


@server.tool(annotations=READ)
async def list_kpis(
    organisation: Organisation = None,
    mission_id: Annotated[
        int | None,
        Field(description="A mission's KPIs; omitted: the KPIs of the missions you own."),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=tools.MAX_ITEMS)] = 50,
) -> dict[str, Any]:
    """Active KPIs, the worst forecast first: yours (of the missions you own in person or
    through a team you lead) or one mission's. Each has its target, latest value, progress
    (0-1), forecast status (on_track, at_risk, off_track, unknown), probability of meeting the
    target by the due date, reach date, the outlook in words, and whether a check-in is due.
    Use a KPI's id with check_in."""
    return await call(
        tools.list_kpis, organisation=organisation, mission_id=mission_id, limit=limit
    )


@server.tool(annotations=READ)
async def at_risk(
    organisation: Organisation = None,
    limit: Annotated[int, Field(ge=1, le=50, description="The most items of each list.")] = 10,
) -> dict[str, Any]:
    """What is at risk in your part of the cascade (the missions you own or lead, and
    everything under them): KPIs forecast off track or at risk, the worst first; open findings
    of the alignment checks, critical first; predicted findings, soonest expected first; and
    30-day reviews overdue. Each list says how many there are in all. Someone who owns nothing
    (a coach, an admin) gets empty lists and `owns_nothing`."""
    return await call(tools.at_risk, organisation=organisation, limit=limit)


@server.tool(annotations=READ)
async def inbox(
    organisation: Annotated[
        str | int | None,
        Field(description="Only this organisation's items; omitted: all of yours."),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=tools.MAX_ITEMS)] = 50,
) -> dict[str, Any]:
    """Your inbox: the open items waiting for you, newest first (alignments to answer,
    support requested, missions sent back, reviews due, check-ins due, key tasks overdue,
    findings on your missions). Each has its kind, message, link on the site and due date;
    an item leaves once its cause is handled."""
    return await call(tools.inbox, organisation=organisation, limit=limit)


@server.tool(annotations=READ)
async def brief(organisation: Organisation = None) -> dict[str, Any]:
    """Your weekly brief of the part of the cascade you own or lead: a summary, then sections
    (what moved, what is at risk, what needs your decision, what preceded movement), each item
    a sentence with the link to its evidence on the site."""
    return await call(tools.brief, organisation=organisation)


@server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False))
async def check_in(
    kpi_id: Annotated[int, Field(description="The KPI's id (from list_kpis or get_mission).")],
    value: Annotated[
        float | str, Field(description="The KPI's value, a number in its unit, e.g. 42.5.")
    ],
    organisation: Organisation = None,
    confidence: Annotated[
        int | None,
        Field(description="0-100: how sure the person is the target will be met; default 70."),
    ] = None,
    comment: Annotated[str, Field(description="What is behind the value, in a sentence.")] = "",
    recorded_on: Annotated[
        str | None,
        Field(
            description="The date the value describes, YYYY-MM-DD; default today; never "
            "in the future."
        ),
    ] = None,
) -> dict[str, Any]:
    """Record a check-in of a KPI as the signed-in person: a new reading, appended to its
    history (check-ins are never edited). Only the owner of the KPI's mission, the owner of
    the mission above it and organisation admins may; a coach may not. Returns the stored
    check-in and the KPI's new progress and forecast. Confirm the value with the person first."""
    return await call(
        tools.check_in,
        organisation=organisation,
        kpi_id=kpi_id,
        value=value,
        confidence=confidence,
        comment=comment,
        recorded_on=recorded_on,
    )
