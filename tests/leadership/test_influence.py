"""Stakeholder maps and communication plans: who keeps and reads them, the inbox item of a
contact due, and how a logged contact moves the stance and the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kernel.models import AuditEvent, Notification
from kernel.notifications import open_items
from kernel.permissions import Action, actor_for, can
from leadership import selectors, services
from leadership.models import Stakeholder, Stance
from missions.selectors.history import mission_history
from reviews.inbox import inbox_sweep_organisation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def actor(world, user):
    return actor_for(user, world.organisation)


def council(world, *, by=None, mission="staff", **extra):
    """The patients' council on ``staff_mission``'s map (or ``mission=None``: by's own)."""
    by = by or world.staff
    data = {
        "name": "Patients' council",
        "why": "Their voice decides whether the wards are trusted.",
        "interests": "Safety; being heard before changes, not after.",
        "influence": 4,
        "interest": 5,
        "stance": Stance.SCEPTICAL,
        "desired_stance": Stance.SUPPORTIVE,
        "message": "The virtual wards keep people safe at home.",
        "channel": "meeting",
        "cadence_days": 30,
        "plan_owner": world.lead,
        "next_contact_on": TODAY,
        **extra,
    }
    target = world.staff_mission if mission == "staff" else mission
    return services.stakeholder_create(actor=actor(world, by), mission=target, data=data)


def contact_items(user):
    return Notification.objects.filter(
        recipient=user, kind=Notification.Kind.CONTACT_DUE, done_at__isnull=True
    )


def test_a_mission_map_is_kept_by_who_may_edit_the_mission(world) -> None:
    stakeholder = council(world)
    assert stakeholder.quadrant == "Manage closely"
    assert stakeholder.stance_gap == 2
    for user in (world.staff, world.lead, world.org_admin):
        assert can(actor(world, user), Action.EDIT, stakeholder)
    # The plan's owner reads it and logs contacts; nobody else even sees it.
    world_plan = council(world, plan_owner=world.leader, name="Ward sisters")
    assert can(actor(world, world.leader), Action.VIEW, world_plan)
    assert can(actor(world, world.leader), Action.LOG_CONTACT, world_plan)
    assert not can(actor(world, world.leader), Action.EDIT, world_plan)
    assert not can(actor(world, world.coach), Action.VIEW, world_plan)
    assert not can(actor(world, world.outsider), Action.VIEW, world_plan)
    with pytest.raises(PermissionDenied):
        council(world, by=world.coach)
    with pytest.raises(PermissionDenied):
        council(world, by=world.leader)  # not staff_mission's owner nor its boss


def test_a_member_on_the_map_does_not_read_what_is_said_of_them(world) -> None:
    stakeholder = council(world, name="", member=world.coach, plan_owner=None)
    assert stakeholder.display_name == world.coach.get_full_name()
    coach = actor(world, world.coach)
    assert not can(coach, Action.VIEW, stakeholder)
    assert not selectors.visible_to(actor=coach).exists()
    assert list(selectors.visible_to(actor=actor(world, world.lead))) == [stakeholder]


def test_a_leaders_own_map_is_theirs_alone(world) -> None:
    own = council(world, by=world.leader, mission=None, plan_owner=world.leader)
    assert own.leader == world.leader and own.mission is None
    for user in (world.lead, world.staff, world.org_admin, world.coach):
        assert not can(actor(world, user), Action.VIEW, own)
    assert list(selectors.map_of(organisation=world.organisation, leader=world.leader)) == [own]


def test_people_must_be_members_and_someone_must_be_named(world) -> None:
    with pytest.raises(ValidationError) as refused:
        council(world, member=world.outsider, plan_owner=world.outsider)
    assert set(refused.value.message_dict) == {"member", "plan_owner"}
    with pytest.raises(ValidationError) as refused:
        council(world, name="")
    assert "Name the person or group" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        council(world, influence=6, interest=0, cadence_days=0)
    assert {"influence", "interest", "cadence_days"} <= set(refused.value.message_dict)
    assert not Stakeholder.objects.exists()


def test_a_contact_due_waits_in_the_plan_owners_inbox_until_a_contact_is_logged(world) -> None:
    stakeholder = council(world)
    lead = actor(world, world.lead)
    [item] = open_items(actor=lead).filter(kind=Notification.Kind.CONTACT_DUE)
    assert item.message.startswith("Contact Patients' council, due ")
    assert item.url == stakeholder.get_absolute_url()
    contact = services.contact_log(
        actor=lead,
        stakeholder=stakeholder,
        data={"contacted_on": TODAY, "note": "They asked for the safety data.", "stance_after": 0},
    )
    assert contact.channel == "meeting"  # the plan's, when none is given
    stakeholder.refresh_from_db()
    assert stakeholder.stance == Stance.NEUTRAL
    assert stakeholder.next_contact_on == TODAY + dt.timedelta(days=30)
    assert not contact_items(world.lead).exists()
    item.refresh_from_db()
    assert item.done_by == world.lead
    # The hourly sweep agrees: nothing is due now; and in 30 days it is again.
    inbox_sweep_organisation(world.organisation, only=["contact"])
    assert not contact_items(world.lead).exists()
    inbox_sweep_organisation(
        world.organisation, only=["contact"], today=TODAY + dt.timedelta(days=30)
    )
    assert contact_items(world.lead).count() == 1


def test_an_old_contact_moves_the_plan_from_the_latest_one(world) -> None:
    stakeholder = council(world)
    lead = actor(world, world.lead)
    for days_ago in (2, 20):
        services.contact_log(
            actor=lead,
            stakeholder=stakeholder,
            data={
                "contacted_on": TODAY - dt.timedelta(days=days_ago),
                "note": "Met.",
                "stance_after": 1,
            },
        )
    stakeholder.refresh_from_db()
    assert stakeholder.next_contact_on == TODAY + dt.timedelta(days=28)
    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            actor=lead,
            stakeholder=stakeholder,
            data={"contacted_on": TODAY + dt.timedelta(days=1), "note": "x", "stance_after": 1},
        )
    assert "contacted_on" in refused.value.message_dict


def test_a_new_plan_owner_takes_the_item_over(world) -> None:
    stakeholder = council(world)
    services.stakeholder_update(
        actor=actor(world, world.staff), stakeholder=stakeholder, data={"plan_owner": world.staff}
    )
    assert not contact_items(world.lead).exists()
    assert contact_items(world.staff).count() == 1
    services.stakeholder_update(
        actor=actor(world, world.staff),
        stakeholder=stakeholder,
        data={"next_contact_on": TODAY + dt.timedelta(days=3)},
    )
    assert not contact_items(world.staff).exists()


def test_the_history_is_the_stakeholders_not_the_missions(world) -> None:
    stakeholder = council(world)
    services.stakeholder_update(
        actor=actor(world, world.staff), stakeholder=stakeholder, data={"influence": 5}
    )
    services.contact_log(
        actor=actor(world, world.lead),
        stakeholder=stakeholder,
        data={"contacted_on": TODAY, "note": "Good talk.", "stance_after": 1},
    )
    entries = selectors.stakeholder_history(stakeholder=stakeholder)
    assert [e.verb for e in entries] == ["contacted", "updated", "created"]
    assert "Influence: 4 → 5" in entries[1].changes
    assert entries[0].who == world.lead.get_full_name()
    assert "Stance now: Sceptical → Supportive" in entries[0].changes
    # Every member reads the mission's history: what is thought of people stays off it.
    assert not [e for e in mission_history(mission=world.staff_mission) if "council" in e.sentence]
    assert AuditEvent.objects.filter(object_id=stakeholder.pk, mission__isnull=True).count() == 3


def test_removing_takes_the_item_and_keeps_the_record(world) -> None:
    stakeholder = council(world)
    pk = stakeholder.pk
    services.stakeholder_remove(actor=actor(world, world.lead), stakeholder=stakeholder)
    assert not Stakeholder.objects.filter(pk=pk).exists()
    assert not contact_items(world.lead).exists()
    assert AuditEvent.objects.filter(object_id=pk, verb="removed").exists()
