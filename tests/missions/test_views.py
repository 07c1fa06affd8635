"""The cascade pages: tenancy, roles, the alignment workflow, bad input and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kernel import tree
from kernel.models import Notification
from measures.models import Kpi
from missions.models import Interdependency, KeyTask, Mission
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def page_urls(world) -> list[str]:
    team_mission = world.team_mission.pk
    return [
        "/o/acme/",
        "/o/acme/vision/",
        "/o/acme/cascade/",
        "/o/acme/cascade/?q=ward&problems=on",
        f"/o/acme/cascade/{world.org_mission.pk}/children/",
        f"/o/acme/missions/{team_mission}/",
        "/o/acme/notifications/",
    ]


def test_every_member_reads_every_page(world, client) -> None:
    for user in (world.leader, world.lead, world.staff, world.coach, world.org_admin):
        client.force_login(user)
        for url in page_urls(world):
            assert client.get(url).status_code == 200, (user, url)


def test_outsiders_get_404_and_anonymous_users_the_log_in(world, client) -> None:
    for url in page_urls(world):
        assert client.get(url).status_code == 302
    client.force_login(world.outsider)
    for url in page_urls(world):
        assert client.get(url).status_code == 404, url
    # Another organisation's mission under this organisation's slug does not exist either.
    client.force_login(world.lead)
    assert client.get(f"/o/acme/missions/{world.other_mission.pk}/").status_code == 404


def test_write_pages_are_refused_to_those_who_may_not(world, client) -> None:
    client.force_login(world.coach)
    assert client.get(f"/o/acme/missions/{world.team_mission.pk}/edit/").status_code == 403
    assert client.get(f"/o/acme/missions/new/?parent={world.team_mission.pk}").status_code == 403
    assert client.get("/o/acme/missions/new/").status_code == 403
    client.force_login(world.staff)
    assert client.get(f"/o/acme/missions/new/?parent={world.org_mission.pk}").status_code == 403
    assert client.get(f"/o/acme/missions/new/?parent={world.team_mission.pk}").status_code == 200


def test_the_ceo_edits_the_vision_and_the_lead_cannot(world, client) -> None:
    client.force_login(world.lead)
    assert b"Edit vision" not in client.get("/o/acme/vision/").content
    assert client.post("/o/acme/vision/", {"ceo_intent": "Mine"}).status_code == 403
    client.force_login(world.leader)
    response = client.post(
        "/o/acme/vision/", {"ceo_intent": "Care at home first.", "purpose": "Health"}
    )
    assert response.status_code == 302
    world.organisation.vision.refresh_from_db()
    assert world.organisation.vision.ceo_intent == "Care at home first."
    assert b"Care at home first." in client.get("/o/acme/").content


def mission_post(world, **overrides):
    data = {
        "parent": world.org_mission.pk,
        "level": "team",
        "title": "Community nursing at home",
        "statement": "Nurse patients at home.",
        "intent": "Fewer admissions.",
        "owner_team": world.team.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "deadline": "2026-11-30",
        "budget": "5000",
        "headcount": "2",
        "free_to_decide": "Rotas\nSuppliers",
        "must_not": "Close beds",
        "kpi-name": "Patients nursed at home",
        "kpi-direction": "increase",
        "kpi-baseline": "100",
        "kpi-target": "400",
        "kpi-due_date": "2026-12-31",
        "kpi-cadence_days": "30",
        "kpi-weight": "1",
        "task-title": "Hire two nurses",
        "task-status": "todo",
    }
    data.update(overrides)
    return data


def test_a_lead_writes_a_child_mission_with_a_kpi_and_a_task(world, client) -> None:
    client.force_login(world.lead)
    page = client.get(f"/o/acme/missions/new/?parent={world.org_mission.pk}").content.decode()
    assert "1-up intent" in page and world.org_mission.title in page
    assert '<label for="id_title">Title' in page and '<label for="id_intent">Intent' in page
    response = client.post(
        f"/o/acme/missions/new/?parent={world.org_mission.pk}", mission_post(world)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mission = Mission.objects.get(title="Community nursing at home")
    assert mission.parent == world.org_mission and mission.owner_team == world.team
    assert mission.path == tree.child_path(world.org_mission.path, world.org_mission.pk)
    assert mission.decision_rights == {"free": ["Rotas", "Suppliers"], "must_not": ["Close beds"]}
    assert Kpi.objects.get(mission=mission).name == "Patients nursed at home"
    assert KeyTask.objects.get(mission=mission).title == "Hire two nurses"


def test_an_operating_space_larger_than_the_parents_is_refused_with_a_message(
    world, client
) -> None:
    Mission.objects.filter(pk=world.org_mission.pk).update(budget=Decimal(10000), headcount=3)
    MissionFactory(parent=world.org_mission, owner_team=world.team, budget=Decimal(8000))
    client.force_login(world.lead)
    before = Mission.objects.count()
    response = client.post(
        f"/o/acme/missions/new/?parent={world.org_mission.pk}",
        mission_post(world, budget="5000", headcount="4", deadline="2027-06-01"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most €2,000 is left" in page
    assert "headcount is 3" in page
    assert "after the parent mission" in page
    assert Mission.objects.count() == before
    assert not Kpi.objects.filter(name="Patients nursed at home").exists()


def test_bad_input_is_shown_on_the_form(world, client) -> None:
    client.force_login(world.lead)
    response = client.post(
        f"/o/acme/missions/new/?parent={world.org_mission.pk}",
        mission_post(world, title="", period_end="2025-01-01", **{"kpi-target": "abc"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page
    assert "Enter a number" in page


def test_the_alignment_workflow_in_the_browser(world, client) -> None:
    url = f"/o/acme/missions/{world.staff_mission.pk}/"
    client.force_login(world.staff)
    page = client.get(url).content.decode()
    assert ">Propose<" in page and ">Align<" not in page
    assert client.post(url + "propose/").status_code == 302
    # A forged Align from the staff member is refused by the server.
    assert client.post(url + "align/").status_code == 403
    client.force_login(world.lead)
    page = client.get(url).content.decode()
    assert ">Align<" in page and ">Send back<" in page
    client.post(url + "send-back/", {"comment": "Link it to the wards KPI"})
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.alignment_status == "sent_back"
    notice = Notification.objects.get(recipient=world.staff, kind="sent_back")
    assert "Link it to the wards KPI" in notice.message
    client.force_login(world.staff)
    assert "Link it to the wards KPI" in client.get(url).content.decode()  # in the history
    client.post(url + "propose/")
    assert (
        Notification.objects.filter(recipient=world.lead, kind="alignment_requested").count() == 2
    )
    client.force_login(world.lead)
    client.post(url + "align/", {"comment": "Good"})
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.alignment_status == "aligned"


def test_interdependencies_are_asked_and_answered(world, client) -> None:
    other_team = TeamFactory(organisation=world.organisation, leader=world.org_admin)
    peer = MissionFactory(
        parent=world.org_mission, owner_team=other_team, title="Patient transport"
    )
    client.force_login(world.lead)
    client.post(
        f"/o/acme/missions/{world.team_mission.pk}/links/new/",
        {"link-kind": "depends_on", "link-to_mission": peer.pk, "link-description": "Lifts home"},
    )
    link = Interdependency.objects.get()
    assert (link.from_mission, link.to_mission, link.status) == (
        world.team_mission,
        peer,
        "proposed",
    )
    assert "Lifts home" in client.get(f"/o/acme/missions/{peer.pk}/").content.decode()
    # The asking side cannot answer for the other.
    assert (
        client.post(f"/o/acme/links/{link.pk}/respond/", {"status": "acknowledged"}).status_code
        == 403
    )
    client.force_login(world.org_admin)
    client.post(f"/o/acme/links/{link.pk}/respond/", {"status": "acknowledged"})
    link.refresh_from_db()
    assert link.status == "acknowledged"
    assert Notification.objects.filter(recipient=world.lead, kind="support_answered").exists()


def test_a_key_task_status_changes_in_place(world, client) -> None:
    task = KeyTask.objects.create(mission=world.team_mission, title="Hire", owner=world.staff)
    client.force_login(world.lead)
    response = client.post(
        f"/o/acme/key-tasks/{task.pk}/", {"status": "done"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b'value="done" selected' in response.content
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    client.force_login(world.coach)
    assert client.post(f"/o/acme/key-tasks/{task.pk}/", {"status": "todo"}).status_code == 403


def test_carry_over_copies_kpis_and_open_tasks(world, client) -> None:
    kpi = KpiFactory(mission=world.team_mission, baseline=10, target=50)
    CheckInFactory(kpi=kpi, author=world.lead, value=30, recorded_on=dt.date(2026, 6, 1))
    KeyTask.objects.create(mission=world.team_mission, title="Open one")
    KeyTask.objects.create(
        mission=world.team_mission,
        title="Done one",
        status="done",
        completed_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    )
    client.force_login(world.lead)
    response = client.post(
        f"/o/acme/missions/{world.team_mission.pk}/carry-over/",
        {"period_start": "2027-01-01", "period_end": "2027-12-31"},
    )
    assert response.status_code == 302
    copy = Mission.objects.get(carried_over_from=world.team_mission)
    assert copy.period_start == dt.date(2027, 1, 1)
    assert [k.baseline for k in copy.kpis.all()] == [Decimal(30)]
    assert [t.title for t in copy.key_tasks.all()] == ["Open one"]
    world.team_mission.refresh_from_db()
    assert world.team_mission.status == "completed"


def test_a_kpi_and_a_key_task_move_to_another_mission(world, client) -> None:
    kpi = KpiFactory(mission=world.team_mission)
    CheckInFactory(kpi=kpi, author=world.lead)
    task = KeyTask.objects.create(mission=world.team_mission, title="Hire")
    sibling = MissionFactory(parent=world.org_mission, owner_team=world.team)
    client.force_login(world.lead)
    url = f"/o/acme/missions/{world.team_mission.pk}/move/"
    client.post(url, {"kind": "kpi", "item": kpi.pk, "to_mission": sibling.pk})
    client.post(url, {"kind": "task", "item": task.pk, "to_mission": sibling.pk})
    kpi.refresh_from_db(), task.refresh_from_db()
    assert kpi.mission == sibling and task.mission == sibling
    assert kpi.check_ins.count() == 1
    # Not to a mission one may not edit.
    client.post(
        f"/o/acme/missions/{sibling.pk}/move/",
        {"kind": "kpi", "item": kpi.pk, "to_mission": world.org_mission.pk},
    )
    kpi.refresh_from_db()
    assert kpi.mission == sibling


def test_archiving_keeps_the_data(world, client) -> None:
    client.force_login(world.lead)
    client.post(f"/o/acme/missions/{world.staff_mission.pk}/archive/")
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.status == "archived"


def _grow(world, n: int) -> None:
    """Add n missions under the team mission, each with a KPI and two check-ins."""
    parent = world.team_mission
    missions = Mission.objects.bulk_create(
        Mission(
            organisation=world.organisation,
            level="team",
            title=f"Grown {i}",
            parent=parent,
            path=tree.child_path(parent.path, parent.pk),
            owner_team=world.team,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
        for i in range(n)
    )
    kpis = Kpi.objects.bulk_create(
        Kpi(
            organisation=world.organisation,
            mission=m,
            name="k",
            baseline=0,
            target=10,
            due_date=dt.date(2026, 12, 31),
        )
        for m in missions
    )
    from measures.models import CheckIn

    CheckIn.objects.bulk_create(
        CheckIn(kpi=k, value=v, recorded_on=dt.date(2026, 1, d), author=world.lead)
        for k in kpis
        for v, d in ((1, 1), (2, 15))
    )


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: "/o/acme/cascade/",
        lambda w: f"/o/acme/cascade/{w.team_mission.pk}/children/",
        lambda w: f"/o/acme/missions/{w.team_mission.pk}/",
        lambda w: f"/o/acme/missions/new/?parent={w.team_mission.pk}",
        lambda w: "/o/acme/cascade/?q=Grown",
    ],
    ids=["cascade", "branch", "mission", "child-form", "search"],
)
def test_query_counts_do_not_grow_with_the_organisation(
    world, client, django_assert_max_num_queries, url_of
) -> None:
    client.force_login(world.lead)
    url = url_of(world)
    _grow(world, 180)  # about 200 missions
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    _grow(world, 1800)  # about 2,000
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_key_task_without_an_owner_shows(world, client) -> None:
    KeyTask.objects.create(mission=world.team_mission, title="Nobody's yet")
    client.force_login(world.lead)
    page = client.get(f"/o/acme/missions/{world.team_mission.pk}/").content.decode()
    assert "Nobody&#x27;s yet" in page and "No owner" in page


def test_the_cascade_filters_by_part_of_a_team_name(world, client) -> None:
    client.force_login(world.coach)
    page = client.get("/o/acme/cascade/", {"team": "operat"}).content.decode()
    # The team's own mission and its member's individual mission, not the board's.
    assert world.team_mission.title in page and world.staff_mission.title in page
    assert "2 missions found" in page
