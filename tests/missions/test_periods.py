"""Planning periods: the rules of a period, a year and its quarters generated, a mission's
dates following its period, the tenancy of the table, carry-over to the next period, the
check of a period outside the parent's, the cascade's filter and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from kernel.tenancy import tenant_scope
from measures.missions import mission_carry_over
from missions import services
from missions.forms import MissionForm
from missions.models import Mission, Period
from reviews.checks import run_checks
from reviews.models import Finding
from tests.missions.factories import MissionFactory
from tests.reviews.test_checks import calm, measured, open_kinds  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _year(organisation, start_year=2026, first_month=4, by=None) -> dict[str, Period]:
    services.periods_generate_year(
        organisation=organisation, start_year=start_year, first_month=first_month, by=by
    )
    return {p.name: p for p in Period.objects.filter(organisation=organisation)}


# --- The period and its year ---------------------------------------------------------------


def test_a_period_ends_after_it_starts_in_the_database_and_in_its_rules(world) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.create(
            organisation=world.organisation,
            name="Backwards",
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 4, 1),
        )
    with pytest.raises(ValidationError) as refused:
        services.period_create(
            organisation=world.organisation,
            data={
                "name": "Backwards",
                "starts_on": dt.date(2026, 5, 1),
                "ends_on": dt.date(2026, 5, 1),
            },
            by=world.org_admin,
        )
    assert refused.value.message_dict == {"ends_on": ["A period ends after it starts."]}


def test_a_name_is_once_per_organisation(world) -> None:
    _year(world.organisation)
    _year(world.other_organisation)  # another organisation's FY2027 is theirs
    with pytest.raises(ValidationError) as refused:
        _year(world.organisation)
    assert "FY2027" in refused.value.message_dict["name"][0]
    assert Period.objects.filter(organisation=world.organisation).count() == 5


def test_a_year_and_its_quarters_from_april(world) -> None:
    periods = _year(world.organisation, by=world.org_admin)
    assert [
        (p.name, p.starts_on, p.ends_on, p.parent and p.parent.name)
        for p in Period.objects.filter(organisation=world.organisation)
    ] == [
        ("FY2027", dt.date(2026, 4, 1), dt.date(2027, 3, 31), None),
        ("Q1 FY2027", dt.date(2026, 4, 1), dt.date(2026, 6, 30), "FY2027"),
        ("Q2 FY2027", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "FY2027"),
        ("Q3 FY2027", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "FY2027"),
        ("Q4 FY2027", dt.date(2027, 1, 1), dt.date(2027, 3, 31), "FY2027"),
    ]
    events = AuditEvent.objects.filter(
        object_id__in=[p.pk for p in periods.values()], verb=AuditEvent.Verb.CREATED
    )
    assert events.count() == 5 and {e.actor for e in events} == {world.org_admin}


def test_a_calendar_year_is_named_after_itself(world) -> None:
    periods = _year(world.organisation, start_year=2027, first_month=1)
    assert periods["FY2027"].ends_on == dt.date(2027, 12, 31)
    assert periods["Q4 FY2027"].starts_on == dt.date(2027, 10, 1)


def test_a_quarter_stays_inside_its_year_and_in_its_organisation(world) -> None:
    year = _year(world.organisation)["FY2027"]
    with pytest.raises(ValidationError) as refused:
        services.period_create(
            organisation=world.organisation,
            data={
                "name": "Q5",
                "parent": year,
                "starts_on": dt.date(2027, 4, 1),
                "ends_on": dt.date(2027, 6, 30),
            },
            by=None,
        )
    assert refused.value.message_dict == {"parent": ["It runs outside FY2027."]}
    with pytest.raises(ValidationError) as refused:
        services.period_create(
            organisation=world.other_organisation,
            data={
                "name": "Q1",
                "parent": year,
                "starts_on": dt.date(2026, 4, 1),
                "ends_on": dt.date(2026, 6, 30),
            },
            by=None,
        )
    assert refused.value.message_dict == {
        "parent": ["That period belongs to another organisation."]
    }


def test_the_next_period_is_of_the_same_kind(world) -> None:
    first = _year(world.organisation)
    second = _year(world.organisation, start_year=2027)
    assert services.period_next(first["Q2 FY2027"]) == first["Q3 FY2027"]
    assert services.period_next(first["Q4 FY2027"]) == second["Q1 FY2028"]
    assert services.period_next(first["FY2027"]) == second["FY2028"]
    assert services.period_next(second["Q4 FY2028"]) is None


# --- Tenancy -------------------------------------------------------------------------------


def test_another_organisations_periods_are_not_there_in_a_tenant_scope(world) -> None:
    _year(world.organisation)
    theirs = _year(world.other_organisation)["FY2027"]
    with tenant_scope([world.organisation.pk]):
        assert set(Period.objects.values_list("organisation_id", flat=True)) == {
            world.organisation.pk
        }
        assert not Period.objects.filter(pk=theirs.pk).exists()


def test_the_database_refuses_a_mission_in_another_organisations_period(world) -> None:
    theirs = _year(world.other_organisation)["Q1 FY2027"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.filter(pk=world.staff_mission.pk).update(period=theirs)
    with pytest.raises(ValidationError) as refused:
        services.mission_update(mission=world.staff_mission, data={"period": theirs}, by=world.lead)
    assert refused.value.message_dict["period"] == ["That period belongs to another organisation."]


# --- A mission's period --------------------------------------------------------------------


def test_a_mission_in_a_period_runs_for_it_and_follows_its_dates(world) -> None:
    periods = _year(world.organisation)
    q2 = periods["Q2 FY2027"]
    mission = services.mission_update(
        mission=world.staff_mission, data={"period": q2}, by=world.lead
    )
    assert (mission.period_start, mission.period_end) == (q2.starts_on, q2.ends_on)
    event = AuditEvent.objects.filter(object_id=mission.pk, verb=AuditEvent.Verb.UPDATED).latest(
        "id"
    )
    assert event.changes["period"] == [None, q2.pk]
    assert event.changes["period_start"] == ["2026-01-01", "2026-07-01"]
    # Dates given with a period are the period's.
    mission = services.mission_update(
        mission=mission, data={"period_end": dt.date(2030, 1, 1)}, by=world.lead
    )
    assert mission.period_end == q2.ends_on
    # The period moved: its missions with it, in one statement.
    services.period_update(period=q2, data={"ends_on": dt.date(2026, 10, 15)}, by=world.org_admin)
    assert Mission.objects.get(pk=mission.pk).period_end == dt.date(2026, 10, 15)


def test_the_mission_form_takes_a_period_or_both_dates(world) -> None:
    from kernel.permissions import actor_for

    q3 = _year(world.organisation)["Q3 FY2027"]
    actor = actor_for(world.lead, world.organisation)
    mission = world.team_mission
    base = {
        "level": "team",
        "title": mission.title,
        "owner_team": str(world.team.pk),
        "updated_at": mission.updated_at.isoformat(),
    }
    form = MissionForm(
        {**base, "period": str(q3.pk)}, instance=mission, actor=actor, parent=mission.parent
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["period_start"], form.cleaned_data["period_end"]) == (
        q3.starts_on,
        q3.ends_on,
    )
    form = MissionForm(base, instance=mission, actor=actor, parent=mission.parent)
    assert not form.is_valid()
    assert form.errors["period_start"] == ["Give the date, or choose a period."]


# --- Carry-over ----------------------------------------------------------------------------


def test_carry_over_moves_a_quarter_mission_to_the_next_quarter(world) -> None:
    periods = _year(world.organisation)
    q4, q1_next = periods["Q4 FY2027"], _year(world.organisation, start_year=2027)["Q1 FY2028"]
    mission = services.mission_update(
        mission=world.team_mission, data={"period": q4}, by=world.lead
    )
    assert services.mission_next_planning_period(mission) == q1_next
    copy = mission_carry_over(mission=mission, period=q1_next, by=world.lead)
    assert (copy.period, copy.period_start, copy.period_end) == (
        q1_next,
        dt.date(2027, 4, 1),
        dt.date(2027, 6, 30),
    )
    assert Mission.objects.get(pk=mission.pk).status == Mission.Status.COMPLETED
    # A mission of free dates carries over to free dates, not to its original's period.
    free = mission_carry_over(
        mission=world.staff_mission,
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31),
        by=world.lead,
    )
    assert (free.period, free.period_end) == (None, dt.date(2027, 12, 31))


def test_carry_over_needs_a_period_or_dates(world) -> None:
    with pytest.raises(ValidationError):
        mission_carry_over(mission=world.staff_mission, by=world.lead)


# --- The check -----------------------------------------------------------------------------


def test_the_check_names_the_periods_when_both_missions_have_one(calm) -> None:  # noqa: F811
    first = _year(calm.organisation)
    second = _year(calm.organisation, start_year=2027)
    services.mission_update(mission=calm.org_mission, data={"period": first["FY2027"]}, by=None)
    Mission.objects.filter(pk=calm.team_mission.pk).update(
        period=first["FY2027"], period_start=dt.date(2026, 4, 1), period_end=dt.date(2027, 3, 31)
    )
    # A quarter of the parent's year is inside it.
    services.mission_update(
        mission=calm.staff_mission, data={"period": first["Q2 FY2027"]}, by=None
    )
    run_checks(organisation=calm.organisation)
    assert "period_outside_parent" not in open_kinds(calm.staff_mission)
    # The next year's first quarter is not.
    services.mission_update(
        mission=calm.staff_mission, data={"period": second["Q1 FY2028"]}, by=None
    )
    run_checks(organisation=calm.organisation)
    finding = Finding.objects.get(
        mission=calm.staff_mission, kind="period_outside_parent", resolved_at__isnull=True
    )
    assert finding.message == (
        "Its period, Q1 FY2028, runs outside FY2027, the period of “Community wards”."
    )


# --- The cascade's filter and the API ------------------------------------------------------


def test_the_cascade_filtered_by_a_period_costs_the_same_queries_for_more_missions(
    world, client, django_assert_max_num_queries
) -> None:
    q2 = _year(world.organisation)["Q2 FY2027"]
    client.force_login(world.lead)

    def grow(count: int) -> None:
        for n in range(count):
            MissionFactory(
                parent=world.team_mission,
                owner_team=world.team,
                title=f"In Q2 {n}",
                period=q2,
                period_start=q2.starts_on,
                period_end=q2.ends_on,
            )

    grow(3)
    url = f"/o/acme/cascade/?period={q2.pk}"
    with django_assert_max_num_queries(30) as small:
        response = client.get(url)
    assert response.context["page"].paginator.count == 3
    grow(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 30
    # The heat map has the same filter.
    response = client.get(f"/o/acme/dashboard/heatmap/?period={q2.pk}")
    assert response.status_code == 200 and response.context["page"].paginator.count == 30


def test_another_organisations_period_is_no_filter_of_the_cascade(world, client) -> None:
    theirs = _year(world.other_organisation)["Q2 FY2027"]
    client.force_login(world.lead)
    response = client.get(f"/o/acme/cascade/?period={theirs.pk}")
    assert response.status_code == 200
    assert "period" in response.context["form"].errors


def test_the_api_lists_ones_own_periods_and_writes_a_mission_in_one(world) -> None:
    ours = _year(world.organisation)
    theirs = _year(world.other_organisation)
    api = APIClient()
    api.force_authenticate(world.lead)
    listed = api.get("/api/v1/periods/").json()
    assert listed["count"] == 5
    assert {p["organisation"] for p in listed["results"]} == {world.organisation.pk}
    assert api.get(f"/api/v1/periods/{theirs['FY2027'].pk}/").status_code == 404
    q2 = ours["Q2 FY2027"]
    created = api.post(
        "/api/v1/missions/",
        {
            "level": "individual",
            "title": "Train the ward team",
            "parent": world.team_mission.pk,
            "owner_user": world.lead.pk,
            "period": q2.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["period"], body["period_start"], body["period_end"]) == (
        q2.pk,
        "2026-07-01",
        "2026-09-30",
    )
    stored = Mission.objects.get(pk=body["id"])
    assert stored.period == q2
    assert AuditEvent.objects.filter(object_id=stored.pk, verb=AuditEvent.Verb.CREATED).exists()
    # The list's fast rows say the same.
    row = next(m for m in api.get(f"/api/v1/missions/?period={q2.pk}").json()["results"])
    assert row["id"] == stored.pk and row["period"] == q2.pk
    refused = api.post(
        "/api/v1/missions/",
        {
            "level": "team",
            "title": "No dates",
            "parent": world.org_mission.pk,
            "owner_team": world.team.pk,
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["period_start"] == ["Give the date, or a period."]
    refused = api.patch(
        f"/api/v1/missions/{stored.pk}/", {"period": theirs["Q2 FY2027"].pk}, format="json"
    )
    assert refused.status_code == 400 and "period" in refused.json()
