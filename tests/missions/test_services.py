"""Mission services: invariants, atomicity and attribution (who, when, what)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kernel import tree
from kernel.models import AuditEvent
from measures import services as measures_services
from missions import services
from missions.models import Mission, Vision
from reviews import services as review_services
from reviews.models import Review
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db


def _child_data(world, **overrides):
    data = {
        "level": Mission.Level.INDIVIDUAL,
        "title": "Run the discharge huddle",
        "intent": "Patients go home sooner.",
        "parent": world.team_mission,
        "owner_user": world.staff,
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
    }
    data.update(overrides)
    return data


def test_it_creates_a_mission_in_its_place_and_records_who(world) -> None:
    mission = services.mission_create(
        organisation=world.organisation, data=_child_data(world), by=world.staff
    )
    assert mission.path == tree.child_path(world.team_mission.path, world.team_mission.pk)
    assert mission.alignment_status == Mission.AlignmentStatus.DRAFT
    event = AuditEvent.objects.get(mission=mission)
    assert (event.actor, event.verb) == (world.staff, "created")


def test_it_refuses_a_parent_from_another_organisation_and_stores_nothing(world) -> None:
    before = Mission.objects.count()
    with pytest.raises(ValidationError) as error:
        services.mission_create(
            organisation=world.organisation,
            data=_child_data(world, parent=world.other_mission),
            by=world.staff,
        )
    assert "parent" in error.value.message_dict
    assert Mission.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_period_that_ends_before_it_starts(world) -> None:
    with pytest.raises(ValidationError):
        services.mission_create(
            organisation=world.organisation,
            data=_child_data(world, period_end=dt.date(2025, 1, 1)),
            by=world.staff,
        )


def test_an_update_records_old_and_new_values(world) -> None:
    services.mission_update(
        mission=world.team_mission,
        data={"title": "Virtual wards", "budget": Decimal("1000.50")},
        by=world.lead,
    )
    event = AuditEvent.objects.get(mission=world.team_mission, verb="updated")
    assert event.actor == world.lead
    assert event.changes == {
        "title": ["Community wards", "Virtual wards"],
        "budget": [None, "1000.50"],
    }
    world.team_mission.refresh_from_db()
    assert world.team_mission.updated_by == world.lead


def test_an_update_that_changes_nothing_records_nothing(world) -> None:
    services.mission_update(
        mission=world.team_mission, data={"title": "Community wards"}, by=world.lead
    )
    assert not AuditEvent.objects.exists()


def test_the_alignment_workflow_is_attributed(world) -> None:
    mission = world.staff_mission
    services.mission_propose(mission=mission, by=world.staff)
    with pytest.raises(ValidationError, match="comment"):
        services.mission_send_back(mission=mission, by=world.lead, comment=" ")
    services.mission_send_back(mission=mission, by=world.lead, comment="Tie it to the ward KPI.")
    services.mission_propose(mission=mission, by=world.staff)
    services.mission_align(mission=mission, by=world.lead)
    mission.refresh_from_db()
    assert mission.alignment_status == "aligned"
    assert mission.aligned_by == world.lead and mission.aligned_at is not None
    history = list(AuditEvent.objects.filter(mission=mission).order_by("id"))
    assert [(e.verb, e.actor.username) for e in history] == [
        ("proposed", "staff"),
        ("sent_back", "lead"),
        ("proposed", "staff"),
        ("aligned", "lead"),
    ]
    assert history[1].comment == "Tie it to the ward KPI."


def test_a_top_mission_cannot_be_proposed(world) -> None:
    with pytest.raises(ValidationError):
        services.mission_propose(mission=world.org_mission, by=world.leader)


def test_archiving_keeps_the_mission(world) -> None:
    services.mission_archive(mission=world.staff_mission, by=world.lead)
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.status == "archived"
    assert AuditEvent.objects.filter(mission=world.staff_mission, verb="archived").exists()


def test_the_vision_records_who_changed_it(world) -> None:
    vision = services.vision_update(
        organisation=world.organisation, data={"ceo_intent": "Home first."}, by=world.leader
    )
    assert vision.updated_by == world.leader
    event = AuditEvent.objects.get(verb="updated")
    assert event.content_type.model_class() is Vision
    assert event.changes["ceo_intent"][1] == "Home first."


def test_a_check_in_is_appended_and_attributed(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    first = measures_services.kpi_record_value(
        kpi=kpi, value=Decimal(20), by=world.staff, recorded_on=dt.date(2026, 2, 1)
    )
    correction = measures_services.kpi_record_value(
        kpi=kpi,
        value=Decimal(21),
        by=world.staff,
        recorded_on=dt.date(2026, 2, 1),
        supersedes=first,
        comment="Typo",
    )
    assert list(kpi.check_ins.order_by("id")) == [first, correction]
    assert AuditEvent.objects.filter(mission=world.staff_mission, verb="checked_in").count() == 2


def test_a_check_in_in_the_future_or_on_an_archived_kpi_is_refused(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    with pytest.raises(ValidationError, match="future"):
        measures_services.kpi_record_value(
            kpi=kpi, value=Decimal(1), by=world.staff, recorded_on=dt.date(2999, 1, 1)
        )
    kpi.status = "archived"
    kpi.save()
    with pytest.raises(ValidationError, match="archived"):
        measures_services.kpi_record_value(kpi=kpi, value=Decimal(1), by=world.staff)
    assert not kpi.check_ins.exists()


def test_a_kpi_links_only_to_a_kpi_of_the_parent_mission(world) -> None:
    parent_kpi = KpiFactory(mission=world.team_mission)
    unrelated = KpiFactory(mission=world.org_mission)
    data = {
        "name": "Virtual ward patients",
        "baseline": 0,
        "target": 40,
        "due_date": dt.date(2026, 12, 31),
    }
    with pytest.raises(ValidationError, match="parent mission"):
        measures_services.kpi_create(
            mission=world.staff_mission, data={**data, "parent_kpi": unrelated}, by=world.staff
        )
    kpi = measures_services.kpi_create(
        mission=world.staff_mission, data={**data, "parent_kpi": parent_kpi}, by=world.staff
    )
    assert kpi.parent_kpi == parent_kpi and kpi.created_by == world.staff


def test_holding_a_review_schedules_the_next_and_reopens_a_drifted_mission(world) -> None:
    mission = world.team_mission
    mission.alignment_status = "aligned"
    mission.save()
    review = review_services.review_schedule(mission=mission, due_date=dt.date(2026, 3, 1))
    review_services.review_complete(
        review=review,
        data={
            "summary": "Slower than planned",
            "still_aligned": False,
            "held_on": dt.date(2026, 3, 2),
        },
        by=world.lead,
    )
    mission.refresh_from_db()
    assert mission.alignment_status == "proposed"
    assert mission.next_review_due == dt.date(2026, 4, 1)  # 30 days after it was held
    assert Review.objects.filter(
        mission=mission, due_date=dt.date(2026, 4, 1), status="scheduled"
    ).exists()
    with pytest.raises(ValidationError, match="already"):
        review_services.review_complete(review=review, data={}, by=world.lead)
    verbs = set(AuditEvent.objects.filter(mission=mission).values_list("verb", flat=True))
    assert {"reviewed", "proposed"} <= verbs
