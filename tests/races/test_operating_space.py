"""Children written at the same moment under one parent: together they stay inside its
operating space (here a budget of 100, children of 30 each: three fit, the others are refused
with the budget's message, never a 500)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import partial

import pytest
from django.db.models import Sum

from missions.models import Mission
from tests.missions.factories import MissionFactory

from .helpers import TRIALS, api_client, run_together

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 10


def _parent(world) -> Mission:
    return MissionFactory(
        parent=world.org_mission,
        level=Mission.Level.TEAM,
        owner_team=world.team,
        budget=Decimal(100),
    )


def _child(world, parent: Mission, n: int) -> dict:
    return {
        "level": "team",
        "title": f"Child {n}",
        "parent": parent.pk,
        "owner_team": world.team.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "operating_space": {"budget": "30.00"},
    }


def _budget_refused(response) -> bool:
    return response.status_code == 400 and "budget" in response.json().get("operating_space", {})


def _stored(parent: Mission) -> Decimal:
    return Mission.objects.filter(parent=parent).aggregate(total=Sum("budget"))["total"] or 0


def test_it_keeps_children_written_at_once_inside_the_parents_budget(world) -> None:
    as_lead = api_client(world.lead)
    totals: Counter[str] = Counter()
    for _ in range(TRIALS):
        parent = _parent(world)
        responses = run_together(
            *(
                partial(as_lead, "post", "/api/v1/missions/", _child(world, parent, n))
                for n in range(PARALLEL)
            )
        )
        created = sum(r.status_code == 201 for r in responses)
        refused = sum(_budget_refused(r) for r in responses)
        assert created + refused == PARALLEL, [r.status_code for r in responses]
        totals[f"{created} stored, {_stored(parent)} of 100"] += 1
    assert dict(totals) == {"3 stored, 90.00 of 100": TRIALS}


def test_it_keeps_children_raised_at_once_inside_the_parents_budget(world) -> None:
    as_lead = api_client(world.lead)
    totals: Counter[str] = Counter()
    for _ in range(TRIALS):
        parent = _parent(world)
        children = [
            MissionFactory(parent=parent, level=Mission.Level.TEAM, owner_team=world.team)
            for _ in range(PARALLEL)
        ]
        raise_to_30 = {"operating_space": {"budget": "30.00"}}
        responses = run_together(
            *(
                partial(as_lead, "patch", f"/api/v1/missions/{child.pk}/", raise_to_30)
                for child in children
            )
        )
        raised = sum(r.status_code == 200 for r in responses)
        refused = sum(_budget_refused(r) for r in responses)
        assert raised + refused == PARALLEL, [r.status_code for r in responses]
        totals[f"{raised} raised, {_stored(parent)} of 100"] += 1
    assert dict(totals) == {"3 raised, 90.00 of 100": TRIALS}
