"""Action learning groups: a safe space read by its people only, leaders and admins included;
four to eight people; the facilitator plans the sessions; anyone in it keeps notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kernel.models import AuditEvent
from kernel.permissions import Action, actor_for, can
from leadership import selectors, services
from leadership.models import LearningGroup, SessionNote
from tests.missions.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def actor(world, user):
    return actor_for(user, world.organisation)


@pytest.fixture
def nurse(world):
    user = UserFactory(username="nurse")
    MembershipFactory(organisation=world.organisation, user=user, role="staff", team=world.team)
    return user


def start(world, nurse, **extra):
    data = {
        "name": "New leaders' set",
        "purpose": "Saying no to good ideas.",
        "facilitator": world.coach,
        "members": [world.staff, world.lead, nurse],
        **extra,
    }
    return services.learning_group_create(actor=actor(world, world.staff), data=data)


def test_a_group_is_read_by_its_people_only(world, nurse) -> None:
    group = start(world, nurse)
    assert group.member_ids == {world.coach.pk, world.staff.pk, world.lead.pk, nurse.pk}
    for user in (world.coach, world.staff, world.lead, nurse):
        assert can(actor(world, user), Action.VIEW, group)
    for user in (world.leader, world.org_admin):
        assert not can(actor(world, user), Action.VIEW, group)
        assert selectors.learning_groups_of(actor=actor(world, user)) == []
    assert can(actor(world, world.coach), Action.EDIT, group)
    assert not can(actor(world, world.staff), Action.EDIT, group)
    # Kept out of the audit log, which bosses and admins read.
    assert not AuditEvent.objects.filter(object_repr__contains="New leaders").exists()


def test_a_group_is_four_to_eight_people_of_the_organisation(world, nurse) -> None:
    with pytest.raises(ValidationError) as refused:
        start(world, nurse, members=[world.staff])
    assert "4 to 8 people" in str(refused.value)
    with pytest.raises(ValidationError):
        start(world, nurse, members=[world.staff, world.lead, world.outsider])
    with pytest.raises(ValidationError) as refused:
        services.learning_group_create(
            actor=actor(world, world.org_admin),
            data={
                "name": "x",
                "facilitator": world.coach,
                "members": [world.staff, world.lead, nurse],
            },
        )
    assert "be its facilitator or one of them" in str(refused.value)
    assert not LearningGroup.objects.exists()


def test_the_facilitator_plans_and_everyone_in_it_keeps_notes(world, nurse) -> None:
    group = start(world, nurse)
    with pytest.raises(PermissionDenied):
        services.learning_session_create(
            actor=actor(world, world.staff), group=group, data={"held_on": TODAY, "topic": "x"}
        )
    session = services.learning_session_create(
        actor=actor(world, world.coach), group=group, data={"held_on": TODAY, "topic": "Saying no"}
    )
    services.session_note_write(
        actor=actor(world, nurse), session=session, body="I say yes to avoid the conversation."
    )
    with pytest.raises(PermissionDenied):
        services.session_note_write(actor=actor(world, world.leader), session=session, body="x")
    assert SessionNote.objects.get().author == nurse


def test_the_pages_keep_it_private(world, nurse) -> None:
    group = start(world, nurse)
    session = services.learning_session_create(
        actor=actor(world, world.coach),
        group=group,
        data={"held_on": TODAY - dt.timedelta(days=1), "topic": "Saying no"},
    )
    note_url = reverse("leadership:session-note", kwargs={"org": "acme", "pk": session.pk})
    staff, admin = Client(), Client()
    staff.force_login(world.staff)
    admin.force_login(world.org_admin)
    assert staff.post(note_url, {f"note-{session.pk}-body": ""}).status_code == 400
    assert (
        staff.post(
            note_url, {f"note-{session.pk}-body": "Afraid to let the team down."}
        ).status_code
        == 302
    )
    page = reverse("leadership:learning-group", kwargs={"org": "acme", "pk": group.pk})
    assert "Afraid to let the team down." in staff.get(page).content.decode()
    assert admin.get(page).status_code == 404
    assert (
        "New leaders"
        not in admin.get(reverse("leadership:learning", kwargs={"org": "acme"})).content.decode()
    )
    # The Django admin lists who and when, never what was said.
    world.org_admin.is_staff = world.org_admin.is_superuser = True
    world.org_admin.save()
    listing = admin.get("/admin/leadership/sessionnote/").content.decode()
    assert "Afraid to let" not in listing
    detail = admin.get(f"/admin/leadership/sessionnote/{SessionNote.objects.get().pk}/change/")
    assert "Afraid to let" not in detail.content.decode()


def test_starting_a_group_in_the_browser_form(world, nurse) -> None:
    client = Client()
    client.force_login(world.coach)
    url = reverse("leadership:learning", kwargs={"org": "acme"})
    refused = client.post(url, {"name": "Set", "facilitator": "coach", "member_1": "staff"})
    assert refused.status_code == 400
    assert "4 to 8 people" in refused.content.decode()
    done = client.post(
        url,
        {
            "name": "Set",
            "facilitator": "coach",
            "member_1": "staff",
            "member_2": "lead",
            "member_3": "nurse",
        },
    )
    assert done.status_code == 302
    assert LearningGroup.objects.get().member_ids == {
        world.coach.pk,
        world.staff.pk,
        world.lead.pk,
        nurse.pk,
    }
