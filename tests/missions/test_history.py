"""A mission's history in words: who did what, each change under the field's name with the
values as the pages show them; never a field's code name or a stored code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from missions import selectors, services
from missions.models import KeyTask
from tests.missions.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _history(client, mission) -> str:
    """The text of the mission page's History, one line per entry."""
    page = client.get(f"/o/acme/missions/{mission.pk}/").content.decode()
    found = re.search(r'<ol class="history".*?</ol>', page, re.S)
    assert found, "the page has no history"
    entries = re.findall(r"<li[^>]*>(.*?)</li>", found.group(0), re.S)
    return "\n".join(" ".join(unescape(re.sub(r"<[^>]+>", "", entry)).split()) for entry in entries)


def test_the_alignment_steps_read_as_sentences(world, client) -> None:
    mission = world.team_mission
    services.mission_propose(mission=mission, by=world.lead, comment="Ready.")
    services.mission_send_back(mission=mission, by=world.leader, comment="Move the deadline.")
    services.mission_propose(mission=mission, by=world.lead)
    services.mission_align(mission=mission, by=world.leader, comment="Go.")
    client.force_login(world.lead)
    history = _history(client, mission)
    lead, ceo = world.lead.get_full_name(), world.leader.get_full_name()
    lines = history.splitlines()
    assert [line.split(" — ", 1)[1] for line in lines] == [
        f"{ceo} aligned it: “Go.”",
        f"{lead} proposed it for alignment",
        f"{ceo} sent it back: “Move the deadline.”",
        f"{lead} proposed it for alignment: “Ready.”",
    ]
    assert "alignment_status" not in history and "→" not in history


def test_field_changes_read_with_the_fields_names_and_shown_values(world, client) -> None:
    mission = world.team_mission
    services.mission_update(
        mission=mission,
        data={
            "title": "Community wards at home",
            "headcount": 7,
            "budget": Decimal("4000.50"),
            "period_end": dt.date(2026, 11, 30),
            "owner_team": world.top_team,
            "review_cadence_days": 14,
            "decision_rights": {"free": ["Rotas"], "consult": [], "must_not": []},
        },
        by=world.leader,
    )
    services.mission_archive(mission=mission, by=world.leader)
    client.force_login(world.lead)
    history = _history(client, mission)
    ceo = world.leader.get_full_name()
    archived, updated = history.splitlines()[:2]
    assert archived.endswith(f"{ceo} archived it")  # the verb says the new status
    assert f"{ceo} updated it: " in updated
    for said in (
        "Title: Community wards → Community wards at home",
        "Headcount: — → 7",
        "Budget: — → 4,000.50",
        "Period end: 31 Dec 2026 → 30 Nov 2026",
        "Owner team: Operations → Board",
        "Review cadence (days): — → 14",
        "Decision rights changed",
    ):
        assert said in updated, (said, updated)
    for code in ("period_end", "owner_team", "review_cadence_days", "decision_rights", "free"):
        assert code not in history, (code, history)


def test_changes_of_a_missions_key_task_show_the_choices_labels(world, client) -> None:
    mission = world.team_mission
    task = services.key_task_create(
        mission=mission, data={"title": "Hire two nurses"}, by=world.lead
    )
    services.key_task_update(task=task, data={"status": KeyTask.Status.IN_PROGRESS}, by=world.lead)
    services.key_task_update(
        task=task, data={"status": KeyTask.Status.DONE, "owner": world.staff}, by=world.lead
    )
    client.force_login(world.lead)
    lines = _history(client, mission).splitlines()
    lead = world.lead.get_full_name()
    assert lines[0].endswith(
        f"{lead} updated “Hire two nurses”: Owner: — → {world.staff.get_full_name()}; "
        "Status: In progress → Done"
    )
    assert lines[1].endswith(f"{lead} updated “Hire two nurses”: Status: To do → In progress")
    assert lines[2].endswith(f"{lead} created “Hire two nurses”")


def test_the_history_names_what_its_changes_point_to_in_a_constant_number_of_queries(
    world, django_assert_num_queries
) -> None:
    def read(mission) -> int:
        with django_assert_num_queries(3):  # entries; teams; people
            entries = selectors.mission_history(mission=mission)
        assert all("Owner" in " ".join(e.changes) for e in entries if e.verb == "updated")
        return len(entries)

    teams = [TeamFactory(organisation=world.organisation, name=f"Ward {n}") for n in range(6)]
    few, many = world.team_mission, world.org_mission
    services.mission_update(mission=few, data={"owner_team": teams[0]}, by=world.leader)
    for team in teams:
        services.mission_update(mission=many, data={"owner_team": team}, by=world.leader)
    for mission, tasks, owners in ((few, 1, [world.staff]), (many, 5, [world.staff, world.lead])):
        for n in range(tasks):
            task = services.key_task_create(mission=mission, data={"title": "Rota"}, by=world.lead)
            owner = owners[n % len(owners)]
            services.key_task_update(task=task, data={"owner": owner}, by=world.lead)
    assert read(few) == 3
    assert read(many) == 16
