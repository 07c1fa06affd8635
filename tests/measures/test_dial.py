"""What moved the dial (measures.dial): the method on plain numbers, then over the database."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kernel.models import Membership
from measures import dial
from measures.dial import Completed, Move, dial_in, moves_for, moves_in, moves_of
from measures.forecast import Target
from measures.models import CheckIn, Kpi
from missions.models import KeyTask
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory

DONE_ON = dt.date(2026, 3, 2)
UP = Target("increase", 0.0, 100.0)
DOWN = Target("decrease", 100.0, 0.0)
TASK = Completed(7, "Open the second clinic", DONE_ON)


def readings(
    before: float,
    after: float,
    *,
    noise: float = 0.5,
    seed: int = 1,
    step: int = 7,
    span: int = 84,
    start: float = 40.0,
    done_on: dt.date = DONE_ON,
) -> list[tuple[dt.date, float]]:
    """Weekly (``step``) values from ``span`` days before ``done_on`` to ``span`` after,
    climbing ``before`` a day up to it and ``after`` a day since, with Gaussian noise."""
    rng = random.Random(seed)
    out = []
    for offset in range(-span, span + 1, step):
        slope = before if offset <= 0 else after
        value = start + slope * offset + rng.gauss(0, noise)
        out.append((done_on + dt.timedelta(days=offset), value))
    return out


# --- the method --------------------------------------------------------------------------------


def test_it_finds_a_clear_change_of_slope_right_after_a_task() -> None:
    points = readings(0.1, 0.4)  # 3 a month, then 12 a month
    (move,) = moves_in(points, [TASK], UP, kpi_id=5, unit="patients")
    assert (move.kpi_id, move.task_id, move.task_title, move.completed_on) == (
        5,
        7,
        "Open the second clinic",
        DONE_ON,
    )
    assert move.slope_before == pytest.approx(3, abs=0.6)
    assert move.slope_after == pytest.approx(12, abs=0.6)
    assert move.change == pytest.approx(move.slope_after - move.slope_before)
    assert move.favourable
    assert (move.points_before, move.points_after) == (13, 12)  # 84 days and the day itself


def test_it_finds_the_change_whatever_the_noise_draws() -> None:
    found = [len(moves_in(readings(0.1, 0.4, seed=seed), [TASK], UP)) for seed in range(100)]
    assert found == [1] * 100


def test_a_steady_line_moves_nothing() -> None:
    assert moves_in(readings(0.3, 0.3, noise=0), [TASK], UP) == []
    # With noise, a change as large as the threshold is rare: about one draw in 500.
    found = sum(len(moves_in(readings(0.3, 0.3, seed=s), [TASK], UP)) for s in range(300))
    assert found <= 3


def test_noise_alone_moves_nothing() -> None:
    found = sum(len(moves_in(readings(0, 0, noise=5, seed=s), [TASK], UP)) for s in range(300))
    assert found <= 3


def test_a_fluke_reading_is_not_a_change() -> None:
    points = readings(0.2, 0.2, noise=0.3)
    points[-3] = (points[-3][0], points[-3][1] + 30)  # one wild reading after the task
    assert moves_in(points, [TASK], UP) == []


def test_too_few_check_ins_either_side_tell_nothing_and_say_so() -> None:
    points = readings(0, 1.0, noise=0, step=30, span=60)  # two before, two after: a knee
    result = dial_in(points[1:], [TASK], UP)  # one before
    assert result.moves == []
    assert result.reason.startswith("Not enough check-ins either side of a completed key task")
    assert dial_in(points, [], UP).reason == "No key task of this mission has been completed yet."
    steady = dial_in(readings(0.3, 0.3, noise=0), [TASK], UP)
    assert steady.reason == "No change in trend followed a completed key task."


def test_check_ins_beyond_the_window_are_not_read() -> None:
    # Flat for the 90 days either side of the task; a steep climb before and after those.
    def value(offset: int) -> float:
        return (
            50
            + (5 * (offset - 91) if offset > 91 else 0)
            - (5 * (offset + 91) if offset < -91 else 0)
        )

    points = [(DONE_ON + dt.timedelta(days=o), value(o)) for o in range(-200, 201, 7)]
    assert moves_in(points, [TASK], UP) == []


def test_a_decrease_kpi_moves_its_way_when_the_slope_falls() -> None:
    falling = readings(-0.05, -0.4, start=80)
    (move,) = moves_in(falling, [TASK], DOWN)
    assert move.change < 0 and move.favourable
    rising = readings(-0.4, 0.05, start=80)
    (move,) = moves_in(rising, [TASK], DOWN)
    assert move.change > 0 and not move.favourable
    (move,) = moves_in(rising, [TASK], UP)
    assert move.favourable


def test_a_range_kpi_moves_its_way_towards_the_middle_of_the_range() -> None:
    below = Target("range", 50.0, 80.0, 90.0)
    (move,) = moves_in(readings(0, 0.2, start=60), [TASK], below)
    assert move.favourable  # at 60, below the range: rising goes its way
    above = Target("range", 120.0, 80.0, 90.0)
    (move,) = moves_in(readings(0, 0.2, start=110), [TASK], above)
    assert not move.favourable  # at 110, above it: rising goes away


def test_irregular_dates_give_the_right_slopes() -> None:
    rng = random.Random(3)
    points, day = [], DONE_ON - dt.timedelta(days=88)
    while day <= DONE_ON + dt.timedelta(days=88):
        slope = 0.1 if day <= DONE_ON else 0.5
        points.append((day, 40 + slope * (day - DONE_ON).days + rng.gauss(0, 0.4)))
        day += dt.timedelta(days=rng.randint(2, 19))
    (move,) = moves_in(points, [TASK], UP)
    assert move.slope_before == pytest.approx(3, abs=0.8)
    assert move.slope_after == pytest.approx(15, abs=0.8)


def test_a_small_change_is_not_worth_telling_however_clear() -> None:
    # Exact data: the change is certain, but over 90 days it makes 0.9 of a way of 100.
    points = readings(0.2, 0.21, noise=0)
    assert moves_in(points, [TASK], UP) == []
    assert len(moves_in(points, [TASK], Target("increase", 0.0, 10.0))) == 1


def test_every_task_completed_near_the_change_is_listed_largest_change_first() -> None:
    points = readings(0, 0.5, noise=0.3)
    near = Completed(8, "Recruit the night team", DONE_ON - dt.timedelta(days=30))
    far = Completed(9, "Write the handbook", DONE_ON - dt.timedelta(days=300))
    moves = moves_in(points, [far, near, TASK], UP)
    assert [m.task_id for m in moves] == [7, 8]  # the closer to the change, the larger
    assert abs(moves[0].change) >= abs(moves[1].change)


def test_the_sentence_tells_a_sequence_in_the_kpis_unit() -> None:
    move = Move(1, 2, "Open the second clinic", dt.date(2027, 3, 3), 1.2, 4.8, 3.6, True, 5, 5)
    assert move.sentence.startswith("“Open the second clinic” was completed on 3 Mar 2027")
    moved = replace(move, unit="patients")
    assert moved.sentence == (
        "“Open the second clinic” was completed on 3 Mar 2027, followed by the trend rising "
        "from +1.2 to +4.8 patients a month."
    )
    fall = Move(1, 2, "Close ward 3", dt.date(2027, 3, 3), 0.004, -0.0312, -0.0352, False, 4, 4)
    assert fall.sentence.endswith("falling from +0.004 to -0.031 a month.")
    share = replace(fall, unit="%", slope_before=0.0)
    assert share.sentence.endswith("falling from 0 to -0.031 percentage points a month.")


# --- over the database -------------------------------------------------------------------------


def _at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _kpi_with_history(world, mission, done_on: dt.date, *, before=0.1, after=0.4, seed=1):
    kpi = KpiFactory(mission=mission, unit="patients", baseline=0, target=100)
    for day, value in readings(before, after, seed=seed, done_on=done_on):
        CheckInFactory(kpi=kpi, author=world.staff, recorded_on=day, value=round(value, 2))
    return kpi


def _done(mission, title: str, on: dt.date) -> KeyTask:
    return KeyTask.objects.create(
        mission=mission, title=title, status=KeyTask.Status.DONE, completed_at=_at_noon(on)
    )


@pytest.mark.django_db
def test_moves_of_a_kpi_read_its_missions_completed_tasks(world) -> None:
    kpi = _kpi_with_history(world, world.staff_mission, DONE_ON)
    task = _done(world.staff_mission, "Open the second clinic", DONE_ON)
    _done(world.team_mission, "Another mission's task", DONE_ON)  # not this KPI's mission
    KeyTask.objects.create(mission=world.staff_mission, title="Still open", status="in_progress")
    (move,) = moves_of(kpi)
    assert (move.kpi_id, move.task_id, move.completed_on) == (kpi.pk, task.pk, DONE_ON)
    assert move.sentence.endswith("patients a month.")
    assert move.favourable


@pytest.mark.django_db
def test_superseded_check_ins_are_ignored(world) -> None:
    kpi = _kpi_with_history(world, world.staff_mission, DONE_ON)
    _done(world.staff_mission, "Open the second clinic", DONE_ON)
    (move,) = moves_of(kpi)
    # After the task, each reading was first typed three days late with a wrong value (0),
    # then corrected to its day and value: the move is the same as before.
    for check_in in list(CheckIn.objects.filter(kpi=kpi, recorded_on__gt=DONE_ON)):
        late = check_in.recorded_on + dt.timedelta(days=3)
        wrong = CheckInFactory(kpi=kpi, author=world.staff, recorded_on=late, value=0)
        CheckInFactory(
            kpi=kpi,
            author=world.staff,
            recorded_on=check_in.recorded_on,
            value=check_in.value,
            supersedes=wrong,
        )
    assert moves_of(kpi) == [move]
    # Had the wrong readings counted, they would have hidden it.
    everything = [(c.recorded_on, float(c.value)) for c in CheckIn.objects.filter(kpi=kpi)]
    assert moves_in(everything, [TASK], UP) == []


@pytest.mark.django_db
def test_moves_for_many_kpis_cost_two_queries(world, django_assert_num_queries) -> None:
    def add(count: int, offset: int) -> list:
        kpis = []
        for i in range(count):
            mission = MissionFactory(
                parent=world.team_mission, level="individual", owner_user=world.staff
            )
            _done(mission, f"Task {offset + i}", DONE_ON)
            kpis.append(_kpi_with_history(world, mission, DONE_ON, seed=offset + i))
        return kpis

    few = add(2, 0)
    with django_assert_num_queries(2):  # the completed key tasks; the standing check-ins
        result = moves_for(few)
    assert sorted(result) == sorted(k.pk for k in few)
    assert all(len(moves) == 1 for moves in result.values())
    many = few + add(18, 2)
    with django_assert_num_queries(2):
        result = moves_for(many)
    assert sum(len(moves) for moves in result.values()) == 20
    assert moves_for([]) == {}


@pytest.mark.django_db
def test_moves_for_keeps_the_tasks_completed_since_a_day(world, django_assert_num_queries) -> None:
    kpi = _kpi_with_history(world, world.staff_mission, DONE_ON)
    _done(world.staff_mission, "Open the second clinic", DONE_ON)
    assert len(moves_for([kpi], since=DONE_ON)[kpi.pk]) == 1
    with django_assert_num_queries(1):  # no task since: the check-ins are not read
        assert moves_for([kpi], since=DONE_ON + dt.timedelta(days=1)) == {kpi.pk: []}


@pytest.mark.django_db
def test_the_dial_of_the_kpi_page_reads_the_history_it_is_given(
    world, django_assert_num_queries
) -> None:
    kpi = _kpi_with_history(world, world.staff_mission, DONE_ON)
    _done(world.staff_mission, "Open the second clinic", DONE_ON)
    history = [(c.recorded_on, float(c.value)) for c in CheckIn.objects.filter(kpi=kpi)]
    with django_assert_num_queries(1):  # the completed key tasks
        result = dial.dial_of(kpi, history=history)
    assert result.moves == moves_of(kpi)
    assert result.moves[0].points_before == 13


# --- the KPI page ------------------------------------------------------------------------------


def _page(client, kpi) -> str:
    response = client.get(f"/o/acme/kpis/{kpi.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_kpi_page_lists_the_moves_linked_to_their_key_task_and_marks_the_chart(
    world, client
) -> None:
    done_on = timezone.localdate() - dt.timedelta(days=90)
    kpi = _kpi_with_history(world, world.staff_mission, done_on)
    task = _done(world.staff_mission, "Open the second clinic", done_on)
    client.force_login(world.staff)
    html = _page(client, kpi)
    assert "What moved the dial" in html
    (move,) = moves_of(kpi)
    link = f'href="/o/acme/missions/{world.staff_mission.pk}/#key-task-{task.pk}"'
    assert f"{link}>{move.sentence}</a>" in html.replace("&#x27;", "'")
    assert "rising from +" in move.sentence
    assert "The KPI's way" in html.replace("&#x27;", "'")
    assert html.count('class="chart__mark"') == 1
    assert "Marked: “Open the second clinic” completed on" in html
    svg = client.get(f"/o/acme/kpis/{kpi.pk}/chart.svg").content.decode()
    assert svg.count('class="chart__mark"') == 1  # the file of its own shows it too


@pytest.mark.django_db
def test_the_kpi_page_says_why_nothing_moved_the_dial(world, client) -> None:
    done_on = timezone.localdate() - dt.timedelta(days=90)
    kpi = _kpi_with_history(world, world.staff_mission, done_on, before=0.2, after=0.2)
    client.force_login(world.staff)
    assert "No key task of this mission has been completed yet." in _page(client, kpi)
    _done(world.staff_mission, "Open the second clinic", done_on)
    html = _page(client, kpi)
    assert "No change in trend followed a completed key task." in html
    assert "chart__mark" not in html
    _done(
        world.staff_mission, "Recruit the night team", timezone.localdate() - dt.timedelta(days=1)
    )
    assert "No change in trend followed" in _page(client, kpi)  # the untestable one says nothing
    bare = KpiFactory(mission=world.staff_mission)
    assert "Not enough check-ins either side of a completed key task to tell" in _page(client, bare)


@pytest.mark.django_db
def test_the_kpi_page_costs_the_same_queries_for_one_and_many_moves(
    world, client, django_assert_max_num_queries
) -> None:
    today = timezone.localdate()
    kpi = _kpi_with_history(world, world.staff_mission, today - dt.timedelta(days=90))
    client.force_login(world.staff)
    with CaptureQueriesContext(connection) as none:
        _page(client, kpi)
    for days in range(60, 121, 10):
        _done(world.staff_mission, f"Task {days}", today - dt.timedelta(days=days))
    with django_assert_max_num_queries(len(none.captured_queries)):
        html = _page(client, kpi)
    assert html.count('class="list__item dial__move') >= 3


@pytest.mark.django_db
def test_the_demo_shows_what_moved_the_dial(client) -> None:
    call_command("seed_demo", stdout=StringIO())
    kpis = list(Kpi.objects.filter(organisation__slug="demo"))
    moves = [m for found in moves_for(kpis).values() for m in found]
    # The stories of a late start and of a recovery turn after a key task (tried on builds
    # 0 to 55 days apart: two to five of them went the KPI's way each time).
    favourable = [m for m in moves if m.favourable]
    assert favourable
    kpi = next(k for k in kpis if k.pk == favourable[0].kpi_id)
    client.force_login(Membership.objects.filter(organisation__slug="demo").first().user)
    html = client.get(f"/o/demo/kpis/{kpi.pk}/").content.decode()
    assert favourable[0].sentence in html.replace("&#x27;", "'")
