"""My work, check-ins from the browser (one, bulk, CSV), the KPI page and its chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kernel import formats
from kernel.models import Notification
from measures import forecast, services
from measures.models import CheckIn, Kpi
from measures.pages import MISSIONS_PER_PAGE
from measures.summary import contributions, figures_for, rollup
from missions.models import Interdependency, KeyTask, Mission
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Review
from reviews.services import reminders_send_due
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

ME = "/o/acme/me/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def today() -> dt.date:
    return timezone.localdate()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def staff_kpi(world, **fields) -> Kpi:
    fields.setdefault("name", "Virtual ward beds")
    fields.setdefault("due_date", today() + dt.timedelta(days=90))
    return KpiFactory(mission=world.staff_mission, **fields)


def check_in_url(kpi: Kpi) -> str:
    return f"/o/acme/kpis/{kpi.pk}/check-in/"


def upload(client, text: str, **extra):
    data = {"file": SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")}
    return client.post(f"{ME}check-in/upload/", data, **extra)


# --- My work -------------------------------------------------------------------------------


def test_my_work_shows_staff_their_kpis_and_key_tasks(world, client) -> None:
    kpi = staff_kpi(world, unit="beds", target=Decimal(40))
    CheckInFactory(kpi=kpi, author=world.staff, value=25, recorded_on=days_ago(3), comment="Ok")
    services.kpi_refresh_figures(kpi=kpi)  # factories write rows only; the service refreshes
    KeyTask.objects.create(mission=world.staff_mission, title="Hire two nurses", owner=world.lead)
    KeyTask.objects.create(mission=world.team_mission, title="Pick a site", owner=world.staff)
    client.force_login(world.staff)
    response = client.get(ME)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open two virtual wards" in html
    assert f'id="kpi-row-{kpi.pk}"' in html
    assert "Virtual ward beds" in html and "25 beds" in html and "40 beds" in html
    assert "confidence 70%" in html and "“Ok”" in html  # the last check-in beside the form
    assert 'hx-post="/o/acme/kpis/' in html and 'hx-swap="outerHTML"' in html
    assert 'class="sparkline"' in html
    assert "Hire two nurses" in html
    assert "My key tasks on other missions" in html and "Pick a site" in html
    assert "Nothing waits for you" in html  # checked in 3 days ago, within its 30-day cadence


def test_my_work_says_a_mission_with_a_critical_finding_is_off_track(world, client) -> None:
    """My work reads the one health rule whole, findings included, as the cascade does
    (failing first: it said "On track" beside a critical finding)."""
    from reviews.models import Finding

    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="aligned")
    kpi = staff_kpi(world, forecast_status="on_track")
    CheckInFactory(kpi=kpi, author=world.staff, value=25, recorded_on=days_ago(3))
    Finding.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        kind="space_exceeds_parent",
        severity="critical",
        message="Over the parent's budget.",
        opened_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    client.force_login(world.staff)
    html = client.get(ME).content.decode()
    assert 'data-health="off_track"' in html and 'data-health="on_track"' not in html


def test_the_inbox_lists_what_waits_for_the_user(world, client) -> None:
    stale = staff_kpi(world, name="Stale KPI", cadence_days=7)
    CheckInFactory(kpi=stale, author=world.staff, recorded_on=days_ago(10))
    staff_kpi(world, name="Never checked in")
    review = Review.objects.create(mission=world.staff_mission, due_date=today())
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="proposed")
    reminders_send_due(today=today())  # the review's item: its reminder of the day
    inbox_sweep_organisation(world.organisation)  # the check-ins due, the proposal
    client.force_login(world.staff)
    html = client.get(ME).content.decode()
    inbox = html[html.index('id="inbox-heading"') : html.index('id="missions-heading"')]
    assert f'href="/o/acme/reviews/{review.pk}/"' in inbox
    assert "Check-ins due" in inbox and "Stale KPI" in inbox and "Never checked in" in inbox
    assert "Reviews due" in inbox and "Open two virtual wards" in inbox
    assert "Waiting for your alignment" not in inbox

    Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        description="Need a ward manager",
    )
    inbox_sweep_organisation(world.organisation)
    client.force_login(world.lead)
    html = client.get(ME).content.decode()
    inbox = html[html.index('id="inbox-heading"') : html.index('id="missions-heading"')]
    assert "Waiting for your alignment" in inbox and "Open two virtual wards" in inbox
    assert "Waiting for your answer" in inbox and "asks for support from" in inbox
    # The CEO is not the boss of the staff mission: nothing of it waits for them.
    client.force_login(world.leader)
    html = client.get(ME).content.decode()
    assert "Waiting for your alignment" not in html and "Waiting for your answer" not in html


def test_my_work_costs_the_same_queries_for_3_and_30_kpis(
    world, client, django_assert_max_num_queries
) -> None:
    def add_kpis(count: int) -> None:
        for i in range(count):
            mission = MissionFactory(
                parent=world.team_mission, level="individual", owner_user=world.staff
            )
            kpi = KpiFactory(mission=mission)
            CheckInFactory(kpi=kpi, author=world.staff, recorded_on=days_ago(40 + i))
            CheckInFactory(kpi=kpi, author=world.staff, recorded_on=days_ago(i))
            KeyTask.objects.create(mission=mission, title=f"Task {i}", owner=world.staff)

    client.force_login(world.staff)
    add_kpis(3)
    with CaptureQueriesContext(connection) as few:
        response = client.get(ME)
    rows_before = response.content.decode().count('<li class="kpi-row')
    add_kpis(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ME)
    first = response.content.decode()
    second = client.get(ME + "?page=2").content.decode()
    # A page of missions at a time, each with its KPIs: every KPI on one page or the other.
    assert len(response.context["work"].missions) == MISSIONS_PER_PAGE
    assert first.count('<li class="kpi-row') + second.count('<li class="kpi-row') == (
        rows_before + 27
    )
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def test_my_work_shows_my_key_tasks_with_my_missions_on_their_own_page(world, client) -> None:
    """Someone with more missions than a page: a key task of theirs on their own mission of
    the second page is on that page under its mission, not among "key tasks on other
    missions" of the first; a task of theirs on someone else's mission is there on every page."""
    mine = [
        MissionFactory(
            parent=world.team_mission,
            level="individual",
            owner_user=world.staff,
            title=f"Mission {n:02}",
        )
        for n in range(MISSIONS_PER_PAGE + 5)
    ]
    last = max(mine, key=lambda m: m.title)
    KeyTask.objects.create(mission=last, title="Task on the last page", owner=world.staff)
    KeyTask.objects.create(mission=world.team_mission, title="Task for the team", owner=world.staff)
    client.force_login(world.staff)
    first = client.get(ME)
    others = [task.title for _, tasks in first.context["work"].other_key_tasks for task in tasks]
    assert others == ["Task for the team"]
    assert "Task on the last page" not in first.content.decode()
    second = client.get(ME + "?page=2")
    works = {w.mission.pk: w for w in second.context["work"].missions}
    assert [t.title for t in works[last.pk].key_tasks] == ["Task on the last page"]
    assert "Task for the team" in second.content.decode()


# --- One check-in ----------------------------------------------------------------------------


def test_a_check_in_with_htmx_stores_it_and_returns_the_updated_row(world, client) -> None:
    kpi = staff_kpi(world)
    CheckInFactory(kpi=kpi, author=world.staff, value=20, recorded_on=days_ago(5))
    client.force_login(world.staff)
    response = client.post(
        check_in_url(kpi),
        {"value": "42.5", "confidence": "80", "comment": "Ward B open", "next": ME},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="kpi-row" id="kpi-row-{kpi.pk}"')
    assert "Checked in 42.5% on" in html
    assert '<dd class="kpi-row__latest">42.5' in html
    assert "“Ward B open”" in html  # now the last check-in beside the form
    check_in = CheckIn.objects.get(kpi=kpi, value=Decimal("42.5"))
    assert check_in.author == world.staff
    assert (check_in.confidence, check_in.comment, check_in.recorded_on) == (
        80,
        "Ward B open",
        today(),
    )


def test_a_check_in_without_javascript_redirects_back(world, client) -> None:
    kpi = staff_kpi(world)
    client.force_login(world.staff)
    kpi_page = f"/o/acme/kpis/{kpi.pk}/"
    response = client.post(check_in_url(kpi), {"value": "7", "confidence": "60", "next": kpi_page})
    assert response.status_code == 302 and response.url == kpi_page
    response = client.post(
        check_in_url(kpi), {"value": "8", "confidence": "60", "next": "https://evil.example/"}
    )
    assert response.url == ME
    assert CheckIn.objects.filter(kpi=kpi).count() == 2


def test_an_earlier_date_is_accepted(world, client) -> None:
    kpi = staff_kpi(world)
    client.force_login(world.staff)
    client.post(
        check_in_url(kpi), {"value": "7", "confidence": "60", "recorded_on": days_ago(3)}, **HTMX
    )
    assert CheckIn.objects.get(kpi=kpi).recorded_on == days_ago(3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "abc", "confidence": "70"}, "Value: Enter a number."),
        ({"value": "", "confidence": "70"}, "Value: This field is required."),
        (
            {"value": "1", "confidence": "150"},
            "Confidence: Ensure this value is less than or equal to 100.",
        ),
        (
            {"value": "1", "confidence": "-1"},
            "Confidence: Ensure this value is greater than or equal to 0.",
        ),
        (
            {"value": "1", "confidence": "70", "recorded_on": "2999-01-01"},
            "Date: The date cannot be in the future.",
        ),
    ],
)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_bad_input_answers_400_with_a_message_and_stores_nothing(
    world, client, data, message, headers
) -> None:
    kpi = staff_kpi(world)
    client.force_login(world.staff)
    response = client.post(check_in_url(kpi), data, **headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was stored." in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert f'id="kpi-row-{kpi.pk}"' in html  # the row, with the form to try again
    assert not CheckIn.objects.filter(kpi=kpi).exists()


def test_an_archived_kpi_takes_no_check_in(world, client) -> None:
    kpi = staff_kpi(world, status=Kpi.Status.ARCHIVED)
    client.force_login(world.staff)
    response = client.post(check_in_url(kpi), {"value": "1", "confidence": "70"}, **HTMX)
    assert response.status_code == 400
    assert "This KPI is archived; it takes no more check-ins." in response.content.decode()
    assert not CheckIn.objects.filter(kpi=kpi).exists()


@pytest.mark.parametrize("who", ["coach", "leader"])
def test_those_who_may_not_check_in_get_403(world, client, who) -> None:
    kpi = staff_kpi(world)
    client.force_login(getattr(world, who))
    response = client.post(check_in_url(kpi), {"value": "1", "confidence": "70"}, **HTMX)
    assert response.status_code == 403
    assert "You may not check in this KPI" in response.content.decode()
    assert client.post(check_in_url(kpi), {"value": "1", "confidence": "70"}).status_code == 403
    assert not CheckIn.objects.filter(kpi=kpi).exists()
    # They read the KPI page, without a check-in form.
    html = client.get(f"/o/acme/kpis/{kpi.pk}/").content.decode()
    assert "Virtual ward beds" in html and 'name="value"' not in html


def test_the_boss_may_check_in_for_their_staff(world, client) -> None:
    kpi = staff_kpi(world)
    client.force_login(world.lead)
    response = client.post(check_in_url(kpi), {"value": "3", "confidence": "70"}, **HTMX)
    assert response.status_code == 200
    assert CheckIn.objects.get(kpi=kpi).author == world.lead


def test_outsiders_get_404_and_anonymous_users_the_log_in(world, client) -> None:
    kpi = staff_kpi(world)
    urls = [
        ME,
        f"{ME}check-in/bulk/",
        f"{ME}check-in/upload/",
        f"/o/acme/kpis/{kpi.pk}/",
        f"/o/acme/kpis/{kpi.pk}/chart.svg",
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url
    client.force_login(world.outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(check_in_url(kpi), {"value": "1", "confidence": "70"}, **HTMX)
    assert response.status_code == 404
    # Another organisation's KPI under this organisation's slug does not exist either.
    other = KpiFactory(mission=world.other_mission)
    client.force_login(world.staff)
    assert client.get(f"/o/acme/kpis/{other.pk}/").status_code == 404
    assert client.post(check_in_url(other), {"value": "1", "confidence": "7"}).status_code == 404
    assert not CheckIn.objects.exists()


# --- Bulk check-in and CSV upload ----------------------------------------------------------


def test_bulk_check_in_is_all_or_nothing(world, client) -> None:
    a, b, c = (staff_kpi(world, name=name) for name in ("Beds", "Visits", "Readmissions"))
    client.force_login(world.staff)
    url = f"{ME}check-in/bulk/"
    page = client.get(url).content.decode()
    assert "Check in all" in page and page.count('<label for="id_kpi-') == 9
    bad = {
        f"kpi-{a.pk}-value": "12",
        f"kpi-{a.pk}-confidence": "70",
        f"kpi-{b.pk}-value": "abc",
        f"kpi-{b.pk}-confidence": "70",
        f"kpi-{c.pk}-value": "",
        f"kpi-{c.pk}-confidence": "70",
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was stored." in html and "Visits</a>: Value: Enter a number." in html
    assert not CheckIn.objects.exists()

    good = {**bad, f"kpi-{b.pk}-value": "30", f"kpi-{b.pk}-comment": "Busy week"}
    response = client.post(url, good)
    assert response.status_code == 302 and response.url == ME
    stored = {ci.kpi_id: ci for ci in CheckIn.objects.all()}
    assert set(stored) == {a.pk, b.pk}  # the blank one is skipped
    assert stored[b.pk].comment == "Busy week" and stored[b.pk].author == world.staff


def test_bulk_check_in_with_nothing_filled_in_stores_nothing(world, client) -> None:
    kpi = staff_kpi(world)
    client.force_login(world.staff)
    response = client.post(
        f"{ME}check-in/bulk/", {f"kpi-{kpi.pk}-value": " ", f"kpi-{kpi.pk}-confidence": "70"}
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_csv_with_one_bad_line_stores_nothing_and_names_the_line(world, client) -> None:
    beds = staff_kpi(world, name="Beds")
    visits = staff_kpi(world, name="Visits")
    client.force_login(world.staff)
    text = (
        "kpi,value,date,comment\n"
        f"{beds.pk},12,{days_ago(2)},By id\n"
        "Visits,abc,,Bad value\n"
        "Visits,14,,By name\n"
    )
    response = upload(client, text)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was stored." in html and "Line 3 has an error" in html
    assert "Value: Enter a number." in html
    assert not CheckIn.objects.exists()

    # A good file is previewed first (nothing stored), then confirmed.
    good = text.replace("abc", "13")
    response = upload(client, good)
    assert response.status_code == 200
    assert "All 3 lines can be stored" in response.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(f"{ME}check-in/upload/", {"text": good, "confirm": "on"})
    assert response.status_code == 302 and response.url == ME
    assert CheckIn.objects.filter(kpi=beds, recorded_on=days_ago(2), value=12).exists()
    assert sorted(CheckIn.objects.filter(kpi=visits).values_list("value", flat=True)) == [13, 14]
    assert set(CheckIn.objects.values_list("author", flat=True)) == {world.staff.pk}


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("Nobody's KPI,1,,", "none of your KPIs has the id or name “Nobody&#x27;s KPI”"),
        ("Beds,1,2999-01-01,", "The date cannot be in the future."),
        ("Beds,1,01/03/2026,", "Date: write it as YYYY-MM-DD."),
        ("Archived,1,,", "This KPI is archived"),
        ("Team KPI,1,,", "none of your KPIs"),  # a KPI of someone else's mission
    ],
)
def test_csv_row_errors(world, client, line, error) -> None:
    staff_kpi(world, name="Beds")
    staff_kpi(world, name="Archived", status=Kpi.Status.ARCHIVED)
    KpiFactory(mission=world.team_mission, name="Team KPI")
    client.force_login(world.staff)
    response = upload(client, f"kpi,value,date,comment\nBeds,2,,\n{line}\n")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 3 has an error" in html and error in html
    assert not CheckIn.objects.exists()


def test_a_csv_without_the_columns_is_refused(world, client) -> None:
    client.force_login(world.staff)
    response = upload(client, "name,amount\nBeds,1\n")
    assert response.status_code == 400
    assert "Missing: kpi, value." in response.content.decode()


# --- KPI page, chart and roll-up -----------------------------------------------------------


def test_the_kpi_page_shows_the_chart_and_the_history(world, client) -> None:
    kpi = staff_kpi(world, baseline=Decimal(10), target=Decimal(50))
    first = CheckInFactory(kpi=kpi, author=world.staff, value=10, recorded_on=days_ago(20))
    CheckInFactory(kpi=kpi, author=world.staff, value=20, recorded_on=days_ago(10))
    services.kpi_record_value(
        kpi=kpi,
        value=Decimal(12),
        by=world.staff,
        recorded_on=first.recorded_on,
        supersedes=first,
        comment="Typo",
    )
    client.force_login(world.coach)
    response = client.get(f"/o/acme/kpis/{kpi.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<polyline class="chart__history"' in html
    assert 'class="chart__target"' in html and 'class="chart__baseline"' in html
    assert '<polyline class="chart__forecast"' in html
    assert "<desc" in html and "2 check-ins, from 12% on" in html and "target: reach 50" in html
    assert "<del>10</del>" in html and "corrected to 12" in html  # the correction, both shown
    assert "Correction</span> of 10" in html

    chart = client.get(f"/o/acme/kpis/{kpi.pk}/chart.svg")
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.decode().startswith("<svg")


def test_a_range_kpi_is_charted_as_a_band(world, client) -> None:
    kpi = staff_kpi(
        world, direction=Kpi.Direction.RANGE, target=Decimal(40), target_max=Decimal(60)
    )
    client.force_login(world.staff)
    html = client.get(f"/o/acme/kpis/{kpi.pk}/").content.decode()
    assert '<rect class="chart__target"' in html and "Target range 40–60" in html
    assert "No check-ins yet." in html


def test_the_mission_page_links_each_kpi_to_its_page(world, client) -> None:
    kpi = staff_kpi(world)
    client.force_login(world.staff)
    html = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert f'href="/o/acme/kpis/{kpi.pk}/">Virtual ward beds</a>' in html


def _figures(kpi: Kpi):
    return figures_for(Kpi.objects.prefetch_related("check_ins").get(pk=kpi.pk))


def test_rollup_weights_child_progress_not_their_values(world) -> None:
    parent = KpiFactory(mission=world.team_mission, name="Care at home", target=100)
    beds = staff_kpi(world, parent_kpi=parent, weight=3, baseline=0, target=10)  # met: 1.0
    wait = staff_kpi(
        world, parent_kpi=parent, weight=1, direction="decrease", baseline=100, target=50
    )
    CheckInFactory(kpi=beds, author=world.staff, value=10, recorded_on=days_ago(1))
    CheckInFactory(kpi=wait, author=world.staff, value=100, recorded_on=days_ago(1))  # 0.0
    for kpi in (beds, wait):
        services.kpi_refresh_figures(kpi=kpi)  # factories write rows only
    parent_figures = _figures(parent)
    children = [_figures(beds), _figures(wait)]
    assert rollup(parent_figures, children) == pytest.approx(0.75)  # a plain average: 0.5
    parts = contributions(parent_figures, children)
    assert [p.share for p in parts] == [0.75, 0.25]
    assert [p.weighted for p in parts] == [0.75, 0.0]
    assert rollup(parent_figures, []) is None
    assert rollup(_figures(beds), children) is None  # they contribute to another KPI
    Kpi.objects.filter(pk__in=[beds.pk, wait.pk]).update(weight=0)
    assert rollup(parent_figures, [_figures(beds), _figures(wait)]) is None


def test_the_parent_kpi_page_shows_each_contribution(world, client) -> None:
    parent = KpiFactory(mission=world.team_mission, name="Care at home")
    beds = staff_kpi(world, name="Beds", parent_kpi=parent, weight=3, baseline=0, target=10)
    staff_kpi(world, name="Wait", parent_kpi=parent, weight=1, baseline=0, target=10)
    CheckInFactory(kpi=beds, author=world.staff, value=5, recorded_on=days_ago(1))
    services.kpi_refresh_figures(kpi=beds)  # factories write rows only; the service refreshes
    client.force_login(world.lead)
    html = client.get(f"/o/acme/kpis/{parent.pk}/").content.decode()
    assert "Contributions" in html and "Beds" in html and "Wait" in html
    assert "<strong>38%</strong>" in html  # 0.75 × 0.5 + 0.25 × 0
    child_page = client.get(f"/o/acme/kpis/{beds.pk}/").content.decode()
    assert f'href="/o/acme/kpis/{parent.pk}/">Care at home</a>' in child_page


def test_the_kpi_page_costs_the_same_queries_for_few_and_many_check_ins(
    world, client, django_assert_max_num_queries
) -> None:
    parent = KpiFactory(mission=world.team_mission)
    kpi = staff_kpi(world, parent_kpi=parent)
    client.force_login(world.staff)
    url = f"/o/acme/kpis/{parent.pk}/"
    CheckInFactory(kpi=kpi, author=world.staff, recorded_on=days_ago(1))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        child = staff_kpi(world, parent_kpi=parent)
        CheckInFactory(kpi=child, author=world.lead, recorded_on=days_ago(i))
        CheckInFactory(kpi=parent, author=world.lead, recorded_on=days_ago(i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_chart_forecast_comes_from_the_forecast_module(world) -> None:
    from measures import charts

    kpi = staff_kpi(world, baseline=0, target=100, due_date=today() + dt.timedelta(days=10))
    for i, value in enumerate((10, 20, 30)):
        CheckInFactory(kpi=kpi, author=world.staff, value=value, recorded_on=days_ago(20 - i * 10))
    services.kpi_refresh_figures(kpi=kpi)  # factories write rows only; the service refreshes
    figures = _figures(kpi)
    expected = forecast.forecast(forecast.Target.of(kpi), figures.history, kpi.due_date)
    assert figures.forecast == expected
    assert f"Forecast at the due date: {formats.number(expected.value_at_due)}" in (
        charts.describe(figures)
    )


def test_a_check_in_marks_its_inbox_item_done(world, client) -> None:
    kpi = staff_kpi(world)
    inbox_sweep_organisation(world.organisation)
    client.force_login(world.staff)
    assert f'id="inbox-check_in{kpi.pk}"' in client.get(ME).content.decode()
    html = client.post(check_in_url(kpi), {"value": "5", "confidence": "70"}, **HTMX)
    html = html.content.decode()
    assert f'id="inbox-check_in{kpi.pk}" hx-swap-oob="true"' in html
    item = Notification.objects.get(cause=f"check_in:{kpi.pk}")
    assert item.done_at is not None and item.done_by == world.staff
    assert "Nothing waits for you" in client.get(ME).content.decode()


def test_an_upload_without_a_file_asks_for_one(world, client) -> None:
    client.force_login(world.staff)
    response = client.post(f"{ME}check-in/upload/", {})
    assert response.status_code == 400
    assert response.content.decode().count("Choose a CSV file.") == 1
