"""The inbox, kind by kind: the event happens → the right people get an item → acting on it
marks it done, whoever acts → it leaves the inbox (My work, the API) and the count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.models import Notification
from kernel.notifications import nav_counts
from kernel.permissions import actor_for
from measures.services import kpi_record_value
from missions.models import Interdependency, KeyTask, Mission
from missions.services import (
    interdependency_create,
    interdependency_respond,
    key_task_update,
    mission_align,
    mission_propose,
    mission_send_back,
    mission_update,
)
from reviews.checks import run_checks
from reviews.inbox import inbox_sweep_organisation
from reviews.models import Finding, Review
from reviews.services import reminders_send_due, review_complete
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db
ME = "/o/acme/me/"
INBOX = "/api/v1/inbox/"


def today() -> dt.date:
    return timezone.localdate()


def open_causes(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, done_at__isnull=True)
        .exclude(cause=None)
        .values_list("cause", flat=True)
    )


def inbox_page(client, user) -> str:
    client.force_login(user)
    html = client.get(ME).content.decode()
    return html[html.index('id="inbox-heading"') : html.index('id="missions-heading"')]


def api_inbox(user) -> list[dict]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(INBOX)
    assert response.status_code == 200
    return response.json()["results"]


def todo(world, user) -> int:
    return nav_counts(actor=actor_for(user, world.organisation))["todo"]


def assert_waits(world, client, user, cause: str, text: str) -> None:
    """The item is open for ``user``: on My work, in the API and in the count."""
    assert cause in open_causes(user)
    assert f'data-cause="{cause}"' in inbox_page(client, user)
    assert text in inbox_page(client, user)
    assert cause in [item["cause"] for item in api_inbox(user)]
    assert todo(world, user) == len(open_causes(user))


def assert_done(world, client, user, cause: str, by) -> None:
    """The item is done (by ``by``) and gone from everywhere it was listed."""
    item = Notification.objects.filter(recipient=user, cause=cause).latest("created_at")
    assert item.done_at is not None and item.done_by == by and item.read_at is not None
    assert cause not in open_causes(user)
    assert f'data-cause="{cause}"' not in inbox_page(client, user)
    assert cause not in [item["cause"] for item in api_inbox(user)]
    assert todo(world, user) == len(open_causes(user))


def test_alignment_asked_then_sent_back_reproposed_and_aligned(world, client) -> None:
    mission = world.staff_mission
    asked = f"alignment:{mission.pk}"
    mission_propose(mission=mission, by=world.staff, comment="Two wards by June")
    assert_waits(world, client, world.lead, asked, "is proposed for alignment")
    assert asked not in open_causes(world.leader)  # not the CEO's mission to align

    mission_send_back(mission=mission, by=world.lead, comment="Name the second site")
    assert_done(world, client, world.lead, asked, by=world.lead)
    sent_back = f"sent_back:{mission.pk}"
    assert_waits(world, client, world.staff, sent_back, "Name the second site")

    mission_propose(mission=mission, by=world.staff, comment="Sites: Leeds and York")
    assert_done(world, client, world.staff, sent_back, by=world.staff)
    assert_waits(world, client, world.lead, asked, "is proposed for alignment")
    assert Notification.objects.filter(recipient=world.lead, cause=asked, done_at=None).count() == 1

    mission_align(mission=mission, by=world.lead)
    assert_done(world, client, world.lead, asked, by=world.lead)
    assert open_causes(world.staff) == [] and open_causes(world.lead) == []
    # The owner is told, without anything to do.
    told = Notification.objects.get(recipient=world.staff, kind=Notification.Kind.ALIGNED)
    assert told.cause is None


def test_a_re_proposal_refreshes_the_one_item(world) -> None:
    mission = world.staff_mission
    mission_propose(mission=mission, by=world.staff)
    first = Notification.objects.get(recipient=world.lead, cause=f"alignment:{mission.pk}")
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    Mission.objects.filter(pk=mission.pk).update(alignment_status="draft")
    mission_propose(mission=mission, by=world.staff)
    again = Notification.objects.get(recipient=world.lead, cause=f"alignment:{mission.pk}")
    assert again.pk == first.pk and again.read_at is None  # unread again, not a second one


def test_a_moved_mission_asks_its_new_boss(world, client) -> None:
    other_team = TeamFactory(
        organisation=world.organisation,
        name="Estates",
        parent=world.top_team,
        leader=world.org_admin,
    )
    other_team_mission = MissionFactory(
        organisation=world.organisation,
        parent=world.org_mission,
        level=Mission.Level.TEAM,
        owner_team=other_team,
    )
    mission_update(
        mission=world.staff_mission, data={"parent": other_team_mission}, by=world.leader
    )
    assert f"alignment:{world.staff_mission.pk}" in open_causes(world.org_admin)


def test_support_requested_then_answered(world, client) -> None:
    link = interdependency_create(
        from_mission=world.staff_mission,
        to_mission=world.org_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        description="Need a ward manager",
        by=world.staff,
    )
    cause = f"support:{link.pk}"
    assert_waits(world, client, world.leader, cause, "asks for support from")
    interdependency_respond(link=link, status=Interdependency.Status.ACKNOWLEDGED, by=world.leader)
    assert_done(world, client, world.leader, cause, by=world.leader)


def test_review_due_then_held(world, client) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="aligned")
    review = Review.objects.create(mission=world.staff_mission, due_date=today())
    reminders_send_due(today=today())
    cause = f"review:{review.pk}"
    assert_waits(world, client, world.staff, cause, "is due today")
    review_complete(review=review, data={"still_aligned": True}, by=world.staff)
    assert_done(world, client, world.staff, cause, by=world.staff)


def test_check_in_due_then_checked_in(world, client) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds", cadence_days=7)
    inbox_sweep_organisation(world.organisation)
    cause = f"check_in:{kpi.pk}"
    assert_waits(world, client, world.staff, cause, "Virtual ward beds")
    kpi_record_value(kpi=kpi, value=Decimal("5"), by=world.staff)
    assert_done(world, client, world.staff, cause, by=world.staff)
    inbox_sweep_organisation(world.organisation)  # checked in: the sweep asks nothing again
    assert cause not in open_causes(world.staff)


def test_a_back_dated_check_in_leaves_the_kpi_due(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission, cadence_days=7)
    inbox_sweep_organisation(world.organisation)
    old = today() - dt.timedelta(days=20)
    kpi_record_value(kpi=kpi, value=Decimal("5"), by=world.staff, recorded_on=old)
    assert f"check_in:{kpi.pk}" in open_causes(world.staff)


def test_key_task_overdue_then_done(world, client) -> None:
    task = KeyTask.objects.create(
        mission=world.staff_mission,
        title="Hire two nurses",
        owner=world.staff,
        due_date=today() - dt.timedelta(days=7),
    )
    inbox_sweep_organisation(world.organisation)
    cause = f"key_task:{task.pk}"
    assert_waits(world, client, world.staff, cause, "Hire two nurses")
    key_task_update(task=task, data={"status": KeyTask.Status.DONE}, by=world.lead)
    assert_done(world, client, world.staff, cause, by=world.lead)  # whoever handled it


def test_a_finding_then_its_resolution(world, client) -> None:
    run_checks(organisation=world.organisation)
    inbox_sweep_organisation(world.organisation, only=["finding"])
    finding = Finding.objects.get(
        mission=world.staff_mission, kind=Finding.Kind.NO_KPI, resolved_at=None
    )
    cause = f"finding:{finding.pk}"
    assert_waits(world, client, world.staff, cause, finding.message)
    KpiFactory(mission=world.staff_mission)
    run_checks(organisation=world.organisation)
    inbox_sweep_organisation(world.organisation, only=["finding"])
    assert_done(world, client, world.staff, cause, by=None)


def test_the_sweep_follows_a_change_of_owner(world) -> None:
    task = KeyTask.objects.create(
        mission=world.staff_mission, title="Hire", due_date=today() - dt.timedelta(days=1)
    )
    inbox_sweep_organisation(world.organisation)
    assert f"key_task:{task.pk}" in open_causes(world.staff)  # no owner: the mission's owner
    KeyTask.objects.filter(pk=task.pk).update(owner=world.lead)
    inbox_sweep_organisation(world.organisation)
    assert f"key_task:{task.pk}" not in open_causes(world.staff)
    assert f"key_task:{task.pk}" in open_causes(world.lead)


def test_archiving_a_mission_completes_what_it_asked(world) -> None:
    from missions.services import mission_archive

    mission_propose(mission=world.staff_mission, by=world.staff)
    mission_archive(mission=world.staff_mission, by=world.staff)
    assert open_causes(world.lead) == []


def test_the_sweep_is_idempotent_and_stays_in_its_organisation(world) -> None:
    KpiFactory(mission=world.staff_mission)
    KpiFactory(mission=world.other_mission)
    first = inbox_sweep_organisation(world.organisation)
    assert first["check_in"][0] == 1
    again = inbox_sweep_organisation(world.organisation)
    assert all(opened == 0 and completed == 0 for opened, completed in again.values())
    assert not Notification.objects.filter(organisation=world.other_organisation).exists()


def test_reading_does_not_complete(world, client) -> None:
    mission_propose(mission=world.staff_mission, by=world.staff)
    client.force_login(world.lead)
    client.post("/o/acme/notifications/")  # mark all read
    assert f"alignment:{world.staff_mission.pk}" in open_causes(world.lead)
    assert (
        todo(world, world.lead) == 1
        and nav_counts(actor=actor_for(world.lead, world.organisation))["unread"] == 0
    )


def test_the_notification_centre_separates_unread_to_do_and_done(world, client) -> None:
    mission = world.staff_mission
    mission_propose(mission=mission, by=world.staff)
    mission_align(mission=mission, by=world.lead)
    client.force_login(world.lead)
    done = client.get("/o/acme/notifications/?show=done").content.decode()
    assert "is proposed for alignment" in done and "done " in done
    assert (
        "is proposed for alignment"
        not in client.get("/o/acme/notifications/?show=todo").content.decode()
    )
    client.force_login(world.staff)
    aligned = client.get("/o/acme/notifications/?show=unread&kind=aligned").content.decode()
    assert "is aligned" in aligned
    assert "is aligned" not in client.get("/o/acme/notifications/?kind=sent_back").content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_the_inbox_costs_the_same_queries_for_5_and_500_items(
    world, client, count, django_assert_max_num_queries
) -> None:
    Notification.objects.bulk_create(
        Notification(
            organisation=world.organisation,
            recipient=world.staff,
            kind=Notification.Kind.CHECK_IN_DUE,
            message=f"KPI {i} is due for a check-in.",
            url="/o/acme/me/",
            mission=world.staff_mission,
            cause=f"check_in:{10_000 + i}",
        )
        for i in range(count)
    )
    client.force_login(world.staff)
    # My work reads its missions' open findings too, and counts its missions for its pages.
    with django_assert_max_num_queries(16):
        html = client.get(ME).content.decode()
    assert f'<span class="count">{count}</span>' in html
    api = APIClient()
    api.force_authenticate(world.staff)
    with django_assert_max_num_queries(8):
        response = api.get(INBOX)
    assert response.json()["count"] == count


def test_a_sent_back_mission_leaves_no_review_item(world) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="proposed")
    review = Review.objects.create(mission=world.staff_mission, due_date=today())
    reminders_send_due(today=today())
    assert f"review:{review.pk}" in open_causes(world.staff)
    mission_send_back(mission=world.staff_mission, by=world.lead, comment="Name the site")
    inbox_sweep_organisation(world.organisation)
    assert f"review:{review.pk}" not in open_causes(world.staff)  # not reminded while sent back


def test_a_finding_another_item_asks_already_is_not_a_second_item(world) -> None:
    task = KeyTask.objects.create(
        mission=world.staff_mission,
        title="Hire",
        owner=world.staff,
        due_date=today() - dt.timedelta(days=10),
    )
    run_checks(organisation=world.organisation)
    assert Finding.objects.filter(kind=Finding.Kind.TASK_OVERDUE, resolved_at=None).exists()
    inbox_sweep_organisation(world.organisation)
    kinds = set(
        Notification.objects.filter(recipient=world.staff, done_at=None)
        .exclude(cause=None)
        .values_list("kind", flat=True)
    )
    assert f"key_task:{task.pk}" in open_causes(world.staff)
    assert not Notification.objects.filter(
        cause__in=[
            f"finding:{pk}"
            for pk in Finding.objects.filter(kind=Finding.Kind.TASK_OVERDUE).values_list(
                "pk", flat=True
            )
        ]
    ).exists()
    assert Notification.Kind.FINDING in kinds  # the others (no KPI) still come
