"""The review pages: who sees what, the agenda, recording a review, and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kernel.models import Notification
from measures import services as measures_services
from missions.models import Interdependency, KeyTask, Mission
from reviews.models import Finding, Review
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory, UserFactory, align

pytestmark = pytest.mark.django_db
LIST = "/o/acme/reviews/"


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def detail(review: Review) -> str:
    return f"/o/acme/reviews/{review.pk}/"


def scheduled(mission: Mission, due: int = 0) -> Review:
    return Review.objects.create(mission=mission, due_date=days(due))


def held(mission: Mission, on: int, **fields: object) -> Review:
    return Review.objects.create(
        mission=mission, due_date=days(on), held_on=days(on), status="done", **fields
    )


@pytest.fixture
def reviews(world):
    """One scheduled review per mission of the cascade (all in play), one held one, and one
    elsewhere."""
    align(world.team_mission, world.staff_mission)
    return {
        "org": scheduled(world.org_mission, due=5),
        "team": scheduled(world.team_mission, due=-2),
        "staff": scheduled(world.staff_mission, due=1),
        "team_held": held(world.team_mission, on=-30, summary="Wards opened on time."),
        "other": scheduled(world.other_mission),
    }


# --- Who sees what ----------------------------------------------------------------------------


def listed(client, user) -> str:
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_my_reviews_and_those_of_the_missions_under_mine(world, reviews, client) -> None:
    lead = listed(client, world.lead)  # owns the team mission, boss of the staff mission
    assert detail(reviews["team"]) in lead and detail(reviews["staff"]) in lead
    assert detail(reviews["team_held"]) in lead
    assert detail(reviews["org"]) not in lead
    assert "Overdue:" in lead  # the team review was due two days ago

    ceo = listed(client, world.leader)  # owns the organisation mission; the team's is under it
    assert detail(reviews["org"]) in ceo and detail(reviews["team"]) in ceo
    assert detail(reviews["staff"]) not in ceo  # two levels down is not "directly under"

    staff = listed(client, world.staff)
    assert detail(reviews["staff"]) in staff
    assert detail(reviews["team"]) not in staff and detail(reviews["org"]) not in staff

    coach = listed(client, world.coach)  # coaches the whole organisation: reads its reviews
    assert "the teams you coach" in coach
    assert detail(reviews["org"]) in coach and detail(reviews["staff"]) in coach
    for html in (lead, ceo, staff, coach):
        assert detail(reviews["other"]) not in html


def test_every_member_reads_a_review_and_only_editors_get_the_form(world, reviews, client) -> None:
    url = detail(reviews["team"])
    for user, editor in (
        (world.lead, True),  # the owner
        (world.leader, True),  # the boss
        (world.org_admin, True),
        (world.staff, False),
        (world.coach, False),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        html = response.content.decode()
        assert ("Record review" in html) is editor, user
        assert "Agenda" in html  # everyone may read what the review will talk about


def test_outsiders_get_404_and_anonymous_users_the_log_in(world, reviews, client) -> None:
    for url in (LIST, detail(reviews["team"])):
        assert client.get(url).status_code == 302
    client.force_login(world.outsider)
    for url in (LIST, detail(reviews["team"])):
        assert client.get(url).status_code == 404
    client.force_login(world.lead)
    # Another organisation's review under this organisation's address does not exist.
    assert client.get(detail(reviews["other"])).status_code == 404
    assert client.get("/o/acme/reviews/999999/").status_code == 404


def test_those_who_may_not_edit_get_403_on_post(world, reviews, client) -> None:
    data = {"still_aligned": "yes", "held_on": today().isoformat()}
    for user in (world.staff, world.coach):
        client.force_login(user)
        assert client.post(detail(reviews["team"]), data).status_code == 403
    client.force_login(world.outsider)
    assert client.post(detail(reviews["team"]), data).status_code == 404
    reviews["team"].refresh_from_db()
    assert reviews["team"].status == "scheduled"


def test_the_form_labels_every_field(world, reviews, client) -> None:
    client.force_login(world.lead)
    html = client.get(detail(reviews["team"])).content.decode()
    for label in (
        "Summary",
        "What is working",
        "What is not working",
        "What we change",
        "Still aligned",
        "Held on",
    ):
        assert f'">{label}' in html, label
    assert '<button type="submit" class="button">Record review</button>' in html


# --- The agenda ---------------------------------------------------------------------------------


def test_the_agenda_is_built_from_the_missions_data(world, client) -> None:
    mission = world.staff_mission
    held(mission, on=-20)
    review = scheduled(mission, due=10)
    kpi = KpiFactory(
        mission=mission, name="Patients at home", baseline=Decimal(10), due_date=days(200)
    )
    record = measures_services.kpi_record_value
    wrong = record(kpi=kpi, value=Decimal(20), by=world.staff, recorded_on=days(-25))
    record(kpi=kpi, value=Decimal(22), by=world.staff, recorded_on=days(-25), supersedes=wrong)
    record(kpi=kpi, value=Decimal(35), by=world.staff, recorded_on=days(-1))
    KpiFactory(mission=mission, name="Archived KPI", status="archived")

    Finding.objects.create(
        organisation=world.organisation,
        mission=mission,
        kind="task_overdue",
        severity="info",
        message="Key task “Hire nurses” was due last week.",
        opened_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    Finding.objects.create(
        organisation=world.organisation,
        mission=mission,
        kind="no_kpi",
        severity="warning",
        message="An old finding that no longer holds.",
        opened_at=timezone.now() - dt.timedelta(days=40),
        last_seen_at=timezone.now() - dt.timedelta(days=30),
        resolved_at=timezone.now() - dt.timedelta(days=30),
    )
    now = timezone.now()
    KeyTask.objects.create(
        mission=mission, title="Open ward A", status="done", completed_at=now, owner=world.staff
    )
    KeyTask.objects.create(
        mission=mission,
        title="Write the rota",
        status="done",
        completed_at=now - dt.timedelta(days=40),
    )
    KeyTask.objects.create(mission=mission, title="Hire nurses", due_date=days(-7))
    KeyTask.objects.create(mission=mission, title="Train the team", due_date=days(7))
    peer = MissionFactory(
        parent=world.team_mission, level="individual", title="Run the night shift"
    )
    Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=peer,
        to_mission=mission,
        kind="depends_on",
        description="Cover two nights a week.",
    )
    Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=mission,
        to_mission=world.team_mission,
        kind="supports",
        status="acknowledged",
    )

    client.force_login(world.staff)
    html = client.get(detail(review)).content.decode()
    agenda = html.split('id="agenda-heading"')[1].split('id="record-heading"')[0]
    assert f"held on {days(-20):%-d %b %Y}" in agenda
    # The value at the last review is the correction (22), not the superseded 20; now 35.
    row = agenda.split("Patients at home")[1].split("</tr>")[0]
    assert ">22<" in row and ">35<" in row and "+13" in row and "(better)" in row
    assert "Archived KPI" not in agenda
    assert "Hire nurses” was due last week." in agenda
    assert "An old finding" not in agenda
    assert "Open ward A" in agenda and "Write the rota" not in agenda
    assert "Hire nurses" in agenda.split("Key tasks overdue")[1]
    assert "Train the team" not in agenda
    assert "Run the night shift" in agenda and "waiting for your answer" in agenda
    assert "Community wards" not in agenda  # the acknowledged link is answered


def test_a_first_review_compares_with_the_baselines(world, client) -> None:
    review = scheduled(world.staff_mission, due=3)
    kpi = KpiFactory(mission=world.staff_mission, name="Beds saved", baseline=Decimal(100))
    kpi.direction, kpi.target = "decrease", Decimal(50)
    kpi.save()
    measures_services.kpi_record_value(kpi=kpi, value=Decimal(80), by=world.staff)
    client.force_login(world.staff)
    html = client.get(detail(review)).content.decode()
    assert "The first review of this mission" in html
    row = html.split("Beds saved")[1].split("</tr>")[0]
    assert ">100<" in row and ">80<" in row and "-20" in row and "(better)" in row


# --- Recording a review ---------------------------------------------------------------------------


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "summary": "Two wards open, the third waits for staff.",
        "working": "Daily huddles.",
        "not_working": "Recruitment.",
        "changes": "Borrow nurses from the day unit.",
        "still_aligned": "no",
        "held_on": today().isoformat(),
    }
    data.update(overrides)
    return data


def test_recording_a_review_schedules_the_next_and_reopens_alignment(
    world, reviews, client
) -> None:
    Mission.objects.filter(pk=world.team_mission.pk).update(alignment_status="aligned")
    review = reviews["team"]
    client.force_login(world.lead)
    response = client.post(detail(review), form_data())
    assert response.status_code == 302 and response["Location"] == detail(review)

    review.refresh_from_db()
    assert review.status == "done" and review.held_on == today() and review.held_by == world.lead
    assert review.still_aligned is False and review.changes == "Borrow nurses from the day unit."
    next_due = today() + dt.timedelta(days=world.organisation.review_cadence_days)
    assert Review.objects.filter(
        mission=world.team_mission, status="scheduled", due_date=next_due
    ).exists()
    mission = Mission.objects.get(pk=world.team_mission.pk)
    assert mission.next_review_due == next_due
    assert mission.alignment_status == "proposed"  # back to the boss
    assert Notification.objects.filter(
        recipient=world.leader, kind="alignment_requested", mission=mission
    ).exists()

    html = client.get(detail(review)).content.decode()
    assert "Record review" not in html  # a held review reads only
    assert "No: the mission went back to its boss for alignment" in html
    assert f"The next review is due on {next_due:%-d %b %Y}" in html

    # Posting again changes nothing.
    response = client.post(detail(review), form_data(summary="Again"), follow=True)
    assert "already been held" in response.content.decode()
    review.refresh_from_db()
    assert review.summary == "Two wards open, the third waits for staff."


def test_a_review_still_aligned_leaves_the_alignment_alone(world, reviews, client) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="aligned")
    client.force_login(world.lead)  # the boss holds the staff member's review
    response = client.post(detail(reviews["staff"]), form_data(still_aligned="yes"))
    assert response.status_code == 302
    assert Mission.objects.get(pk=world.staff_mission.pk).alignment_status == "aligned"
    assert Review.objects.get(pk=reviews["staff"].pk).held_by == world.lead


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"still_aligned": ""}, "This field is required."),
        ({"held_on": "2999-01-01"}, "A review cannot be held in the future."),
        ({"held_on": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_stored(
    world, reviews, client, overrides, message
) -> None:
    client.force_login(world.lead)
    response = client.post(detail(reviews["team"]), form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Record review" in html
    assert "Two wards open, the third waits for staff." in html  # what was typed is kept
    assert Review.objects.get(pk=reviews["team"].pk).status == "scheduled"
    assert Review.objects.filter(mission=world.team_mission, status="scheduled").count() == 1


# --- Query counts -------------------------------------------------------------------------------


def add_reviews(world, count: int, start: int) -> None:
    """``count`` scheduled and ``count`` held reviews, on missions of different owners."""
    for i in range(start, start + count):
        mission = MissionFactory(
            parent=world.team_mission,
            level="individual",
            owner_user=UserFactory(),
            title=f"Individual {i}",
            aligned=True,
        )
        scheduled(mission, due=i % 20 - 10)
        held(mission, on=-40 - i, held_by=world.lead, still_aligned=True)


def test_the_list_costs_the_same_queries_for_3_and_30_reviews(
    world, client, django_assert_num_queries
) -> None:
    client.force_login(world.lead)
    add_reviews(world, 3, start=0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    add_reviews(world, 27, start=3)
    # session; user; organisation; membership; teams led; unread count (navigation);
    # the actor's missions and those under them; one count of both lists; a page of each
    with django_assert_num_queries(10 + TENANT_SCOPE_QUERIES):
        html = client.get(LIST).content.decode()
    assert len(few.captured_queries) == 10 + TENANT_SCOPE_QUERIES
    assert html.count("/o/acme/reviews/") >= 2 * 25 + 1  # two full pages (of 30 each)
    assert "Page 1 of 2" in html
    assert client.get(LIST + "?due_page=2&done_page=2").status_code == 200


def test_the_review_page_costs_the_same_queries_for_a_small_and_a_big_agenda(
    world, client, django_assert_num_queries
) -> None:
    mission = world.team_mission
    held(mission, on=-30)
    review = scheduled(mission, due=0)

    def grow(count: int) -> None:
        for _ in range(count):
            KpiFactory(mission=mission)
            KeyTask.objects.create(mission=mission, title="Late", due_date=days(-3))
            KeyTask.objects.create(
                mission=mission, title="Done", status="done", completed_at=timezone.now()
            )

    client.force_login(world.lead)
    grow(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail(review)).status_code == 200
    grow(27)
    # session; user; organisation; membership; teams led; the review with its mission;
    # last held review; KPIs with their value then; open findings; tasks done; tasks
    # overdue; links waiting; open challenges to priorities; its conversation; unread count
    # (navigation)
    with django_assert_num_queries(15 + TENANT_SCOPE_QUERIES):
        assert client.get(detail(review)).status_code == 200
    assert len(few.captured_queries) == 15 + TENANT_SCOPE_QUERIES
