"""The export of a team's missions: each value as the pages show it, text never read as a
formula, and the same few queries for 3 missions or 300 (rows are written by blocks)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from missions.models import Mission
from tests.missions.factories import MissionFactory
from tests.reviews.scores import score_of, set_score

pytestmark = pytest.mark.django_db


def _export(client, world) -> list[list[str]]:
    response = client.get(f"/o/acme/dashboard/teams/{world.team.pk}/export.csv?table=missions")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _as_the_page_shows(mission: Mission) -> list[str]:
    """The row the model's own displays give (what the export wrote before it read SQL)."""
    mission = Mission.objects.with_owner().get(pk=mission.pk)

    def text(value: str) -> str:
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

    return [
        str(mission.pk),
        text(mission.title),
        mission.get_level_display(),
        text(mission.owner_display),
        mission.get_alignment_status_display(),
        "" if score_of(mission) is None else str(score_of(mission)),
        mission.next_review_due.isoformat() if mission.next_review_due else "",
    ]


def test_each_value_is_what_the_pages_show(world, client) -> None:
    world.staff.first_name, world.staff.last_name = "Sam", "Okafor"
    world.staff.save()
    world.lead.first_name = world.lead.last_name = ""
    world.lead.save()
    cases = [
        MissionFactory(parent=world.team_mission, title='=HYPERLINK("x")', owner_team=world.team),
        MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_team=None,
            owner_user=world.staff,
            title="+1 more ward",
            aligned=True,
        ),
        MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_team=None,
            owner_user=world.lead,  # no name: the username
            title="Plain, with a comma",
        ),
    ]
    Mission.objects.filter(pk=cases[1].pk).update(next_review_due=dt.date(2026, 5, 1))
    set_score(cases[1], 87)
    client.force_login(world.lead)
    rows = _export(client, world)
    assert rows[0] == [
        "Id",
        "Mission",
        "Level",
        "Owner",
        "Alignment",
        "Alignment score",
        "Next review",
    ]
    by_id = {row[0]: row for row in rows[1:]}
    for mission in cases:
        assert by_id[str(mission.pk)] == _as_the_page_shows(mission)
    assert by_id[str(cases[1].pk)][3] == "Sam Okafor"
    assert by_id[str(cases[0].pk)][1].startswith("'=")


@pytest.mark.parametrize("n", [3, 300])
def test_the_export_costs_the_same_queries_for_3_or_300_missions(
    world, client, n, django_assert_max_num_queries
) -> None:
    Mission.objects.bulk_create(
        MissionFactory.build(parent=world.team_mission, owner_team=world.team) for _ in range(n)
    )
    client.force_login(world.lead)
    with django_assert_max_num_queries(12):
        rows = _export(client, world)
    assert len(rows) >= n + 1
