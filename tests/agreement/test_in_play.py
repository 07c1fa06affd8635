"""Which missions are in play, in SQL, in Python and in the alignment checks.

A mission is in play — its 30-day reviews are scheduled, listed as due and reminded — when it
is active and either the top of its cascade or proposed or aligned with the mission above.
``missions.querysets.in_play`` says it as a filter (of missions, or of reviews through
``mission__``), ``Mission.in_play`` for one mission in memory, and the checks'
``review_overdue`` finds an overdue review only of a mission in play. Every combination of
status, place and alignment gets the same answer from each.
"""

from __future__ import annotations

import pytest

from missions.models import Mission
from missions.querysets import in_play
from reviews.models import Finding, Review
from tests.agreement.builders import checked, days, found
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db
CASES = [
    (status, top, alignment)
    for status in Mission.Status.values
    for top in (True, False)
    for alignment in Mission.AlignmentStatus.values
]


def test_a_mission_is_in_play_in_sql_as_in_python(world) -> None:
    missions = {}
    for status, top, alignment in CASES:
        mission = MissionFactory(
            organisation=world.organisation,
            parent=None if top else world.team_mission,
            owner_team=world.team,
            status=status,
            alignment_status=alignment,
            next_review_due=days(-1),
        )
        missions[mission.pk] = (status, top, alignment)
        Review.objects.create(mission=mission, due_date=days(-1))
    stated = {
        pk
        for pk, (status, top, alignment) in missions.items()
        if status == "active" and (top or alignment in ("proposed", "aligned"))
    }
    in_python = {m.pk for m in Mission.objects.filter(pk__in=missions) if m.in_play}
    in_sql = set(Mission.objects.filter(in_play(), pk__in=missions).values_list("pk", flat=True))
    by_manager = set(Mission.objects.in_play().filter(pk__in=missions).values_list("pk", flat=True))
    by_review = set(
        Review.objects.filter(in_play("mission__"), mission__in=missions).values_list(
            "mission_id", flat=True
        )
    )
    checked(world.organisation)
    by_check = found(Finding.Kind.REVIEW_OVERDUE, organisation=world.organisation) & set(missions)

    assert in_python == stated
    assert (in_sql, by_manager, by_review, by_check) == (stated, stated, stated, stated)
