"""The same support request sent twice at the same moment (a double click, two tabs): one
link is opened and its owner told once; the other request is refused as already open."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest

from kernel.models import Notification
from missions.models import Interdependency, Mission
from tests.missions.factories import MissionFactory

from .helpers import TRIALS, api_client, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_opens_one_link_for_two_identical_requests_at_once(world) -> None:
    as_lead = api_client(world.lead)
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        to_mission = MissionFactory(
            parent=world.org_mission,
            level=Mission.Level.TEAM,
            owner_team=world.top_team,
            title=f"Transport {trial}",
        )
        body = {
            "from_mission": world.team_mission.pk,
            "to_mission": to_mission.pk,
            "kind": "depends_on",
            "description": "Two vans for the home visits.",
        }
        responses = run_together(
            *(partial(as_lead, "post", "/api/v1/interdependencies/", body) for _ in range(2))
        )
        links = Interdependency.objects.filter(to_mission=to_mission).count()
        told = Notification.objects.filter(
            mission=to_mission, kind=Notification.Kind.SUPPORT_REQUESTED
        ).count()
        statuses = sorted(r.status_code for r in responses)
        outcomes[f"{statuses}, {links} link(s), owner told {told}x"] += 1
    assert dict(outcomes) == {"[201, 400], 1 link(s), owner told 1x": TRIALS}
