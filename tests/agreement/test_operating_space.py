"""A mission's operating space fits inside its parent's, in Python and in SQL.

Python: ``missions.services.mission_check_parent`` refuses to save a mission whose deadline
is later than its parent's (or, without one, than the end of its parent's period), or whose
budget or headcount, added to those of its siblings that are not archived, is more than its
parent's. SQL: the alignment check ``space_exceeds_parent`` (``reviews.checks``) finds the
active missions of which the same holds, over the stored rows. A mission the service would
refuse is a mission the check finds, and the other way round.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from missions.models import Mission
from missions.services import mission_check_parent
from reviews.models import Finding
from tests.agreement.builders import checked, found
from tests.missions.factories import PERIOD_END, MissionFactory

pytestmark = pytest.mark.django_db
SPACE = ("deadline", "budget", "headcount")
DAY = dt.timedelta(days=1)

# label: (the parent's space, the mission's own, its siblings' [with their status], refused)
CASES = {
    "nothing set anywhere": ({}, {}, [], False),
    "a deadline on the parent's deadline": (
        {"deadline": PERIOD_END - 30 * DAY},
        {"deadline": PERIOD_END - 30 * DAY},
        [],
        False,
    ),
    "a deadline a day after the parent's deadline": (
        {"deadline": PERIOD_END - 30 * DAY},
        {"deadline": PERIOD_END - 29 * DAY},
        [],
        True,
    ),
    "a deadline on the last day of the period of a parent without a deadline": (
        {},
        {"deadline": PERIOD_END},
        [],
        False,
    ),
    "a deadline after the period of a parent without a deadline": (
        {},
        {"deadline": PERIOD_END + DAY},
        [],
        True,
    ),
    "no deadline under a parent with one": ({"deadline": PERIOD_END - 30 * DAY}, {}, [], False),
    "a budget equal to the parent's": ({"budget": 1000}, {"budget": 1000}, [], False),
    "a budget above the parent's": ({"budget": 1000}, {"budget": 1001}, [], True),
    "a budget under a parent without one": ({}, {"budget": 10**6}, [], False),
    "budgets adding up to exactly the parent's": (
        {"budget": 1000},
        {"budget": 400},
        [{"budget": 600}],
        False,
    ),
    "budgets adding up to more than the parent's": (
        {"budget": 1000},
        {"budget": 400},
        [{"budget": 300}, {"budget": 301}],
        True,
    ),
    "an archived sibling's budget takes nothing": (
        {"budget": 1000},
        {"budget": 400},
        [{"budget": 900, "status": "archived"}],
        False,
    ),
    "a completed sibling's budget still takes its share": (
        {"budget": 1000},
        {"budget": 400},
        [{"budget": 900, "status": "completed"}],
        True,
    ),
    "a draft sibling's budget takes its share too": (
        {"budget": 1000},
        {"budget": 400},
        [{"budget": 900, "alignment_status": "draft"}],
        True,
    ),
    "a budget of zero where the siblings take exactly the parent's": (
        {"budget": 1000},
        {"budget": 0},
        [{"budget": 1000}],
        False,
    ),
    "a budget of zero where the siblings take more than the parent's": (
        {"budget": 1000},
        {"budget": 0},
        [{"budget": 1200}],
        True,
    ),
    "no budget of its own where the siblings take more than the parent's": (
        {"budget": 1000},
        {},
        [{"budget": 1200}],
        False,
    ),
    "headcounts adding up to more than the parent's": (
        {"headcount": 5},
        {"headcount": 2},
        [{"headcount": 4}],
        True,
    ),
    "headcounts adding up to exactly the parent's": (
        {"headcount": 5},
        {"headcount": 1},
        [{"headcount": 4}],
        False,
    ),
    "no headcount of its own where the siblings take more than the parent's": (
        {"headcount": 5},
        {},
        [{"headcount": 6}],
        False,
    ),
}


def refused_by_the_service(mission: Mission) -> bool:
    """Whether saving the mission as it is stored now breaks its operating space."""
    stored = Mission.objects.get(pk=mission.pk)
    try:
        with transaction.atomic():
            mission_check_parent(stored)
    except ValidationError as error:
        return bool(set(error.message_dict) & set(SPACE))
    return False


@pytest.mark.parametrize(
    ("parent_space", "own_space", "siblings", "refused"), CASES.values(), ids=CASES.keys()
)
def test_the_service_refuses_what_the_check_finds(
    world, parent_space, own_space, siblings, refused
) -> None:
    parent = MissionFactory(
        parent=world.org_mission, level="team", owner_team=world.team, **parent_space
    )
    mission = MissionFactory(parent=parent, level="individual", owner_user=world.staff, **own_space)
    for sibling in siblings:
        MissionFactory(
            parent=parent,
            level="individual",
            owner_user=world.lead,
            alignment_status=sibling.get("alignment_status", "aligned"),
            status=sibling.get("status", "active"),
            budget=sibling.get("budget"),
            headcount=sibling.get("headcount"),
        )

    checked(world.organisation)
    found_by_the_check = mission.pk in found(
        Finding.Kind.SPACE_EXCEEDS_PARENT, organisation=world.organisation
    )

    assert (refused_by_the_service(mission), found_by_the_check) == (refused, refused)
