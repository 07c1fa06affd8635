"""Org-chart imports of one organisation at the same moment: each one is applied whole or
refused with its reasons, never a 500, and nothing is stored twice."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from django.contrib.auth import get_user_model

from kernel.models import Membership, Team

from .helpers import TRIALS, browser, run_together

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 4
HEADER = "email,name,team,parent team,role,manager email\n"


def _chart(trial: int, parent_of_nights: str = "") -> str:
    team = f"Community {trial}"
    return HEADER + (
        f"ana{trial}@example.org,Ana Lopez,{team},Operations,leader,lead@example.org\n"
        f"ben{trial}@example.org,Ben Hill,{team},Operations,staff,ana{trial}@example.org\n"
        f"cy{trial}@example.org,Cy Park,Nights {trial},{parent_of_nights or team},leader,\n"
    )


def _import_all(world, charts: list[str]) -> list[int]:
    admins = [browser(world.org_admin) for _ in charts]
    responses = run_together(
        *(
            partial(client.post, "/o/acme/people/import/", {"content": text, "confirm": "1"})
            for client, text in zip(admins, charts, strict=True)
        )
    )
    return [r.status_code for r in responses]


def _stored_once(world, trial: int) -> bool:
    emails = [f"{n}{trial}@example.org" for n in ("ana", "ben", "cy")]
    teams = Team.objects.filter(organisation=world.organisation, name__endswith=f" {trial}")
    return (
        teams.count() == 2
        and get_user_model().objects.filter(email__in=emails).count() == 3
        and Membership.objects.filter(user__email__in=emails).count() == 3
    )


def test_it_applies_the_same_chart_imported_four_times_at_once(world) -> None:
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        statuses = _import_all(world, [_chart(trial)] * PARALLEL)
        outcomes[f"{sorted(statuses)}, stored once: {_stored_once(world, trial)}"] += 1
    assert dict(outcomes) == {f"{[302] * PARALLEL}, stored once: True": TRIALS}


def test_it_refuses_a_chart_that_an_import_a_moment_before_contradicts(world) -> None:
    """Two charts put the team "Nights" under different parents; whichever comes second is
    refused with the reason, as it would be a minute later."""
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        charts = [_chart(trial), _chart(trial, parent_of_nights="Operations")] * 2
        statuses = _import_all(world, charts)
        outcomes[str(sorted(set(statuses)))] += 1
    assert set(outcomes) == {"[302, 400]"}, f"{TRIALS} trials: {dict(outcomes)}"
