"""What the assistants' tools do, as plain functions of the caller: each reads through the
selectors and services the pages and ``/api/v1/`` use, judged by ``kernel.permissions``, in
the tenant scope of the organisation asked about. They return JSON-ready dicts and refuse
with ``Refused``, whose message the assistant reads.

``server`` wraps each for the MCP SDK; the tests call them directly to count their queries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils import timezone

from kernel.models import Membership, Organisation
from kernel.permissions import Action, Actor, abilities, actor_for, require
from kernel.tenancy import tenant_scope
from kernel.types import User
from kernel.validators import parse_id
from measures import selectors as measures_selectors
from measures import services as measures_services
from measures.api.serializers import CheckInSerializer
from measures.models import Kpi
from measures.pages import my_kpis
from measures.summary import KpiFigures, figures_for, outlook_of
from missionlead.timezones import activate as activate_time_zone
from missions import selectors as mission_selectors
from missions.models import Mission
from missions.views.mission import MISSION_PAGE_ACTIONS
from missions.views.mission_page import mission_page
from reviews import selectors as review_selectors
from reviews.api.brief import BriefSerializer
from reviews.api.serializers import InboxItemSerializer
from reviews.at_risk import AtRisk, at_risk_of
from reviews.brief import brief_to_show
from reviews.health import health_figures
from reviews.models import Finding, Review

MAX_DEPTH = 5
MAX_MISSIONS = 200
MAX_ITEMS = 100


class Refused(Exception):
    """What the assistant is told instead of an answer: not found, not allowed, bad input."""


def _json(data: Any) -> Any:
    """Dates, decimals and lazy strings as JSON has them."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _bounded(value: int, low: int, high: int) -> int:
    return max(low, min(int(value), high))


# --- The organisation asked about, and the caller in it ----------------------------------------


def _organisation_of(user: User, organisation: str | int | None) -> Organisation:
    """One of the caller's organisations, by slug or id; none named: their first (as the brief's
    API). Another organisation answers as one that does not exist."""
    mine = mission_selectors.organisations_of(user=user)
    raw = str(organisation).strip() if organisation is not None else ""
    if not raw:
        found = mine.order_by("memberships__pk").first()
    else:
        pk = parse_id(raw)
        found = mine.filter(pk=pk).first() if pk is not None else mine.filter(slug=raw).first()
    if found is None:
        named = f" {raw!r}" if raw else ""
        raise Refused(f"Not found: no organisation{named} of yours. Call list_organisations.")
    return found


@contextmanager
def in_organisation(user: User, organisation: str | int | None) -> Iterator[Actor]:
    """The caller as an ``Actor`` of the organisation, inside one transaction that row-level
    security limits to it (as ``kernel.web.org_view`` does for a page), in its time zone."""
    with tenant_scope(user=user) as scope:
        chosen = _organisation_of(user, organisation)
        actor = actor_for(user, chosen)
        if actor is None:  # a member a moment ago; gone since
            raise Refused("Not found: no organisation of yours by that name.")
        scope.limit([chosen.pk])
        activate_time_zone(chosen.time_zone)
        try:
            yield actor
        finally:
            timezone.deactivate()


def _not_found(what: str, pk: Any) -> Refused:
    return Refused(f"Not found: no {what} {pk} that you can see in this organisation.")


def _mission_for(actor: Actor, pk: int) -> Mission:
    """A mission the actor may read (404 as a refusal that says it was not found)."""
    mission = (
        mission_selectors.mission_list_visible_to(actor=actor)
        .select_related("organisation", "parent__owner_team", "parent__owner_user")
        .filter(pk=pk)
        .first()
    )
    if mission is None:
        raise _not_found("mission", pk)
    try:
        require(actor, Action.VIEW, mission)
    except (Http404, PermissionDenied) as error:
        raise _not_found("mission", pk) from error
    mission.organisation = actor.organisation
    return mission


def _owner(mission: Mission) -> str:
    if mission.owner_user is not None:
        return mission.owner_user.get_full_name() or mission.owner_user.get_username()
    return mission.owner_team.name if mission.owner_team is not None else ""


# --- list_organisations --------------------------------------------------------------------------


def list_organisations(*, user: User) -> dict[str, Any]:
    with tenant_scope(user=user):
        organisations = list(mission_selectors.organisations_of(user=user))
        roles = dict(
            Membership.objects.filter(user=user, organisation__in=organisations).values_list(
                "organisation_id", "role"
            )
        )
    return {
        "organisations": [
            {"id": o.pk, "slug": o.slug, "name": o.name, "your_role": roles.get(o.pk, "")}
            for o in organisations
        ]
    }


# --- cascade -------------------------------------------------------------------------------------


def _node(mission: Mission) -> dict[str, Any]:
    return {
        "id": mission.pk,
        "title": mission.title,
        "level": mission.level,
        "owner": _owner(mission),
        "status": mission.status,
        "alignment_status": mission.alignment_status,
        "period_end": mission.period_end,
        "children_count": getattr(mission, "child_count", None),
        "children": [],
    }


def cascade(
    *,
    user: User,
    organisation: str | int | None = None,
    mission_id: int | None = None,
    depth: int = 2,
    limit: int = 50,
) -> dict[str, Any]:
    """The cascade from its top (or from one mission) down ``depth`` levels, at most ``limit``
    missions in all: one query for the top and one per level (``cascade_branches``), whatever
    the size of the organisation."""
    depth = _bounded(depth, 0, MAX_DEPTH)
    limit = _bounded(limit, 1, MAX_MISSIONS)
    with in_organisation(user, organisation) as actor:
        if mission_id is not None:
            start = _mission_for(actor, mission_id)
            # Its children counted, as ``cascade_branches`` counts those of the levels below.
            children_of_start = mission_selectors.cascade_children(mission=start).count()
            start.child_count = children_of_start  # type: ignore[attr-defined]
            roots = top = [start]
        else:
            roots = list(mission_selectors.cascade_roots(actor=actor)[: limit + 1])
            top = roots[:limit]
        nodes = {m.pk: _node(m) for m in top}
        shown, level = len(top), [m.pk for m in top]
        for _ in range(depth):
            room = limit - shown
            if not level or room <= 0:
                break
            per_branch = max(1, -(-room // len(level)))  # a fair share of the room, rounded up
            children = list(
                mission_selectors.cascade_branches(parent_ids=level, per_branch=per_branch)[:room]
            )
            for child in children:
                node = _node(child)
                nodes[child.pk] = node
                nodes[child.parent_id]["children"].append(node)  # type: ignore[index]
            shown += len(children)
            level = [c.pk for c in children]
        organisation_slug = actor.organisation.slug
    tree = [nodes[m.pk] for m in top]
    for node in nodes.values():
        counted = node["children_count"]
        node["children_not_shown"] = (
            max(0, counted - len(node["children"])) if counted is not None else None
        )
    return _json(
        {
            "organisation": organisation_slug,
            "missions": tree,
            "missions_shown": shown,
            "more_top_missions": len(roots) > len(top),
            "note": "Missions with children_not_shown > 0 have more below: call cascade "
            "with their id as mission_id.",
        }
    )


# --- get_mission ---------------------------------------------------------------------------------


def _kpi(figures: KpiFigures) -> dict[str, Any]:
    kpi = figures.kpi
    return {
        "id": kpi.pk,
        "name": kpi.name,
        "mission_id": kpi.mission_id,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "baseline": kpi.baseline,
        "target": kpi.target,
        "target_max": kpi.target_max,
        "due_date": kpi.due_date,
        "status": kpi.status,
        "latest_value": figures.latest_value,
        "latest_on": figures.latest_on,
        "progress": round(figures.progress, 4),
        "forecast": figures.forecast.as_dict(),
        "outlook": outlook_of(figures).sentence,
        "check_in_due": figures.update_due,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "mission_id": finding.mission_id,
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "predicted": finding.predicted,
        "expected_on": finding.expected_on,
        "opened_at": finding.opened_at,
    }


def get_mission(
    *, user: User, mission_id: int, organisation: str | int | None = None
) -> dict[str, Any]:
    """What the mission page shows (``missions.views.mission_page``), as data."""
    with in_organisation(user, organisation) as actor:
        mission = _mission_for(actor, mission_id)
        may = abilities(actor, mission, MISSION_PAGE_ACTIONS)
        page = mission_page(actor=actor, mission=mission, may=may)
        decision_rights = mission.decision_rights or {}
        result = {
            "id": mission.pk,
            "organisation": actor.organisation.slug,
            "title": mission.title,
            "level": mission.level,
            "owner": _owner(mission),
            "parent_id": mission.parent_id,
            "statement": mission.statement,
            "intent": mission.intent,
            "status": mission.status,
            "alignment_status": mission.alignment_status,
            "period": {"start": mission.period_start, "end": mission.period_end},
            "operating_space": {
                "deadline": mission.deadline,
                "scope": mission.scope,
                "budget": mission.budget,
                "headcount": mission.headcount,
                "constraints": mission.constraints,
                "decision_rights": decision_rights,
            },
            "intent_above": [
                {
                    "step": above.step,
                    "from": above.heading,
                    "mission_id": above.mission.pk if above.mission else None,
                    "intent": above.intent,
                }
                for above in page["intents_above"]
            ],
            "health": str(page["health"]),
            "alignment_score": page["score"],
            "kpis": [_kpi(f) for f in page["figures"].kpis],
            "key_tasks": [
                {
                    "id": task.pk,
                    "title": task.title,
                    "status": task.status,
                    "due_date": task.due_date,
                    "owner": (task.owner.get_full_name() or task.owner.get_username())
                    if task.owner
                    else "",
                }
                for task in page["key_tasks"]
            ],
            "open_findings": [_finding(f.finding) | {"advice": f.advice} for f in page["findings"]],
            "children": [
                {"id": c["mission"].pk, "title": c["mission"].title} for c in page["children"]
            ],
            "more_children": page["more_children"],
            "you_may": {name: allowed for name, allowed in may.items() if allowed},
        }
    return _json(result)


# --- list_kpis -----------------------------------------------------------------------------------


def list_kpis(
    *,
    user: User,
    organisation: str | int | None = None,
    mission_id: int | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """The active KPIs of one mission, or (no mission) of the missions the caller owns in person
    or through a team they lead, worst forecast first."""
    limit = _bounded(limit, 1, MAX_ITEMS)
    with in_organisation(user, organisation) as actor:
        if mission_id is not None:
            mission = _mission_for(actor, mission_id)
            figures = health_figures([mission])[mission.pk].kpis
        else:
            figures = [figures_for(k, []) for k in my_kpis(actor=actor)]
        active = [f for f in figures if f.kpi.status == Kpi.Status.ACTIVE]
        order = {"off_track": 0, "at_risk": 1, "unknown": 2}
        active.sort(key=lambda f: (order.get(str(f.forecast.status), 3), f.progress, f.kpi.pk))
        rows = [_kpi(f) | {"mission_title": f.kpi.mission.title} for f in active[:limit]]
    return _json({"kpis": rows, "total": len(active), "not_shown": max(0, len(active) - limit)})


# --- at_risk -------------------------------------------------------------------------------------


def _review(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "mission_id": review.mission_id,
        "mission_title": review.mission.title,
        "due_date": review.due_date,
    }


def _said(found: AtRisk) -> dict[str, Any]:
    def listed(part: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"items": rows, "total": part.total, "not_shown": part.more}

    return {
        "owns_nothing": found.owns_nothing,
        "kpis_off_track_or_at_risk": listed(
            found.kpis,
            [
                _kpi(figures_for(k, [])) | {"mission_title": k.mission.title}
                for k in found.kpis.items
            ],
        ),
        "open_findings": listed(
            found.findings,
            [_finding(f) | {"mission_title": f.mission.title} for f in found.findings.items],
        ),
        "predicted_findings": listed(
            found.predicted,
            [_finding(f) | {"mission_title": f.mission.title} for f in found.predicted.items],
        ),
        "overdue_reviews": listed(
            found.overdue_reviews, [_review(r) for r in found.overdue_reviews.items]
        ),
    }


def at_risk(
    *, user: User, organisation: str | int | None = None, limit: int = 10
) -> dict[str, Any]:
    with in_organisation(user, organisation) as actor:
        result = _said(at_risk_of(actor=actor, limit=limit))
        result["organisation"] = actor.organisation.slug
    return _json(result)


# --- inbox and brief -----------------------------------------------------------------------------


def inbox(*, user: User, organisation: str | int | None = None, limit: int = 50) -> dict[str, Any]:
    """The caller's open items, as ``GET /api/v1/inbox/`` lists them."""
    limit = _bounded(limit, 1, MAX_ITEMS)
    with tenant_scope(user=user):
        items = review_selectors.inbox_of(user=user)
        if organisation is not None and str(organisation).strip():
            items = items.filter(organisation=_organisation_of(user, organisation))
        shown = list(items[: limit + 1])
        total = len(shown) if len(shown) <= limit else items.count()
        rows = InboxItemSerializer(shown[:limit], many=True).data
    return _json({"items": rows, "total": total, "not_shown": total - min(total, limit)})


def brief(*, user: User, organisation: str | int | None = None) -> dict[str, Any]:
    """The caller's weekly brief, as ``GET /api/v1/brief/`` gives it."""
    with in_organisation(user, organisation) as actor:
        try:
            require(actor, Action.VIEW_BRIEF)
        except (Http404, PermissionDenied) as error:
            raise Refused("Not allowed: the brief is not yours to read here.") from error
        data = BriefSerializer(brief_to_show(actor)).data
    return _json(data)


# --- check_in ------------------------------------------------------------------------------------


def _field_errors(errors: Any) -> str:
    """Field errors as one sentence per field: "value: A valid number is required."."""
    if not isinstance(errors, dict):
        return " ".join(str(m) for m in errors)
    said = []
    for field, messages in errors.items():
        listed = messages if isinstance(messages, list) else [messages]
        said.append(f"{field}: {' '.join(str(m) for m in listed)}")
    return " ".join(said)


def check_in(
    *,
    user: User,
    kpi_id: int,
    value: str | float | int | Decimal,
    organisation: str | int | None = None,
    confidence: int | None = None,
    comment: str = "",
    recorded_on: str | dt.date | None = None,
) -> dict[str, Any]:
    """Record a check-in as ``POST /api/v1/kpis/<id>/check-ins/`` does: the same permission
    (``Action.CHECK_IN``), the same validation (its serializer) and the same service."""
    try:
        with in_organisation(user, organisation) as actor:
            kpi = (
                measures_selectors.kpis_for_member(user=user)
                .filter(pk=kpi_id, organisation=actor.organisation)
                .first()
            )
            if kpi is None:
                raise _not_found("KPI", kpi_id)
            try:
                require(actor, Action.CHECK_IN, kpi)
            except Http404 as error:
                raise _not_found("KPI", kpi_id) from error
            except PermissionDenied as error:
                raise Refused(
                    "Not allowed: only the owner of the KPI's mission, the owner of the mission "
                    "above it and the organisation's admins check in this KPI."
                ) from error
            payload: dict[str, Any] = {"value": str(value), "comment": comment or ""}
            if confidence is not None:
                payload["confidence"] = confidence
            if recorded_on:
                payload["recorded_on"] = str(recorded_on)
            serializer = CheckInSerializer(data=payload, context={"kpi": kpi})
            if not serializer.is_valid():
                raise Refused(f"Not recorded: {_field_errors(serializer.errors)}")
            data = serializer.validated_data
            stored = measures_services.kpi_record_value(
                kpi=kpi,
                value=data["value"],
                confidence=data["confidence"],
                by=user,
                comment=data.get("comment", ""),
                recorded_on=data.get("recorded_on"),
            )
            result = {
                "check_in": CheckInSerializer(stored).data,
                "kpi": _kpi(figures_for(kpi, [])),
            }
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise Refused(f"Not recorded: {_field_errors(detail)}") from error
    return _json(result)
