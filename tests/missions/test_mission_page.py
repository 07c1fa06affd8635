"""The mission page shows the picture: KPI cards with their charts and forecasts in words, key
tasks with the overdue ones said so, the mission's health and open findings with what to do,
its interdependencies, and the 1-up and 2-up intent; at a cost that does not grow with them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kernel import formats
from measures import services
from measures.models import Kpi
from measures.summary import figures_for
from missions.models import Interdependency, KeyTask, Mission
from reviews.advice import ADVICE, advice_for
from reviews.models import Finding
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory
from tests.reviews.scores import set_score

pytestmark = pytest.mark.django_db


def page_of(client, mission) -> str:
    response = client.get(f"/o/acme/missions/{mission.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def status_form_fields(html: str, task: KeyTask) -> dict[str, str]:
    """The hidden fields of a key task's status form, as the page drew it."""
    form = re.search(
        rf'<form[^>]*action="/o/acme/key-tasks/{task.pk}/"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, "no status form for the key task"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]))


def test_a_key_task_keeps_its_move_tool_after_its_status_changes(world, client) -> None:
    task = KeyTask.objects.create(mission=world.team_mission, title="Hire", owner=world.staff)
    client.force_login(world.lead)
    html = page_of(client, world.team_mission)
    assert "Move key task" in html
    fields = status_form_fields(html, task)
    fields.pop("csrfmiddlewaretoken", None)
    response = client.post(
        f"/o/acme/key-tasks/{task.pk}/", {**fields, "status": "done"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert 'value="done" selected' in row
    assert "Move key task" in row  # the row comes back as the page drew it


# --- Fixtures: a mission with KPIs that have check-ins, tasks, links and findings ---------


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def kpi_with_history(mission, *, values=(20, 30, 40), **fields) -> Kpi:
    """A KPI with a check-in every ten days up to yesterday, and its figures stored."""
    fields = {"baseline": 10, "target": 50, "due_date": days(60), **fields}
    kpi = KpiFactory(mission=mission, **fields)
    for i, value in enumerate(values):
        CheckInFactory(kpi=kpi, value=value, recorded_on=days(-1 - 10 * (len(values) - 1 - i)))
    services.kpi_refresh_figures(kpi=kpi)  # factories write rows only
    kpi.refresh_from_db()
    return kpi


def finding(mission, kind: str, severity: str = "warning", **extra) -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        organisation=mission.organisation,
        mission=mission,
        kind=kind,
        severity=severity,
        message=f"Found: {kind}",
        opened_at=now,
        last_seen_at=now,
        **extra,
    )


def grow(world, n: int) -> None:
    """``n`` KPIs with check-ins, key tasks (overdue), links each way and findings on the
    team mission."""
    mission = world.team_mission
    for i in range(n):
        kpi_with_history(mission, name=f"KPI {i}", parent_kpi=None)
        task = KeyTask.objects.create(mission=mission, title=f"Task {i}", due_date=days(-3 - i))
        peer = MissionFactory(parent=world.org_mission, owner_team=world.team)
        Interdependency.objects.create(
            organisation=world.organisation,
            from_mission=mission,
            to_mission=peer,
            kind="depends_on",
        )
        Interdependency.objects.create(
            organisation=world.organisation,
            from_mission=peer,
            to_mission=mission,
            kind="supports",
        )
        finding(mission, "task_overdue", "info", subject=f"task:{task.pk}")


# --- The forecast in words: one function, every case ---------------------------------------


def outlook(kpi: Kpi) -> str:
    return figures_for(kpi).outlook.sentence


def test_the_forecast_is_said_in_a_sentence_a_person_understands(world) -> None:
    due = days(60)
    on_track = kpi_with_history(world.team_mission, values=(20, 40, 60), target=90, unit="")
    assert outlook(on_track).startswith("On track: likely ")
    assert f"by {formats.day(due)} against a target of 90" in outlook(on_track)
    off_track = kpi_with_history(world.team_mission, values=(20, 20.5, 21), target=90, unit="")
    assert outlook(off_track).startswith("Off track: likely ")
    assert outlook(off_track).endswith(", short of a target of 90") or (
        ", short of a target of 90; at this pace it gets there on " in outlook(off_track)
    )
    falling = kpi_with_history(
        world.team_mission,
        values=(90, 89, 88),
        baseline=90,
        target=20,
        direction="decrease",
        unit="days",
    )
    assert ", above a target of 20 days" in outlook(falling)
    ranged = kpi_with_history(
        world.team_mission,
        values=(60, 62, 64),
        baseline=60,
        target=80,
        target_max=90,
        direction="range",
        unit="%",
    )
    assert ", outside a target range of 80–90%" in outlook(ranged)
    nothing = KpiFactory(mission=world.team_mission)
    assert outlook(nothing) == "No check-ins yet"
    one = kpi_with_history(world.team_mission, values=(20,))
    assert outlook(one) == "Not enough check-ins to forecast: it needs two, on two days"


def test_the_sentence_and_the_status_are_those_of_the_stored_forecast(world) -> None:
    kpi = kpi_with_history(world.team_mission, values=(20, 30, 40), unit="")
    said = figures_for(kpi).outlook
    assert said.status == kpi.forecast_status
    assert formats.number(kpi.forecast_value) in said.sentence


# --- The page ----------------------------------------------------------------------------


def test_kpis_are_cards_with_a_chart_where_they_stand_and_the_sentence(world, client) -> None:
    kpi = kpi_with_history(world.team_mission, name="Beds open", target=90, unit="beds")
    client.force_login(world.lead)
    html = page_of(client, world.team_mission)
    card = re.search(
        rf'<li class="kpi-card[^"]*" id="kpi-card-{kpi.pk}">(.*?)</li>\s*\n', html, re.S
    )
    assert card, "no card for the KPI"
    body = card[1]
    assert f'id="kpi-{kpi.pk}-card-chart-title"' in body  # its chart, drawn on the server
    assert figures_for(kpi).outlook.said in body.replace("&#x27;", "'")
    assert "40 beds" in body and "90 beds" in body  # where it stands against its target
    assert f'href="/o/acme/kpis/{kpi.pk}/"' in body
    assert f'href="/o/acme/kpis/{kpi.pk}/#check-in-heading"' in body  # the lead may check in


def test_only_those_who_may_check_in_are_offered_to(world, client) -> None:
    kpi = kpi_with_history(world.team_mission)
    client.force_login(world.coach)
    html = page_of(client, world.team_mission)
    assert f'href="/o/acme/kpis/{kpi.pk}/"' in html
    assert "#check-in-heading" not in html and "Move KPI" not in html


def test_a_team_mission_shows_its_1_up_and_2_up_intent(world, client) -> None:
    world.organisation.vision.ceo_intent = "Care at home first."
    world.organisation.vision.save()
    Mission.objects.filter(pk=world.org_mission.pk).update(intent="Fewer nights in hospital.")
    Mission.objects.filter(pk=world.team_mission.pk).update(intent="Wards in the community.")
    client.force_login(world.staff)
    team = page_of(client, world.team_mission)
    assert re.search(r'data-step="1-up">.*?Care closer to home.*?Fewer nights', team, re.S)
    assert re.search(r'data-step="2-up">.*?CEO.s intent.*?Care at home first', team, re.S)
    individual = page_of(client, world.staff_mission)
    assert re.search(r'data-step="1-up">.*?Community wards.*?Wards in the', individual, re.S)
    assert re.search(r'data-step="2-up">.*?Care closer to home.*?Fewer nights', individual, re.S)
    top = page_of(client, world.org_mission)
    assert re.search(r'data-step="1-up">.*?Care at home first', top, re.S)
    assert 'data-step="2-up"' not in top


def test_an_overdue_key_task_says_so(world, client) -> None:
    KeyTask.objects.create(mission=world.team_mission, title="Hire", due_date=days(-5))
    KeyTask.objects.create(mission=world.team_mission, title="Later", due_date=days(5))
    KeyTask.objects.create(
        mission=world.team_mission,
        title="Done late",
        due_date=days(-9),
        status="done",
        completed_at=timezone.now(),
    )
    client.force_login(world.staff)
    html = page_of(client, world.team_mission)
    assert html.count("Overdue by") == 1 and "Overdue by 5 days" in html
    assert f"due {formats.day(days(-5))}" in html
    assert "1 overdue" in html
    # Still to deliver first, soonest due first; done ones last.
    assert html.index("Hire") < html.index("Later") < html.index("Done late")


def test_the_health_score_and_open_findings_say_what_to_do(world, client) -> None:
    Mission.objects.filter(pk=world.team_mission.pk).update(alignment_status="aligned")
    set_score(world.team_mission, 86)
    task = KeyTask.objects.create(mission=world.team_mission, title="Hire", due_date=days(-2))
    finding(world.team_mission, "task_overdue", "info", subject=f"task:{task.pk}")
    finding(world.team_mission, "space_exceeds_parent", "critical")
    finding(world.team_mission, "no_kpi", "warning", resolved_at=timezone.now())  # resolved
    client.force_login(world.lead)
    html = page_of(client, world.team_mission)
    section = html[html.index('id="health-heading"') :]
    assert 'data-health="off_track"' in section  # a critical finding: the one health model
    assert "Alignment score" in section and "<strong>86</strong>" in section
    assert section.index("Found: space_exceeds_parent") < section.index("Found: task_overdue")
    assert "Found: no_kpi" not in section
    assert advice_for("task_overdue") in section and f'href="#key-task-{task.pk}"' in section
    edit = f'href="/o/acme/missions/{world.team_mission.pk}/edit/"'
    assert section.count(edit) == 1  # the critical one is cleared by editing the mission


def test_every_kind_of_finding_says_what_to_do() -> None:
    assert set(ADVICE) == set(Finding.Kind.values)


def test_links_show_their_state(world, client) -> None:
    peer = MissionFactory(parent=world.org_mission, owner_team=world.team, title="Finance help")
    Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=world.team_mission,
        to_mission=peer,
        kind="depends_on",
        status="acknowledged",
    )
    asked = Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=peer,
        to_mission=world.team_mission,
        kind="depends_on",
    )
    client.force_login(world.lead)
    html = page_of(client, world.team_mission)
    assert 'link-state--acknowledged">Acknowledged<' in html
    assert f'id="link-{asked.pk}"' in html and "waiting for an answer since" in html


def test_the_page_costs_the_same_for_3_or_30_of_everything(
    world, client, django_assert_max_num_queries
) -> None:
    client.force_login(world.lead)
    grow(world, 3)
    # 28 today: the session, the user and their membership (5), the tenant scope (4 in a
    # test), the mission page's reads (missions.views.mission_page), its history's names,
    # its conversation (1).
    with django_assert_max_num_queries(32) as few:
        html = page_of(client, world.team_mission)
    assert html.count('id="kpi-card-') == 3
    grow(world, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page_of(client, world.team_mission)
    assert html.count('id="kpi-card-') == 30 and html.count("Overdue by") == 30
