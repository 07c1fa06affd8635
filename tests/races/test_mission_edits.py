"""Two edits of one mission at the same moment: neither is lost.

A PATCH sends only its own fields, and ``mission_update`` applies them to the row read again
under a lock, so two PATCHes of different fields both stay.
"""

from __future__ import annotations

from functools import partial

import pytest

from missions.models import AuditEvent, Mission
from tests.missions.factories import MissionFactory

from .helpers import TRIALS, api_client, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _team_mission(world) -> Mission:
    return MissionFactory(
        parent=world.org_mission, level=Mission.Level.TEAM, owner_team=world.team, title="Start"
    )


def test_it_keeps_both_patches_of_different_fields(world) -> None:
    as_lead, as_ceo = api_client(world.lead), api_client(world.leader)
    lost = []
    for trial in range(TRIALS):
        mission = _team_mission(world)
        url = f"/api/v1/missions/{mission.pk}/"
        title = {"title": f"Title {trial}"}
        space = {"operating_space": {"scope": f"Scope {trial}"}}
        responses = run_together(
            partial(as_lead, "patch", url, title), partial(as_ceo, "patch", url, space)
        )
        assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
        mission.refresh_from_db()
        if (mission.title, mission.scope) != (f"Title {trial}", f"Scope {trial}"):
            lost.append((mission.title, mission.scope))
        assert AuditEvent.objects.filter(mission=mission, verb="updated").count() == 2
    assert not lost, f"a change lost in {len(lost)} of {TRIALS} trials: {lost}"
