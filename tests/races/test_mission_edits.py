"""Two edits of one mission at the same moment: neither is lost, or the later one is told.

A PATCH sends only its own fields, so two PATCHes of different fields both stay. A browser form
posts every field as it was read, so a save made against an older version is refused with the
form shown again; the API does the same when the client sends ``If-Match``.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from django.utils.html import escape

from kernel.models import AuditEvent
from missions.models import Mission
from tests.missions.factories import MissionFactory
from tests.roundtrip.helpers import form_data

from .helpers import TRIALS, api_client, browser, run_together

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


def _edit_url(mission: Mission) -> str:
    return f"/o/acme/missions/{mission.pk}/edit/"


def _edit_form(client, mission: Mission) -> dict:
    """The edit form's values as the page renders them (what its Save would post)."""
    response = client.get(_edit_url(mission))
    assert response.status_code == 200
    return form_data(response)


def test_it_refuses_a_browser_save_made_on_an_older_version(world) -> None:
    """The lead opens the form; the CEO saves a change meanwhile; the lead's Save comes back
    with their values kept and says who changed the mission and when. Saving again is then a
    choice made knowingly, and it is stored."""
    lead, ceo = browser(world.lead), browser(world.leader)
    mission = _team_mission(world)
    opened = _edit_form(lead, mission)
    assert "updated_at" in opened  # the version the form was read at
    assert (
        ceo.post(_edit_url(mission), {**_edit_form(ceo, mission), "title": "CEO's"}).status_code
        == 302
    )

    response = lead.post(_edit_url(mission), {**opened, "intent": "Lead's intent"})

    assert response.status_code == 409
    page = response.content.decode()
    assert escape(f"{world.leader.get_full_name()} changed this mission a moment ago") in page
    assert "Lead&#x27;s intent" in page and 'value="Start"' in page  # what the lead posted
    mission.refresh_from_db()
    assert (mission.title, mission.intent) == ("CEO's", "Because it matters.")
    again = form_data(response)
    assert again["updated_at"] != opened["updated_at"]  # the version now stored
    assert lead.post(_edit_url(mission), {**again, "title": "CEO's"}).status_code == 302
    mission.refresh_from_db()
    assert (mission.title, mission.intent) == ("CEO's", "Lead's intent")


def test_it_stores_one_of_two_browser_saves_of_one_version_and_tells_the_other(world) -> None:
    lead, ceo = browser(world.lead), browser(world.leader)
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        mission = _team_mission(world)
        title = {**_edit_form(lead, mission), "title": f"Title {trial}"}
        scope = {**_edit_form(ceo, mission), "scope": f"Scope {trial}"}
        url = _edit_url(mission)
        responses = run_together(partial(lead.post, url, title), partial(ceo.post, url, scope))
        statuses = sorted(r.status_code for r in responses)
        mission.refresh_from_db()
        kept = (mission.title == f"Title {trial}") + (mission.scope == f"Scope {trial}")
        told = any(b"changed this mission a moment ago" in r.content for r in responses)
        outcomes[f"{statuses}, changes stored: {kept}, loser told: {told}"] += 1
    assert dict(outcomes) == {"[302, 409], changes stored: 1, loser told: True": TRIALS}


def test_it_refuses_a_patch_whose_if_match_is_no_longer_the_stored_version(world) -> None:
    as_lead, as_ceo = api_client(world.lead), api_client(world.leader)
    mission = _team_mission(world)
    url = f"/api/v1/missions/{mission.pk}/"
    etag = as_lead("get", url)["ETag"]
    assert etag == f'"{as_lead("get", url).json()["updated_at"]}"'
    changed = as_ceo("patch", url, {"title": "CEO's"}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag

    stale = as_lead("patch", url, {"intent": "Lead's"}, HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert f"{world.leader.get_full_name()} changed this mission" in stale.json()["detail"]
    mission.refresh_from_db()
    assert (mission.title, mission.intent) == ("CEO's", "Because it matters.")
    fresh = as_lead("patch", url, {"intent": "Lead's"}, HTTP_IF_MATCH=changed["ETag"])
    assert fresh.status_code == 200
    assert as_lead("patch", url, {"statement": "No header"}).status_code == 200
    assert as_lead("patch", url, {"statement": "Any"}, HTTP_IF_MATCH="*").status_code == 200
    assert as_lead("patch", url, {"statement": "x"}, HTTP_IF_MATCH='"junk"').status_code == 412


def test_it_stores_one_of_two_patches_sent_with_one_if_match(world) -> None:
    as_lead, as_ceo = api_client(world.lead), api_client(world.leader)
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        mission = _team_mission(world)
        url = f"/api/v1/missions/{mission.pk}/"
        etag = as_lead("get", url)["ETag"]
        responses = run_together(
            partial(as_lead, "patch", url, {"title": f"T{trial}"}, HTTP_IF_MATCH=etag),
            partial(as_ceo, "patch", url, {"intent": f"I{trial}"}, HTTP_IF_MATCH=etag),
        )
        mission.refresh_from_db()
        kept = (mission.title == f"T{trial}") + (mission.intent == f"I{trial}")
        outcomes[f"{sorted(r.status_code for r in responses)}, stored: {kept}"] += 1
    assert dict(outcomes) == {"[200, 412], stored: 1": TRIALS}
