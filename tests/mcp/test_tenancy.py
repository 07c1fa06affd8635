"""The assistants' tools run in the tenant scope of the organisation asked about, as a page
does (``kernel.tenancy``): a read that forgot its organisation filter still finds nothing of
another organisation."""

from __future__ import annotations

import pytest

from missionlead.mcp import tools
from missions import selectors
from missions.models import Mission

pytestmark = pytest.mark.django_db


def test_a_selector_that_forgot_its_filter_still_sees_one_organisation(world, monkeypatch) -> None:
    monkeypatch.setattr(
        selectors,
        "cascade_roots",
        lambda *, actor: Mission.objects.filter(parent__isnull=True).order_by("id"),
    )
    tree = tools.cascade(user=world.lead, organisation="acme", depth=0)
    assert [m["id"] for m in tree["missions"]] == [world.org_mission.pk]
    theirs = tools.cascade(user=world.outsider, depth=0)
    assert [m["id"] for m in theirs["missions"]] == [world.other_mission.pk]


def test_an_organisation_not_ones_own_is_not_found_by_slug_or_id(world) -> None:
    for named in ("other", world.other_organisation.pk, "no-such-organisation"):
        with pytest.raises(tools.Refused, match="Not found"):
            tools.cascade(user=world.lead, organisation=named)
    with pytest.raises(tools.Refused, match="Not found"):
        tools.get_mission(user=world.lead, mission_id=world.other_mission.pk)
